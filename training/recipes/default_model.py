"""The default model's recipe, end to end after `landmark-train prepare`:

1. cache the frozen stages' feature maps of every photo and its mirror image (once);
2. fine-tune the last stage(s), GeM, neck and sub-center ArcFace head on those maps;
3. embed the training photos as the re-ranking gallery and pick its weight on val;
4. fit the temperature and the "no landmark" threshold on val;
5. export the bundle (`model.export.export_bundle`) and write report.json.

    python -m training.recipes.default_model --manifest PREPARED --work WORK --out B.ltbundle
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from training.errors import TrainingError
from training.recipes.recipe_config import RecipeConfig, load_recipe


@dataclass
class RecipeReport:
    """Every figure the recipe measured (saved as report.json, read by the card)."""

    config: dict[str, Any]
    classes: list[str]
    train_images: int
    val_images: int
    seconds: dict[str, float] = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)  # "what each step bought" on val
    gallery_table: list[dict] = field(default_factory=list)
    gallery_weight: float = 0.0
    gallery_k: int = 1
    temperature: float = 1.0
    ece_before: float = 0.0
    ece_after: float = 0.0
    nll_before: float = 0.0
    nll_after: float = 0.0
    threshold: dict[str, float] = field(default_factory=dict)
    reliability: dict[str, list] = field(default_factory=dict)
    bundle: str = ""
    class_counts: dict[str, int] = field(default_factory=dict)
    num_blocks: int = 0

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8")
        return path


def _step(report: RecipeReport, name: str, probabilities: np.ndarray, labels: np.ndarray, note: str = "") -> None:
    from training.gallery import gap_and_accuracy

    gap, accuracy = gap_and_accuracy(probabilities, labels)
    report.steps.append({"step": name, "gap": gap, "accuracy": accuracy, "note": note})


def _preprocessing(config: RecipeConfig):
    from model.registry import backbone_spec
    from model.preprocess import Preprocessing

    base = backbone_spec(config.network.backbone).default_preprocessing(config.network.input_size)
    return Preprocessing(
        input_size=config.network.input_size, mean=base.mean, std=base.std,
        resize=config.network.resize, interpolation=config.network.interpolation,
    )


def run_recipe(
    config: RecipeConfig,
    manifest_dir: Path,
    work_dir: Path,
    out_path: Path | None,
    log: Callable[[str], None] = print,
) -> RecipeReport:
    """Train, calibrate and (when out_path is given) export; returns the report.

    Raises TrainingError (or DatasetError) when the prepared data is unusable.
    """
    import torch

    from model.network import LandmarkNet, NetConfig
    from model.scoring import ScoringConfig, calibrated_probabilities, class_similarities
    from training.calibration import (
        choose_threshold, fit_temperature, negative_log_likelihood, reliability_bins,
        softmax_scores, unknown_landmark_scores,
    )
    from training.datasets import load_manifest
    from training.gallery import build_gallery, choose_gallery_weight
    from training.recipes.feature_cache import cache_feature_maps, timed
    from model.descriptor import descriptors_from_pooled, fit_descriptors
    from training.recipes.tail_training import TrainableStages, embed_rows, pooled_rows, train_tail

    torch.set_num_threads(max(1, int(config.threads)))
    torch.manual_seed(config.train.seed)
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(Path(manifest_dir))
    labels = np.array([image.class_index for image in manifest.images], dtype=np.int64)
    splits = np.array([image.split for image in manifest.images])
    train_rows, val_rows = np.flatnonzero(splits == "train"), np.flatnonzero(splits == "val")
    if len(train_rows) == 0 or len(val_rows) == 0:
        raise TrainingError(f"{manifest_dir} needs both a train and a val split; prepare with --val-fraction 0.2")
    class_names = [c.name for c in sorted(manifest.classes, key=lambda c: c.index)]
    report = RecipeReport(config.to_dict(), class_names, int(len(train_rows)), int(len(val_rows)))
    report.class_counts = {name: int((labels == i).sum()) for i, name in enumerate(class_names)}
    net_config = NetConfig(
        num_classes=len(class_names), backbone=config.network.backbone,
        embedding_size=config.network.embedding_size,
        sub_centers=config.train.k if config.train.loss == "subcenter-arcface" else 1,
        input_size=config.network.input_size, gem_p=config.network.gem_p,
        gem_learnable=config.network.gem_learnable, dropout=config.network.dropout,
    )
    net = LandmarkNet(net_config).eval()
    preprocessing = _preprocessing(config)
    paths = [manifest.cache_path(image) for image in manifest.images]
    n = config.network
    cache_file = work_dir / config.maps_file_name()

    def progress(done: int, total: int) -> None:
        if done == total or done % 320 < 32:
            log(f"feature maps: {done}/{total} photos")

    with timed("feature maps", log) as t:
        maps = cache_feature_maps(
            net.backbone.trunk, n.cut_block, paths, preprocessing, cache_file,
            threads=config.threads, progress=progress, augment=config.augment,
        )
    report.seconds["feature_maps"] = t.seconds
    stages = TrainableStages(net, n.cut_block)
    report.num_blocks = len(net.backbone.trunk._blocks)
    if stages.pools_in_advance:
        with timed("pooling cached maps", log) as t:
            maps = stages.pool_maps(maps)
        report.seconds["pooling"] = t.seconds
    with timed("training", log) as t:
        report.history = train_tail(stages, maps, labels, train_rows, len(class_names), config.train, log)
    report.seconds["training"] = t.seconds

    with timed("gallery and calibration", log) as t:
        y_val = labels[val_rows]
        val_emb, val_cos = embed_rows(stages, maps, val_rows, (0,))
        train_emb, _ = embed_rows(stages, maps, train_rows, (0,))
        s = config.train.s
        _step(report, "trained network, class centres only", softmax_scores(val_cos, s), y_val)
        tta_emb, tta_cos = embed_rows(stages, maps, val_rows, (0, 1))
        _step(report, "(alternative, not shipped: flip test-time augmentation on the centres, doubles inference time)",
              softmax_scores(tta_cos, s), y_val)
        descriptor_mean = projection = None
        sc = config.scoring
        if sc.teaching_space:
            train_pooled = pooled_rows(stages, maps, train_rows)
            descriptor_mean, projection = fit_descriptors(
                train_pooled, labels[train_rows], sc.whiten_size, sc.whiten_shrinkage)
            gallery = build_gallery(
                train_emb, labels[train_rows], descriptors_from_pooled(train_pooled, descriptor_mean, projection))
        else:
            gallery = build_gallery(train_emb, labels[train_rows])
        choice = choose_gallery_weight(val_cos, val_emb, y_val, gallery, s, sc.gallery_weights, sc.gallery_ks)
        report.gallery_table, report.gallery_weight, report.gallery_k = choice.table, choice.weight, choice.k
        scoring = ScoringConfig(scale=s, gallery_weight=choice.weight, gallery_k=choice.k)
        sims = class_similarities(val_cos, val_emb @ gallery.vectors.T, gallery.classes, scoring)
        _step(report, f"+ re-ranking against the training photos (w={choice.weight}, k={choice.k})",
              calibrated_probabilities(sims, scoring), y_val)
        temperature = fit_temperature(sims, y_val, s)
        before = softmax_scores(sims, s, 1.0)
        after = softmax_scores(sims, s, temperature)
        correct = before.argmax(1) == y_val
        bins_before = reliability_bins(before.max(1), correct, sc.calibration_bins)
        bins_after = reliability_bins(after.max(1), correct, sc.calibration_bins)
        report.temperature = temperature
        report.ece_before, report.ece_after = bins_before.ece, bins_after.ece
        report.nll_before = negative_log_likelihood(sims, y_val, s, 1.0)
        report.nll_after = negative_log_likelihood(sims, y_val, s, temperature)
        report.reliability = {
            "edges": bins_before.edges.tolist(),
            "before_confidence": np.nan_to_num(bins_before.confidence, nan=-1).tolist(),
            "before_accuracy": np.nan_to_num(bins_before.accuracy, nan=-1).tolist(),
            "before_counts": bins_before.counts.tolist(),
            "after_confidence": np.nan_to_num(bins_after.confidence, nan=-1).tolist(),
            "after_accuracy": np.nan_to_num(bins_after.accuracy, nan=-1).tolist(),
            "after_counts": bins_after.counts.tolist(),
        }
        unknown = unknown_landmark_scores(sims, y_val, s, temperature)
        threshold = choose_threshold(after, y_val, unknown, sc.unknown_accept_rate)
        report.threshold = threshold.to_json()
        _step(report, f"+ temperature {temperature:.3f} (ranking unchanged; confidence calibrated)", after, y_val)
    report.seconds["gallery_calibration"] = t.seconds
    log(f"val steps: {json.dumps(report.steps, indent=1)}")
    log(f"temperature {temperature:.3f}, ECE {report.ece_before:.4f} -> {report.ece_after:.4f}, "
        f"threshold {threshold.threshold:.3f} (proxies accepted {threshold.unknown_accept_rate:.3f}, "
        f"coverage {threshold.known_coverage:.3f}, precision {threshold.known_precision:.3f})")

    if out_path is not None:
        from model.bundle import labels_from_names, labels_with_places
        from model.export import export_bundle
        from model.places import read_places_csv

        with timed("export", log) as t:
            ids = [c.landmark_id for c in sorted(manifest.classes, key=lambda c: c.index)]
            labels = labels_from_names(class_names, ids)
            if config.places_path() is not None:  # the landmarks of this dataset that the file places
                known = {name: place for name, place in read_places_csv(config.places_path()).items()
                         if name in class_names}
                labels = labels_with_places(labels, known)
                log(f"places: {len(known)} of {len(class_names)} landmarks ({config.places_path()})")
            bundle = export_bundle(
                net, preprocessing, labels, out_path,
                name=config.name,
                scoring=ScoringConfig(scale=s, temperature=temperature, gallery_weight=choice.weight, gallery_k=choice.k),
                threshold=threshold.threshold,
                card=f"# {config.name}\n\nThe model card is written after evaluation; see docs/MODEL_CARD.md.\n",
                gallery=gallery,
                extra={"recipe": config.to_dict()},
                descriptor_mean=descriptor_mean,
                descriptor_projection=projection,
            )
        report.seconds["export"] = t.seconds
        report.bundle = str(out_path)
        log(f"bundle {out_path} ({Path(out_path).stat().st_size / 1e6:.1f} MB, id {bundle.id})")
    report.save(work_dir / "report.json")
    config.save(work_dir / "recipe.json")
    return report


def _parse_overrides(items: list[str]) -> dict[str, Any]:
    from training.config import parse_override

    return dict(parse_override(item) for item in items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.recipes.default_model",
        description="Train, calibrate and export the default landmark bundle from a prepared dataset.",
    )
    parser.add_argument("--manifest", required=True, type=Path, help="folder written by `landmark-train prepare`")
    parser.add_argument("--work", required=True, type=Path, help="folder for cached feature maps and report.json")
    parser.add_argument("--out", type=Path, help="bundle to write (omit to only measure)")
    parser.add_argument("--config", type=Path, help="recipe TOML (default: training/recipes/default.toml)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a recipe setting, e.g. --set train.epochs=5")
    args = parser.parse_args(argv)
    try:
        config = load_recipe(args.config, _parse_overrides(args.overrides))
        start = time.perf_counter()
        report = run_recipe(config, args.manifest, args.work, args.out,
                            log=lambda line: print(line, file=sys.stderr, flush=True))
    except TrainingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    summary = {step["step"]: {"gap": round(step["gap"], 4), "accuracy": round(step["accuracy"], 4)}
               for step in report.steps}
    print(json.dumps({"steps": summary, "seconds": round(time.perf_counter() - start, 1)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`landmark-train export`: a training checkpoint → the app's model bundle (ONNX
network checked against torch, labels with readable names, the preprocessing the
network was trained with, and a model card with the run's figures)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from training.checkpoint import (
    LAST, best_checkpoint_of, epoch_of, load_checkpoint, planned_epochs_of, saved_time,
)
from training.errors import CheckpointError, ConfigError


@dataclass(frozen=True)
class ExportOptions:
    name: str | None = None
    threshold: float = 0.5  # the app's "no landmark" cut on the calibrated top-1 score
    temperature: float = 1.0
    as_folder: bool = False
    card_notes: str = ""
    places_csv: Path | None = None  # name,lat,lon,radius_km: where each landmark is (model.places)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.threshold) and 0.0 <= self.threshold <= 1.0):
            raise ConfigError(f"--threshold {self.threshold} must be between 0 and 1 (a calibrated top-1 score)")
        if not (math.isfinite(self.temperature) and self.temperature > 0):
            raise ConfigError(f"--temperature {self.temperature} must be positive")


def check_output_path(out_path: Path, as_folder: bool = False) -> None:
    """Refuse, before the slow export, a bundle path that cannot be written.

    Raises ConfigError naming the path and what to do.
    """
    out_path = Path(out_path)
    if not as_folder and out_path.is_dir():
        raise ConfigError(f"{out_path} is a folder; give a file name such as {out_path / 'model.ltbundle'} "
                          "(or add --folder to write the bundle as a folder)")
    if as_folder and out_path.exists() and not out_path.is_dir():
        raise ConfigError(f"{out_path} is a file; give a new folder name for --folder")
    parent = out_path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"cannot write {out_path}: {parent} is not a writable folder; choose another --out")


@dataclass(frozen=True)
class RunProgress:
    """Where the exported epoch stands in its run: `exported` of `planned` epochs, the
    run having trained `trained` of them (its last.pt's epoch, when beside it)."""

    exported: int
    trained: int
    planned: int | None

    @property
    def unfinished(self) -> bool:
        return self.planned is not None and self.trained < self.planned

    def describe(self) -> str:
        """The card's words for it."""
        if self.planned is None:
            return f"Trained for {self.exported} epochs"
        if self.unfinished:
            return (f"Epoch {self.exported} of {self.planned} planned: the run stopped after {self.trained} "
                    "(unfinished)")
        if self.exported < self.planned:
            return f"Epoch {self.exported} of {self.planned} (the best on the validation split)"
        return f"Trained for {self.exported} epochs"


def run_progress(checkpoint: Path, state: dict) -> RunProgress:
    """The RunProgress of `state`, read from `checkpoint` (a .pt file or a run folder)."""
    path = Path(checkpoint)
    if path.is_dir():
        path = best_checkpoint_of(path)
    exported = int(state.get("epoch") or 0)
    trained = epoch_of(path.parent / LAST) if path.name != LAST else exported
    planned = (state.get("train_config") or {}).get("optim", {}).get("epochs")
    if path.name != LAST:  # the run's plan is last.pt's: `train --resume` may have added epochs since best.pt
        planned = planned_epochs_of(path.parent / LAST) or planned
    return RunProgress(exported, max(exported, trained or 0), int(planned) if planned else None)


def network_from_checkpoint(state: dict):
    """Rebuild the LandmarkNet of a checkpoint (no ImageNet download), in eval mode."""
    from model.network import LandmarkNet, NetConfig

    config = dict(state["config"])
    config.update(pretrained=False, weights_path=None)
    net = LandmarkNet(NetConfig.from_dict(config))
    try:
        net.load_state_dict(state["state_dict"])
    except RuntimeError as exc:
        raise CheckpointError(f"checkpoint weights do not fit its network config: {exc}") from exc
    return net.eval()


def model_card(
    state: dict, name: str, notes: str = "", progress: RunProgress | None = None, temperature: float = 1.0,
    metrics_at_temperature: dict | None = None,
) -> str:
    """A short Markdown card: what was trained on what, and how well it did.
    `metrics_at_temperature`: the validation figures scored again at the bundle's
    `temperature` (≠ 1), which then stand in for the checkpoint's (scored at 1)."""
    train = state.get("train_config", {})
    metrics = metrics_at_temperature or state.get("metrics") or {}
    classes = state.get("classes", [])
    lines = [
        f"# {name}",
        "",
        f"- Backbone: {state['config'].get('backbone')}, input {state['preprocessing']['input_size']} px, "
        f"embedding {state['config'].get('embedding_size')}",
        f"- Loss: {train.get('loss', {}).get('name')} (s={train.get('loss', {}).get('s')}, m={train.get('loss', {}).get('m')}); "
        f"optimizer {train.get('optim', {}).get('name')}, lr {train.get('optim', {}).get('lr')}, "
        f"schedule {train.get('schedule', {}).get('name')}",
        f"- {(progress or RunProgress(state.get('epoch'), state.get('epoch'), None)).describe()} "
        f"({state.get('step')} steps) on "
        f"{train.get('data', {}).get('manifest')}",
        f"- Classes: {len(classes)}",
    ]
    if metrics:
        lines.append(
            f"- Validation split: μAP {metrics.get('gap', float('nan')):.4f}, "
            f"top-1 accuracy {metrics.get('accuracy', float('nan')):.4f} "
            f"on {metrics.get('queries')} images ({_ranking_of(state, temperature, metrics_at_temperature)})"
        )
    if notes:
        lines += ["", notes.strip()]
    return "\n".join(lines) + "\n"


def _ranking_of(state: dict, temperature: float = 1.0, at_temperature: dict | None = None) -> str:
    """Which score ranked the queries for the card's μAP (see training.validation).
    The temperature changes how queries rank against each other, so a figure at 1 is
    not what `evaluate` gives of a bundle at another one."""
    if at_temperature:
        at_one = (state.get("metrics") or {}).get("gap")
        return (f"ranked by the calibrated score at this bundle's temperature {temperature:g}, as "
                "`landmark-train evaluate` of the bundle ranks"
                + ("" if at_one is None or state.get("metrics_ranking") != "calibrated"
                   else f"; at temperature 1, by which training chose this epoch: μAP {at_one:.4f}"))
    if state.get("metrics_ranking") == "calibrated" and temperature != 1.0:
        return (f"ranked by the calibrated score at temperature 1; this bundle uses temperature {temperature:g}, "
                "so `landmark-train evaluate` of it may give another μAP (the prepared split it was validated "
                "on was not found to score it again)")
    if state.get("metrics_ranking") == "calibrated":
        return "ranked by the calibrated score at temperature 1, as `landmark-train evaluate` of the bundle ranks"
    return ("ranked by the network's top cosine; `landmark-train evaluate` of the bundle ranks by its "
            "calibrated score and may give another μAP")


def export_checkpoint(checkpoint: Path, out_path: Path, options: ExportOptions = ExportOptions()):
    """Write the bundle for `checkpoint` (a .pt file or a run folder, whose best.pt is
    used) to `out_path`; returns the loaded ModelBundle.

    Everything given is checked before anything is written, and the bundle takes its
    name only once complete, so a failure leaves `out_path` as it was.
    Raises CheckpointError for an unreadable checkpoint, BundleError for a places
    CSV that cannot be read or names no label, and ModelError when ONNX and torch
    disagree.
    """
    from model.bundle import LabelEntry, labels_with_places
    from model.export import export_bundle
    from model.places import read_places_csv
    from model.preprocess import Preprocessing
    from model.scoring import ScoringConfig

    check_output_path(Path(out_path), options.as_folder)
    places = read_places_csv(options.places_csv) if options.places_csv is not None else {}
    state = load_checkpoint(Path(checkpoint))
    net = network_from_checkpoint(state)
    labels = [LabelEntry(str(c["landmark_id"]), str(c["name"])) for c in sorted(state["classes"], key=lambda c: c["index"])]
    labels = labels_with_places(labels, places)
    preprocessing = Preprocessing.from_dict(state["preprocessing"])
    name = options.name or Path(out_path).stem
    scale = float(state.get("train_config", {}).get("loss", {}).get("s", 30.0))
    progress = run_progress(Path(checkpoint), state)
    at_temperature = (metrics_at_temperature(state, net, scale, options.temperature)
                      if options.temperature != 1.0 and state.get("metrics") else None)
    extra = {"training": {"epoch": state.get("epoch"), "metrics": state.get("metrics"),
                          "epochs_trained": progress.trained, "epochs_planned": progress.planned}}
    if state.get("manifest_fingerprint"):  # evaluate compares it with the manifest it is given
        extra["training"]["manifest"] = {
            "fingerprint": state["manifest_fingerprint"],
            "path": state.get("train_config", {}).get("data", {}).get("manifest"),
        }
    try:
        return export_bundle(
            net, preprocessing, labels, out_path, name=name,
            scoring=ScoringConfig(scale=scale, temperature=options.temperature),
            threshold=options.threshold, card=model_card(
                state, name, options.card_notes, progress, options.temperature, at_temperature),
            extra=extra, as_folder=options.as_folder, created=saved_time(state),
        )
    except OSError as exc:
        raise ConfigError(f"cannot write the bundle {out_path}: {exc.strerror or exc}; choose another --out") from exc


def metrics_at_temperature(state: dict, net, scale: float, temperature: float) -> dict | None:
    """The checkpoint's validation figures scored again as a bundle at `temperature`
    ranks (softmax(scale · cosine / temperature)), on the split it was validated on;
    None when that prepared dataset is not there, or was prepared again since."""
    import torch

    from model.preprocess import Preprocessing
    from training.data import ManifestDataset
    from training.datasets import load_manifest
    from training.errors import DatasetError
    from training.validation import metrics_from_predictions, predict_images

    try:
        prepared = load_manifest(Path(state["train_config"]["data"]["manifest"]))
        if state.get("manifest_fingerprint") and prepared.split_fingerprint() != state["manifest_fingerprint"]:
            return None
        images = prepared.split("val")
        if not images:
            return None
        dataset = ManifestDataset(prepared, images, Preprocessing.from_dict(state["preprocessing"]))
        predicted = predict_images(net, dataset, torch.device("cpu"), scale=scale / temperature)
    except (OSError, KeyError, TypeError, ValueError, DatasetError):
        return None
    return metrics_from_predictions(prepared, images, predicted).to_json(with_classes=False)

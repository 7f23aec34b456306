"""How well does the default recipe's own embedding separate places it never saw?

benchmarks/fewshot.py measures teaching with a quick stand-in model (frozen ImageNet
features + a trained neck). This script checks that stand-in against the real recipe:
for each held-out draw it fine-tunes the default recipe's tail (training/recipes/
default.toml: blocks from `cut_block` on, GeM, neck, sub-center ArcFace) on the known
classes only, then reports μAP of class-mean prototypes among the new places alone
(k taught photos per place, no known class competing) for four descriptors:

- ImageNet GeM features (what the stand-in is trained on),
- the stand-in's 512-d embedding,
- the recipe's 512-d embedding (what the app stores and teaches with today),
- the recipe's pooled pre-neck features (GeM of the fine-tuned trunk: computed by the
  network anyway; the default bundle outputs them as its descriptors).

With --teach it also runs benchmarks/fewshot.py's full teaching episodes (new places
mixed with the known landmarks' held-out photos, the app's own code) on the recipe
network — its sub-centres, a gallery of its training photos (w = 0.5, k = 1) — for the
app's method (the joint space of embedding and descriptor, as the default bundle
declares it) and for teaching in the embedding alone.

    .venv/bin/python benchmarks/fewshot_recipe_embedding.py --seeds 8 6   # ~7 min a seed, 2 cores
    .venv/bin/python benchmarks/fewshot_recipe_embedding.py --seeds 1 2 3 4 5 --teach
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import benchmarks.fewshot as fewshot  # noqa: E402
import benchmarks.fewshot_features as fewshot_features  # noqa: E402
import benchmarks.fewshot_world as fewshot_world  # noqa: E402


def recipe_maps(manifest_dir: Path, config, threads: int):
    """Cached frozen-stage maps of every manifest photo, with the recipe's augmented views."""
    from model.network import LandmarkNet, NetConfig
    from training.datasets import load_manifest
    from training.recipes.default_model import _preprocessing
    from training.recipes.feature_cache import cache_feature_maps

    manifest = load_manifest(manifest_dir)
    n = config.network
    net = LandmarkNet(NetConfig(num_classes=2, backbone=n.backbone, input_size=n.input_size)).eval()
    out = fewshot_features.CACHE / f"recipe-{config.maps_file_name()}"
    paths = [manifest.cache_path(image) for image in manifest.images]
    maps = cache_feature_maps(net.backbone.trunk, n.cut_block, paths, _preprocessing(config), out, threads=threads,
                              augment=config.augment)
    return manifest, maps


def train_recipe_tail(config, maps, labels, train_rows, num_classes: int, epochs: int):
    """The recipe's tail trained on the given rows; returns its TrainableStages."""
    import dataclasses

    from model.network import LandmarkNet, NetConfig
    from training.recipes.tail_training import TrainableStages, train_tail

    n, t = config.network, config.train
    net = LandmarkNet(NetConfig(
        num_classes=num_classes, backbone=n.backbone, embedding_size=n.embedding_size,
        sub_centers=t.k if t.loss == "subcenter-arcface" else 1, input_size=n.input_size,
        gem_p=n.gem_p, gem_learnable=n.gem_learnable, dropout=n.dropout,
    )).eval()
    stages = TrainableStages(net, n.cut_block)
    train_tail(stages, maps, labels, train_rows, num_classes, dataclasses.replace(t, epochs=epochs), log=lambda line: None)
    return stages


def embed_and_pool(stages, maps, rows: np.ndarray, batch: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """(embedding [n, 512], pooled pre-neck features [n, C]) of the original view."""
    import torch

    stages.eval()
    embeddings, pooled = [], []
    with torch.no_grad():
        for start in range(0, len(rows), batch):
            p = stages.pooled(torch.from_numpy(np.array(maps[rows[start : start + batch], 0], dtype=np.float32)))
            pooled.append(p.numpy())
            embeddings.append(stages.embed(p).numpy())
    return np.concatenate(embeddings), np.concatenate(pooled)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=REPO_ROOT / "build" / "default-model" / "prepared",
                        help="the dataset `make default-model` prepared (default build/default-model/prepared)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[8, 6], help="held-out draws (default: DEV 8 6)")
    parser.add_argument("--epochs", type=int, help="tail epochs (default: the recipe's)")
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--teach", action="store_true", help="also run the teaching episodes on the recipe network")
    args = parser.parse_args(argv)
    import torch

    from model.scoring import unit_vectors
    from training.recipes.recipe_config import load_recipe

    torch.set_num_threads(args.threads)
    if not (args.manifest / "manifest.json").is_file():
        raise SystemExit(f"{args.manifest} is not a prepared dataset; run `make default-model` first")
    config = load_recipe()
    manifest, maps = recipe_maps(args.manifest, config, args.threads)
    epochs = args.epochs or config.train.epochs
    photos = fewshot_features.list_photos(fewshot_features.WORLD)
    row_of = {str(Path(image.source).resolve()): row for row, image in enumerate(manifest.images)}
    rows = np.array([row_of[str(photo.path.resolve())] for photo in photos])  # fewshot order → manifest row
    feats = fewshot_features.extract_features(photos, "efficientnet-lite0", 256)
    imagenet = unit_vectors(feats[:, 0])
    ks = (1, 3, 5)
    print(f"recipe: {config.network.backbone} {config.network.input_size} px, cut block {config.network.cut_block}, "
          f"{epochs} epochs; μAP of {', '.join(map(str, ks))}-photo prototypes among the new places alone")
    taught: dict[str, dict[int, dict]] = {}
    for seed in args.seeds:
        started = time.monotonic()
        split = fewshot_world.make_split(photos, 8, seed)
        known_index = {c: i for i, c in enumerate(split.known_classes)}
        manifest_labels = np.zeros(len(manifest.images), dtype=np.int64)
        for photo_row, manifest_row in enumerate(rows):
            manifest_labels[manifest_row] = known_index.get(split.labels[photo_row], 0)
        stages = train_recipe_tail(config, maps, manifest_labels, np.sort(rows[split.train]), len(known_index), epochs)
        recipe_embedding, pooled = embed_and_pool(stages, maps, rows)
        embed, _ = fewshot_world.train_embedding(
            feats[split.train], np.array([known_index[c] for c in split.labels[split.train]]), len(known_index),
            dim=512, epochs=5, margin=0.3, scale=30.0, seed=seed,
        )
        descriptors = {
            "ImageNet GeM": imagenet,
            "stand-in embedding": embed(feats[:, 0]),
            "recipe embedding": recipe_embedding,
            "recipe pooled features": unit_vectors(pooled),
        }
        figures = {name: fewshot.new_only_prototype_gap(d, split, ks, args.episodes) for name, d in descriptors.items()}
        print(f"seed {seed} ({time.monotonic() - started:.0f} s): " + "; ".join(
            f"{name} " + "/".join(f"{figures[name][k]:.3f}" for k in ks) for name in descriptors), flush=True)
        if args.teach:
            world = fewshot_world.SeedWorld(seed, split, recipe_embedding, recipe_centres(stages),
                                            fewshot_world.known_gallery(recipe_embedding, split))
            for name, rows_by_k in teaching_figures(world, pooled, ks, args.episodes).items():
                taught.setdefault(name, {})[seed] = rows_by_k
                print(f"  {name}: " + "; ".join(
                    f"k={k} new μAP {r[0]:.3f}, known {100 * (r[2] - r[4]):+.1f}" for k, r in rows_by_k.items()),
                    flush=True)
    for name, per_seed in taught.items():
        mean = {k: np.mean([rows[k] for rows in per_seed.values()], axis=0) for k in ks}
        fewshot.print_table(f"{name}: mean over seeds {' '.join(map(str, per_seed))}", mean)
    return 0


def recipe_centres(stages) -> np.ndarray:
    """The recipe head's sub-centres [C, k, D], L2-normalised."""
    head = stages.net.head
    weight = head.weight.detach().numpy()
    weight = weight / np.linalg.norm(weight, axis=1, keepdims=True)
    return weight.reshape(head.num_classes, head.sub_centers, -1)


def teaching_figures(world, pooled: np.ndarray, ks, episodes: int) -> dict:
    """The app's method (joint space, descriptors = the recipe's pooled features centred
    on the training photos' mean and whitened, as the bundle's) and teaching in the
    embedding alone, on this network."""
    from app.core.teaching_scoring import TeachingConfig
    from model.descriptor import TeachingSettings
    from model.scoring import ScoringConfig

    scoring = ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1)
    descriptors = fewshot.bundle_descriptors(pooled, world.split)
    joint = fewshot.world_space(world, scoring, TeachingConfig(), descriptors, TeachingSettings())
    alone = fewshot.world_space(world, scoring, TeachingConfig())
    return {
        "app's method (joint space)": fewshot.evaluate(world, joint, descriptors, ks, episodes),
        "embedding only": fewshot.evaluate(world, alone, None, ks, episodes),
    }


if __name__ == "__main__":
    raise SystemExit(main())

"""DEV-only sweep of the teaching-space settings at k = 3 (how docs/TEACHING.md's choices
were made): each point runs benchmarks/fewshot.py's episodes on the DEV draws only.

A point is [TeachingSettings kwargs, TeachingConfig kwargs]; the settings may also hold
"pca": N, which projects the descriptors on their N main axes (fitted on the training
photos) before teaching — the bundle keeps all of them, see the doc — and "power": p,
which raises the (non-negative) pooled features to the power p before centring.

    .venv/bin/python benchmarks/fewshot_sweep.py '[[{}, {}], [{"beta": 3.0}, {}], [{"pca": 256}, {}]]'
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import benchmarks.fewshot as fewshot  # noqa: E402

DEV_SEEDS = (8, 6, 7, 9, 10)


class _StandIn:
    """fewshot.build_world's arguments, at the benchmark's defaults."""

    held_out = 8
    epochs = 5
    gallery_weight = 0.5
    gallery_k = 1


def principal_axes(pooled: np.ndarray, size: int) -> np.ndarray:
    """The `size` main axes [F, size] of centred features (rows of `pooled`)."""
    centred = pooled - pooled.mean(axis=0)
    _, _, axes = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    return axes[:size].T.astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        raise SystemExit(__doc__)
    import torch

    from app.core.teaching_scoring import TeachingConfig
    from model.descriptor import TeachingSettings, descriptors_from_pooled
    from model.scoring import ScoringConfig

    torch.set_num_threads(1)
    points = json.loads(argv[0])
    photos = fewshot.list_photos(fewshot.WORLD)
    feats = fewshot.extract_features(photos, "efficientnet-lite0", 256)
    scoring = ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1)
    worlds = [fewshot.build_world(photos, feats, seed, _StandIn) for seed in DEV_SEEDS]
    for settings_kwargs, config_kwargs in points:
        started, rows = time.monotonic(), []
        settings_kwargs = dict(settings_kwargs)
        pca = settings_kwargs.pop("pca", None)
        power = settings_kwargs.pop("power", None)
        for world in worlds:
            pooled = feats[:, 0] if power is None else np.maximum(feats[:, 0], 0.0) ** float(power)
            train = pooled[world.split.train]
            if pca:
                axes = principal_axes(train, int(pca))
                pooled, train = (pooled - train.mean(axis=0)) @ axes, (train - train.mean(axis=0)) @ axes
            descriptors = descriptors_from_pooled(pooled, train.mean(axis=0))
            space = fewshot.world_space(world, scoring, TeachingConfig(**config_kwargs), descriptors,
                                        TeachingSettings(**settings_kwargs))
            rows.append(fewshot.evaluate(world, space, descriptors, (3,), 5)[3])
        mean = np.mean(rows, axis=0)
        worst = min(100 * (r[2] - r[4]) for r in rows)
        shown = settings_kwargs | ({"pca": pca} if pca else {}) | ({"power": power} if power else {})
        print(f"{json.dumps([shown, config_kwargs])}: "
              f"DEV k=3 new μAP {mean[0]:.3f}, known {100 * (mean[2] - mean[4]):+.2f} (worst seed {worst:+.2f}), "
              f"{time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

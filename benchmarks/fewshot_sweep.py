"""DEV-only sweep of the teaching-space settings at k = 3 (how docs/TEACHING.md's choices
were made): each point runs benchmarks/fewshot.py's episodes on the DEV draws only.

A point is [TeachingSettings kwargs, TeachingConfig kwargs] and optionally a third dict
of variants that are not in the app. The settings may also hold "pca": N, which projects
the descriptors on their N main axes (fitted on the training photos) before teaching —
the bundle keeps all of them, see the doc — and "power": p, which raises the
(non-negative) pooled features to the power p before centring, and "whiten": {"size": N,
"shrinkage": s[, "mirrored": true]}, the learned whitening as the recipe fits it (with
the training photos' mirror images as extra samples when "mirrored"), and "flip": true,
descriptors of each photo and its mirror image averaged (flip at test time), and
"extra_size": N, the descriptors' pooled features averaged with those at input size N
(multi-scale; --size sets the stand-in's own input size), and "taps": {"7": w, "10": w,
"14": w, "15": w, "head": w}, the descriptor's pooled features made of the network's
GeM-pooled block outputs (each L2-normalised, times its weight w, then joined; "head" is
the usual one), and "rmac": {"keep": false}, R-MAC-style regional pooling of the head:
the sum of the L2-normalised GeM vectors of the whole map and its 2 x 2 and 3 x 3
overlapping regions (joined with the "taps" or usual features when "keep"). The third dict may hold
"bias": b, added to every taught label's similarity before the softmax (a bonus for
labels with few references), or "propagate": {"neighbours", "alpha", "gamma",
"keep_ratio"}, label spreading of the final scores over the k-nearest-neighbour graph
of the library and the taught photos (`propagated_winners`), or "dba": {"neighbours",
"alpha"[, "embeddings": true]}, database-side augmentation of the library (every photo
that is not a training photo: the taught ones and the queries): each photo's descriptor
(and embedding) replaced by the mean of its own and its nearest library photos',
weighted by cosine^alpha in the joint space (`augmented_library`); or "library_whiten":
{"shrinkage": s}, a PCA whitening of every descriptor fitted, without labels, on the
library's (`library_whitening`), as `suggest` could fit it on the index, or "mirror_shots": true, the
taught photos' mirror images taught beside them (more references for few shots).

    .venv/bin/python benchmarks/fewshot_sweep.py '[[{}, {}], [{"beta": 3.0}, {}], [{"pca": 256}, {}]]'
    .venv/bin/python benchmarks/fewshot_sweep.py '[[{}, {}, {"bias": 0.02}], [{}, {}, {"propagate": {}}]]'
    .venv/bin/python benchmarks/fewshot_sweep.py --size 320 '[[{"whiten": {"size": 512, "shrinkage": 2}}, {}]]'
    .venv/bin/python benchmarks/fewshot_sweep.py '[[{"whiten": {"size": 512, "shrinkage": 2}, "taps": {"head": 1, "14": 0.5}}, {}]]'
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import benchmarks.fewshot as fewshot  # noqa: E402
import benchmarks.fewshot_features as fewshot_features  # noqa: E402
import benchmarks.fewshot_world as fewshot_world  # noqa: E402

DEV_SEEDS = (8, 6, 7, 9, 10)


class _StandIn:
    """fewshot_world.build_world's arguments, at the benchmark's defaults."""

    held_out = 8
    epochs = 5
    gallery_weight = 0.5
    gallery_k = 1


def principal_axes(pooled: np.ndarray, size: int) -> np.ndarray:
    """The `size` main axes [F, size] of centred features (rows of `pooled`)."""
    centred = pooled - pooled.mean(axis=0)
    _, _, axes = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    return axes[:size].T.astype(np.float32)


def biased_winners(bias: float, scoring):
    """An `adjust` for fewshot.evaluate: taught labels' similarities raised by `bias`
    (their probabilities × exp(bias · scale / temperature), then renormalised)."""
    from app.core.teaching_scoring import taught_winners

    def adjust(scores, query_vectors, taught_vectors, taught_labels):
        taught = scores.taught
        probabilities = taught.probabilities.astype(np.float64)
        probabilities[:, taught.num_builtin :] *= np.exp(bias * scoring.scale / scoring.temperature)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        return taught_winners(replace(taught, scored=replace(taught.scored, probabilities=probabilities)))

    return adjust


def spread(vectors: np.ndarray, seeds: np.ndarray, neighbours: int, alpha: float, gamma: float,
           iterations: int = 30) -> np.ndarray:
    """Label spreading (Zhou et al. 2004) of `seeds` [N, L] over the symmetric
    k-nearest-neighbour graph of `vectors` [N, D] with weights cosine^gamma."""
    cosines = vectors @ vectors.T
    np.fill_diagonal(cosines, -np.inf)
    rows = np.repeat(np.arange(len(vectors)), neighbours)
    columns = np.argpartition(-cosines, neighbours, axis=1)[:, :neighbours].ravel()
    weights = np.zeros_like(cosines)
    weights[rows, columns] = np.maximum(cosines[rows, columns], 0.0) ** gamma
    weights = (weights + weights.T) / 2
    degree = np.maximum(weights.sum(axis=1), 1e-12)
    normalised = weights / np.sqrt(degree[:, None] * degree[None, :])
    spread_scores = seeds.copy()
    for _ in range(iterations):
        spread_scores = alpha * normalised @ spread_scores + (1 - alpha) * seeds
    return spread_scores


def propagated_winners(neighbours: int = 10, alpha: float = 0.8, gamma: float = 3.0, keep_ratio: float = 0.3):
    """An `adjust` for fewshot.evaluate: the joint scores of the library photos, and the
    taught photos as one-hot rows, spread over their graph; a free photo goes to the taught
    label that wins after spreading when its own score for it is at least keep_ratio × its
    best, ranked by that own score (spread scores rank worse: measured)."""

    def adjust(scores, query_vectors, taught_vectors, taught_labels):
        taught = scores.taught
        probabilities = taught.probabilities.astype(np.float64)
        columns = [taught.num_builtin + taught.taught_labels.index(label) for label in taught_labels]
        one_hot = np.zeros((len(taught_labels), probabilities.shape[1]))
        one_hot[np.arange(len(columns)), columns] = 1.0
        spread_scores = spread(np.concatenate([query_vectors[:], taught_vectors]),
                               np.concatenate([probabilities, one_hot]), neighbours, alpha, gamma)
        best = spread_scores[: len(probabilities)].argmax(axis=1)
        rows = np.arange(len(best))
        own = probabilities[rows, best]
        wins = (best >= taught.num_builtin) & taught.free & (own >= keep_ratio * probabilities.max(axis=1))
        return np.where(wins, best - taught.num_builtin, -1), np.where(wins, own, probabilities.max(axis=1))

    return adjust


def augmented_library(vectors: np.ndarray, library: np.ndarray, neighbours: int, alpha: float,
                      parts: list[np.ndarray]) -> list[np.ndarray]:
    """Database-side augmentation (Radenović et al.): each library row of every array in
    `parts` becomes the l2-normalised mean of itself and its `neighbours` nearest library
    rows (by the unit `vectors`), weighted by cosine^alpha (itself weighing 1)."""
    rows = np.flatnonzero(library)
    cosines = vectors[rows] @ vectors[rows].T
    np.fill_diagonal(cosines, -np.inf)
    nearest = np.argpartition(-cosines, neighbours, axis=1)[:, :neighbours]
    weights = np.maximum(np.take_along_axis(cosines, nearest, axis=1), 0.0) ** alpha
    out = []
    for part in parts:
        mixed = part[rows] + (weights[:, :, None] * part[rows][nearest]).sum(axis=1)
        augmented = part.copy()
        augmented[rows] = mixed / np.linalg.norm(mixed, axis=1, keepdims=True)
        out.append(augmented)
    return out


def library_whitening(descriptors: np.ndarray, library: np.ndarray, shrinkage: float) -> np.ndarray:
    """Every descriptor whitened by the covariance of the library's (no labels), its
    eigenvalues shrunk by `shrinkage` × their mean, then l2-normalised."""
    sample = descriptors[library].astype(np.float64)
    mean = sample.mean(axis=0)
    covariance = np.cov(sample - mean, rowvar=False)
    values, vectors = np.linalg.eigh(covariance)
    values = np.maximum(values, 0.0) + shrinkage * values.mean()
    projection = vectors / np.sqrt(values)
    whitened = (descriptors - mean) @ projection
    return (whitened / np.linalg.norm(whitened, axis=1, keepdims=True)).astype(np.float32)


@functools.cache
def _tap_features(size: int):
    """fewshot_features.extract_tap_features of every photo, loaded once per size for the whole sweep."""
    return fewshot_features.extract_tap_features(fewshot_features.list_photos(fewshot_features.WORLD), size)


def pooled_views(feats: np.ndarray, size: int, taps: dict | None, rmac: dict | None) -> np.ndarray:
    """The features descriptors are made from, [N, 2 (original, mirrored), F]: the head's
    GeM (`feats`), or the "taps" and "rmac" ones (see the module's docstring; "rmac" has
    the photos as they are only: its mirrored row repeats them)."""
    if taps is None and rmac is None:
        return feats
    from model.scoring import unit_vectors

    tapped, regions = _tap_features(size)
    parts = ([unit_vectors(feats)] if taps is None
             else [float(w) * unit_vectors(tapped[name]) for name, w in taps.items()])
    if rmac is not None:
        summed = unit_vectors(unit_vectors(regions.astype(np.float32)).sum(axis=1))
        parts = [np.repeat(summed[:, None], 2, axis=1)] + (parts if rmac.get("keep") else [])
    return np.concatenate(parts, axis=-1)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("points", help="JSON list of points (see above)")
    parser.add_argument("--size", type=int, default=256, help="input size of the stand-in's features")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    import torch

    from app.core.teaching_scoring import TeachingConfig
    from model.descriptor import TeachingSettings, descriptors_from_pooled, fit_descriptors
    from model.scoring import ScoringConfig

    torch.set_num_threads(1)
    points = json.loads(args.points)
    photos = fewshot_features.list_photos(fewshot_features.WORLD)
    feats = fewshot_features.extract_features(photos, "efficientnet-lite0", args.size)
    scoring = ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1)
    worlds = [fewshot_world.build_world(photos, feats, seed, _StandIn) for seed in DEV_SEEDS]
    for settings_kwargs, config_kwargs, *extra in points:
        started, rows = time.monotonic(), []
        variant = extra[0] if extra else {}
        adjust = None
        if "bias" in variant:
            adjust = biased_winners(float(variant["bias"]), scoring)
        elif "propagate" in variant:
            adjust = propagated_winners(**variant["propagate"])
        settings_kwargs = dict(settings_kwargs)
        pca = settings_kwargs.pop("pca", None)
        power = settings_kwargs.pop("power", None)
        whiten = settings_kwargs.pop("whiten", None)
        flip = settings_kwargs.pop("flip", False)
        extra_size = settings_kwargs.pop("extra_size", None)
        taps, rmac = settings_kwargs.pop("taps", None), settings_kwargs.pop("rmac", None)
        views = pooled_views(feats, args.size, taps, rmac)
        for world in worlds:
            # with "flip", every photo's pooled features averaged with its mirror image's
            pooled = (views[:, 0] + views[:, 1]) / 2 if flip else views[:, 0]
            if power is not None:
                pooled = np.maximum(pooled, 0.0) ** float(power)
            if extra_size:  # averaged with the same photo's features at another input size
                other_size = fewshot_features.extract_features(photos, "efficientnet-lite0", int(extra_size))
                pooled = (pooled + other_size[:, 0]) / 2
            train = pooled[world.split.train]
            if pca:
                axes = principal_axes(train, int(pca))
                pooled, train = (pooled - train.mean(axis=0)) @ axes, (train - train.mean(axis=0)) @ axes
            fit, fit_labels = train, world.split.labels[world.split.train]
            if whiten and whiten.get("mirrored") and power is None and not pca:
                # the training photos' mirror images as more samples of each place
                fit = np.concatenate([train, views[world.split.train, 1]])
                fit_labels = np.concatenate([fit_labels, fit_labels])
            mean, projection = fit_descriptors(fit, fit_labels, int(whiten["size"]) if whiten else 0,
                                               float(whiten["shrinkage"]) if whiten else 0.0, train.mean(axis=0))
            descriptors = descriptors_from_pooled(pooled, mean, projection)
            mirrored = None
            if variant.get("mirror_shots"):
                if power is not None or pca or flip or extra_size or rmac is not None:
                    raise SystemExit("mirror_shots goes with the whitening and taps only")
                mirrored = descriptors_from_pooled(views[:, 1], mean, projection)
            if "library_whiten" in variant:
                descriptors = library_whitening(descriptors, ~world.split.train,
                                                float(variant["library_whiten"]["shrinkage"]))
            if "dba" in variant:
                from model.descriptor import joint_vectors

                dba = variant["dba"]
                beta = TeachingSettings(**settings_kwargs).beta
                parts = [descriptors] + ([world.embeddings] if dba.get("embeddings") else [])
                augmented = augmented_library(joint_vectors(world.embeddings, descriptors, beta),
                                              ~world.split.train, int(dba["neighbours"]),
                                              float(dba.get("alpha", 3.0)), parts)
                descriptors = augmented[0]
                if dba.get("embeddings"):
                    world = replace(world, embeddings=augmented[1])
            space = fewshot.world_space(world, scoring, TeachingConfig(**config_kwargs), descriptors,
                                        TeachingSettings(**settings_kwargs))
            rows.append(fewshot.evaluate(world, space, descriptors, (3,), 5, adjust, mirrored)[3])
        mean = np.mean(rows, axis=0)
        worst = min(100 * (r[2] - r[4]) for r in rows)
        shown = (settings_kwargs | ({"pca": pca} if pca else {}) | ({"power": power} if power else {})
                 | ({"whiten": whiten} if whiten else {}) | ({"flip": flip} if flip else {})
                 | ({"extra_size": extra_size} if extra_size else {}) | ({"taps": taps} if taps else {})
                 | ({"rmac": rmac} if rmac is not None else {}))
        print(f"{json.dumps([shown, config_kwargs, *extra])}: "
              f"DEV k=3 new μAP {mean[0]:.3f}, known {100 * (mean[2] - mean[4]):+.2f} (worst seed {worst:+.2f}), "
              f"{time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Re-ranking against the training images' embeddings: the bundle's gallery and the
choice of its weight w and top-k on the validation split.

The predictor scores class j as (1 - w) * centre_j + w * mean(top-k gallery cosines of
j) (see `model.scoring`); here we pick (w, k) by validation μAP, with top-1 accuracy
as the tie-break, using the very functions the app runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from model.bundle import Gallery
from model.scoring import ScoringConfig, calibrated_probabilities, class_similarities, unit_vectors
from training.errors import TrainingError


def build_gallery(embeddings: np.ndarray, classes: np.ndarray, descriptors: np.ndarray | None = None) -> Gallery:
    """A gallery of L2-normalised float32 vectors (saved as float16 in the bundle), with
    the photos' descriptors when the bundle has a teaching space."""
    vectors = np.asarray(embeddings, dtype=np.float32)
    classes = np.asarray(classes, dtype=np.int64)
    if vectors.ndim != 2 or len(vectors) != len(classes):
        raise TrainingError(f"gallery needs [G, D] embeddings and G classes, got {vectors.shape} and {classes.shape}")
    if descriptors is not None and (np.ndim(descriptors) != 2 or len(descriptors) != len(vectors)):
        raise TrainingError(f"gallery needs one descriptor per photo, got {np.shape(descriptors)} for {len(vectors)}")
    return Gallery(
        vectors=unit_vectors(vectors), classes=classes,
        descriptors=None if descriptors is None else unit_vectors(descriptors),
    )


def gap_and_accuracy(probabilities: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(μAP, top-1 accuracy) of the top-1 class of each row, ranked by its probability,
    computed by `training.metrics` exactly as `landmark-train evaluate` does."""
    from training.metrics import global_average_precision, top1_accuracy

    probabilities = np.asarray(probabilities)
    top = probabilities.argmax(axis=1)
    predictions = {f"{i:06d}": (str(int(c)), float(probabilities[i, c])) for i, c in enumerate(top)}
    truth = {f"{i:06d}": str(int(label)) for i, label in enumerate(labels)}
    return global_average_precision(predictions, truth), top1_accuracy(predictions, truth)


@dataclass(frozen=True)
class GalleryChoice:
    weight: float
    k: int
    gap: float
    accuracy: float
    table: list[dict] = field(default_factory=list)  # every (w, k) tried, for the card


def choose_gallery_weight(
    centre_cosines: np.ndarray,
    query_embeddings: np.ndarray,
    labels: np.ndarray,
    gallery: Gallery,
    scale: float,
    weights: Sequence[float] = (0.0, 0.25, 0.5, 0.75),
    ks: Sequence[int] = (1, 3, 5),
) -> GalleryChoice:
    """Try every (w, k) and keep the best validation μAP (then accuracy, then smaller w).

    Raises TrainingError when nothing is given to try.
    """
    if not weights or not ks:
        raise TrainingError("choose_gallery_weight needs at least one weight and one k")
    gallery_cos = np.asarray(query_embeddings, dtype=np.float32) @ gallery.vectors.T
    table: list[dict] = []
    best_key: tuple[float, float, float] | None = None
    best = GalleryChoice(0.0, 1, 0.0, 0.0)
    for k in ks:
        for w in weights:
            if w == 0.0 and k != ks[0]:
                continue  # w = 0 ignores the gallery, so k does not matter
            config = ScoringConfig(scale=scale, gallery_weight=float(w), gallery_k=int(k))
            sims = class_similarities(centre_cosines, gallery_cos, gallery.classes, config)
            gap, accuracy = gap_and_accuracy(calibrated_probabilities(sims, config), labels)
            table.append({"weight": float(w), "k": int(k), "gap": gap, "accuracy": accuracy})
            key = (gap, accuracy, -float(w))
            if best_key is None or key > best_key:
                best_key = key
                best = GalleryChoice(float(w), int(k), gap, accuracy)
    return GalleryChoice(best.weight, best.k, best.gap, best.accuracy, table)

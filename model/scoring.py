"""Turning cosines into calibrated class scores — pure numpy, shared by the predictor
and teaching so built-in and taught labels compete on one scale.

For each class j: sim_j = (1 - w) * centre_j + w * mean(top-k gallery cosines of j),
where centre_j is the cosine to the class centre (max over sub-centres, from the
network) and the gallery holds reference embeddings (the bundle's, plus taught ones).
With w = 0 the gallery is ignored. A taught label has no trained centre: its centre is
the L2-normalised mean of its references (a prototype); a built-in class that was also
taught uses the larger of its trained-centre and prototype cosines. Scores are
p = softmax(scale * sim / temperature) over all classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from model.errors import ModelError


@dataclass(frozen=True)
class ScoringConfig:
    """scale s of training, calibration temperature, gallery weight w and its top-k."""

    scale: float = 30.0
    temperature: float = 1.0
    gallery_weight: float = 0.0
    gallery_k: int = 3

    def __post_init__(self) -> None:
        if not (0 < self.scale < math.inf and 0 < self.temperature < math.inf):  # NaN fails both
            raise ModelError(f"scale {self.scale} and temperature {self.temperature} must be positive finite numbers")
        if not 0.0 <= self.gallery_weight <= 1.0:
            raise ModelError(f"gallery_weight {self.gallery_weight} must be in [0, 1]")
        if self.gallery_k < 1:
            raise ModelError(f"gallery_k {self.gallery_k} must be at least 1")


def unit_vectors(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (float32); an all-zero row stays zero instead of NaN."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)


def topk_class_means(
    gallery_cosines: np.ndarray, gallery_classes: np.ndarray, num_classes: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the k largest gallery cosines per class, [N, C], and which classes have any.

    A class with fewer than k references uses all of them; one with none gets 0 and
    False in the mask.
    """
    n = gallery_cosines.shape[0]
    means = np.zeros((n, num_classes), dtype=np.float32)
    present = np.zeros(num_classes, dtype=bool)
    if gallery_cosines.shape[1] == 0:
        return means, present
    order = np.argsort(gallery_classes, kind="stable")
    sorted_classes = gallery_classes[order]
    sorted_cos = gallery_cosines[:, order]
    starts = np.flatnonzero(np.r_[True, sorted_classes[1:] != sorted_classes[:-1]])
    ends = np.r_[starts[1:], sorted_classes.size]
    for start, end in zip(starts, ends):
        cls = int(sorted_classes[start])
        block = sorted_cos[:, start:end]
        take = min(k, end - start)
        if take < block.shape[1]:
            top = np.partition(block, block.shape[1] - take, axis=1)[:, -take:]
        else:
            top = block
        means[:, cls] = top.mean(axis=1)
        present[cls] = True
    return means, present


def class_similarities(
    centre_cosines: np.ndarray,
    gallery_cosines: np.ndarray | None,
    gallery_classes: np.ndarray | None,
    config: ScoringConfig,
) -> np.ndarray:
    """sim [N, C] = (1 - w) * centre + w * top-k gallery mean (centre only where a class
    has no gallery entries, or when w = 0)."""
    centre = np.asarray(centre_cosines, dtype=np.float32)
    if config.gallery_weight == 0.0 or gallery_cosines is None or gallery_classes is None:
        return centre
    means, present = topk_class_means(
        np.asarray(gallery_cosines, dtype=np.float32),
        np.asarray(gallery_classes, dtype=np.int64),
        centre.shape[1],
        config.gallery_k,
    )
    w = config.gallery_weight
    return np.where(present[None, :], (1.0 - w) * centre + w * means, centre)


def calibrated_probabilities(similarities: np.ndarray, config: ScoringConfig) -> np.ndarray:
    """softmax(scale * sim / temperature) over classes, computed stably, [N, C]."""
    logits = np.asarray(similarities, dtype=np.float64) * (config.scale / config.temperature)
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    return logits.astype(np.float32)


@dataclass(frozen=True)
class ScoredClasses:
    """Per-image probabilities over the built-in classes followed by the taught labels."""

    probabilities: np.ndarray  # [N, C + T]
    taught_labels: list[str]  # the T labels appended after the built-in classes


def score_classes(
    embeddings: np.ndarray,
    centre_cosines: np.ndarray,
    config: ScoringConfig,
    *,
    class_names: Sequence[str] | None = None,
    gallery_vectors: np.ndarray | None = None,
    gallery_classes: np.ndarray | None = None,
    taught_labels: Sequence[str] | None = None,
    taught_vectors: np.ndarray | None = None,
    leave_out: np.ndarray | None = None,
) -> ScoredClasses:
    """Scores over built-in classes and taught labels, on one calibrated scale.

    A taught reference whose label equals a built-in class name joins that class's
    gallery and its prototype competes with the trained centre (max); the other taught
    labels become new classes whose centre is the prototype (normalised mean) of
    their references. leave_out: [N] index of the taught vector that is the photo
    itself (-1: none), left out of that photo's prototype and gallery, so a photo taken
    in as a reference is scored by the others, not by itself (which would give ~1).
    Raises ModelError on shape mismatches.
    """
    embeddings = np.asarray(embeddings, dtype=np.float32)
    centre = np.asarray(centre_cosines, dtype=np.float32)
    if embeddings.ndim != 2 or centre.ndim != 2 or embeddings.shape[0] != centre.shape[0]:
        raise ModelError(
            f"embeddings {embeddings.shape} and cosines {centre.shape} must be [N, D] and [N, C]"
        )
    num_builtin = centre.shape[1]
    dim = embeddings.shape[1]
    vectors = [] if gallery_vectors is None else [np.asarray(gallery_vectors, dtype=np.float32)]
    classes = [] if gallery_classes is None else [np.asarray(gallery_classes, dtype=np.int64)]
    new_labels: list[str] = []
    centres = centre
    if taught_labels is not None and len(taught_labels) > 0:
        taught = np.asarray(taught_vectors, dtype=np.float32)
        if taught.ndim != 2 or taught.shape != (len(taught_labels), dim):
            raise ModelError(
                f"taught references: {len(taught_labels)} labels need vectors [{len(taught_labels)}, {dim}], "
                f"got {taught.shape}"
            )
        taught = unit_vectors(taught)
        builtin_index = {name: i for i, name in enumerate(class_names or [])}
        taught_classes = np.empty(len(taught_labels), dtype=np.int64)
        new_index: dict[str, int] = {}
        for row, label in enumerate(taught_labels):
            if label in builtin_index:
                taught_classes[row] = builtin_index[label]
            else:
                if label not in new_index:
                    new_index[label] = num_builtin + len(new_index)
                    new_labels.append(label)
                taught_classes[row] = new_index[label]
        # Every taught label gets a prototype (normalised mean of its references). A new
        # label uses it as its centre; a built-in class the user taught more photos of
        # keeps the better of its trained centre and that prototype.
        taught_ids = np.unique(taught_classes)
        prototypes = np.stack([unit_vectors(taught[taught_classes == cls].mean(axis=0)) for cls in taught_ids])
        prototype_cos = embeddings @ prototypes.T
        centres = np.concatenate([centre, np.zeros((centre.shape[0], len(new_labels)), np.float32)], axis=1)
        own = _own_references(leave_out, embeddings.shape[0], len(taught_labels))
        if own is not None:
            prototype_cos = _prototype_cosines_without_self(
                embeddings, taught, taught_classes, taught_ids, prototype_cos, own
            )
        for column, cls in enumerate(taught_ids):
            if cls < num_builtin:
                centres[:, cls] = np.maximum(centres[:, cls], prototype_cos[:, column])
            else:
                centres[:, cls] = prototype_cos[:, column]
        vectors.append(taught)
        classes.append(taught_classes)
    gallery_cos = None
    all_classes = None
    if vectors:
        all_vectors = np.concatenate(vectors, axis=0)
        all_classes = np.concatenate(classes, axis=0)
        if all_vectors.shape[1] != dim:
            raise ModelError(f"gallery vectors have size {all_vectors.shape[1]}, embeddings {dim}")
        gallery_cos = embeddings @ all_vectors.T
        own = _own_references(leave_out, embeddings.shape[0], 0 if taught_labels is None else len(taught_labels))
        if own is not None:
            rows = np.flatnonzero(own >= 0)
            gallery_cos[rows, all_vectors.shape[0] - len(taught_labels) + own[rows]] = -1.0
    sims = class_similarities(centres, gallery_cos, all_classes, config)
    return ScoredClasses(calibrated_probabilities(sims, config), new_labels)


def _own_references(leave_out: np.ndarray | None, rows: int, references: int) -> np.ndarray | None:
    """leave_out checked: [rows] ints in -1..references-1, or None when nothing is left out."""
    if leave_out is None or references == 0:
        return None
    own = np.asarray(leave_out, dtype=np.int64)
    if own.shape != (rows,) or own.min(initial=-1) < -1 or own.max(initial=-1) >= references:
        raise ModelError(f"leave_out must be [{rows}] indices of the {references} taught references or -1")
    return own if (own >= 0).any() else None


def _prototype_cosines_without_self(
    embeddings: np.ndarray, taught: np.ndarray, taught_classes: np.ndarray, taught_ids: np.ndarray,
    prototype_cos: np.ndarray, own: np.ndarray,
) -> np.ndarray:
    """prototype_cos with each photo's own label's prototype rebuilt without the photo;
    -1 when the photo was that label's only reference."""
    out = prototype_cos.copy()
    column_of = {int(cls): column for column, cls in enumerate(taught_ids)}
    sums = np.stack([taught[taught_classes == cls].sum(axis=0) for cls in taught_ids])
    rows = np.flatnonzero(own >= 0)
    columns = np.array([column_of[int(taught_classes[own[row]])] for row in rows], dtype=np.int64)
    rest = sums[columns] - taught[own[rows]]
    norms = np.linalg.norm(rest, axis=1)
    cos = np.einsum("nd,nd->n", embeddings[rows], rest) / np.maximum(norms, 1e-12)
    out[rows, columns] = np.where(norms > 1e-6, cos, -1.0)
    return out

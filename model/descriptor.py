"""The generic descriptor kept beside the embedding, and the teaching space built from both.

The 512-d ArcFace embedding is trained to separate the bundle's own classes; places it
never saw are separated better by the pooled features it is computed from (measured:
benchmarks/fewshot_recipe_embedding.py). So a bundle may export a third output,
`descriptors` = l2(pooled - mean of the training photos' pooled features), and declare
a teaching space: taught labels are scored on l2([embedding, beta * descriptor])
(app.core.teaching_space), where a new place stands apart from the known ones better
than in either part alone (benchmarks/fewshot.py).

A plain PCA of the descriptor to 768 / 512 / 256 dimensions lost 0.3 / 1.1 / 1.7 points
of new-place μAP on the benchmark's dev draws; a learned whitening to 512 axes
(`learned_whitening`, applied inside the exported network) gained about 3 (docs/TEACHING.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from model.errors import ModelError
from model.scoring import unit_vectors

DESCRIPTORS_OUTPUT = "descriptors"


@dataclass(frozen=True)
class TeachingSettings:
    """How a bundle's teaching space is built and scored (chosen on the few-shot
    benchmark's dev draws; see docs/TEACHING.md).

    beta: weight of the descriptor against the embedding in the joint vector.
    gallery_weight, gallery_k: known classes and taught labels are scored in the space
        as (1 - w) * cosine to the class mean + w * mean of the top-k photo cosines.
    margin: a library photo joins a taught label only by this margin over every rival.
    """

    beta: float = 2.0
    gallery_weight: float = 0.75
    gallery_k: int = 1
    margin: float = 0.02

    def __post_init__(self) -> None:
        if self.beta <= 0 or not 0.0 <= self.gallery_weight <= 1.0 or self.gallery_k < 1:
            raise ModelError(
                f"teaching settings beta {self.beta} (> 0), gallery weight {self.gallery_weight} "
                f"(0..1) and k {self.gallery_k} (≥ 1) are out of range"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TeachingSettings":
        try:
            return cls(
                beta=float(data["beta"]), gallery_weight=float(data["gallery_weight"]),
                gallery_k=int(data["gallery_k"]), margin=float(data["margin"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ModelError(f"bad teaching settings {data!r}: {error}") from error


def descriptors_from_pooled(pooled: np.ndarray, mean: np.ndarray, projection: np.ndarray | None = None) -> np.ndarray:
    """Pooled features [N, F] → descriptors l2(pooled - mean) [N, F], or
    l2(l2(pooled - mean) @ projection) [N, P] with a whitening, as the exported network
    computes them."""
    pooled = np.asarray(pooled, dtype=np.float32)
    mean = np.asarray(mean, dtype=np.float32)
    if pooled.ndim != 2 or mean.shape != (pooled.shape[1],):
        raise ModelError(f"pooled features {pooled.shape} do not fit a mean of shape {mean.shape}")
    descriptors = unit_vectors(pooled - mean)
    if projection is None:
        return descriptors
    projection = np.asarray(projection, dtype=np.float32)
    if projection.ndim != 2 or projection.shape[0] != pooled.shape[1]:
        raise ModelError(f"a whitening of shape {projection.shape} does not fit {pooled.shape[1]} pooled features")
    return unit_vectors(descriptors @ projection)


def learned_whitening(descriptors: np.ndarray, classes: np.ndarray, size: int, shrinkage: float) -> np.ndarray:
    """The projection [F, size] that whitens descriptors by the spread of photos of one
    place, then keeps the `size` axes along which places differ most (Radenović et al.'s
    learned whitening, with the within-class covariance shrunk towards
    `shrinkage` × its mean variance so that the few training places do not over-fit it).

    Directions in which photos of the same place vary (light, season, framing) are
    damped, so places the model never saw stand apart better: on the few-shot benchmark's
    dev draws it lifted new-place μAP (docs/TEACHING.md). Fitted on the training photos.
    """
    descriptors = np.asarray(descriptors, dtype=np.float64)
    classes = np.asarray(classes)
    if descriptors.ndim != 2 or classes.shape != (len(descriptors),):
        raise ModelError(f"descriptors {descriptors.shape} and classes {classes.shape} do not match")
    features = descriptors.shape[1]
    if not 1 <= size <= features or shrinkage < 0:
        raise ModelError(f"whitening size {size} (1..{features}) or shrinkage {shrinkage} (≥ 0) is out of range")
    residuals = descriptors.copy()
    for label in np.unique(classes):
        rows = classes == label
        residuals[rows] -= descriptors[rows].mean(axis=0)
    within = residuals.T @ residuals / len(residuals)
    within += shrinkage * np.trace(within) / features * np.eye(features)
    values, vectors = np.linalg.eigh(within)
    whiten = (vectors / np.sqrt(values)) @ vectors.T
    whitened = (descriptors - descriptors.mean(axis=0)) @ whiten
    _, axes = np.linalg.eigh(whitened.T @ whitened)
    return (whiten @ axes[:, ::-1][:, :size]).astype(np.float32)


def fit_descriptors(
    train_pooled: np.ndarray, classes: np.ndarray, whiten_size: int, shrinkage: float,
    mean: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(mean, whitening or None) of a bundle's descriptors, fitted on the training photos'
    pooled features as the recipe fits them; `whiten_size` 0 means no whitening, and a
    given `mean` (e.g. of other photos than those the whitening is fitted on) is kept."""
    train_pooled = np.asarray(train_pooled, dtype=np.float32)
    mean = train_pooled.mean(axis=0) if mean is None else np.asarray(mean, dtype=np.float32)
    if not whiten_size:
        return mean, None
    descriptors = descriptors_from_pooled(train_pooled, mean)
    return mean, learned_whitening(descriptors, classes, whiten_size, shrinkage)


def joint_vectors(embeddings: np.ndarray, descriptors: np.ndarray, beta: float) -> np.ndarray:
    """The teaching space: l2([embedding, beta * l2(descriptor)]) per row."""
    embeddings = np.asarray(embeddings, dtype=np.float32)
    descriptors = np.asarray(descriptors, dtype=np.float32)
    if embeddings.shape[0] != descriptors.shape[0]:
        raise ModelError(f"{embeddings.shape[0]} embeddings but {descriptors.shape[0]} descriptors")
    return unit_vectors(np.concatenate([unit_vectors(embeddings), beta * unit_vectors(descriptors)], axis=1))


class JointVectors:
    """Many photos' teaching-space vectors, computed a block of rows at a time from their
    embeddings and descriptors (kept float16) instead of held as one float32 matrix:
    for 100,000 photos that matrix and the copies made of it took 1.7 GB more
    (benchmarks/suggest_memory.py).

    Rows are read with a slice or an index array (`vectors[rows]`, float32 [n, D + F]).
    """

    def __init__(self, embeddings: np.ndarray, descriptors: np.ndarray, beta: float):
        if embeddings.ndim != 2 or descriptors.ndim != 2 or embeddings.shape[0] != descriptors.shape[0]:
            raise ModelError(
                f"embeddings {embeddings.shape} and descriptors {descriptors.shape} must be [N, D] and [N, F]"
            )
        self._embeddings = embeddings
        self._descriptors = descriptors
        self.beta = float(beta)

    @property
    def shape(self) -> tuple[int, int]:
        return (self._embeddings.shape[0], self._embeddings.shape[1] + self._descriptors.shape[1])

    def __len__(self) -> int:
        return self._embeddings.shape[0]

    def __getitem__(self, rows: slice | np.ndarray | list[int]) -> np.ndarray:
        if np.ndim(rows) == 0 and not isinstance(rows, slice):
            raise TypeError("read JointVectors rows with a slice or an index array")
        return joint_vectors(self._embeddings[rows], self._descriptors[rows], self.beta)

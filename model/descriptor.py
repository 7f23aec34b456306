"""The generic descriptor kept beside the embedding, and the teaching space built from both.

The 512-d ArcFace embedding is trained to separate the bundle's own classes; places it
never saw are separated better by the pooled features it is computed from (measured:
benchmarks/fewshot_recipe_embedding.py). So a bundle may export a third output,
`descriptors` = l2(pooled - mean of the training photos' pooled features), and declare
a teaching space: taught labels are scored on l2([embedding, beta * descriptor])
(app.core.teaching_space), where a new place stands apart from the known ones better
than in either part alone (benchmarks/fewshot.py).

A PCA of the descriptor to 768 / 512 / 256 dimensions was measured and lost 0.3 / 1.1
/ 1.7 points of new-place μAP on the benchmark's dev draws, so the bundle keeps all of it.
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
    margin: float = 0.04

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


def descriptors_from_pooled(pooled: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Pooled features [N, F] → descriptors l2(pooled - mean) [N, F], as the exported
    network computes them."""
    pooled = np.asarray(pooled, dtype=np.float32)
    mean = np.asarray(mean, dtype=np.float32)
    if pooled.ndim != 2 or mean.shape != (pooled.shape[1],):
        raise ModelError(f"pooled features {pooled.shape} do not fit a mean of shape {mean.shape}")
    return unit_vectors(pooled - mean)


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

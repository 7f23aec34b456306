"""Scoring the library against taught references — pure numpy, used by `suggest` and
by benchmarks/fewshot.py, so the measured method is the app's method.

A prototype made of three photos is a poor centre: it sits between its shots, and
the photos of that place score lower against it than photos of a built-in class
score against their trained centre. So we let the user's own archive sharpen it
(transductive prototype refinement): in a few rounds, the library photos that fit a
taught label best (closer to it than to every built-in class and every other taught
label) join its references as pseudo-references. Photos that the model already
recognises confidently (cosine to a built-in centre ≥ `protect_cosine`) are never
taken and never re-labelled, so teaching cannot eat a known landmark.

Final scores come from model.scoring.score_classes: built-in classes and taught labels
on one calibrated scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from model.scoring import ScoredClasses, ScoringConfig, score_classes


@dataclass(frozen=True)
class TeachingConfig:
    """How the library sharpens taught labels.

    rounds: refinement rounds (0: plain prototypes of the taught photos).
    expand: library photos added per label and round (the best-fitting ones).
    protect_cosine: photos at least this close to a built-in centre keep their class.
    """

    rounds: int = 3
    expand: int = 20
    protect_cosine: float = 0.55

    def __post_init__(self) -> None:
        if self.rounds < 0 or self.expand < 0:
            raise ValueError(f"rounds {self.rounds} and expand {self.expand} must be ≥ 0")


@dataclass(frozen=True)
class RefinedReferences:
    """Taught references plus library pseudo-references, one label per vector."""

    labels: list[str]
    vectors: np.ndarray
    pseudo: dict[str, list[int]]  # label → library rows taken as pseudo-references


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)


def refine_references(
    library: np.ndarray,
    builtin_cosines: np.ndarray,
    labels: Sequence[str],
    vectors: np.ndarray,
    config: TeachingConfig = TeachingConfig(),
    builtin_names: Sequence[str] = (),
    exclude: np.ndarray | None = None,
) -> RefinedReferences:
    """Add library photos as pseudo-references of the taught labels they fit best.

    library: L2-normalised embeddings [N, D] of the user's photos; builtin_cosines
    [N, C] their cosines to the bundle's classes, or just the best of them [N] (enough
    here, and what a bundle with many classes can afford for a whole library). A taught label equal to a built-in
    class name only strengthens that class and is not refined. exclude: [N] bool of
    library rows never taken (the taught photos themselves).
    """
    labels = [str(label) for label in labels]
    vectors = _unit(vectors)
    names = [label for label in dict.fromkeys(labels) if label not in set(builtin_names)]
    pseudo: dict[str, list[int]] = {label: [] for label in names}
    if not names or config.rounds == 0 or config.expand == 0 or library.shape[0] == 0:
        return RefinedReferences(labels, vectors, pseudo)
    library = _unit(library)
    best_builtin = best_cosines(builtin_cosines, len(library))
    free = best_builtin < config.protect_cosine
    if exclude is not None:
        free &= ~np.asarray(exclude, dtype=bool)
    sums = np.stack([vectors[[i for i, l in enumerate(labels) if l == name]].sum(axis=0) for name in names])
    prototypes = _unit(sums)
    expand = min(config.expand, int(free.sum()))
    for _ in range(config.rounds):
        if expand == 0:
            break
        sims = library @ prototypes.T  # [N, T]
        new_prototypes = []
        for j, name in enumerate(names):
            rivals = best_builtin
            if len(names) > 1:
                rivals = np.maximum(rivals, np.delete(sims, j, axis=1).max(axis=1))
            margin = np.where(free, sims[:, j] - rivals, -np.inf)
            taken = np.argpartition(-margin, expand - 1)[:expand]
            taken = taken[np.isfinite(margin[taken])]
            pseudo[name] = sorted(int(i) for i in taken)
            new_prototypes.append(sums[j] + library[taken].sum(axis=0))
        prototypes = _unit(np.stack(new_prototypes))
    extra_labels = [name for name in names for _ in pseudo[name]]
    extra_rows = [row for name in names for row in pseudo[name]]
    all_vectors = np.concatenate([vectors, library[extra_rows]]) if extra_rows else vectors
    return RefinedReferences(labels + extra_labels, all_vectors, pseudo)


@dataclass(frozen=True)
class TaughtScores:
    """Scores of photos over built-in classes then taught labels, and which photos a
    taught label may take (not protected by a confident built-in class)."""

    scored: ScoredClasses
    num_builtin: int
    free: np.ndarray  # [N] bool

    @property
    def probabilities(self) -> np.ndarray:
        return self.scored.probabilities

    @property
    def taught_labels(self) -> list[str]:
        return self.scored.taught_labels


def score_with_taught(
    embeddings: np.ndarray,
    builtin_cosines: np.ndarray,
    references: RefinedReferences,
    scoring: ScoringConfig,
    config: TeachingConfig = TeachingConfig(),
    *,
    builtin_names: Sequence[str] | None = None,
    gallery_vectors: np.ndarray | None = None,
    gallery_classes: np.ndarray | None = None,
) -> TaughtScores:
    """Calibrated scores over built-in classes + taught labels (model.scoring), with
    the protection mask of `config`."""
    scored = score_classes(
        embeddings,
        builtin_cosines,
        scoring,
        class_names=builtin_names,
        gallery_vectors=gallery_vectors,
        gallery_classes=gallery_classes,
        taught_labels=references.labels,
        taught_vectors=references.vectors,
    )
    best = best_cosines(builtin_cosines, len(embeddings))
    return TaughtScores(scored, builtin_cosines.shape[1], best < config.protect_cosine)


def best_cosines(builtin_cosines: np.ndarray, rows: int) -> np.ndarray:
    """The best built-in cosine per photo [N] from [N, C] (or [N] as it is); -1 without classes."""
    builtin_cosines = np.asarray(builtin_cosines, dtype=np.float32)
    if builtin_cosines.ndim == 1:
        return builtin_cosines
    if builtin_cosines.shape[1] == 0:
        return np.full(rows, -1.0, dtype=np.float32)
    return builtin_cosines.max(axis=1)


def taught_winners(scores: TaughtScores, blocked: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per photo: the index of the winning taught label (-1 when a built-in class or
    nothing wins, or the photo is protected) and its score.

    blocked: optional [N, C + T] bool of (photo, label) pairs not to propose (rejected).
    """
    probs = scores.probabilities.copy()
    if blocked is not None:
        probs[blocked] = -1.0
    best = probs.argmax(axis=1)
    winner = np.where((best >= scores.num_builtin) & scores.free, best - scores.num_builtin, -1)
    return winner, probs[np.arange(len(probs)), best]


def builtin_best(scores: TaughtScores) -> tuple[np.ndarray, np.ndarray]:
    """Per photo: the best built-in class and its score on the joint scale (lower than
    without teaching when a taught label comes close), so one threshold and one ranking
    serve both."""
    builtin = scores.probabilities[:, : scores.num_builtin]
    best = builtin.argmax(axis=1)
    return best, builtin[np.arange(len(builtin)), best]

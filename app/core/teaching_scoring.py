"""Scoring the library against taught references — pure numpy, used by `suggest` and
by benchmarks/fewshot.py, so the measured method is the app's method.

A prototype made of three photos is a poor centre: it sits between its shots, and
the photos of that place score lower against it than photos of a built-in class
score against their trained centre and gallery. So we let the user's own archive
sharpen it (transductive refinement, a kind of self-training): in a few rounds, every
library photo that fits a taught label clearly better than every rival (the best
built-in class, scored the way the predictor scores it — centre and gallery — and
every other taught label) joins that label's references as a pseudo-reference; a
taught label is scored the same way as a built-in class, its prototype standing for
the centre and its references for the gallery. After the first round the photos are
picked by a cosine classifier fitted on the bundle's centres and gallery together with
the references (app.core.teaching_classifier), which tells a new place from the
built-in landmark it resembles better than raw cosines do. Photos that the model already
recognises confidently (cosine to a built-in centre ≥ `protect_cosine`) are never
taken and never re-labelled, so teaching cannot eat a known landmark.

Final scores come from model.scoring.score_classes: built-in classes and taught labels
on one calibrated scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from app.core.teaching_classifier import BuiltinExamples, fit_cosine_classifier
from model.descriptor import JointVectors
from model.scoring import (
    ScoredClasses,
    ScoringConfig,
    class_similarities,
    score_classes,
    topk_class_means,
    unit_vectors,
)

CHUNK_ROWS = 4096  # library photos compared at once: bounds memory on big archives


@dataclass(frozen=True)
class TeachingConfig:
    """How the library sharpens taught labels (chosen on the benchmark's dev draws).

    rounds: refinement rounds (0: plain prototypes of the taught photos).
    expand: at most this many library photos join a label (the best-fitting ones).
    margin: a library photo joins a label only when its similarity to that label beats
        every rival's (in classifier rounds: the classifier's runner-up) by more than this.
    protect_cosine: photos at least this close to a built-in centre keep their class.
    classifier_steps: after the first round, photos are picked by a cosine classifier
        fitted on the bundle's classes and the references (app.core.teaching_classifier)
        with this many steps; 0 keeps the similarity rule for every round.
    classifier_rate: its Adam step size.
    """

    rounds: int = 5
    expand: int = 200
    margin: float = 0.08
    protect_cosine: float = 0.7
    classifier_steps: int = 100
    classifier_rate: float = 0.01

    def __post_init__(self) -> None:
        if self.rounds < 0 or self.expand < 0 or self.classifier_steps < 0:
            raise ValueError(
                f"rounds {self.rounds}, expand {self.expand} and classifier_steps "
                f"{self.classifier_steps} must be ≥ 0"
            )
        if self.classifier_rate <= 0:
            raise ValueError(f"classifier_rate {self.classifier_rate} must be positive")


@dataclass(frozen=True)
class RefinedReferences:
    """Taught references plus library pseudo-references, one label per vector."""

    labels: list[str]
    vectors: np.ndarray
    pseudo: dict[str, list[int]]  # label → library rows taken as pseudo-references

    def own_reference(self, library_rows: np.ndarray) -> np.ndarray:
        """For photos at these library rows, the index of each one's own pseudo-reference
        vector (-1: none): the `leave_out` that keeps a photo from scoring against itself."""
        library_rows = np.asarray(library_rows, dtype=np.int64)
        own_by_row: dict[int, int] = {}
        index = len(self.labels) - sum(len(taken) for taken in self.pseudo.values())
        for taken in self.pseudo.values():  # the order refine_references appended them in
            for row in taken:
                own_by_row[row] = index
                index += 1
        return np.array([own_by_row.get(int(row), -1) for row in library_rows], dtype=np.int64)


def builtin_similarities(
    embeddings: np.ndarray,
    centre_cosines: np.ndarray,
    scoring: ScoringConfig,
    *,
    gallery_vectors: np.ndarray | None = None,
    gallery_classes: np.ndarray | None = None,
) -> np.ndarray:
    """The best built-in class similarity per photo [N], as the predictor computes it
    (centre cosine mixed with the gallery by `scoring`): the rival a taught label must
    beat. Chunked over photos, so a whole library fits in memory."""
    embeddings = np.asarray(embeddings, dtype=np.float32)
    centre_cosines = np.asarray(centre_cosines, dtype=np.float32)
    if centre_cosines.shape[1] == 0:
        return np.full(len(embeddings), -1.0, dtype=np.float32)
    out = np.empty(len(embeddings), dtype=np.float32)
    gallery = None if gallery_vectors is None else np.asarray(gallery_vectors, dtype=np.float32)
    for start in range(0, len(embeddings), CHUNK_ROWS):
        rows = slice(start, start + CHUNK_ROWS)
        gallery_cos = None if gallery is None else embeddings[rows] @ gallery.T
        sims = class_similarities(centre_cosines[rows], gallery_cos, gallery_classes, scoring)
        out[rows] = sims.max(axis=1)
    return out


def taught_similarities(
    library: np.ndarray, references: np.ndarray, classes: np.ndarray, count: int, scoring: ScoringConfig | None
) -> np.ndarray:
    """Similarity [N, count] of library photos to taught labels, scored like built-in
    classes: (1 - w) * cosine to the prototype (normalised mean of the references) +
    w * mean of the top-k reference cosines, with w and k from `scoring` (w = 0 without).
    A pseudo-reference counts as its own neighbour, as it does in the final scoring, so
    a photo once taken stays unless a rival comes closer."""
    prototypes = unit_vectors(np.stack([references[classes == j].sum(axis=0) for j in range(count)]))
    weight = 0.0 if scoring is None else scoring.gallery_weight
    out = np.empty((len(library), count), dtype=np.float32)
    for start in range(0, len(library), CHUNK_ROWS):
        block = library[start : start + CHUNK_ROWS]
        sims = block @ prototypes.T
        if weight > 0.0:
            top, _ = topk_class_means(block @ references.T, classes, count, scoring.gallery_k)
            sims = (1.0 - weight) * sims + weight * top
        out[start : start + CHUNK_ROWS] = sims
    return out


def refine_references(
    library: "np.ndarray | JointVectors",
    builtin_cosines: np.ndarray,
    labels: Sequence[str],
    vectors: np.ndarray,
    config: TeachingConfig = TeachingConfig(),
    builtin_names: Sequence[str] = (),
    exclude: np.ndarray | None = None,
    *,
    builtin_similarities: np.ndarray | None = None,
    scoring: ScoringConfig | None = None,
    builtin: BuiltinExamples | None = None,
    fit: Callable[..., np.ndarray] = fit_cosine_classifier,
) -> RefinedReferences:
    """Add library photos as pseudo-references of the taught labels they fit best.

    library: the user's photos' vectors [N, D] (or JointVectors); builtin_cosines
    [N, C] their cosines to the bundle's class centres, or just the best of them [N]
    (enough here, and what a bundle with many classes can afford for a whole library):
    they decide which photos are protected. builtin_similarities [N]: the best built-in
    similarity on the predictor's scale (`builtin_similarities()`), the rival a photo's
    taught similarity must beat; the best centre cosine when not given. scoring: the
    bundle's ScoringConfig, so taught labels use its gallery weight and top-k. A taught
    label equal to a built-in class name only strengthens that class and is not
    refined. exclude: [N] bool of library rows never taken (the taught photos themselves).
    builtin: the bundle's centres and gallery; with it (and config.classifier_steps > 0)
    rounds after the first pick photos with a classifier fitted on both sides, by `fit`
    (fit_cosine_classifier's signature; app.core.teaching_fits.ClassifierFits.fit keeps
    fits, so a run with nothing new taught does not fit again). Each such round fits once,
    on the references of the round before (a second fit only when the first changed the
    picks: it checks they settled).
    """
    labels = [str(label) for label in labels]
    vectors = unit_vectors(vectors)
    names = [label for label in dict.fromkeys(labels) if label not in set(builtin_names)]
    pseudo: dict[str, list[int]] = {label: [] for label in names}
    if not names or config.rounds == 0 or config.expand == 0 or library.shape[0] == 0:
        return RefinedReferences(labels, vectors, pseudo)
    if not isinstance(library, JointVectors):  # those are unit vectors, read a block at a time
        library = unit_vectors(library)
    best_builtin = best_cosines(builtin_cosines, len(library))
    free = best_builtin < config.protect_cosine
    if exclude is not None:
        free &= ~np.asarray(exclude, dtype=bool)
    rival_builtin = best_builtin if builtin_similarities is None else np.asarray(builtin_similarities, np.float32)
    label_index = {name: j for j, name in enumerate(names)}
    taught_rows = [i for i, label in enumerate(labels) if label in label_index]
    taught = vectors[taught_rows]
    taught_classes = np.array([label_index[labels[i]] for i in taught_rows], dtype=np.int64)
    taken = np.zeros(0, dtype=np.int64)
    taken_classes = np.zeros(0, dtype=np.int64)
    use_classifier = builtin is not None and config.classifier_steps > 0
    for round_number in range(config.rounds):
        references = np.concatenate([taught, library[taken]])
        classes = np.concatenate([taught_classes, taken_classes])
        if use_classifier and round_number > 0:
            best, margin = _classifier_margins(library, references, classes, len(names), builtin, config, scoring,
                                               fit)
        else:
            best, margin = _similarity_margins(library, references, classes, len(names), rival_builtin, scoring)
        eligible = free & (best >= 0) & (margin > config.margin)
        new_taken, new_classes = [], []
        for j in range(len(names)):
            rows = np.flatnonzero(eligible & (best == j))
            rows = rows[np.argsort(-margin[rows], kind="stable")][: config.expand]
            new_taken.append(np.sort(rows))
            new_classes.append(np.full(len(rows), j, dtype=np.int64))
        new_taken_all = np.concatenate(new_taken)
        new_classes_all = np.concatenate(new_classes)
        if np.array_equal(new_taken_all, taken) and np.array_equal(new_classes_all, taken_classes):
            break  # settled: another round would take the same photos
        taken, taken_classes = new_taken_all, new_classes_all
    for j, name in enumerate(names):
        pseudo[name] = [int(i) for i in taken[taken_classes == j]]
    extra_labels = [name for name in names for _ in pseudo[name]]
    extra_rows = [row for name in names for row in pseudo[name]]
    all_vectors = np.concatenate([vectors, library[extra_rows]]) if extra_rows else vectors
    return RefinedReferences(labels + extra_labels, all_vectors, pseudo)


def _similarity_margins(library, references, classes, count, rival_builtin, scoring):
    """Per photo: its best taught label and by how much that label's similarity beats the
    best built-in class and every other taught label."""
    sims = taught_similarities(library, references, classes, count, scoring)
    ordered = np.sort(sims, axis=1)
    second = ordered[:, -2] if count > 1 else np.full(len(library), -np.inf, np.float32)
    return sims.argmax(axis=1), ordered[:, -1] - np.maximum(rival_builtin, second)


def _classifier_margins(library, references, classes, count, builtin: BuiltinExamples, config, scoring,
                        fit=fit_cosine_classifier):
    """Per photo: the taught label a classifier over built-in classes and taught labels
    picks (-1 when it picks a built-in class) and its margin over the runner-up."""
    known_vectors, known_classes = builtin.examples()
    num_builtin = builtin.num_classes
    prototypes = unit_vectors(np.stack([references[classes == j].sum(axis=0) for j in range(count)]))
    weights = fit(
        np.concatenate([known_vectors, references]),
        np.concatenate([known_classes, num_builtin + classes]),
        np.concatenate([builtin.initial_weights(), prototypes]),
        steps=config.classifier_steps,
        rate=config.classifier_rate,
        scale=30.0 if scoring is None else scoring.scale,
    )
    best = np.empty(len(library), dtype=np.int64)
    margin = np.empty(len(library), dtype=np.float32)
    for start in range(0, len(library), CHUNK_ROWS):
        cosines = library[start : start + CHUNK_ROWS] @ weights.T
        ordered = np.sort(cosines, axis=1)
        best[start : start + CHUNK_ROWS] = cosines.argmax(axis=1) - num_builtin
        margin[start : start + CHUNK_ROWS] = ordered[:, -1] - ordered[:, -2]
    return best, margin


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
    library_rows: np.ndarray | None = None,
) -> TaughtScores:
    """Calibrated scores over built-in classes + taught labels (model.scoring), with
    the protection mask of `config`. library_rows: the rows of `embeddings` in the
    library given to refine_references (default: all of it, in order), so a photo
    taken as a pseudo-reference is scored by the other references, not by itself."""
    if library_rows is None:
        library_rows = np.arange(len(embeddings))
    scored = score_classes(
        embeddings,
        builtin_cosines,
        scoring,
        class_names=builtin_names,
        gallery_vectors=gallery_vectors,
        gallery_classes=gallery_classes,
        taught_labels=references.labels,
        taught_vectors=references.vectors,
        leave_out=references.own_reference(library_rows),
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


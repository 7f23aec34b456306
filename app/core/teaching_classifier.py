"""A cosine classifier over built-in classes and taught labels, fitted on what the
bundle knows (class centres and its gallery of training-photo embeddings) and on the
taught references — pure numpy.

Why: a taught label's prototype is a plain mean of a few photos, while a built-in
class's centre was trained against every other class. Fitting one softmax classifier
on both sides (starting from the centres and the prototypes) pushes each taught
label's weight away from the built-in classes it resembles, so a library photo of a
new place is told from a look-alike landmark better than by raw cosines. Used by
`teaching_scoring.refine_references` to pick pseudo-references; the final scores stay
those of model.scoring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.scoring import unit_vectors


@dataclass(frozen=True)
class BuiltinExamples:
    """What the bundle knows of its C classes: their centres [C, D] (or sub-centres
    [C, k, D]) and example embeddings [G, D] with their class [G] (the gallery; may be
    empty, then the centres serve as the examples)."""

    centres: np.ndarray
    vectors: np.ndarray
    classes: np.ndarray

    @property
    def num_classes(self) -> int:
        return int(np.asarray(self.centres).shape[0])

    def initial_weights(self) -> np.ndarray:
        """One unit vector per class: the centre (mean of its sub-centres)."""
        centres = np.asarray(self.centres, dtype=np.float32)
        if centres.ndim == 3:
            centres = centres.mean(axis=1)
        return unit_vectors(centres)

    def examples(self) -> tuple[np.ndarray, np.ndarray]:
        """Training examples of the built-in classes: the gallery, or the (sub-)centres."""
        vectors = np.asarray(self.vectors, dtype=np.float32).reshape(-1, self.dimension)
        if len(vectors):
            return unit_vectors(vectors), np.asarray(self.classes, dtype=np.int64)
        centres = np.asarray(self.centres, dtype=np.float32)
        if centres.ndim == 2:
            return unit_vectors(centres), np.arange(len(centres), dtype=np.int64)
        flat = centres.reshape(-1, centres.shape[-1])
        return unit_vectors(flat), np.repeat(np.arange(centres.shape[0]), centres.shape[1]).astype(np.int64)

    @property
    def dimension(self) -> int:
        return int(np.asarray(self.centres).shape[-1])


def fit_cosine_classifier(
    examples: np.ndarray,
    classes: np.ndarray,
    initial: np.ndarray,
    *,
    steps: int,
    rate: float,
    scale: float,
) -> np.ndarray:
    """Unit class weights [C, D] minimising the class-balanced softmax cross-entropy of
    scale * cos(example, weight), by `steps` Adam steps from `initial` [C, D].

    Class-balanced (each class weighs the same in the loss, however many examples it
    has), so three taught photos count as much as a built-in class's whole gallery.
    """
    x = unit_vectors(examples)
    y = np.asarray(classes, dtype=np.int64)
    weights = np.array(initial, dtype=np.float32, copy=True)
    num_classes = weights.shape[0]
    counts = np.bincount(y, minlength=num_classes).astype(np.float32)
    sample_weight = 1.0 / np.maximum(counts[y], 1.0)
    sample_weight /= sample_weight.sum()
    onehot = np.zeros((len(y), num_classes), dtype=np.float32)
    onehot[np.arange(len(y)), y] = 1.0
    first = np.zeros_like(weights)
    second = np.zeros_like(weights)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        norms = np.maximum(np.linalg.norm(weights, axis=1, keepdims=True), 1e-12)
        unit_weights = weights / norms
        logits = scale * (x @ unit_weights.T)
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        grad_logits = (probabilities - onehot) * sample_weight[:, None]
        grad_unit = scale * (grad_logits.T @ x)
        # through the normalisation: remove the radial part, divide by the norm
        grad = (grad_unit - unit_weights * (grad_unit * unit_weights).sum(axis=1, keepdims=True)) / norms
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad * grad
        step_size = rate * np.sqrt(1 - beta2**step) / (1 - beta1**step)
        weights -= step_size * first / (np.sqrt(second) + eps)
    return unit_vectors(weights)

"""The cosine classifier that picks pseudo-references (app.core.teaching_classifier),
checked against an explicit reference and on synthetic look-alike places."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.teaching_classifier import BuiltinExamples, fit_cosine_classifier
from app.core.teaching_scoring import TeachingConfig, refine_references

DIM = 8


def unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def balanced_loss(weights, x, y, scale):
    """Class-balanced softmax cross-entropy of scale * cos, written out slowly."""
    counts = np.bincount(y, minlength=len(weights))
    total, norm = 0.0, 0.0
    for xi, yi in zip(x, y):
        logits = scale * (unit(weights) @ xi)
        log_p = logits[yi] - np.log(np.exp(logits - logits.max()).sum()) - logits.max()
        total += -log_p / counts[yi]
        norm += 1.0 / counts[yi]
    return total / norm


def test_one_step_follows_the_gradient_of_the_balanced_loss():
    """Adam's first step moves every weight by about `rate` against the sign of the
    gradient; the gradient is checked against finite differences of the slow loss."""
    rng = np.random.default_rng(0)
    x = unit(rng.normal(size=(9, DIM)))
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 2])
    initial = unit(rng.normal(size=(3, DIM))).astype(np.float32)
    rate = 1e-3
    stepped = fit_cosine_classifier(x, y, initial, steps=1, rate=rate, scale=5.0)
    numeric = np.zeros_like(initial, dtype=np.float64)
    for i in range(initial.shape[0]):
        for j in range(DIM):
            plus, minus = initial.astype(np.float64).copy(), initial.astype(np.float64).copy()
            plus[i, j] += 1e-5
            minus[i, j] -= 1e-5
            numeric[i, j] = (balanced_loss(plus, x, y, 5.0) - balanced_loss(minus, x, y, 5.0)) / 2e-5
    moved = stepped - unit(initial - rate * np.sign(numeric))
    assert np.abs(moved).max() < 1e-4


def test_fitting_lowers_the_loss_and_returns_unit_weights():
    rng = np.random.default_rng(1)
    centres = unit(rng.normal(size=(3, DIM)))
    y = np.repeat(np.arange(3), 5)
    x = unit(centres[y] + 0.6 * rng.normal(size=(15, DIM)))
    initial = unit(rng.normal(size=(3, DIM))).astype(np.float32)
    fitted = fit_cosine_classifier(x, y, initial, steps=100, rate=0.05, scale=10.0)
    assert balanced_loss(fitted, x, y, 10.0) < 0.5 * balanced_loss(initial, x, y, 10.0)
    np.testing.assert_allclose(np.linalg.norm(fitted, axis=1), 1.0, rtol=1e-5)


def test_builtin_examples_fall_back_to_the_sub_centres_without_a_gallery():
    centres = unit(np.random.default_rng(2).normal(size=(2, 3, DIM))).astype(np.float32)
    examples = BuiltinExamples(centres, np.zeros((0, DIM)), np.zeros(0, dtype=int))
    vectors, classes = examples.examples()
    assert vectors.shape == (6, DIM) and list(classes) == [0, 0, 0, 1, 1, 1]
    assert examples.initial_weights().shape == (2, DIM) and examples.num_classes == 2


@pytest.fixture
def shadowed_place():
    """Built-in class 0 (centre axis 0, gallery photos spread around it) and a new place
    B leaning from axis 0 towards axis 1: its photos are about as close to the built-in
    centre as to the one taught photo (no clear cosine margin), but only B has an axis-1
    component. Library rows 0-7: built-in, 8-15: B (row 8 taught)."""
    rng = np.random.default_rng(3)
    axes = np.eye(DIM)
    gallery = unit(axes[0] + 0.35 * rng.normal(size=(20, DIM)) * (1 - axes[1]))
    known = unit(axes[0] + 0.35 * rng.normal(size=(8, DIM)) * (1 - axes[1]))
    place_b = unit(axes[0] + 0.45 * axes[1] + 0.12 * rng.normal(size=(8, DIM)))
    library = np.concatenate([known, place_b]).astype(np.float32)
    centres = axes[[0, 2]].astype(np.float32)
    builtin = BuiltinExamples(centres, gallery.astype(np.float32), np.zeros(20, dtype=int))
    return library, centres, builtin


def test_the_classifier_takes_a_place_that_cosines_leave_to_the_lookalike_class(shadowed_place):
    library, centres, builtin = shadowed_place
    cosines = library @ centres.T
    exclude = np.isin(np.arange(16), [8])
    settings = dict(rounds=4, margin=0.05, protect_cosine=1.0, classifier_rate=0.05)
    by_cosine = refine_references(library, cosines, ["B"], library[[8]],
                                  TeachingConfig(classifier_steps=0, **settings), exclude=exclude)
    by_classifier = refine_references(library, cosines, ["B"], library[[8]],
                                      TeachingConfig(classifier_steps=100, **settings), exclude=exclude,
                                      builtin=builtin)
    assert set(by_classifier.pseudo["B"]) <= set(range(9, 16))  # never a built-in photo
    assert len(by_classifier.pseudo["B"]) > len(by_cosine.pseudo["B"])


def test_without_the_bundle_examples_the_classifier_is_not_used(shadowed_place):
    library, centres, _ = shadowed_place
    cosines = library @ centres.T
    exclude = np.isin(np.arange(16), [8])
    with_steps = refine_references(library, cosines, ["B"], library[[8]], TeachingConfig(classifier_steps=100),
                                   exclude=exclude)
    without = refine_references(library, cosines, ["B"], library[[8]], TeachingConfig(classifier_steps=0),
                                exclude=exclude)
    assert with_steps.pseudo == without.pseudo


def test_classifier_settings_are_checked():
    with pytest.raises(ValueError, match="classifier_steps"):
        TeachingConfig(classifier_steps=-1)
    with pytest.raises(ValueError, match="classifier_rate"):
        TeachingConfig(classifier_rate=0.0)

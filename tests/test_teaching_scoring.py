"""The library-refined scoring of taught labels (pure numpy, synthetic vectors)."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.teaching_scoring import (
    TeachingConfig,
    refine_references,
    score_with_taught,
    taught_winners,
)
from model.scoring import ScoringConfig

DIM = 16


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def cluster(centre, n, spread, seed):
    rng = np.random.default_rng(seed)
    return unit(centre + spread * rng.normal(size=(n, DIM)))


@pytest.fixture
def world():
    """Two built-in class centres, and a library: 6 photos of built-in class 0, 6 of an
    untaught-yet place A, 6 of place B."""
    axes = np.eye(DIM, dtype=np.float32)
    centres = unit(np.stack([axes[0], axes[1]]))
    known = cluster(axes[0], 6, 0.15, 1)
    place_a = cluster(axes[2], 6, 0.2, 2)
    place_b = cluster(axes[3], 6, 0.2, 3)
    library = np.concatenate([known, place_a, place_b])
    truth = ["known"] * 6 + ["A"] * 6 + ["B"] * 6
    return centres, library, truth


def test_refinement_takes_only_photos_of_the_taught_place(world):
    centres, library, truth = world
    builtin = library @ centres.T
    config = TeachingConfig(rounds=2, expand=4, protect_cosine=0.55)
    refs = refine_references(library, builtin, ["A", "B"], library[[6, 12]], config,
                             builtin_names=["c0", "c1"], exclude=np.isin(np.arange(18), [6, 12]))
    assert {truth[i] for i in refs.pseudo["A"]} == {"A"}
    assert {truth[i] for i in refs.pseudo["B"]} == {"B"}
    assert 6 not in refs.pseudo["A"] and 12 not in refs.pseudo["B"]  # excluded rows stay out
    assert len(refs.labels) == len(refs.vectors) == 2 + len(refs.pseudo["A"]) + len(refs.pseudo["B"])


def test_without_rounds_the_references_are_the_taught_photos(world):
    centres, library, _ = world
    refs = refine_references(library, library @ centres.T, ["A"], library[[6]], TeachingConfig(rounds=0))
    assert refs.labels == ["A"] and refs.vectors.shape == (1, DIM) and refs.pseudo == {"A": []}


def test_a_taught_label_named_like_a_builtin_class_is_not_refined(world):
    centres, library, _ = world
    refs = refine_references(library, library @ centres.T, ["c0"], library[[0]], builtin_names=["c0", "c1"])
    assert refs.pseudo == {} and refs.labels == ["c0"]


def test_taught_labels_win_their_place_and_confident_builtin_photos_keep_their_class(world):
    centres, library, truth = world
    builtin = library @ centres.T
    config = TeachingConfig(rounds=2, expand=4, protect_cosine=0.55)
    refs = refine_references(library, builtin, ["A", "B"], library[[6, 12]], config, builtin_names=["c0", "c1"])
    scores = score_with_taught(library, builtin, refs, ScoringConfig(scale=30.0), config, builtin_names=["c0", "c1"])
    winner, score = taught_winners(scores)
    labels = [scores.taught_labels[w] if w >= 0 else "known" for w in winner]
    assert labels == truth
    assert np.all(score[winner >= 0] > 0.5)
    assert not scores.free[:6].any()  # close to their centre: protected


@pytest.mark.parametrize("builtin_shape", ["best cosine per photo", "cosine per class"])
def test_a_photo_the_model_knows_confidently_never_joins_a_nearby_taught_place(builtin_shape):
    """A side door of Notre-Dame taught beside the model's Notre-Dame: library photos at
    least protect_cosine from a built-in centre keep their class and are never taken as
    references of the taught place (which would pull it onto the known landmark); a
    photo just below that cosine is free to be taken."""
    door = unit(np.eye(DIM, dtype=np.float32)[2])
    library = cluster(door, 4, 0.05, 7)  # all four fit the taught door by far
    best_builtin = np.array([0.75, 0.9, 0.74, 0.2], dtype=np.float32)
    builtin = best_builtin if builtin_shape == "best cosine per photo" else np.stack(
        [best_builtin, np.full(4, 0.1, np.float32)], axis=1)
    config = TeachingConfig(rounds=2, expand=10, protect_cosine=0.75, classifier_steps=0)
    refs = refine_references(library, builtin, ["My door"], door[None], config, builtin_names=["Notre-Dame", "x"],
                             builtin_similarities=np.full(4, 0.2, np.float32))  # the same rival for each
    assert refs.pseudo == {"My door": [2, 3]}
    assert refs.labels == ["My door"] * 3


def test_a_blocked_label_is_never_the_winner(world):
    centres, library, _ = world
    builtin = library @ centres.T
    refs = refine_references(library, builtin, ["A", "B"], library[[6, 12]], builtin_names=["c0", "c1"])
    scores = score_with_taught(library, builtin, refs, ScoringConfig(scale=30.0), builtin_names=["c0", "c1"])
    blocked = np.zeros_like(scores.probabilities, dtype=bool)
    column_a = 2 + scores.taught_labels.index("A")
    blocked[7, column_a] = True
    winner, _ = taught_winners(scores, blocked)
    assert scores.taught_labels[winner[8]] == "A"
    assert winner[7] == -1 or scores.taught_labels[winner[7]] != "A"


def test_negative_settings_are_refused():
    with pytest.raises(ValueError):
        TeachingConfig(rounds=-1)

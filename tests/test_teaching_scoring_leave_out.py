"""A library photo taken in as a pseudo-reference of a taught label is scored by the
other references, never by itself (a self-match would give it a score of ~1 and put
the app's own guesses at the top of the review list)."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.teaching_scoring import RefinedReferences, score_with_taught
from model.errors import ModelError
from model.scoring import ScoringConfig, score_classes

DIM = 8
SCORING = ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1)


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


@pytest.fixture
def library():
    """Row 0: a photo taken as a pseudo-reference of "cabin"; row 1: a photo nobody took.
    The user taught one shot of "cabin" along axis 1; one built-in class along axis 2."""
    axes = np.eye(DIM, dtype=np.float32)
    photos = unit(np.stack([axes[0] + 0.6 * axes[1], axes[0] + 0.6 * axes[1] + 0.05 * axes[3]]))
    shot = axes[1]
    centre_cosines = photos @ axes[2][:, None]
    return photos, shot, centre_cosines


def test_leave_out_scores_a_photo_without_its_own_reference(library):
    photos, shot, centre_cosines = library
    refs = np.stack([shot, photos[0]])
    kwargs = dict(class_names=["built-in"], taught_labels=["cabin", "cabin"], taught_vectors=refs)
    with_self = score_classes(photos, centre_cosines, SCORING, **kwargs).probabilities
    left_out = score_classes(photos, centre_cosines, SCORING, leave_out=np.array([1, -1]), **kwargs).probabilities
    only_shot = score_classes(photos[:1], centre_cosines[:1], SCORING, class_names=["built-in"],
                              taught_labels=["cabin"], taught_vectors=shot[None]).probabilities
    np.testing.assert_allclose(left_out[0], only_shot[0], rtol=1e-5)  # as if it had never been taken
    assert left_out[0, 1] < with_self[0, 1]
    np.testing.assert_allclose(left_out[1], with_self[1], rtol=1e-6)  # other photos unchanged


def test_a_label_left_with_no_reference_gives_no_evidence(library):
    photos, _, centre_cosines = library
    probs = score_classes(photos[:1], centre_cosines[:1], ScoringConfig(scale=30.0), class_names=["built-in"],
                          taught_labels=["cabin"], taught_vectors=photos[:1], leave_out=np.array([0])).probabilities
    assert probs[0, 1] < probs[0, 0]  # similarity -1 to "cabin": the built-in class wins


def test_score_with_taught_leaves_out_pseudo_references_by_library_row(library):
    photos, shot, centre_cosines = library
    refs = RefinedReferences(["cabin", "cabin"], np.stack([shot, photos[0]]), {"cabin": [0]})
    whole = score_with_taught(photos, centre_cosines, refs, SCORING, builtin_names=["built-in"]).probabilities
    chunk = score_with_taught(photos[:1], centre_cosines[:1], refs, SCORING, builtin_names=["built-in"],
                              library_rows=np.array([0])).probabilities
    np.testing.assert_allclose(chunk[0], whole[0], rtol=1e-6)
    only_shot = score_classes(photos[:1], centre_cosines[:1], SCORING, class_names=["built-in"],
                              taught_labels=["cabin"], taught_vectors=shot[None]).probabilities
    np.testing.assert_allclose(whole[0], only_shot[0], rtol=1e-5)  # not its own nearest neighbour
    np.testing.assert_array_equal(refs.own_reference(np.array([1, 0])), [-1, 1])


def test_leave_out_is_checked():
    photos = unit(np.eye(2, DIM))
    with pytest.raises(ModelError, match="leave_out"):
        score_classes(photos, photos[:, :1], SCORING, class_names=["a"], taught_labels=["t"],
                      taught_vectors=photos[:1], leave_out=np.array([3, -1]))

"""Scoring against a slow, explicit reference: centre + gallery combination, taught labels,
calibrated softmax."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.errors import ModelError
from model.scoring import ScoringConfig, calibrated_probabilities, class_similarities, score_classes


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def reference_scores(emb, centre_cos, config, names, gallery, gallery_classes, taught_labels, taught_vectors):
    """Loops over images and classes; the definition written out plainly."""
    names = list(names)
    refs: dict[int, list[np.ndarray]] = {}
    for vector, cls in zip(gallery, gallery_classes):
        refs.setdefault(int(cls), []).append(vector)
    new_labels: list[str] = []
    for label, vector in zip(taught_labels, taught_vectors):
        vector = vector / np.linalg.norm(vector)
        if label in names:
            cls = names.index(label)
        else:
            if label not in new_labels:
                new_labels.append(label)
            cls = len(centre_cos[0]) + new_labels.index(label)
        refs.setdefault(cls, []).append(vector)
    out = []
    for i, e in enumerate(emb):
        sims = []
        for j in range(len(centre_cos[0]) + len(new_labels)):
            taught_refs = [v for label, v in zip(taught_labels, taught_vectors)
                           if (names.index(label) if label in names else len(names) + new_labels.index(label)) == j]
            proto_cos = None
            if taught_refs:
                proto = np.mean([v / np.linalg.norm(v) for v in taught_refs], axis=0)
                proto_cos = float(np.dot(e, proto / np.linalg.norm(proto)))
            if j < len(centre_cos[0]):
                centre = float(centre_cos[i][j])
                if proto_cos is not None:
                    centre = max(centre, proto_cos)
            else:
                centre = proto_cos
            if config.gallery_weight > 0 and j in refs:
                cos = sorted((float(np.dot(e, r)) for r in refs[j]), reverse=True)[: config.gallery_k]
                sims.append((1 - config.gallery_weight) * centre + config.gallery_weight * sum(cos) / len(cos))
            else:
                sims.append(centre)
        logits = [config.scale * s / config.temperature for s in sims]
        top = max(logits)
        total = sum(math.exp(v - top) for v in logits)
        out.append([math.exp(v - top) / total for v in logits])
    return np.array(out), new_labels


@pytest.mark.parametrize("weight", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("k", [1, 3])
def test_score_classes_matches_reference(weight, k):
    rng = np.random.default_rng(int(weight * 10) + k)
    emb = unit(rng.normal(size=(4, 8)))
    centres = unit(rng.normal(size=(5, 8)))
    centre_cos = emb @ centres.T
    gallery = unit(rng.normal(size=(9, 8)))
    gallery_classes = np.array([0, 0, 0, 0, 1, 2, 2, 4, 4])  # class 3 has no gallery entries
    names = ["A", "B", "C", "D", "E"]
    taught_labels = ["my garden", "B", "my garden", "old mill"]
    taught_vectors = rng.normal(size=(4, 8)) * 3  # not normalised: scoring must normalise
    config = ScoringConfig(scale=20.0, temperature=1.7, gallery_weight=weight, gallery_k=k)
    got = score_classes(
        emb, centre_cos, config, class_names=names, gallery_vectors=gallery, gallery_classes=gallery_classes,
        taught_labels=taught_labels, taught_vectors=taught_vectors,
    )
    expected, new_labels = reference_scores(
        emb, centre_cos, config, names, gallery, gallery_classes, taught_labels, taught_vectors
    )
    assert got.taught_labels == new_labels == ["my garden", "old mill"]
    np.testing.assert_allclose(got.probabilities, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got.probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_without_gallery_scores_are_softmax_of_centre_cosines():
    cos = np.array([[0.9, 0.1, -0.5]], dtype=np.float32)
    config = ScoringConfig(scale=10.0, temperature=2.0)
    got = score_classes(np.eye(1, 4), cos, config).probabilities
    expected = np.exp(cos * 5.0) / np.exp(cos * 5.0).sum()
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert class_similarities(cos, np.ones((1, 2)), np.array([0, 1]), config) is not None
    np.testing.assert_array_equal(class_similarities(cos, np.ones((1, 2)), np.array([0, 1]), config), cos)


def test_temperature_softens_and_huge_logits_stay_finite():
    sims = np.array([[1.0, 0.0, -1.0]])
    sharp = calibrated_probabilities(sims, ScoringConfig(scale=1000.0))
    soft = calibrated_probabilities(sims, ScoringConfig(scale=1000.0, temperature=500.0))
    assert np.isfinite(sharp).all() and sharp[0, 0] == pytest.approx(1.0)
    assert soft[0, 0] < sharp[0, 0] and soft[0, 2] > sharp[0, 2]


def test_a_taught_label_wins_for_a_photo_like_its_references():
    rng = np.random.default_rng(7)
    centres = unit(rng.normal(size=(3, 16)))
    house = unit(rng.normal(size=16))
    refs = unit(house + 0.1 * rng.normal(size=(4, 16)))
    photo = unit(house + 0.1 * rng.normal(size=16))[None]
    got = score_classes(photo, photo @ centres.T, ScoringConfig(scale=30.0), class_names=["A", "B", "C"],
                        taught_labels=["house"] * 4, taught_vectors=refs)
    assert got.taught_labels == ["house"] and int(got.probabilities.argmax()) == 3


def test_shape_errors_are_reported():
    with pytest.raises(ModelError, match="must be"):
        score_classes(np.zeros((2, 4)), np.zeros((3, 5)), ScoringConfig())
    with pytest.raises(ModelError, match="taught references"):
        score_classes(np.zeros((2, 4)), np.zeros((2, 5)), ScoringConfig(), taught_labels=["a"], taught_vectors=np.zeros((1, 3)))
    with pytest.raises(ModelError, match="gallery_weight"):
        ScoringConfig(gallery_weight=1.5)


def test_teaching_a_built_in_class_can_only_raise_its_similarity():
    rng = np.random.default_rng(11)
    photo = unit(rng.normal(size=(1, 8)))
    centre_cos = np.array([[0.1, 0.2]], dtype=np.float32)
    config = ScoringConfig(scale=10.0)
    near = score_classes(photo, centre_cos, config, class_names=["A", "B"],
                         taught_labels=["A"], taught_vectors=photo.copy())
    assert near.taught_labels == [] and int(near.probabilities.argmax()) == 0  # prototype cos 1.0 beats 0.2
    far = score_classes(photo, centre_cos, config, class_names=["A", "B"],
                        taught_labels=["A"], taught_vectors=-photo)
    np.testing.assert_allclose(far.probabilities, score_classes(photo, centre_cos, config).probabilities)

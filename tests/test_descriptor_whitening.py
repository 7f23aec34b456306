"""The learned whitening of the teaching space's descriptors (model.descriptor)."""

from __future__ import annotations

import numpy as np
import pytest

from model.descriptor import descriptors_from_pooled, learned_whitening
from model.errors import ModelError
from model.scoring import unit_vectors


def _places(rng, count: int, photos: int) -> tuple[np.ndarray, np.ndarray]:
    """Pooled-feature stand-ins: places differ a little along the first 8 axes, while
    photos of one place swing widely along the next 8 (light, season, framing)."""
    centres = np.zeros((count, 24))
    centres[:, :8] = rng.normal(scale=1.0, size=(count, 8))
    classes = np.repeat(np.arange(count), photos)
    noise = np.concatenate([
        rng.normal(scale=0.3, size=(len(classes), 8)),
        rng.normal(scale=3.0, size=(len(classes), 8)),
        rng.normal(scale=0.3, size=(len(classes), 8)),
    ], axis=1)
    return 10.0 + centres[classes] + noise, classes


def _one_shot_accuracy(descriptors: np.ndarray, classes: np.ndarray) -> float:
    """Each place taught by its first photo; every other photo goes to the nearest."""
    first = np.array([np.flatnonzero(classes == c)[0] for c in np.unique(classes)])
    queries = np.setdiff1d(np.arange(len(classes)), first)
    nearest = (descriptors[queries] @ descriptors[first].T).argmax(axis=1)
    return float((classes[first][nearest] == classes[queries]).mean())


def test_whitening_fitted_on_known_places_tells_new_places_apart():
    rng = np.random.default_rng(0)
    known, known_classes = _places(rng, 20, 12)
    new, new_classes = _places(rng, 10, 12)
    mean = known.mean(axis=0)
    projection = learned_whitening(descriptors_from_pooled(known, mean), known_classes, size=12, shrinkage=0.1)
    assert projection.shape == (24, 12) and projection.dtype == np.float32
    plain = _one_shot_accuracy(descriptors_from_pooled(new, mean), new_classes)
    whitened_descriptors = descriptors_from_pooled(new, mean, projection)
    np.testing.assert_allclose(np.linalg.norm(whitened_descriptors, axis=1), 1.0, atol=1e-5)
    whitened = _one_shot_accuracy(whitened_descriptors, new_classes)
    assert plain < 0.3 and whitened > 0.7, (plain, whitened)


def test_strong_shrinkage_leaves_only_a_rotation_of_the_main_axes():
    rng = np.random.default_rng(1)
    pooled, classes = _places(rng, 6, 5)
    descriptors = descriptors_from_pooled(pooled, pooled.mean(axis=0))
    projection = learned_whitening(descriptors, classes, size=24, shrinkage=1e9)
    # with the within-place covariance swamped by the identity, whitening is a scaled
    # rotation: cosines between descriptors are kept
    whitened = unit_vectors(descriptors @ projection)
    np.testing.assert_allclose(whitened @ whitened.T, descriptors @ descriptors.T, atol=1e-4)


@pytest.mark.parametrize("size, shrinkage", [(0, 1.0), (25, 1.0), (4, -1.0)])
def test_whitening_settings_out_of_range_are_refused(size, shrinkage):
    rng = np.random.default_rng(2)
    pooled, classes = _places(rng, 3, 4)
    with pytest.raises(ModelError, match="out of range"):
        learned_whitening(pooled, classes, size=size, shrinkage=shrinkage)


def test_a_whitening_that_does_not_fit_the_features_is_refused():
    pooled = np.ones((3, 24), np.float32)
    with pytest.raises(ModelError, match="does not fit"):
        descriptors_from_pooled(pooled, pooled.mean(axis=0), np.ones((16, 8), np.float32))
    with pytest.raises(ModelError, match="do not match"):
        learned_whitening(pooled, np.zeros(2), size=4, shrinkage=1.0)


def test_a_bundle_exports_whitened_descriptors_computed_inside_its_network(tmp_path):
    pytest.importorskip("torch")
    from model.bundle import load_bundle
    from model.predictor import Predictor
    from model.testing import make_tiny_bundle

    bundle = make_tiny_bundle(tmp_path / "whitened.ltbundle", ["A", "B", "C"], input_size=64,
                              descriptors=True, whiten_size=16)
    assert bundle.descriptor_size == 16
    assert load_bundle(bundle.path).gallery.descriptors.shape == (12, 16)
    check = bundle.extra["export_check"]
    assert check["max_abs_diff_descriptors"] <= check["tolerance"]
    batch = np.random.default_rng(3).normal(size=(2, 3, 64, 64)).astype(np.float32)
    _, _, descriptors = Predictor(bundle, threads=1).embed_all(batch)
    assert descriptors.shape == (2, 16)
    np.testing.assert_allclose(np.linalg.norm(descriptors, axis=1), 1.0, atol=1e-5)

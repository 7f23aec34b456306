"""Taught labels scored like built-in classes: the rival a library photo must beat is the
best built-in similarity (centre and gallery), and a photo joins a taught label only by
a clear margin (synthetic vectors, pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.teaching_scoring import (
    TeachingConfig,
    builtin_similarities,
    refine_references,
    taught_similarities,
)
from model.scoring import ScoringConfig, class_similarities

DIM = 16


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_builtin_similarities_mix_centre_and_gallery_like_the_predictor():
    rng = np.random.default_rng(0)
    photos = unit(rng.normal(size=(7, DIM)))
    centres = unit(rng.normal(size=(3, DIM)))
    gallery = unit(rng.normal(size=(6, DIM)))
    classes = np.array([0, 0, 1, 1, 2, 2])
    scoring = ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1)
    expected = class_similarities(photos @ centres.T, photos @ gallery.T, classes, scoring).max(axis=1)
    got = builtin_similarities(photos, photos @ centres.T, scoring, gallery_vectors=gallery, gallery_classes=classes)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    without = builtin_similarities(photos, photos @ centres.T, scoring)  # no gallery: centres only
    np.testing.assert_allclose(without, (photos @ centres.T).max(axis=1), rtol=1e-6)


def test_taught_similarity_is_prototype_plus_nearest_reference():
    axes = np.eye(DIM, dtype=np.float32)
    references = unit(np.stack([axes[0], axes[1], axes[2]]))
    classes = np.array([0, 0, 1])
    photo = unit(axes[0] + 0.1 * axes[3])[None, :]
    scoring = ScoringConfig(gallery_weight=0.5, gallery_k=1)
    sims = taught_similarities(photo, references, classes, 2, scoring)
    prototype0 = unit(axes[0] + axes[1])
    expected0 = 0.5 * float(photo[0] @ prototype0) + 0.5 * float(photo[0] @ axes[0])
    assert sims[0, 0] == pytest.approx(expected0, rel=1e-5)
    assert sims[0, 1] == pytest.approx(float(photo[0] @ axes[2]), abs=1e-6)  # one reference: itself
    plain = taught_similarities(photo, references, classes, 2, None)  # no scoring: prototype only
    assert plain[0, 0] == pytest.approx(float(photo[0] @ prototype0), rel=1e-5)


@pytest.fixture
def look_alike():
    """A built-in class whose held-out photos sit far from its trained centre (axis 0)
    but next to its gallery photo, and a new place B that looks more like them than the
    centre does. Library: rows 0-5 the built-in class, rows 6-11 place B."""
    rng = np.random.default_rng(5)
    axes = np.eye(DIM, dtype=np.float32)
    centres = axes[[0, 1]]
    known_look = 0.8 * axes[0] + axes[2] + 0.6 * axes[4]
    known = unit(known_look + 0.05 * rng.normal(size=(6, DIM)))
    place_b = unit(axes[2] + 0.6 * axes[5] + 0.05 * rng.normal(size=(6, DIM)))
    library = np.concatenate([known, place_b])
    gallery = unit(np.stack([known_look, axes[1]]))
    return centres, library, gallery, np.array([0, 1])


def test_the_builtin_gallery_keeps_a_lookalike_class_out_of_the_taught_label(look_alike):
    centres, library, gallery, gallery_classes = look_alike
    scoring = ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1)
    config = TeachingConfig(rounds=3, margin=0.0, protect_cosine=1.0)  # nobody protected
    cosines = library @ centres.T
    taught = library[[6]]
    exclude = np.isin(np.arange(12), [6])
    centre_only = refine_references(library, cosines, ["B"], taught, config, exclude=exclude)
    symmetric = refine_references(
        library, cosines, ["B"], taught, config, exclude=exclude, scoring=scoring,
        builtin_similarities=builtin_similarities(
            library, cosines, scoring, gallery_vectors=gallery, gallery_classes=gallery_classes),
    )
    assert set(symmetric.pseudo["B"]) == set(range(7, 12))  # every other photo of B, and only those
    assert set(centre_only.pseudo["B"]) & set(range(6))  # the centre alone lets built-in photos in


def test_a_larger_margin_takes_fewer_photos_and_expand_caps_them(look_alike):
    centres, library, gallery, gallery_classes = look_alike
    cosines = library @ centres.T
    exclude = np.isin(np.arange(12), [6])

    def taken(**settings):
        config = TeachingConfig(rounds=3, protect_cosine=1.0, **settings)
        return refine_references(library, cosines, ["B"], library[[6]], config, exclude=exclude).pseudo["B"]

    loose, strict = taken(margin=-2.0), taken(margin=0.3)
    assert len(strict) < len(loose)
    assert set(strict) <= set(loose)
    assert len(taken(margin=-2.0, expand=2)) == 2


def test_refinement_stops_when_it_settles():
    """Two well-separated places: later rounds take the same photos as the first."""
    rng = np.random.default_rng(2)
    axes = np.eye(DIM, dtype=np.float32)
    library = np.concatenate([unit(axes[2] + 0.1 * rng.normal(size=(5, DIM))),
                              unit(axes[3] + 0.1 * rng.normal(size=(5, DIM)))])
    cosines = np.full((10, 1), 0.0, dtype=np.float32)
    one = refine_references(library, cosines, ["A", "B"], library[[0, 5]], TeachingConfig(rounds=1, margin=0.1))
    many = refine_references(library, cosines, ["A", "B"], library[[0, 5]], TeachingConfig(rounds=9, margin=0.1))
    assert one.pseudo == many.pseudo
    assert set(many.pseudo["A"]) == set(range(5)) and set(many.pseudo["B"]) == set(range(5, 10))

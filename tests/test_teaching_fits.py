"""Kept teaching-classifier fits (app.core.teaching_fits): the tester's F2, `suggest`
fitting the same classifier afresh on every run. A kept fit must be the fresh one, bit
for bit, and anything the fit reads must make it fit again."""

from __future__ import annotations

import numpy as np
import pytest

from app.core import teaching_classifier
from app.core.teaching_classifier import BuiltinExamples
from app.core.teaching_fits import ClassifierFits, classifier_fits_dir
from app.core.teaching_scoring import TeachingConfig, refine_references
from model.scoring import unit_vectors

STEPS = dict(steps=20, rate=0.01, scale=30.0)


def _problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = unit_vectors(rng.standard_normal((4, 16)).astype(np.float32))
    classes = np.repeat(np.arange(4), 5)
    gallery = unit_vectors(centres[classes] + 0.3 * rng.standard_normal((20, 16)).astype(np.float32))
    place = unit_vectors(rng.standard_normal(16).astype(np.float32))
    library = unit_vectors(np.concatenate([
        place + 0.25 * rng.standard_normal((12, 16)).astype(np.float32),
        centres[rng.integers(4, size=30)] + 0.4 * rng.standard_normal((30, 16)).astype(np.float32),
    ]))
    return BuiltinExamples(centres, gallery, classes), library


def _counting_fit(monkeypatch) -> list[int]:
    calls: list[int] = []
    fresh = teaching_classifier.fit_cosine_classifier

    def counted(*args, **kwargs):
        calls.append(1)
        return fresh(*args, **kwargs)

    monkeypatch.setattr(teaching_classifier, "fit_cosine_classifier", counted)
    return calls


def test_a_kept_fit_is_the_fresh_fit_bit_for_bit_and_is_not_fitted_again(tmp_path, monkeypatch):
    builtin, _ = _problem()
    examples, classes = builtin.examples()
    initial = builtin.initial_weights()
    fresh = teaching_classifier.fit_cosine_classifier(examples, classes, initial, **STEPS)
    calls = _counting_fit(monkeypatch)
    first = ClassifierFits(tmp_path).fit(examples, classes, initial, **STEPS)
    again = ClassifierFits(tmp_path).fit(examples, classes, initial, **STEPS)  # as a later run would
    assert len(calls) == 1
    assert first.tobytes() == fresh.tobytes() and again.tobytes() == fresh.tobytes()
    assert again.dtype == fresh.dtype and again.shape == fresh.shape


@pytest.mark.parametrize("change", ["example", "class", "initial", "steps", "rate", "scale"])
def test_anything_the_fit_reads_makes_it_fit_again(tmp_path, monkeypatch, change):
    builtin, _ = _problem()
    examples, classes = builtin.examples()
    initial = builtin.initial_weights()
    fits = ClassifierFits(tmp_path)
    fits.fit(examples, classes, initial, **STEPS)
    examples, classes, initial, steps = examples.copy(), classes.copy(), initial.copy(), dict(STEPS)
    if change == "example":
        examples[3, 2] += 1e-3
    elif change == "class":
        classes[0] = 1
    elif change == "initial":
        initial[1, 0] += 1e-3
    else:
        steps[change] = steps[change] + 1
    calls = _counting_fit(monkeypatch)
    weights = fits.fit(examples, classes, initial, **steps)
    assert len(calls) == 1
    assert weights.tobytes() == teaching_classifier.fit_cosine_classifier(examples, classes, initial,
                                                                          **steps).tobytes()


def test_an_unreadable_kept_fit_is_fitted_again(tmp_path):
    builtin, _ = _problem()
    examples, classes = builtin.examples()
    initial = builtin.initial_weights()
    ClassifierFits(tmp_path).fit(examples, classes, initial, **STEPS)
    (kept,) = tmp_path.glob("*.npy")
    kept.write_bytes(b"not a fit")
    fits = ClassifierFits(tmp_path)
    weights = fits.fit(examples, classes, initial, **STEPS)
    assert (fits.fitted, fits.reused) == (1, 0)
    assert weights.tobytes() == teaching_classifier.fit_cosine_classifier(examples, classes, initial, **STEPS).tobytes()
    assert ClassifierFits(tmp_path).fit(examples, classes, initial, **STEPS).tobytes() == weights.tobytes()


def test_only_the_most_recently_used_fits_are_kept(tmp_path):
    builtin, _ = _problem()
    examples, classes = builtin.examples()
    initial = builtin.initial_weights()
    fits = ClassifierFits(tmp_path, keep=2)
    for steps in (3, 4, 5):
        fits.fit(examples, classes, initial, steps=steps, rate=0.01, scale=30.0)
    assert len(list(tmp_path.glob("*.npy"))) == 2
    assert not list(tmp_path.glob("*.tmp"))


def test_refining_with_kept_fits_gives_the_same_references_and_fits_nothing_the_second_time(tmp_path, monkeypatch):
    builtin, library = _problem()
    taught = library[:3]
    args = (library, np.full(len(library), 0.2, np.float32), ["Our cabin"] * 3, taught,
            TeachingConfig(classifier_steps=30, margin=0.0))
    kwargs = dict(exclude=np.arange(len(library)) < 3, builtin=builtin)
    fresh = refine_references(*args, **kwargs)
    calls = _counting_fit(monkeypatch)
    first = refine_references(*args, **kwargs, fit=ClassifierFits(tmp_path).fit)
    fitted = len(calls)
    assert fitted >= 1  # the classifier rounds ran
    second = refine_references(*args, **kwargs, fit=ClassifierFits(tmp_path).fit)
    assert len(calls) == fitted
    for refined in (first, second):
        assert refined.labels == fresh.labels and refined.pseudo == fresh.pseudo
        assert refined.vectors.tobytes() == fresh.vectors.tobytes()
    assert fresh.pseudo["Our cabin"]  # the library's photos of the place were taken


def test_fits_are_kept_in_the_user_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDMARK_TAGGER_HOME", str(tmp_path))
    assert classifier_fits_dir() == tmp_path / "cache" / "teaching_fits"

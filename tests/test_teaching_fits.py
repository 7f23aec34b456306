"""Kept teaching-classifier fits (app.core.teaching_fits): the tester's F2, `suggest`
fitting the same classifier afresh on every run. A kept fit must be the one this app
version's code makes for these inputs (in the same process: the fresh one bit for bit;
in another, with another BLAS thread count: within float rounding), and anything the
fit reads or runs must make it fit again (review 1's F2: an upgrade that changed
model.scoring.unit_vectors reused the older version's fit)."""

from __future__ import annotations

import ast
import errno
import inspect
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from app.core import teaching_classifier, teaching_fits
from app.core.teaching_classifier import BuiltinExamples
from app.core.teaching_fits import FIT_MODULES, ClassifierFits, classifier_fits_dir
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


def test_a_kept_fit_is_the_fresh_fit_of_the_same_process_bit_for_bit_and_is_not_fitted_again(tmp_path, monkeypatch):
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


@pytest.fixture
def fingerprint_read_afresh():
    """code_fingerprint is read once per process: a test that changes what it reads clears it."""
    teaching_fits.code_fingerprint.cache_clear()
    yield
    teaching_fits.code_fingerprint.cache_clear()


def _fit_twice_with(monkeypatch, tmp_path, change) -> ClassifierFits:
    builtin, _ = _problem()
    examples, classes = builtin.examples()
    initial = builtin.initial_weights()
    ClassifierFits(tmp_path).fit(examples, classes, initial, **STEPS)
    change()
    teaching_fits.code_fingerprint.cache_clear()
    fits = ClassifierFits(tmp_path)
    fits.fit(examples, classes, initial, **STEPS)
    return fits


@pytest.mark.parametrize("module", FIT_MODULES)
def test_a_changed_source_of_code_the_fit_runs_makes_it_fit_again(tmp_path, monkeypatch, fingerprint_read_afresh,
                                                                  module):
    read = teaching_fits.module_source

    def edited():
        monkeypatch.setattr(teaching_fits, "module_source",
                            lambda name: read(name) + b"# edited\n" if name == module else read(name))

    fits = _fit_twice_with(monkeypatch, tmp_path, edited)
    assert (fits.fitted, fits.reused) == (1, 0)


@pytest.mark.parametrize("version", ["app", "numpy"])
def test_another_app_or_numpy_version_fits_again(tmp_path, monkeypatch, fingerprint_read_afresh, version):
    def upgraded():
        if version == "app":
            monkeypatch.setattr(teaching_fits, "_app_version", lambda: "99.0")
        else:
            monkeypatch.setattr(np, "__version__", np.__version__ + ".post1")

    fits = _fit_twice_with(monkeypatch, tmp_path, upgraded)
    assert (fits.fitted, fits.reused) == (1, 0)


def test_when_a_source_cannot_be_read_nothing_is_kept_and_every_run_fits(tmp_path, monkeypatch,
                                                                        fingerprint_read_afresh):
    monkeypatch.setattr(teaching_fits, "module_source", lambda name: None)
    builtin, _ = _problem()
    examples, classes = builtin.examples()
    initial = builtin.initial_weights()
    fits = ClassifierFits(tmp_path)
    for _ in range(2):
        weights = fits.fit(examples, classes, initial, **STEPS)
    assert (fits.fitted, fits.reused) == (2, 0)
    assert not list(tmp_path.iterdir())
    assert weights.tobytes() == teaching_classifier.fit_cosine_classifier(examples, classes, initial, **STEPS).tobytes()


def _import_origins(module: types.ModuleType) -> dict[str, str]:
    """name -> the module it is imported from, for every import in the module's source."""
    origins = {}
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                origins[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                origins[alias.asname or alias.name] = node.module or ""
    return origins


def _code_from_outside(function, covered: tuple[str, ...]) -> set[str]:
    """Globals the function, and every function of a covered module it uses (followed down),
    take from a module that is neither covered nor numpy: code the fit key would not hash."""
    allowed = lambda home: home in covered or home == "builtins" or home.split(".")[0] == "numpy"  # noqa: E731
    outside, seen, todo = set(), set(), [function]
    while todo:
        function = todo.pop()
        if function in seen:
            continue
        seen.add(function)
        module = sys.modules[function.__module__]
        origins = _import_origins(module)
        codes, names = [function.__code__], set()
        while codes:
            code = codes.pop()
            names.update(code.co_names)
            codes.extend(const for const in code.co_consts if isinstance(const, types.CodeType))
        for name in names & set(function.__globals__):
            value = function.__globals__[name]
            if isinstance(value, types.ModuleType):
                home = value.__name__
            elif isinstance(value, (types.FunctionType, type)):
                home = value.__module__
            else:  # a constant: from the module that imports or defines it
                home = origins.get(name, function.__module__)
            if not allowed(home):
                outside.add(f"{function.__qualname__} uses {name} from {home}")
            elif isinstance(value, types.FunctionType) and home in covered:
                todo.append(value)
    return outside


def test_every_module_of_ours_the_fit_runs_is_in_the_key():
    # the check itself finds code from elsewhere: fit_key uses hashlib and this module
    assert _code_from_outside(teaching_fits.fit_key, FIT_MODULES)
    assert _code_from_outside(teaching_classifier.fit_cosine_classifier, ("app.core.teaching_classifier",))
    assert _code_from_outside(teaching_classifier.fit_cosine_classifier, FIT_MODULES) == set()


def test_a_kept_fit_from_another_process_is_the_fresh_fit_within_float_rounding(tmp_path):
    """Another process, with one BLAS thread, keeps the fit; this one reads it back."""
    builtin, _ = _problem()
    examples, classes = builtin.examples()
    initial = builtin.initial_weights()
    fits_dir = tmp_path / "fits"
    output = _fit_in_another_process(Path.cwd(), tmp_path, fits_dir, examples, classes, initial, threads="1")
    assert output == "fitted 1 reused 0"
    fits = ClassifierFits(fits_dir)
    kept = fits.fit(examples, classes, initial, **STEPS)
    assert (fits.fitted, fits.reused) == (0, 1)
    fresh = teaching_classifier.fit_cosine_classifier(examples, classes, initial, **STEPS)
    np.testing.assert_allclose(kept, fresh, rtol=0, atol=1e-6)


def test_an_upgrade_that_changes_a_helper_of_the_fit_fits_again(tmp_path):
    """Review 1's F2: two copies of the app share one cache; the newer one normalises in
    unit_vectors in float64. It must fit afresh, not take the older copy's fit."""
    builtin, _ = _problem()
    examples, classes = builtin.examples()
    initial = builtin.initial_weights()
    fits_dir = tmp_path / "fits"
    newer = tmp_path / "newer"
    for package in ("app", "model"):
        shutil.copytree(Path(teaching_fits.__file__).parents[2] / package, newer / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    scoring = newer / "model" / "scoring.py"
    old_line = "    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)\n"
    assert old_line in scoring.read_text()
    scoring.write_text(scoring.read_text().replace(old_line, (
        "    wide = vectors.astype(np.float64)\n"
        "    return (wide / np.maximum(np.linalg.norm(wide, axis=-1, keepdims=True), 1e-12)).astype(np.float32)\n")))
    older = Path(teaching_fits.__file__).parents[2]
    assert _fit_in_another_process(older, tmp_path, fits_dir, examples, classes, initial) == "fitted 1 reused 0"
    assert _fit_in_another_process(newer, tmp_path, fits_dir, examples, classes, initial) == "fitted 1 reused 0"
    assert _fit_in_another_process(newer, tmp_path, fits_dir, examples, classes, initial) == "fitted 0 reused 1"


_FIT_SCRIPT = """
import sys
import numpy as np
from app.core.teaching_fits import ClassifierFits
arrays = np.load(sys.argv[1])
fits = ClassifierFits(__import__("pathlib").Path(sys.argv[2]))
fits.fit(arrays["examples"], arrays["classes"], arrays["initial"], steps=20, rate=0.01, scale=30.0)
print("fitted", fits.fitted, "reused", fits.reused)
"""


def _fit_in_another_process(root: Path, tmp_path: Path, fits_dir: Path, examples, classes, initial,
                            threads: str | None = None) -> str:
    """Fit through ClassifierFits in a new Python running the app from `root`; its summary line."""
    assert STEPS == dict(steps=20, rate=0.01, scale=30.0)  # as _FIT_SCRIPT passes them
    inputs = tmp_path / "inputs.npz"
    np.savez(inputs, examples=examples, classes=classes, initial=initial)
    env = dict(os.environ, PYTHONPATH=str(root))
    if threads:
        env.update(OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
    done = subprocess.run([sys.executable, "-c", _FIT_SCRIPT, str(inputs), str(fits_dir)], cwd=root, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize("failure", ["replace refused", "disk full", "folder is a file"])
def test_a_cache_that_cannot_be_written_costs_a_refit_and_says_nothing(tmp_path, monkeypatch, capsys, failure):
    """On Windows os.replace over a kept fit another process has open raises
    PermissionError; a full disk fails mid-write; a cache folder may be a file."""
    builtin, _ = _problem()
    examples, classes = builtin.examples()
    initial = builtin.initial_weights()
    folder = tmp_path / "fits"
    if failure == "replace refused":
        def refused(source, target):
            raise PermissionError(errno.EACCES, "The process cannot access the file", str(target))
        monkeypatch.setattr(teaching_fits.os, "replace", refused)
    elif failure == "disk full":
        def full(out, array, allow_pickle):
            out.write(b"\x93NUMPY partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(teaching_fits.np, "save", full)
    else:
        folder = tmp_path / "fits-is-a-file"
        folder.write_bytes(b"")
    fresh = teaching_classifier.fit_cosine_classifier(examples, classes, initial, **STEPS)
    for _ in range(2):
        fits = ClassifierFits(folder)
        assert fits.fit(examples, classes, initial, **STEPS).tobytes() == fresh.tobytes()
        assert (fits.fitted, fits.reused) == (1, 0)
    if folder.is_dir():
        assert not list(folder.iterdir())  # no half-written fit, no temporary left
    assert capsys.readouterr() == ("", "")


def test_kept_fits_stay_under_the_size_bound_and_the_newest_always_stays(tmp_path):
    builtin, _ = _problem()
    examples, classes = builtin.examples()
    initial = builtin.initial_weights()
    one_fit = 128 + initial.nbytes  # the .npy header and the weights
    fits = ClassifierFits(tmp_path, keep_bytes=2 * one_fit + 10)
    for steps in (3, 4, 5):
        fits.fit(examples, classes, initial, steps=steps, rate=0.01, scale=30.0)
    assert len(list(tmp_path.glob("*.npy"))) == 2
    assert sum(path.stat().st_size for path in tmp_path.glob("*.npy")) <= 2 * one_fit + 10
    tiny = ClassifierFits(tmp_path, keep_bytes=1)
    tiny.fit(examples, classes, initial, steps=6, rate=0.01, scale=30.0)
    assert len(list(tmp_path.glob("*.npy"))) == 1
    again = ClassifierFits(tmp_path, keep_bytes=1)
    again.fit(examples, classes, initial, steps=6, rate=0.01, scale=30.0)
    assert (again.fitted, again.reused) == (0, 1)

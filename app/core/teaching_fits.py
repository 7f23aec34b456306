"""Fitted teaching classifiers kept in the user's cache folder, so `suggest` (and Find
suggestions) fits one only when something it reads or runs changed.

Why: `suggest` picks pseudo-references with a cosine classifier fitted on the bundle's
gallery and the taught references (app.core.teaching_classifier): seconds of Adam steps
whose inputs do not grow with the library and are the same from run to run while
nothing new is taught. A fit is keyed by a hash of everything it reads (the examples,
their classes, the starting weights, steps, rate, scale) and of everything that could
make the same inputs give other weights: the source files of every module of ours the
fit runs code from (FIT_MODULES), the app's, numpy's and Python's versions and the key's
own format. So what is kept is the fit this app version made for these inputs; an
upgrade that changes any of that code fits again, never reuses an older fit. A fresh fit
in another process can differ from the kept one in the last bits (BLAS sums in another
order with another thread count): a kept fit equals a fresh one within float rounding. A
cache that cannot be read or written, or code whose source cannot be read, is skipped
without a word: the run fits as before.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.metadata
import os
import sys
import threading
from pathlib import Path

import numpy as np

from app.core import teaching_classifier
from app.core.config import cache_dir

KEEP_FITS = 64  # fits kept (about 0.2 MB each for the default bundle); the least recently used go
KEEP_BYTES = 64 * 1024 * 1024  # and no more than this in all, for a bundle with many classes
# Every module of ours that fit_cosine_classifier runs code from (itself and what it calls,
# followed down); tests/test_teaching_fits.py fails when the fit calls into one not listed.
FIT_MODULES = ("app.core.teaching_classifier", "model.scoring")
_KEY_FORMAT = b"teaching-fit 2"


def classifier_fits_dir() -> Path:
    """The folder of kept fits: cache_dir()/teaching_fits."""
    return cache_dir() / "teaching_fits"


def module_source(name: str) -> bytes | None:
    """The bytes of a module's file (its .py, or its .pyc when shipped without sources),
    None when they cannot be read (then no fit is kept: a refit, never a stale one)."""
    try:
        return Path(importlib.import_module(name).__file__).read_bytes()
    except (OSError, TypeError, ImportError):  # TypeError: a module without a __file__
        return None


def _app_version() -> str:
    try:
        return importlib.metadata.version("landmark-tagger")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout, not installed
        import app

        return app.__version__


@functools.cache
def code_fingerprint() -> bytes | None:
    """A hash of what the fit runs: read once per process. None when a source is unreadable."""
    digest = hashlib.blake2b(_KEY_FORMAT, digest_size=20)
    for part in (_app_version(), np.__version__, sys.version):
        digest.update(part.encode() + b"\0")
    for name in FIT_MODULES:
        source = module_source(name)
        if source is None:
            return None
        digest.update(f"{name}\0{len(source)}\0".encode())
        digest.update(source)
    return digest.digest()


def fit_key(examples: np.ndarray, classes: np.ndarray, initial: np.ndarray, *,
            steps: int, rate: float, scale: float) -> str | None:
    """A hex digest of everything fit_cosine_classifier reads and runs; None: do not keep."""
    code = code_fingerprint()
    if code is None:
        return None
    digest = hashlib.blake2b(code, digest_size=20)
    digest.update(repr((int(steps), float(rate), float(scale))).encode() + b"\0")
    for array in (examples, classes, initial):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


class ClassifierFits:
    """fit_cosine_classifier with its results kept in `folder` (None: nothing kept, every
    call fits). `fitted` counts the fits this object ran, `reused` those it read back."""

    def __init__(self, folder: Path | None, keep: int = KEEP_FITS, keep_bytes: int = KEEP_BYTES) -> None:
        self.folder = folder
        self.keep = keep
        self.keep_bytes = keep_bytes
        self.fitted = 0
        self.reused = 0

    def fit(self, examples: np.ndarray, classes: np.ndarray, initial: np.ndarray, *,
            steps: int, rate: float, scale: float) -> np.ndarray:
        """The weights this app version's fit gives for these inputs: kept ones when there are."""
        path = None
        if self.folder is not None:
            key = fit_key(examples, classes, initial, steps=steps, rate=rate, scale=scale)
            path = None if key is None else self.folder / f"{key}.npy"
        if path is not None:
            kept = _read(path, np.shape(initial))
            if kept is not None:
                self.reused += 1
                return kept
        weights = teaching_classifier.fit_cosine_classifier(
            examples, classes, initial, steps=steps, rate=rate, scale=scale)
        self.fitted += 1
        if path is not None:
            _write(path, weights)
            _prune(path.parent, self.keep, self.keep_bytes)
        return weights


def _read(path: Path, shape: tuple[int, ...]) -> np.ndarray | None:
    """Kept weights of this shape, None when there are none or they cannot be read."""
    try:
        weights = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if weights.dtype != np.float32 or weights.shape != tuple(shape):
        return None
    try:
        os.utime(path)  # recently used: kept longest
    except OSError:
        pass
    return weights


def _write(path: Path, weights: np.ndarray) -> None:
    """Write atomically (a reader sees the whole file or none); a failure (a read-only or
    full folder; on Windows, replacing a file another process has open) only costs a refit
    later. Two processes writing the same key write the same fit: either one may stay."""
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as out:
            np.save(out, weights, allow_pickle=False)
        os.replace(temporary, path)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass


def _prune(folder: Path, keep: int, keep_bytes: int) -> None:
    """Keep the most recently used fits, at most `keep` of them and `keep_bytes` in all
    (the newest always stays, so the fit just made is there for the next run)."""
    try:
        kept = [(path.stat(), path) for path in folder.glob("*.npy")]
    except OSError:  # one removed meanwhile by another process: pruned next time
        return
    kept.sort(key=lambda entry: entry[0].st_mtime, reverse=True)
    total = 0
    for count, (stat, old) in enumerate(kept):
        total += stat.st_size
        if count == 0 or (count < keep and total <= keep_bytes):
            continue
        try:
            old.unlink()
        except OSError:  # in use on Windows, or gone already: tried again next time
            pass

"""Fitted teaching classifiers kept in the user's cache folder, so `suggest` (and Find
suggestions) fits one only when something it reads changed.

Why: `suggest` picks pseudo-references with a cosine classifier fitted on the bundle's
gallery and the taught references (app.core.teaching_classifier): seconds of Adam steps
whose inputs do not grow with the library and are the same from run to run while
nothing new is taught. A fit is keyed by a hash of everything it reads (the examples,
their classes, the starting weights, steps, rate, scale) and of what could make the
same inputs give other weights (the fit's code, numpy's version), so a kept fit is the
one a fresh fit would give, bit for bit. A cache that cannot be read or written is
skipped: the run fits as before.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from pathlib import Path

import numpy as np

from app.core import teaching_classifier
from app.core.config import cache_dir

KEEP_FITS = 64  # fits kept (about 0.2 MB each for the default bundle); the least recently used go
_FORMAT = b"teaching-fit 1"


def classifier_fits_dir() -> Path:
    """The folder of kept fits: cache_dir()/teaching_fits."""
    return cache_dir() / "teaching_fits"


def fit_key(examples: np.ndarray, classes: np.ndarray, initial: np.ndarray, *,
            steps: int, rate: float, scale: float) -> str:
    """A hex digest of everything fit_cosine_classifier reads and of what it runs on."""
    code = teaching_classifier.fit_cosine_classifier.__code__
    digest = hashlib.blake2b(_FORMAT, digest_size=20)
    for part in (sys.version, np.__version__, repr(code.co_consts), repr((int(steps), float(rate), float(scale)))):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(code.co_code)
    for array in (examples, classes, initial):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


class ClassifierFits:
    """fit_cosine_classifier with its results kept in `folder` (None: nothing kept, every
    call fits). `fitted` counts the fits this object ran, `reused` those it read back."""

    def __init__(self, folder: Path | None, keep: int = KEEP_FITS) -> None:
        self.folder = folder
        self.keep = keep
        self.fitted = 0
        self.reused = 0

    def fit(self, examples: np.ndarray, classes: np.ndarray, initial: np.ndarray, *,
            steps: int, rate: float, scale: float) -> np.ndarray:
        """The weights fit_cosine_classifier gives for these inputs: kept ones when there are."""
        path = None
        if self.folder is not None:
            path = self.folder / f"{fit_key(examples, classes, initial, steps=steps, rate=rate, scale=scale)}.npy"
            kept = _read(path, np.shape(initial))
            if kept is not None:
                self.reused += 1
                return kept
        weights = teaching_classifier.fit_cosine_classifier(
            examples, classes, initial, steps=steps, rate=rate, scale=scale)
        self.fitted += 1
        if path is not None:
            _write(path, weights)
            _prune(path.parent, self.keep)
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
    """Write atomically (a reader sees the whole file or none); a failure only costs a refit later."""
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


def _prune(folder: Path, keep: int) -> None:
    """Remove all but the `keep` most recently used fits."""
    try:
        kept = sorted(folder.glob("*.npy"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in kept[keep:]:
        try:
            old.unlink()
        except OSError:  # in use on Windows, or gone already: tried again next time
            pass

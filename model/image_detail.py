"""Photos with nothing in them: lens-cap shots, blown-out frames, plain sky.

A network trained on landmark photos has never seen a frame without structure and
maps it to whatever class its features happen to drift towards — the default bundle
called a black frame, a white one, a plain sky and a grey noise frame "Haleakala
National Park" at 98–100 %. No landmark can be recognised in such a frame, so the
app says so instead of trusting the network: its scores become 0 (`no landmark`) and its
vectors are not kept for teaching or "Similar photos".

Measured on the network's input (the photo prepared as the bundle prepares it, so the
test costs nothing extra and sensor noise is averaged away by the downscale), averaged
down to about 112 px so that one pair of limits serves bundles of any input size: the
luminance's spread (`contrast`, standard deviation in grey levels) and its mean
absolute step between neighbouring pixels (`texture`). Over the 2,115 photos of
`../shared/data/landmarks/world` and the 20 camera JPEGs of `../shared/data/camera`,
the lowest were contrast 14.4 and texture 1.47 at 224 px (15.3 and 1.42 at 384 px),
apart from one all-black photo in the landmark set; synthetic blank frames at 3000 ×
2000 px measured contrast ≤ 0.67 (black, white, flat colour, grey noise of σ 20) and a
plain sky gradient texture 0.31 at most. The limits below sit between the two with
room on both sides (`benchmarks/blank_frames.py [--size N]` prints these figures).
A frame of random noise (a corrupt file decoded to garbage, a sensor test) has contrast
and texture but no structure: the correlation of neighbouring pixels (`structure`) is
0.03 for it, against 0.64 for the lowest real photo above (the network called it
"Haleakala National Park" at 99.5 %).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

import numpy as np

from model.errors import ModelError

MIN_CONTRAST = 6.0  # grey levels (0–255): below it the frame is one flat tone
MIN_TEXTURE = 0.6  # mean grey-level step between neighbours: below it, a smooth gradient at most
MIN_STRUCTURE = 0.3  # neighbour correlation: below it, noise (real photos ≥ 0.64, random noise 0.03)

MEASURE_SIZE = 112  # pixels: inputs of 224 px and more are averaged down to about this
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R BT.601


def _luma(pixels: np.ndarray) -> np.ndarray:
    """Luminance [N, h, w] of uint8 RGB images [N, H, W, 3] (or one [H, W, 3]), averaged
    down to about MEASURE_SIZE pixels whatever the bundle's input size, so one set of
    limits serves every bundle (a neighbour step shrinks as resolution grows)."""
    array = np.asarray(pixels)
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[-1] != 3 or min(array.shape[1:3]) < 2:
        raise ModelError(f"expected RGB images [N, H, W, 3] of at least 2 × 2 pixels, got shape {array.shape}")
    luma = array.astype(np.float32) @ _LUMA
    factor = max(1, min(luma.shape[1:3]) // MEASURE_SIZE)
    if factor > 1:
        h, w = luma.shape[1] // factor * factor, luma.shape[2] // factor * factor
        # the mean of each factor × factor block, as a sum of strided views (fast)
        luma = sum(luma[:, dy:h:factor, dx:w:factor] for dy in range(factor) for dx in range(factor)) / factor**2
    return luma


def detail(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(contrast [N], texture [N]) of uint8 RGB images [N, H, W, 3] (or one [H, W, 3])."""
    luma = _luma(pixels)
    contrast = luma.std(axis=(1, 2))
    texture = (np.abs(np.diff(luma, axis=1)).mean(axis=(1, 2)) + np.abs(np.diff(luma, axis=2)).mean(axis=(1, 2))) / 2
    return contrast, texture


def structure(pixels: np.ndarray) -> np.ndarray:
    """[N] how alike neighbouring pixels are (their correlation, −1…1): near 1 for any
    scene, near 0 for noise, which has contrast and texture but shows nothing."""
    luma = _luma(pixels)
    centred = luma - luma.mean(axis=(1, 2), keepdims=True)
    variance = (centred**2).mean(axis=(1, 2)) + 1e-6
    across = (centred[:, :, 1:] * centred[:, :, :-1]).mean(axis=(1, 2))
    down = (centred[:, 1:] * centred[:, :-1]).mean(axis=(1, 2))
    return (across + down) / 2 / variance


def featureless(pixels: np.ndarray) -> np.ndarray:
    """[N] bool: the frame holds too little structure for any landmark to be seen."""
    contrast, texture = detail(pixels)
    return (contrast < MIN_CONTRAST) | (texture < MIN_TEXTURE) | (structure(pixels) < MIN_STRUCTURE)


def unscored(top: Sequence[Any]) -> list[Any]:
    """A blank frame's ranking: the same predictions, every score 0 (nothing in the
    photo supports any of them)."""
    return [replace(p, score=0.0) for p in top]


def is_unscored(top: Sequence[Any]) -> bool:
    """Predictions stored for a blank frame (see `unscored`)."""
    return bool(top) and all(float(p.score) == 0.0 for p in top)


FEATURELESS_NOTE = "too little detail to recognise anything (a blank, dark or overexposed frame, or noise)"

"""Turn any decoded Pillow image into what the model eats: 8-bit RGB, upright,
not much larger than needed.

Shared by the JPEG/Pillow decoder and the RAW decoder so that grayscale, CMYK,
16-bit, palette and alpha images all reach the network the same way.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

# EXIF Orientation value -> the transpositions that make the image upright.
_ORIENTATION_STEPS: dict[int, tuple[Image.Transpose, ...]] = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}

# Backgrounds for transparent pixels: white, like a photo viewer shows them.
_BACKGROUND = (255, 255, 255)


def exif_orientation(image: Image.Image) -> int:
    """The EXIF Orientation (1..8) of an opened image; 1 when absent or invalid."""
    try:
        value = image.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block must not make the photo unreadable
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def apply_orientation(image: Image.Image, orientation: int) -> Image.Image:
    """Rotate/flip `image` so that a viewer honouring `orientation` would show it."""
    for step in _ORIENTATION_STEPS.get(orientation, ()):
        image = image.transpose(step)
    return image


def shrink_towards(image: Image.Image, min_side: int) -> Image.Image:
    """Reduce by an integer box factor while the shorter side stays >= min_side.

    Cheap (no filtering beyond a box average) and keeps later resizing small.
    """
    factor = min(image.size) // max(1, min_side)
    if factor < 2:
        return image
    if image.mode not in ("RGB", "L", "RGBA", "LA", "I", "F", "CMYK"):
        return image
    return image.reduce(factor)


def to_rgb(image: Image.Image) -> Image.Image:
    """8-bit RGB from any Pillow mode; transparency is composited on white and
    16-bit/32-bit gray is scaled, not clipped (which would turn it white)."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode.startswith("I") or mode == "F":
        return _wide_gray_to_rgb(image)
    if mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, _BACKGROUND + (255,))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _wide_gray_to_rgb(image: Image.Image) -> Image.Image:
    """Scale 16-bit (or float) gray down to 8 bits by its declared range."""
    values = np.asarray(image)
    if image.mode == "F":
        peak = float(np.nanmax(values)) if values.size else 0.0
        scale = 255.0 if peak <= 1.0 else 1.0
        eight = np.clip(np.nan_to_num(values) * scale, 0, 255)
    elif image.mode.startswith("I;16") or int(values.max(initial=0)) > 255:
        eight = np.clip(values.astype(np.float32) / 257.0, 0, 255)
    else:
        eight = np.clip(values, 0, 255)
    return Image.fromarray(eight.astype(np.uint8), "L").convert("RGB")

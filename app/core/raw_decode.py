"""Decode RAW files for the classifier: the camera's embedded preview when it is
big enough (a few milliseconds), else a half-size demosaic (a fraction of a
second), never a full-size one.

Quirks handled here: bitmap thumbnails (not JPEG), NEFs whose declared white
level is wrong so that LibRaw renders them white (retried with `user_sat`), and
"RAW" files that carry metadata but no image data (refused with a clear error).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, JpegImagePlugin

from app.core.errors import PhotoNotReadError, PhotoReadError

# LibRaw's `sizes.flip` -> the EXIF Orientation that describes the same turn.
_FLIP_TO_ORIENTATION = {0: 1, 1: 2, 2: 4, 3: 3, 4: 5, 5: 8, 6: 6, 7: 7}

# Real RAW data needs bits; a file with far less than half a bit per sensor pixel
# holds metadata only (the raw_stubs kind), whatever LibRaw makes of it.
_MIN_BITS_PER_PIXEL = 0.5

# A demosaic whose pixels are nearly all this bright came out blown-out white.
_NEAR_WHITE_LEVEL = 245
_NEAR_WHITE_SHARE = 0.6


def decode_raw(path: Path, min_side: int, max_pixels: int, use_previews: bool = True) -> Image.Image:
    """Upright RGB image of a RAW file, shorter side >= min_side when possible.

    Raises PhotoReadError for corrupt files and RAW files without image data,
    PhotoNotReadError when the file cannot be read now (gone, an I/O error, not enough
    memory), DecompressionBombError when the sensor size is above max_pixels.
    """
    import rawpy

    from app.core.decode import finish_for_model
    from app.core.image_limits import refuse_bomb

    raw = _open_raw(path)
    with raw:
        sizes = raw.sizes
        refuse_bomb(path, (sizes.raw_width, sizes.raw_height), max_pixels)
        raw_orientation = _FLIP_TO_ORIENTATION.get(int(sizes.flip), 1)
        preview = embedded_preview(raw, path, min_side, max_pixels) if use_previews else None
        if preview is not None:
            image, orientation = preview
            return finish_for_model(image, min_side, orientation or raw_orientation)
        _refuse_stub(path, sizes.raw_width, sizes.raw_height)
        try:
            pixels = _demosaic_half_size(raw)
        except rawpy.LibRawUnsufficientMemoryError as error:
            raise PhotoNotReadError(f"{path}: not enough memory to decode this RAW image") from error
        except rawpy.LibRawError as error:
            raise PhotoReadError(
                f"{path}: LibRaw cannot decode the RAW image data ({_reason(error)}); "
                "the file is truncated, corrupt or holds no image"
            ) from error
    if not pixels.any():
        raise PhotoReadError(f"{path}: the RAW file decodes to a black frame; it holds no image data")
    # postprocess() has already turned the image upright.
    return finish_for_model(Image.fromarray(pixels, "RGB"), min_side, 1)


def embedded_preview(
    raw, path: Path, min_side: int, max_pixels: int
) -> tuple[Image.Image, int] | None:
    """(preview, its own EXIF orientation or 0) when the RAW carries a JPEG or
    bitmap preview whose shorter side reaches min_side; None otherwise."""
    import rawpy

    from app.core.image_limits import refuse_bomb, refuse_too_many_scans

    try:
        thumb = raw.extract_thumb()
    except rawpy.LibRawError:
        return None
    if thumb.format == rawpy.ThumbFormat.BITMAP:
        pixels = np.asarray(thumb.data)
        if pixels.ndim != 3 or min(pixels.shape[:2]) < min_side:
            return None
        return Image.fromarray(pixels.astype(np.uint8, copy=False), "RGB"), 0
    if thumb.format != rawpy.ThumbFormat.JPEG:
        return None
    try:
        image = Image.open(io.BytesIO(thumb.data))
        if not isinstance(image, JpegImagePlugin.JpegImageFile) or min(image.size) < min_side:
            return None
        refuse_bomb(path, image.size, max_pixels)
        refuse_too_many_scans(path, image)
        from app.core.image_modes import exif_orientation

        orientation = exif_orientation(image)
        image.draft("RGB", (min_side, min_side))
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError):
        return None  # a broken preview is no reason to give up: demosaic instead
    return image, (orientation if orientation != 1 else 0)


def _demosaic_half_size(raw) -> np.ndarray:
    """Half-size demosaic in 8 bits; retried with a saturation level taken from
    the data when the declared white level makes everything white."""
    options = dict(half_size=True, use_camera_wb=True, output_bps=8)
    pixels = raw.postprocess(**options)
    if _is_blown_out(pixels):
        observed = int(raw.raw_image_visible.max())
        saturation = (1 << max(8, observed.bit_length())) - 1
        retried = raw.postprocess(user_sat=saturation, **options)
        if not _is_blown_out(retried):
            return retried
    return pixels


def _is_blown_out(pixels: np.ndarray) -> bool:
    """True when nearly every pixel is near white in every channel."""
    if pixels.size == 0:
        return False
    near_white = (pixels >= _NEAR_WHITE_LEVEL).all(axis=-1)
    return float(near_white.mean()) >= _NEAR_WHITE_SHARE


def _refuse_stub(path: Path, raw_width: int, raw_height: int) -> None:
    """Raise PhotoReadError when the file is far too small to hold its sensor data."""
    pixels = max(1, raw_width * raw_height)
    size = path.stat().st_size
    if size * 8 / pixels < _MIN_BITS_PER_PIXEL:
        raise PhotoReadError(
            f"{path}: this RAW file holds metadata but no image data "
            f"({size / 1024:.0f} KB for a {raw_width} x {raw_height} sensor); "
            "copy the complete file from the camera card"
        )


def _open_raw(path: Path):
    """rawpy.imread with clear errors, whatever bytes the name holds (raw_open)."""
    import rawpy

    from app.core.raw_open import open_raw

    try:
        return open_raw(path)
    except rawpy.LibRawError as error:
        from app.core.photo_info import unopenable_raw

        raise unopenable_raw(path, error) from error  # worded as the scan words it
    except OSError as error:
        raise PhotoNotReadError(f"{path}: cannot read the file ({error})") from error


def _reason(error: Exception) -> str:
    """LibRaw messages arrive as bytes reprs; make them readable."""
    text = error.args[0] if error.args else str(error)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text)

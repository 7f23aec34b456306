"""Decode a photo for the classifier without wasting work.

The network sees a few hundred pixels, so a 24-megapixel JPEG is decoded at 1/2,
1/4 or 1/8 scale by libjpeg itself (Pillow `draft`), or from its embedded MPF
preview when that is smaller and still big enough. RAW files go through
`app.core.raw_decode`. Every path refuses decompression bombs from the header,
before any pixel buffer is allocated.
"""

from __future__ import annotations

import functools
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, JpegImagePlugin

from app.core.errors import DecompressionBombError, PhotoReadError
from app.core.image_modes import apply_orientation, exif_orientation, shrink_towards, to_rgb

# Refuse anything that declares more pixels than this (a 200 MP panorama is fine,
# a 50,000 x 50,000 header is not). Pillow's own guard (about 179 MP) applies too.
DEFAULT_MAX_PIXELS = 200_000_000

RAW_EXTENSIONS = frozenset(
    {
        ".3fr", ".ari", ".arw", ".bay", ".cr2", ".cr3", ".crw", ".dcr", ".dng",
        ".erf", ".fff", ".iiq", ".k25", ".kdc", ".mef", ".mos", ".mrw", ".nef",
        ".nrw", ".orf", ".pef", ".raf", ".raw", ".rw2", ".rwl", ".sr2", ".srf",
        ".srw", ".x3f",
    }
)

_PILLOW_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError)


@dataclass(frozen=True)
class _JpegCandidate:
    """One JPEG stream inside a file: the primary image or an MPF preview."""

    offset: int
    length: int
    width: int
    height: int


def decode_for_model(
    path: Path | str, min_side: int, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """An 8-bit RGB, upright image of `path` whose shorter side is >= min_side when
    the source allows (and usually < 2 x min_side).

    Raises PhotoReadError (missing, empty, corrupt, truncated, RAW without image
    data) or DecompressionBombError (declared size above `max_pixels`).
    """
    path = Path(path)
    _check_readable(path)
    if path.suffix.lower() in RAW_EXTENSIONS:
        from app.core.raw_decode import decode_raw

        return decode_raw(path, min_side, max_pixels)
    return decode_with_pillow(path, min_side, max_pixels)


def decode_with_pillow(path: Path, min_side: int, max_pixels: int) -> Image.Image:
    """JPEG (DCT-scaled, MPF-aware), PNG, TIFF, HEIC and anything else Pillow opens."""
    if path.suffix.lower() in (".heic", ".heif", ".hif", ".avif"):
        _register_heif_opener()
    try:
        with open(path, "rb") as stream, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(stream)
            refuse_bomb(path, image.size, max_pixels)
            if isinstance(image, JpegImagePlugin.JpegImageFile):
                # The primary image's EXIF rules, also for an MPF preview.
                orientation = exif_orientation(image)
                image = _load_jpeg_scaled(stream, image, min_side, max_pixels, path)
            else:
                # Some formats (PNG eXIf after IDAT) read EXIF by loading: load first.
                image.load()
                orientation = exif_orientation(image)
    except Image.DecompressionBombError as error:
        raise DecompressionBombError(
            f"{path}: refused to decode, the image declares too many pixels ({error})"
        ) from error
    except PhotoReadError:
        raise
    except FileNotFoundError as error:
        raise PhotoReadError(f"{path}: file not found; rescan the folder") from error
    except _PILLOW_READ_ERRORS as error:
        raise PhotoReadError(
            f"{path}: cannot decode the image ({error}); the file is corrupt, "
            "truncated or not an image"
        ) from error
    return finish_for_model(image, min_side, orientation)


def finish_for_model(image: Image.Image, min_side: int, orientation: int) -> Image.Image:
    """Shrink (cheaply), convert to RGB and make upright, in the cheapest order."""
    image = shrink_towards(image, min_side)
    image = to_rgb(image)
    return apply_orientation(image, orientation)


def refuse_bomb(path: Path, size: tuple[int, int], max_pixels: int) -> None:
    """Raise DecompressionBombError when a header declares more than max_pixels."""
    width, height = size
    if width <= 0 or height <= 0:
        raise PhotoReadError(f"{path}: the header declares an empty image ({width} x {height})")
    if width * height > max_pixels:
        raise DecompressionBombError(
            f"{path}: refused to decode a {width} x {height} image "
            f"({width * height / 1e6:.0f} MP > the {max_pixels / 1e6:.0f} MP limit); "
            "it is a decompression bomb or needs to be downsized first"
        )


def jpeg_draft_size(width: int, height: int, min_side: int) -> tuple[int, int]:
    """The size libjpeg produces when Pillow drafts (width, height) for min_side."""
    scale = min(width // min_side, height // min_side) if min_side > 0 else 1
    factor = next(s for s in (8, 4, 2, 1) if scale >= s)
    return (width + factor - 1) // factor, (height + factor - 1) // factor


def _load_jpeg_scaled(
    stream, image: JpegImagePlugin.JpegImageFile, min_side: int, max_pixels: int, path: Path
) -> Image.Image:
    """Decode the cheapest JPEG stream in the file that is big enough, DCT-scaled."""
    candidate = _cheapest_mpf_preview(stream, image, min_side, max_pixels)
    if candidate is not None:
        stream.seek(candidate.offset)
        image = Image.open(io.BytesIO(stream.read(candidate.length)))
    image.draft("RGB", (min_side, min_side))
    image.load()
    return image


def _cheapest_mpf_preview(
    stream, image: JpegImagePlugin.JpegImageFile, min_side: int, max_pixels: int
) -> _JpegCandidate | None:
    """An MPF preview (or other MP image) with fewer compressed bytes than the
    primary image whose decoded shorter side still reaches min_side; None if none."""
    entries = (getattr(image, "mpinfo", None) or {}).get(0xB002) or []
    if len(entries) < 2:
        return None
    base = _mpf_base_offset(image)
    if base is None:
        return None
    primary_length = int(entries[0].get("Size") or 0)
    best: _JpegCandidate | None = None
    for entry in entries[1:]:
        length = int(entry.get("Size") or 0)
        offset = int(entry.get("DataOffset") or 0) + base
        if length <= 0 or (primary_length and length >= primary_length):
            continue
        if best is not None and length >= best.length:
            continue
        size = _jpeg_stream_size(stream, offset, length, max_pixels)
        if size is None or min(size) < min_side:
            continue
        best = _JpegCandidate(offset, length, *size)
    return best


def _mpf_base_offset(image: JpegImagePlugin.JpegImageFile) -> int | None:
    """Where MPF DataOffsets count from (the MP header's TIFF byte-order mark)."""
    offsets = getattr(image, "_MpoImageFile__mpoffsets", None)
    entries = image.mpinfo[0xB002]
    if offsets and len(offsets) > 1:
        return int(offsets[1]) - int(entries[1]["DataOffset"])
    offset = image.info.get("mpoffset")
    return int(offset) if offset is not None else None


def _jpeg_stream_size(stream, offset: int, length: int, max_pixels: int) -> tuple[int, int] | None:
    """The declared size of the JPEG stream at offset, or None when it is not one."""
    try:
        stream.seek(offset)
        preview = Image.open(io.BytesIO(stream.read(length)))
    except _PILLOW_READ_ERRORS:
        return None
    if not isinstance(preview, JpegImagePlugin.JpegImageFile):
        return None
    width, height = preview.size
    if width * height > max_pixels:
        return None
    return width, height


@functools.cache
def _register_heif_opener() -> None:
    """Teach Pillow HEIC/HEIF once per process (pillow-heif)."""
    import pillow_heif

    pillow_heif.register_heif_opener()


def _check_readable(path: Path) -> None:
    """Clear errors for the cheap cases before any decoder sees the file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise PhotoReadError(f"{path}: file not found; rescan the folder") from error
    except OSError as error:
        raise PhotoReadError(f"{path}: cannot read the file ({error})") from error
    if size == 0:
        raise PhotoReadError(f"{path}: the file is empty (0 bytes)")

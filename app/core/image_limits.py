"""How many pixels a photo may declare before it is refused, by format.

Pillow refuses any image over about 179 MP when it opens it, whatever the format.
That turned away the stitched panoramas travel photographers make (ten 24 MP frames
is 240 MP) even though a baseline JPEG is decoded DCT-scaled: a 1,000 MP panorama
decoded at 1/8 of each side is 16 MP. So Pillow's check is replaced, for every
image this app opens, by ours: what matters is the buffer the decoder will fill.
With Pillow's off, every place that decodes runs ours first: decode, raw_decode,
thumbnails (the EXIF thumbnail too: a forged header declared 60,000 x 60,000),
jpeg_previews and photo_info; the others only read headers.

- baseline JPEG: up to JPEG_DECLARED_FACTOR x the limit declared (decoding time
  still grows with it), and the DCT-scaled size must itself fit the limit, which
  also catches forged headers of absurd aspect;
- everything else (progressive JPEG, whose coefficients are all held, PNG, TIFF,
  HEIC …, decoded whole): the limit itself.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, JpegImagePlugin

from app.core.errors import DecompressionBombError, PhotoReadError

# A 200 MP panorama decoded whole is 600 MB of RGB: still fine; a 50,000 x 50,000
# header is not.
MAX_PIXELS = 200_000_000
JPEG_DECLARED_FACTOR = 5

Image.MAX_IMAGE_PIXELS = None  # ours below, format-aware, replaces Pillow's


def is_baseline_jpeg(image: Image.Image) -> bool:
    return isinstance(image, JpegImagePlugin.JpegImageFile) and not image.info.get("progressive")


def declared_limit(image: Image.Image, max_pixels: int = MAX_PIXELS) -> int:
    """The most pixels `image` (opened, not decoded) may declare."""
    return max_pixels * JPEG_DECLARED_FACTOR if is_baseline_jpeg(image) else max_pixels


def jpeg_draft_size(width: int, height: int, min_side: int) -> tuple[int, int]:
    """The size libjpeg produces when Pillow drafts (width, height) for min_side."""
    scale = min(width // min_side, height // min_side) if min_side > 0 else 1
    factor = next((s for s in (8, 4, 2) if scale >= s), 1)
    return (width + factor - 1) // factor, (height + factor - 1) // factor


def refuse_bomb(path: Path | str, size: tuple[int, int], max_pixels: int) -> None:
    """Raise DecompressionBombError when `size` has more than max_pixels."""
    width, height = size
    if width <= 0 or height <= 0:
        raise PhotoReadError(f"{path}: the header declares an empty image ({width} x {height})")
    if width * height > max_pixels:
        raise DecompressionBombError(
            f"{path}: declares too many pixels to decode safely, {width} x {height} "
            f"({_megapixels(width * height)} MP > the {_megapixels(max_pixels)} MP limit); "
            "it is a decompression bomb or needs to be downsized first"
        )


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:,.0f}" if pixels >= 10_000_000 else f"{pixels / 1e6:.1f}"


def check_decodable(path: Path | str, image: Image.Image, min_side: int | None, max_pixels: int = MAX_PIXELS) -> None:
    """Refuse `image` (opened, not decoded) before any pixel buffer exists. min_side:
    the size a JPEG will be drafted to (None: only the declared size is checked, as
    when only the header is read)."""
    refuse_bomb(path, image.size, declared_limit(image, max_pixels))
    if min_side is not None and is_baseline_jpeg(image):
        refuse_bomb(path, jpeg_draft_size(*image.size, min_side), max_pixels)
    if min_side is not None:
        refuse_too_many_scans(path, image)


def refuse_too_many_scans(path: Path | str, image: Image.Image) -> None:
    """Raise DecompressionBombError for a progressive JPEG of more than MAX_SCANS scans,
    each of which libjpeg decodes over the whole image (jpeg_scans)."""
    if not isinstance(image, JpegImagePlugin.JpegImageFile) or not image.info.get("progressive"):
        return
    from app.core.jpeg_scans import MAX_SCANS, count_scans_in

    scans = count_scans_in(image.fp)
    if scans > MAX_SCANS:
        raise DecompressionBombError(
            f"{path}: a progressive JPEG of {scans:,} scans (more than {MAX_SCANS}; cameras and "
            "editors write about 10): decoding it would take minutes; it is malformed or made "
            "to stall decoders"
        )

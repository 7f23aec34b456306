"""Decode a photo for the classifier without wasting work.

The network sees a few hundred pixels, so a 24-megapixel JPEG is decoded at 1/2,
1/4 or 1/8 scale by libjpeg itself (Pillow `draft`), or from a preview embedded
in it (MPF, Nikon MakerNote; see jpeg_previews) when that is cheaper and still
big enough. RAW files go through
`app.core.raw_decode`. Every path refuses decompression bombs from the header,
before any pixel buffer is allocated.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, JpegImagePlugin, UnidentifiedImageError

from app.core.cloud_files import not_downloaded_note, online_only_note
from app.core.errors import PhotoNotReadError, PhotoReadError, cannot_read_file, failed_reading
from app.core.image_limits import MAX_PIXELS as DEFAULT_MAX_PIXELS
from app.core.image_limits import check_decodable
from app.core.image_modes import apply_orientation, exif_orientation, shrink_towards, to_rgb
from app.core.jpeg_damage import load_checked
from app.core.jpeg_named_raw import holds_jpeg
from app.core.pillow_setup import set_up_pillow

RAW_EXTENSIONS = frozenset(
    {
        ".3fr", ".ari", ".arw", ".bay", ".cr2", ".cr3", ".crw", ".dcr", ".dng",
        ".erf", ".fff", ".iiq", ".k25", ".kdc", ".mef", ".mos", ".mrw", ".nef",
        ".nrw", ".orf", ".pef", ".raf", ".raw", ".rw2", ".rwl", ".sr2", ".srf",
        ".srw", ".x3f",
    }
)

# image.info key of a decoded photo whose JPEG data libjpeg found damaged: its words
DAMAGE_INFO = "landmark_tagger_damage"

_PILLOW_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError)


def decode_for_model(
    path: Path | str, min_side: int, max_pixels: int = DEFAULT_MAX_PIXELS, use_previews: bool = True
) -> Image.Image:
    """An 8-bit RGB, upright image of `path` whose shorter side is >= min_side when
    the source allows (and usually < 2 x min_side). use_previews=False ignores the
    previews embedded in JPEG and RAW files (for comparisons).

    Raises PhotoReadError (empty, corrupt, truncated, RAW without image data),
    PhotoNotReadError (missing, its drive gone, no permission, an I/O error) or
    DecompressionBombError (declared size above `max_pixels`).
    """
    path = Path(path)
    _check_readable(path)
    set_up_pillow()  # HEIC content under a .JPG name too; Pillow's EXIF warnings kept quiet
    if path.suffix.lower() in RAW_EXTENSIONS and not holds_jpeg(path):
        from app.core.raw_decode import decode_raw

        return decode_raw(path, min_side, max_pixels, use_previews)
    return decode_with_pillow(path, min_side, max_pixels, use_previews)


def decode_with_pillow(path: Path, min_side: int, max_pixels: int, use_previews: bool = True) -> Image.Image:
    """JPEG (DCT-scaled, MPF-aware), PNG, TIFF, HEIC and anything else Pillow opens."""
    set_up_pillow()
    try:
        with open(path, "rb") as stream:
            image = Image.open(stream)
            check_decodable(path, image, min_side, max_pixels)
            if isinstance(image, JpegImagePlugin.JpegImageFile):
                # The primary image's EXIF rules, also for an MPF preview.
                orientation = exif_orientation(image)
                image = _load_jpeg_scaled(stream, image, min_side, max_pixels, use_previews)
            else:
                # Some formats (PNG eXIf after IDAT) read EXIF by loading: load first.
                image.load()
                orientation = exif_orientation(image)
    except PhotoReadError:
        raise
    except FileNotFoundError as error:
        raise PhotoNotReadError(file_not_found(path)) from error
    except _PILLOW_READ_ERRORS as error:
        if failed_reading(error):  # the system's (EIO, EACCES), not Pillow's verdict on the bytes
            raise cannot_read_file(path, error) from error
        # Pillow names its own file object here ("<_io.BufferedReader name=…>"): say it in words
        reason = "no image format it knows" if isinstance(error, UnidentifiedImageError) else str(error)
        raise PhotoReadError(
            f"{path}: cannot decode the image ({reason}); the file is corrupt, "
            "truncated or not an image"
        ) from error
    damage = image.info.get(DAMAGE_INFO)
    image = finish_for_model(image, min_side, orientation)
    if damage is not None:
        image.info[DAMAGE_INFO] = damage
    return image


def finish_for_model(image: Image.Image, min_side: int, orientation: int) -> Image.Image:
    """Shrink (cheaply), convert to RGB and make upright, in the cheapest order."""
    image = shrink_towards(image, min_side)
    image = to_rgb(image)
    return apply_orientation(image, orientation)


def _load_jpeg_scaled(
    stream, image: JpegImagePlugin.JpegImageFile, min_side: int, max_pixels: int, use_previews: bool
) -> Image.Image:
    """Decode the cheapest JPEG stream in the file that is big enough, DCT-scaled."""
    if use_previews:
        from app.core.jpeg_previews import cheapest_preview, embedded_previews

        primary_bytes = _primary_bytes(stream, image)
        preview = cheapest_preview(embedded_previews(stream, image, max_pixels), min_side, primary_bytes)
        if preview is not None:
            image = Image.open(io.BytesIO(preview.data))
    image.draft("RGB", (min_side, min_side))
    image.fp.seek(0)
    image, damage = load_checked(image, image.fp.read())
    if damage is not None:  # labelled from what could be read: the tag job says so (DAMAGE_INFO)
        image.info[DAMAGE_INFO] = damage
    return image


def _primary_bytes(stream, image: JpegImagePlugin.JpegImageFile) -> int:
    """Compressed size of the primary image: its MPF entry, else the whole file."""
    entries = (getattr(image, "mpinfo", None) or {}).get(0xB002) or []
    if entries and int(entries[0].get("Size") or 0) > 0:
        return int(entries[0]["Size"])
    stream.seek(0, io.SEEK_END)
    return stream.tell()


def file_not_found(path: Path) -> str:
    """Why a photo could not be read when it is not there: a rescan finds a file moved
    within its folder, but not a folder that is gone (a drive not connected, a folder
    moved or deleted)."""
    from app.core.relocate import relocate_hint  # the index's modules, which a decoder worker needs for this only

    if (note := not_downloaded_note(path)) is not None:  # its iCloud stand-in lies in its place
        return f"{path}: {note}"
    if Path(path).parent.is_dir():
        return f"{path}: file not found; rescan the folder"
    return f"{path}: its folder is not there; check the path (is the drive mounted?).{relocate_hint(path)}"


def _check_readable(path: Path) -> None:
    """Clear errors for the cheap cases before any decoder sees the file."""
    try:
        stat = path.stat()
    except FileNotFoundError as error:
        raise PhotoNotReadError(file_not_found(path)) from error
    except OSError as error:
        raise PhotoNotReadError(f"{path}: cannot read the file ({error})") from error
    if (note := online_only_note(stat)) is not None:  # reading it would download it
        raise PhotoNotReadError(f"{path}: {note}")
    size = stat.st_size
    if size == 0:
        raise PhotoReadError(f"{path}: the file is empty (0 bytes)")

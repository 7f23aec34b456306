"""The essentials of a photo file, read from its header only: capture time,
camera, lens, orientation, pixel size and GPS position.

JPEG, PNG, TIFF and HEIC go through Pillow (HEIC via pillow-heif); camera RAW
through rawpy's header parsing plus the EXIF and XMP blocks found by
app.core.metadata.raw_header (TIFF-structured RAWs, CR3, RAF), parsed by Pillow too.
"""

from __future__ import annotations

import math
import os
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.camera_names import camera_name
from app.core.capture_time import modify_date, recorded_taken_at, tag_text
from app.core.errors import PhotoReadError, cannot_read_file, failed_reading
from app.core.image_limits import check_decodable
from app.core.jpeg_named_raw import NAMED_RAW, holds_jpeg
from app.core.lens import lens_name
from app.core.pillow_setup import set_up_pillow

if TYPE_CHECKING:
    from app.core.metadata.xmp import XmpDocument

KINDS_BY_EXTENSION: dict[str, str] = {
    ".jpg": "jpeg", ".jpeg": "jpeg", ".jpe": "jpeg",
    ".png": "png",
    ".tif": "tiff", ".tiff": "tiff",
    ".heic": "heic", ".heif": "heic", ".hif": "heic",
    **{ext: "raw" for ext in (
        ".nef", ".nrw", ".cr2", ".cr3", ".crw", ".arw", ".srf", ".sr2", ".dng", ".raf",
        ".rw2", ".orf", ".pef", ".srw", ".x3f", ".kdc", ".dcr", ".mrw", ".iiq", ".3fr",
        ".erf", ".mef", ".mos", ".rwl",
    )},
}
# What the messages name as readable.
READABLE_FORMATS = "JPEG, PNG, TIFF, HEIC or RAW"
NOT_A_PHOTO = f"not a photo file this app reads ({READABLE_FORMATS})"  # notes.txt given as a photo
# Pillow's name of a file's format → the kind the index records.
KINDS_BY_FORMAT = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "TIFF": "tiff", "HEIF": "heic"}
# Which file of a JPEG+RAW pair (same stem, same folder) stands for the photo.
PRIMARY_PREFERENCE = {"jpeg": 0, "heic": 1, "tiff": 2, "png": 3, "raw": 4}

MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112
PIXEL_X_DIMENSION, PIXEL_Y_DIMENSION = 0xA002, 0xA003
UNIQUE_CAMERA_MODEL = 0xC614  # a DNG's, where Make and Model are missing
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4

# Even the best-compressed RAW needs far more than 1 byte per 16 pixels; a file
# smaller than that carries metadata but no image data (a stub).
MIN_RAW_BYTES_PER_PIXEL = 1 / 16
# The longest camera or lens name taken from a RAW header: real ones are under 100
# characters; a longer one comes from a damaged count, and must not fill the index.
MAX_RAW_HEADER_TEXT = 200


@dataclass(frozen=True)
class PhotoInfo:
    """What the index stores about a photo; None where the file does not say."""

    kind: str
    width: int | None = None
    height: int | None = None
    taken_at: str | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    orientation: int | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    landmark: str | None = None  # the landmark keyword written into the file (app.core.metadata.read_back)
    landmark_files: tuple[str, ...] = ()  # the files holding it, the photo file or sidecars (scan_details)
    landmark_taught: bool | None = None  # whether the photo teaches it, as our field says (None: it says nothing)
    dated_by_modify_date: bool = False  # taken_at is the last-resort ModifyDate (capture_time)


def file_kind(name: str) -> str | None:
    """'jpeg', 'raw', 'png', 'tiff', 'heic' for a photo file name, else None."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return None
    return KINDS_BY_EXTENSION.get("." + extension.lower())


def read_photo_info(path: str | os.PathLike) -> PhotoInfo:
    """Read the essentials of one photo file.

    Raises PhotoReadError (naming the file) when it is empty, unreadable, not
    an image, truncated, or a RAW file without image data."""
    kind = file_kind(os.fspath(path))
    if kind is None:
        raise PhotoReadError(f"{path}: not a photo file this app reads (extension not recognised)")
    try:
        size = os.stat(path).st_size
    except OSError as error:
        raise cannot_read_file(path, error) from error
    if size == 0:
        raise PhotoReadError(f"{path}: empty file (0 bytes); restore it from a backup or delete it")
    if kind == "raw":
        return _read_jpeg_named_raw(path, size) if holds_jpeg(path) else _read_raw(path, size)
    return _read_with_pillow(path, kind)


def _read_jpeg_named_raw(path: str | os.PathLike, size: int) -> PhotoInfo:
    """A file with a RAW name that starts as a JPEG (jpeg_named_raw): its JPEG's date,
    camera and size, its kind kept "raw" so its labels go into a sidecar. A camera's
    JPEG with RAW data after it (LibRaw reads some) is read by LibRaw where the JPEG
    part is not whole."""
    try:
        return replace(_read_with_pillow(path, "jpeg"), kind="raw")
    except PhotoReadError as error:
        try:
            return _read_raw(path, size)
        except PhotoReadError:
            raise PhotoReadError(f"{path}: {NAMED_RAW}, and " + str(error).removeprefix(f"{path}: ")) from error


def _read_with_pillow(path: str | os.PathLike, kind: str) -> PhotoInfo:
    from PIL import Image, UnidentifiedImageError

    from app.core.metadata.xmp import XmpDocument

    set_up_pillow()  # HEIC content under a .JPG name too; Pillow's EXIF warnings kept quiet
    try:
        with Image.open(path) as image:
            check_decodable(path, image, min_side=None)  # a bomb is never indexed
            width, height = image.size
            xmp = XmpDocument.read(image.info.get("xmp"))
            fields = _exif_fields(_exif_of(image, path), xmp, _iptc_block(image))
            found = image.format
    except UnidentifiedImageError as error:
        raise PhotoReadError(f"{path}: not a readable {kind.upper()} image (corrupt or wrong extension)") from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        if failed_reading(error):  # the system's (EIO, EACCES), not Pillow's verdict on the bytes
            raise cannot_read_file(path, error) from error
        raise PhotoReadError(f"{path}: truncated or corrupt {kind.upper()} file ({error})") from error
    # The content decides, not the name (a web download or a phone export saved as
    # .jpg may be a PNG): the index records the real kind, so labels go where that
    # format allows (a sidecar for a PNG) and the JPEG checks apply to JPEGs only.
    content_kind = KINDS_BY_FORMAT.get(found or "")
    if content_kind is None:
        raise PhotoReadError(f"{path}: a {found or 'unknown'} image under a {kind.upper()} name; "
                             f"this app reads {READABLE_FORMATS} photos")
    kind = content_kind
    if kind == "jpeg" and not _jpeg_has_end_marker(path):
        raise PhotoReadError(f"{path}: truncated JPEG (no end-of-image marker); the end of the file is lost")
    return _with_xmp_details(PhotoInfo(kind=kind, width=width, height=height, **fields), xmp)


def _exif_of(image, path: str | os.PathLike):
    """The image's EXIF; a PNG's without decoding it, as getexif() would (png_exif)."""
    from PIL import PngImagePlugin

    if isinstance(image, PngImagePlugin.PngImageFile):
        from app.core.png_exif import png_exif

        return png_exif(image, path)
    return image.getexif()


def _jpeg_has_end_marker(path: str | os.PathLike) -> bool:
    """A complete JPEG has an FFD9 marker near its end (phones may append data)."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 64 * 1024))
        return b"\xff\xd9" in handle.read()


def _read_raw(path: str | os.PathLike, size: int) -> PhotoInfo:
    import rawpy

    from app.core.metadata.raw_header import read_raw_header
    from app.core.metadata.xmp import XmpDocument
    from app.core.raw_open import open_raw

    try:
        with open_raw(path) as raw:  # any name, UTF-8 or not
            sizes = raw.sizes
            width, height = int(sizes.width), int(sizes.height)
            raw_pixels = int(sizes.raw_width) * int(sizes.raw_height)
    except rawpy.LibRawError as error:
        raise unopenable_raw(path, error) from error
    except (OSError, ValueError) as error:
        if failed_reading(error):
            raise cannot_read_file(path, error) from error
        raise PhotoReadError(f"{path}: not a RAW file this app can read ({_message(error)})") from error
    if raw_pixels and size < raw_pixels * MIN_RAW_BYTES_PER_PIXEL:
        raise _no_image_data(path, size, width, height)
    try:
        header = read_raw_header(path)
    except OSError:
        return PhotoInfo(kind="raw", width=width, height=height)  # rawpy read it a moment ago: gone or locked now
    xmp = XmpDocument.read(header.xmp)
    fields = _fields_of_ifds(header.ifd0, header.exif, header.gps, xmp)
    for name in ("camera_make", "camera_model", "lens"):
        fields[name] = _header_text(fields[name])
    return _with_xmp_details(PhotoInfo(kind="raw", width=width, height=height, **fields), xmp)


def _with_xmp_details(info: PhotoInfo, xmp: XmpDocument | None) -> PhotoInfo:
    """`info` with the landmark keyword the photo's XMP holds, and whether our field says
    the photo teaches it (taught_field). The packet is parsed once per file
    (XmpDocument.read) for this, the date and the lens."""
    if xmp is None:
        return info
    from app.core.metadata.read_back import landmark_in_document
    from app.core.metadata.taught_field import taught_in

    landmark = landmark_in_document(xmp)
    return replace(info, landmark=landmark, landmark_taught=taught_in(xmp, landmark))


def _no_image_data(path: str | os.PathLike, size: int, width: int, height: int) -> PhotoReadError:
    return PhotoReadError(
        f"{path}: RAW file has metadata but no image data ({size} bytes for "
        f"{width}x{height} pixels); the file is incomplete"
    )


def unopenable_raw(path: str | os.PathLike, error: BaseException) -> PhotoReadError:
    """The error for a file with a RAW name that LibRaw refuses, worded by what its
    header says (LibRaw's "Unsupported file format or not RAW file" says either):
    a camera's RAW without its image data (cut short: the picture size its EXIF gives
    needs more bytes) is incomplete, as LibRaw's sizes tell for the RAWs it opens;
    another camera's RAW is corrupt, truncated or from a camera this LibRaw does not
    know; a file whose header is no RAW's (a JPEG or junk renamed .NEF) is not a RAW."""
    from app.core.metadata.raw_header import read_raw_header

    reason = _message(error)
    try:
        size = os.stat(path).st_size
        header = read_raw_header(path)
    except OSError as failure:
        return cannot_read_file(path, failure)
    if not header.is_raw:
        return PhotoReadError(f"{path}: not a RAW file this app can read (LibRaw: {reason})")
    width = _dimension(header.exif.get(PIXEL_X_DIMENSION))
    height = _dimension(header.exif.get(PIXEL_Y_DIMENSION))
    if width and height and size < width * height * MIN_RAW_BYTES_PER_PIXEL:
        return _no_image_data(path, size, width, height)
    make = _header_text(tag_text(header.ifd0.get(MAKE)))
    model = _header_text(tag_text(header.ifd0.get(MODEL)) or tag_text(header.ifd0.get(UNIQUE_CAMERA_MODEL)))
    camera = camera_name(make, model)  # named as the index names it: "Canon Canonet QL17", "Nikon D70"
    what = f"{camera} RAW file" if camera else "RAW file" if header.container == "TIFF" else f"{header.container} file"
    return PhotoReadError(f"{path}: LibRaw cannot open this {what} ({reason}); "
                          "it is corrupt, truncated or from an unsupported camera")


def _header_text(text: str | None) -> str | None:
    """A name from a RAW header, at most MAX_RAW_HEADER_TEXT characters; None for one
    with control characters (the binary data a damaged count points at is no name)."""
    if text is None or any(unicodedata.category(char) == "Cc" for char in text[:MAX_RAW_HEADER_TEXT]):
        return None
    return text[:MAX_RAW_HEADER_TEXT].strip() or None


def _dimension(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _message(error: BaseException) -> str:
    text = error.args[0] if error.args else str(error)
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _exif_fields(exif, xmp: XmpDocument | None, iptc: bytes | None) -> dict:
    """The fields of a Pillow Exif (IFD0 and the Exif and GPS IFDs it points to), the
    photo's parsed XMP (for the date and the lens) and its IPTC block (for the date)."""
    from app.core.metadata.raw_header import ifds_of

    ifds = ifds_of(exif)
    return _fields_of_ifds(ifds["ifd0"], ifds["exif"], ifds["gps"], xmp, iptc)


def _iptc_block(image) -> bytes | None:
    """A JPEG's IPTC IIM datasets (Photoshop resource 0x0404 of its APP13), which Pillow
    has read with the header; None for other formats and JPEGs without."""
    resources = image.info.get("photoshop") if image.format in ("JPEG", "MPO") else None
    block = resources.get(0x0404) if isinstance(resources, dict) else None
    return block if isinstance(block, bytes) else None


def _fields_of_ifds(ifd0, exif_ifd, gps_ifd, xmp: XmpDocument | None = None, iptc: bytes | None = None) -> dict:
    """The fields the index stores, from the three IFDs (mappings of tag to value), the
    photo's parsed XMP and its IPTC block."""
    latitude, longitude = gps_position(gps_ifd)
    lens = lens_name(exif_ifd, xmp)
    recorded = recorded_taken_at(exif_ifd, xmp, iptc)
    last_edit = None if recorded is not None else modify_date(ifd0, exif_ifd)
    return {
        "taken_at": recorded or last_edit,
        "dated_by_modify_date": last_edit is not None,
        "camera_make": tag_text(ifd0.get(MAKE)),
        # a DNG must name its camera in UniqueCameraModel only (Blackmagic's cinema cameras)
        "camera_model": tag_text(ifd0.get(MODEL)) or tag_text(ifd0.get(UNIQUE_CAMERA_MODEL)),
        "lens": lens,
        "orientation": _orientation(ifd0.get(ORIENTATION)),
        "gps_lat": latitude,
        "gps_lon": longitude,
    }


def gps_position(gps: dict) -> tuple[float | None, float | None]:
    """Signed decimal degrees, or (None, None) when the block is absent,
    incomplete, has zero denominators or out-of-range values."""
    latitude = _coordinate(gps.get(GPS_LAT), gps.get(GPS_LAT_REF), "NS", 90.0)
    longitude = _coordinate(gps.get(GPS_LON), gps.get(GPS_LON_REF), "EW", 180.0)
    if latitude is None or longitude is None:
        return None, None
    return latitude, longitude


def _coordinate(value, ref, hemispheres: str, limit: float) -> float | None:
    ref_text = (tag_text(ref) or "").strip().upper()[:1]
    if ref_text not in tuple(hemispheres) or not isinstance(value, (tuple, list)) or len(value) != 3:
        return None
    parts = [_rational(v) for v in value]
    if any(p is None for p in parts):
        return None
    degrees = parts[0] + parts[1] / 60.0 + parts[2] / 3600.0
    if not math.isfinite(degrees) or degrees > limit:
        return None
    return -degrees if ref_text == hemispheres[1] else degrees


def _rational(value) -> float | None:
    """A rational as float; None for a zero denominator (never NaN)."""
    numerator = getattr(value, "numerator", None)
    denominator = getattr(value, "denominator", None)
    if isinstance(value, tuple) and len(value) == 2:
        numerator, denominator = value
    if numerator is None or denominator is None:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        return number if math.isfinite(number) and number >= 0 else None
    if not denominator:
        return None
    number = float(numerator) / float(denominator)
    return number if math.isfinite(number) and number >= 0 else None


def _orientation(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 8 else None


def primary_of(paths: list[Path]) -> Path:
    """The file that stands for a photo: JPEG before HEIC, TIFF, PNG, RAW."""
    return min(paths, key=lambda p: (PRIMARY_PREFERENCE.get(file_kind(p.name) or "raw", 9), p.name))

"""The lens a photo was taken with, as photo tools name it.

Only newer cameras write EXIF's LensModel. Lightroom, digiKam and exiftool also read
the lens from the XMP a camera or an editor wrote (aux:Lens, exifEX:LensModel), from
Nikon's maker notes (its Lens tag: the focal and aperture range, "18-55mm f/3.5-5.6",
written by every Nikon DSLR since the D100) and from EXIF's LensSpecification, the
same range in a standard tag. Without them `lens:` searches missed most camera JPEGs.
The range is said as exiftool says it; the lens's marketing name (exiftool's LensID)
needs a maker's table of lens ids, which this app does not carry.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from app.core.metadata.xmp import XmpDocument

LENS_SPECIFICATION, LENS_MODEL = 0xA432, 0xA434
MAKER_NOTE = 0x927C
_NIKON_LENS = 0x0084
_NIKON_HEADER = b"Nikon\x00"  # then a version (2 bytes), 2 zero bytes and a TIFF header
_RATIONAL = 5
_MAX_ENTRIES = 1000  # a maker note's IFD: a count beyond this is a corrupt one
_XMP_LENS_NAMES = (("http://ns.adobe.com/exif/1.0/aux/", "Lens"),
                   ("http://cipa.jp/exif/1.0/", "LensModel"))


def lens_name(exif_ifd: Mapping, xmp: XmpDocument | None = None) -> str | None:
    """The lens of a photo whose Exif IFD (tag -> value, as Pillow gives it) and XMP
    (parsed once for all its readers: XmpDocument.read) are given: LensModel, else the
    XMP's lens, else the range of Nikon's maker notes or of LensSpecification; None
    when none says."""
    model = _clean(exif_ifd.get(LENS_MODEL))
    if model:
        return model
    for namespace, name in _XMP_LENS_NAMES if xmp is not None else ():
        text = _clean(xmp.get_text(namespace, name))
        if text:
            return text
    nikon = _nikon_lens_range(exif_ifd.get(MAKER_NOTE))
    if nikon is not None:
        return describe_range(nikon)
    specification = exif_ifd.get(LENS_SPECIFICATION)
    if isinstance(specification, (tuple, list)) and len(specification) == 4:
        return describe_range([_float(value) for value in specification])
    return None


def describe_range(values) -> str | None:
    """"18-55mm f/3.5-5.6" from (shortest focal length, longest, widest aperture at the
    shortest, at the longest); a fixed lens "24mm f/2.8"; None without focal lengths."""
    short, long, wide_short, wide_long = (value if value and value > 0 else None for value in values)
    if short is None:
        return None
    focal = _number(short) if long in (None, short) else f"{_number(short)}-{_number(long)}"
    if wide_short is None:
        return f"{focal}mm"
    aperture = _number(wide_short) if wide_long in (None, wide_short) else f"{_number(wide_short)}-{_number(wide_long)}"
    return f"{focal}mm f/{aperture}"


def _nikon_lens_range(note) -> list[float | None] | None:
    """The four rationals of the Lens tag of a Nikon maker note (type 3: its own TIFF
    header, offsets from it); None for any other maker note or a damaged one."""
    if not isinstance(note, bytes) or not note.startswith(_NIKON_HEADER) or len(note) < 18:
        return None
    tiff = note[10:]
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return None
    try:
        (first_ifd,) = struct.unpack_from(order + "I", tiff, 4)
        (count,) = struct.unpack_from(order + "H", tiff, first_ifd)
        for entry in range(min(count, _MAX_ENTRIES)):
            tag, kind, values, offset = struct.unpack_from(order + "HHII", tiff, first_ifd + 2 + 12 * entry)
            if tag == _NIKON_LENS and kind == _RATIONAL and values == 4:
                numbers = struct.unpack_from(order + "8I", tiff, offset)
                return [numbers[i] / numbers[i + 1] if numbers[i + 1] else None for i in range(0, 8, 2)]
    except struct.error:
        return None
    return None


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _clean(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).strip("\x00 ").strip() if value is not None else ""
    return text or None

"""When a photo was taken, from the dates its header carries (EXIF, XMP, IPTC), in the
index's form: ISO 8601 with sub-seconds and offset where the file gives them.

The order: EXIF DateTimeOriginal, then EXIF CreateDate (DateTimeDigitized), then the
XMP dates, then IPTC Date/Time Created, then ModifyDate. CreateDate comes second, before
the XMP and IPTC dates created, because Lightroom and digiKam fall back to it when a
camera left DateTimeOriginal out or zero, and a camera writes it equal to the moment
taken; on a film scan it is the time of the scan, which then wins over a date created
typed into the scan's XMP or IPTC. That is not exiftool's MWG composite, which never
takes CreateDate (DateTimeOriginal, then IPTC, then XMP photoshop:DateCreated).
ModifyDate (the time of the last edit) is the last resort, taken only when none of the
others gives a date, as the older versions of this app took it and a file may have
nothing else; a RAW dated only so takes the date its XMP sidecar gives instead
(scan_details). A value that names no real moment (0000:00:00, blanks, 30 February)
gives way to the next one.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from app.core.metadata.xmp import XmpDocument

# EXIF tags: the moment, its sub-seconds and its offset, for each of the three dates.
DATETIME_ORIGINAL, SUBSEC_TIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9291, 0x9011  # Exif IFD
DATETIME_DIGITIZED, SUBSEC_TIME_DIGITIZED, OFFSET_TIME_DIGITIZED = 0x9004, 0x9292, 0x9012  # exiftool: CreateDate
DATETIME, SUBSEC_TIME, OFFSET_TIME = 0x0132, 0x9290, 0x9010  # exiftool: ModifyDate (IFD0; the others Exif IFD)

EXIF_DATETIME = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
EXIF_OFFSET = re.compile(r"^[+-]\d{2}:\d{2}$")

# Where a file without EXIF keeps when it was taken (iPhone screenshots, scans, exports
# from Lightroom): the properties Lightroom and digiKam read, most specific first.
XMP_DATES = (("http://ns.adobe.com/exif/1.0/", "DateTimeOriginal"),
             ("http://ns.adobe.com/photoshop/1.0/", "DateCreated"),
             ("http://ns.adobe.com/xap/1.0/", "CreateDate"))
XMP_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?")

# IPTC IIM Date Created (2:55, "CCYYMMDD") and Time Created (2:60, "HHMMSS±HHMM"), as
# older Photoshop, Picasa and scanning software write them.
IPTC_DATE_CREATED, IPTC_TIME_CREATED = (2, 55), (2, 60)
IPTC_DATE = re.compile(rb"(\d{4})(\d{2})(\d{2})")
IPTC_TIME = re.compile(rb"(\d{2})(\d{2})(\d{2})(?:([+-]\d{2})(\d{2}))?")


def recorded_taken_at(exif_ifd: Mapping, xmp: XmpDocument | None = None, iptc: bytes | None = None) -> str | None:
    """The date taken of a photo from the fields that record it, in the module's order:
    its Exif IFD (a mapping of tag to value), its parsed XMP and its IPTC IIM block (the
    datasets of Photoshop resource 0x0404); None when none of them names a real moment
    (modify_date is then the last resort)."""
    return (exif_timestamp(exif_ifd.get(DATETIME_ORIGINAL), exif_ifd.get(SUBSEC_TIME_ORIGINAL),
                           exif_ifd.get(OFFSET_TIME_ORIGINAL))
            or exif_timestamp(exif_ifd.get(DATETIME_DIGITIZED), exif_ifd.get(SUBSEC_TIME_DIGITIZED),
                              exif_ifd.get(OFFSET_TIME_DIGITIZED))
            or (xmp_timestamp(xmp) if xmp is not None else None)
            or iptc_timestamp(iptc))


def modify_date(ifd0: Mapping, exif_ifd: Mapping) -> str | None:
    """EXIF ModifyDate (IFD0 DateTime, with the sub-seconds and offset of the Exif IFD):
    the date taken of a photo that records none in recorded_taken_at's fields."""
    return exif_timestamp(ifd0.get(DATETIME), exif_ifd.get(SUBSEC_TIME), exif_ifd.get(OFFSET_TIME))


def exif_timestamp(value, subseconds=None, offset=None) -> str | None:
    """EXIF "2020:11:03 14:05:09" (+ SubSecTime "25", OffsetTime "+01:00") ->
    "2020-11-03T14:05:09.25+01:00"; None when absent or no real moment (0000:00:00, or
    2019:13:45 25:61:00 from a camera whose clock was corrupted)."""
    text = tag_text(value)
    match = EXIF_DATETIME.match(text or "")
    if not match or not is_real_moment(*match.groups()):
        return None
    year, month, day, hour, minute, second = match.groups()
    stamp = f"{year}-{month}-{day}T{hour}:{minute}:{second}"
    sub = (tag_text(subseconds) or "").strip()
    if sub.isdigit():
        stamp += "." + sub
    zone = (tag_text(offset) or "").strip()
    if EXIF_OFFSET.match(zone):
        stamp += zone
    return stamp


def is_real_moment(*parts: str | None) -> bool:
    """Whether year, month, day (and the hour, minute, second given) name a moment that
    exists: a date taken that does not (month 13, 30 February, a zero date) is none, or
    the photo would sort as the newest, match has:date and break the Dates list."""
    try:
        datetime(*(int(part) for part in parts if part is not None))
    except ValueError:  # also a year 0000: datetime starts at year 1
        return False
    return True


def xmp_timestamp(document: XmpDocument) -> str | None:
    """The capture time a parsed XMP packet (XmpDocument.read) gives
    ("2019-06-12T14:05:09+02:00", or a date alone "2019-06-12"), in the index's form;
    None when it gives none."""
    for namespace, name in XMP_DATES:
        match = XMP_DATETIME.fullmatch(document.get_text(namespace, name) or "")
        if match is None or not is_real_moment(*match.groups()[:6]):
            continue
        year, month, day, hour, minute, second, fraction, zone = match.groups()
        if hour is None:
            return f"{year}-{month}-{day}"
        stamp = f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}" + (f".{fraction}" if fraction else "")
        return stamp + ("+00:00" if zone == "Z" else zone or "")
    return None


def iptc_timestamp(block: bytes | None) -> str | None:
    """IPTC Date Created "20140404" + Time Created "100000+0200" ->
    "2014-04-04T10:00:00+02:00"; the date alone where the time is absent or names no
    real time; None without a real date (IIM's "00" for an unknown month or day says
    too little) or when the block cannot be parsed."""
    from app.core.metadata.iptc import IptcFormatError, parse_datasets

    if not block:
        return None
    try:
        datasets = {dataset.key: dataset.value for dataset in reversed(parse_datasets(block))}  # the first wins
    except IptcFormatError:
        return None  # a damaged block: the photo is still read, without this date
    date = IPTC_DATE.fullmatch(datasets.get(IPTC_DATE_CREATED, b"").strip(b"\x00 "))
    if date is None or not is_real_moment(*date.groups()):
        return None
    stamp = "-".join(part.decode() for part in date.groups())
    time = IPTC_TIME.fullmatch(datasets.get(IPTC_TIME_CREATED, b"").strip(b"\x00 "))
    if time is None or not is_real_moment(*date.groups(), *time.groups()[:3]):
        return stamp
    hour, minute, second, zone_hours, zone_minutes = (part.decode() if part else None for part in time.groups())
    return f"{stamp}T{hour}:{minute}:{second}" + (f"{zone_hours}:{zone_minutes}" if zone_hours else "")


def tag_text(value) -> str | None:
    """An EXIF value as text, without the NULs and spaces that pad it; None when empty."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text or None

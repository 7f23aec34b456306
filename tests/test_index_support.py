"""Helpers (no tests) shared by the index/scanner/CLI tests: synthetic photos
with EXIF built in tmp_path."""

from __future__ import annotations

import io
from pathlib import Path

import piexif
from PIL import Image


def rational_degrees(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 1000)
    return ((degrees, 1), (minutes, 1), (seconds, 1000))


def jpeg_bytes(
    *,
    size: tuple[int, int] = (32, 24),
    color: tuple[int, int, int] = (120, 80, 40),
    taken: str | None = "2020:11:03 14:05:09",
    subsec: str | None = None,
    offset: str | None = None,
    make: str | None = "NIKON CORPORATION",
    model: str | None = "NIKON D850",
    orientation: int | None = None,
    gps: tuple[float, float] | None = None,
    gps_ifd: dict | None = None,
    lens: str | None = None,
) -> bytes:
    """A small JPEG with the EXIF fields the scanner reads."""
    zeroth: dict = {}
    exif: dict = {}
    if make:
        zeroth[piexif.ImageIFD.Make] = make.encode()
    if model:
        zeroth[piexif.ImageIFD.Model] = model.encode()
    if orientation:
        zeroth[piexif.ImageIFD.Orientation] = orientation
    if taken:
        exif[piexif.ExifIFD.DateTimeOriginal] = taken.encode()
    if subsec:
        exif[piexif.ExifIFD.SubSecTimeOriginal] = subsec.encode()
    if offset:
        exif[piexif.ExifIFD.OffsetTimeOriginal] = offset.encode()
    if lens:
        exif[piexif.ExifIFD.LensModel] = lens.encode()
    gps_block = dict(gps_ifd or {})
    if gps is not None:
        lat, lon = gps
        gps_block.update({
            piexif.GPSIFD.GPSLatitudeRef: b"N" if lat >= 0 else b"S",
            piexif.GPSIFD.GPSLatitude: rational_degrees(abs(lat)),
            piexif.GPSIFD.GPSLongitudeRef: b"E" if lon >= 0 else b"W",
            piexif.GPSIFD.GPSLongitude: rational_degrees(abs(lon)),
        })
    payload = piexif.dump({"0th": zeroth, "Exif": exif, "GPS": gps_block, "1st": {}, "thumbnail": None})
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", exif=payload, quality=80)
    return out.getvalue()


def write_jpeg(path: Path, **fields) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes(**fields))
    return path


def write_tiff_raw(path: Path, size: tuple[int, int] = (64, 48)) -> Path:
    """A TIFF written under a RAW extension: a stand-in for a RAW file that
    rawpy cannot open (the scanner must report it and go on)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (10, 20, 30)).save(path, "TIFF")
    return path


def unplug_card(card: Path, drawer: Path, mounts) -> None:
    """The card mounted on `card` taken out (its files moved to `drawer`, `mounts`, a
    fake os.path.ismount, told): its mount point stays, a plain empty folder."""
    drawer.mkdir()
    for entry in list(card.iterdir()):
        entry.rename(drawer / entry.name)
    mounts.unmount(card)


def missing_photos(db: str) -> list[str]:
    """The paths the index at `db` holds as missing (is:missing), sorted."""
    from app.core.index import PhotoIndex

    with PhotoIndex.open(db) as index:
        return sorted(record.path for record in index.search("is:missing"))


def photos_labelled(db: str, label: str) -> int:
    """How many photos of the index at `db` carry `label`, missing ones too."""
    from app.core.index import PhotoIndex

    with PhotoIndex.open(db) as index:
        return index.conn.execute("SELECT count(*) FROM labels WHERE label = ?", (label,)).fetchone()[0]


def assert_every_search_finds(index, query: str, wanted: list[int]) -> None:
    """photo_ids, search and count of `query` each give the photos `wanted` (sorted ids):
    the three ways the index answers a query must not disagree."""
    assert sorted(index.photo_ids(query)) == wanted
    assert sorted(record.id for record in index.search(query, limit=50)) == wanted
    assert index.count(query) == len(wanted)

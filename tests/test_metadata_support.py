"""Helpers for the metadata-writing tests: synthetic JPEGs and index rows.
(No tests in here; the module name only keeps it next to the tests that use it.)"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.fingerprint import fingerprint_file
from app.core.index import PhotoIndex

RAW_KINDS = {".nef": "raw", ".dng": "raw", ".cr2": "raw", ".png": "png", ".tif": "tiff", ".heic": "heic"}


def make_jpeg(path: Path, size: tuple[int, int] = (96, 64), exif: bool = True, seed: int = 0, quality: int = 90) -> Path:
    """A small JPEG of its own (blocks of colour with some grain, a scene rather than noise,
    which the app takes for no picture at all) with camera-like EXIF (Make, Model,
    DateTimeOriginal, a thumbnail)."""
    import numpy as np
    import piexif
    from PIL import Image

    rng = np.random.default_rng(seed)
    blocks = Image.fromarray(rng.integers(0, 255, size=(max(2, size[1] // 8), max(2, size[0] // 8), 3), dtype=np.uint8))
    smooth = np.asarray(blocks.resize(size, Image.Resampling.BILINEAR), dtype=np.int16)
    pixels = np.clip(smooth + rng.integers(-12, 13, size=smooth.shape), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    kwargs = {"quality": quality}
    if exif:
        thumb = io.BytesIO()
        image.resize((16, 12)).save(thumb, "JPEG")
        exif_dict = {
            "0th": {piexif.ImageIFD.Make: b"NIKON CORPORATION", piexif.ImageIFD.Model: b"NIKON D90"},
            "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2020:11:05 10:11:12"},
            "1st": {piexif.ImageIFD.JPEGInterchangeFormat: 0, piexif.ImageIFD.JPEGInterchangeFormatLength: 0},
            "thumbnail": thumb.getvalue(),
        }
        kwargs["exif"] = piexif.dump(exif_dict)
    image.save(path, "JPEG", **kwargs)
    return path


def add_photo(index: PhotoIndex, files: list[Path], label: str | None = None, state: str = "accepted") -> int:
    """Index a photo made of `files` (first is primary) as a scan would, with a label."""
    primary = files[0].resolve()
    with index.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO photos (folder, stem, primary_path, taken_at, has_raw, added_at) VALUES (?, ?, ?, ?, ?, ?)",
            (str(primary.parent), primary.stem, str(primary), "2020-11-05T10:11:12",
             int(any(RAW_KINDS.get(f.suffix.lower()) == "raw" for f in files)), "2020-11-05"),
        )
        photo_id = int(cursor.lastrowid)
        for file in files:
            file = file.resolve()
            stat = file.stat()
            kind = "jpeg" if file.suffix.lower() in (".jpg", ".jpeg") else RAW_KINDS.get(file.suffix.lower(), "raw")
            conn.execute(
                "INSERT INTO files (photo_id, path, name, ext, kind, size, mtime_ns, fingerprint, missing) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (photo_id, str(file), file.name, file.suffix.lower(), kind, stat.st_size, stat.st_mtime_ns,
                 fingerprint_file(file)),
            )
    if state != "unlabelled":
        index.set_label(photo_id, label, source="user" if state == "accepted" else "model", state=state)
    return photo_id


def read_back(index: PhotoIndex, photo_id: int, label: str, files: list[Path]) -> None:
    """The photo's label read back from `label`'s keyword in `files`, as a scan of a
    photo the index held no word about does (labels.adopt_written_label)."""
    from app.core.index.labels import adopt_written_label

    with index.transaction() as conn:
        assert adopt_written_label(conn, photo_id, label, [str(file.resolve()) for file in files])


def require_exiftool() -> str:
    """The exiftool command; skips the test when it is not installed."""
    tool = shutil.which("exiftool")
    if tool is None:
        pytest.skip("exiftool is not installed (Debian: libimage-exiftool-perl)")
    return tool


def exiftool_tags(path: Path, *tags: str) -> dict:
    """exiftool's view of a file (`-j -G1 -a`), as a dict; list values stay lists."""
    import json

    result = subprocess.run(
        ["exiftool", "-j", "-G1", "-a", "-struct", *[f"-{t}" for t in tags], os.fspath(path)],
        capture_output=True, check=True,
    )
    return json.loads(result.stdout)[0]


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def with_iptc_block(path: Path, caption: bytes = b"Rome, spring 2019") -> Path:
    """The JPEG at `path` given an IPTC block holding a caption and no keyword (as a
    newsroom tool or Photo Mechanic leaves one): a write puts IPTC Keywords only into a
    JPEG that holds IPTC already."""
    from app.core.metadata import iptc
    from app.core.metadata.jpeg_fields import restore_segments

    block = iptc.build_datasets([iptc.DataSet(2, 0, b"\x00\x04"), iptc.DataSet(2, 120, caption)])
    payload = iptc.build_resources([iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", block)])
    path.write_bytes(restore_segments(path.read_bytes(), {"photoshop": payload}))
    return path

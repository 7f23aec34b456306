"""A photo edited in place by another program often keeps its size to the byte: an EXIF
date corrected by exiftool, a keyword written into XMP padding. Only its modification
time tells the scan it changed; the scan must read it again, not keep the old values."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_index_support import write_jpeg


def test_a_date_corrected_in_place_at_the_same_size_is_read_again(tmp_path: Path) -> None:
    library = tmp_path / "Photos"
    photo = write_jpeg(library / "DSC_0001.JPG", taken="2020:11:03 14:05:09")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [library])
        photo_id = index.search()[0].id
        assert index.get(photo_id).taken_at.startswith("2020-11-03")
        index.set_label(photo_id, "Colosseum")

        before = photo.stat()
        data = photo.read_bytes()
        assert data.count(b"2020:11:03") >= 1
        photo.write_bytes(data.replace(b"2020:11:03", b"2021:11:03"))  # the year put right, nothing else
        os.utime(photo, ns=(before.st_atime_ns, before.st_mtime_ns + 5_000_000_000))
        assert photo.stat().st_size == before.st_size

        summary = scan(index, [library])
        assert (summary.new, summary.changed, summary.missing) == (0, 1, 0)
        assert index.get(photo_id).taken_at.startswith("2021-11-03")
        assert index.count("date:2021-11") == 1 and index.count("date:2020-11") == 0
        assert index.get(photo_id).label == "Colosseum"  # the same photo, its label kept

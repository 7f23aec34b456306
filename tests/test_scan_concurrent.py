"""Two scans of the same folders at once (a cron scan and the app's start-up check):
what the other scan indexed while this one read the files is no news of this one's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import app.core.scanner as scanner_module
from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_index_support import jpeg_bytes, write_jpeg


def scan_on_another_connection(db: Path, root: Path) -> None:
    with PhotoIndex.open(db) as other:
        assert scan(other, [root]).errors == 0


@pytest.fixture
def meanwhile(monkeypatch):
    """`meanwhile(action)`: `action` runs once, right after the scan lists what the index
    knows of its first folder and before it writes there (the window of the race)."""
    real_known_files = scanner_module.catalog.known_files

    def arrange(action) -> None:
        def known_files(conn, folder):
            known = real_known_files(conn, folder)
            monkeypatch.setattr(scanner_module.catalog, "known_files", real_known_files)
            action()
            return known

        monkeypatch.setattr(scanner_module.catalog, "known_files", known_files)

    return arrange


def test_photos_another_scan_added_meanwhile_are_neither_new_nor_changed(tmp_path: Path, meanwhile) -> None:
    db, library = tmp_path / "index.db", tmp_path / "library"
    for n in range(3):
        write_jpeg(library / f"IMG_{n}.jpg", color=(n * 40, 9, 9))
    meanwhile(lambda: scan_on_another_connection(db, library))
    with PhotoIndex.open(db) as index:
        summary = scan(index, [library])
        assert (summary.photos, summary.new, summary.changed, summary.errors) == (3, 0, 0, 0)
        assert index.count("") == 3
        assert scan(index, [library]).changed == 0


def test_contents_another_scan_indexed_differently_are_a_change(tmp_path: Path, meanwhile) -> None:
    """The other scan read the photo before it was edited, this one after: the index
    holds other contents than this scan found, which it writes and counts as changed."""
    db, library = tmp_path / "index.db", tmp_path / "library"
    photo = write_jpeg(library / "IMG_1.jpg", color=(9, 200, 9), taken="2020:01:01 10:00:00")
    edited, stat = photo.read_bytes(), photo.stat()

    def other_scan_of_the_photo_before_its_edit() -> None:
        photo.write_bytes(jpeg_bytes(color=(200, 9, 9), taken="2019:05:05 10:00:00"))
        scan_on_another_connection(db, library)
        photo.write_bytes(edited)
        os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    meanwhile(other_scan_of_the_photo_before_its_edit)
    with PhotoIndex.open(db) as index:
        summary = scan(index, [library])
        assert (summary.photos, summary.new, summary.changed) == (1, 0, 1)
        assert index.search("IMG_1")[0].taken_at == "2020-01-01T10:00:00"

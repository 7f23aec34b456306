"""Helpers for the tests of photos renamed onto each other's names: four pictures, batch renames, RAW pairs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_index_support import write_jpeg


COLOURS = {1: (200, 10, 10), 2: (10, 200, 10), 3: (10, 10, 200), 4: (200, 200, 10)}


@pytest.fixture
def index(tmp_path):
    with PhotoIndex.open(tmp_path / "index.db") as opened:
        yield opened


@pytest.fixture
def rome(tmp_path) -> Path:
    """DSC_0001-0004.JPG, four different pictures."""
    for number, colour in COLOURS.items():
        write_jpeg(tmp_path / "Rome" / f"DSC_000{number}.JPG", color=colour, size=(32 + number, 24),
                   taken=f"2020:11:03 14:05:0{number}")  # frames of one walk, a second apart
    return tmp_path / "Rome"


def ids_by_name(index: PhotoIndex) -> dict[str, int]:
    return {Path(r.path).name: r.id for r in index.search("")}


def rename_all(folder: Path, moves: list[tuple[str, str]]) -> None:
    """Rename as a batch renamer does: through a temporary name, keeping each file's times."""
    for old, _ in moves:
        os.rename(folder / old, folder / f"{old}.moving")
    for old, new in moves:
        os.rename(folder / f"{old}.moving", folder / new)


def two_raw_jpeg_pairs(trip: Path, *, timed: bool = False) -> None:
    """DSC_0001 and DSC_0002, each a JPEG beside a NEF stand-in (a few bytes, no real RAW);
    timed: the JPEGs record frames of one walk, a second apart."""
    for number in (1, 2):
        taken = {"taken": f"2020:11:03 14:05:0{number}"} if timed else {}
        write_jpeg(trip / f"DSC_000{number}.JPG", color=COLOURS[number], **taken)
        (trip / f"DSC_000{number}.NEF").write_bytes(bytes([number]) * 5000)


def raw_jpeg_pairs_scanned(tmp_path: Path, index: PhotoIndex, monkeypatch) -> tuple[Path, dict[str, int]]:
    """two_raw_jpeg_pairs in Trip, scanned with the NEF stand-ins taken for RAW files (they
    are none): the folder and the photo ids by file name."""
    import app.core.scan_folder_sync as scan_folder_sync
    from app.core.photo_info import PhotoInfo, read_photo_info

    def read(path):
        if str(path).lower().endswith(".nef"):
            return PhotoInfo(kind="raw", width=6000, height=4000)
        return read_photo_info(path)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", read)
    trip = tmp_path / "Trip"
    two_raw_jpeg_pairs(trip)
    scan(index, [trip])
    return trip, ids_by_name(index)


def _labels_by_name(index: PhotoIndex) -> dict[str, str | None]:
    return {Path(r.path).name: r.label for r in index.search("")}

"""`relocate OLD NEW` compares the content of a sample of the files at NEW with the indexed
ones: same names and sizes are not enough (another card of the same camera numbers its
files alike). Most of the sample differing means other pictures, refused with nothing
changed; up to half differing means the folder, some photos edited in place since."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from tests.test_index_support import write_jpeg


def _labelled_folder_moved(tmp_path: Path, photos: int) -> tuple[Path, Path, Path]:
    """`photos` labelled photos in Photos, scanned, then the folder moved to Moved."""
    folder, db, moved = tmp_path / "Photos", tmp_path / "index.db", tmp_path / "Moved"
    for number in range(photos):
        write_jpeg(folder / f"DSC_{number:04d}.JPG", color=(number * 90, 80, 120))
    assert main(["--db", str(db), "scan", str(folder)]) == 0
    assert main(["--db", str(db), "label", str(folder), "Colosseum"]) == 0
    shutil.move(folder, moved)
    return folder, moved, db


def _another_picture_at_the_same_size(photo: Path) -> None:
    data = bytearray(photo.read_bytes())
    data[-10] ^= 0xFF  # within what the fingerprint reads; the size stays
    photo.write_bytes(bytes(data))


def _state(db: Path) -> tuple[list[str], list[str]]:
    with PhotoIndex.open(db) as index:
        return [str(r) for r in index.roots()], sorted(r[0] for r in index.conn.execute("SELECT path FROM files"))


@pytest.mark.parametrize("photos, differing", [(3, 2), (3, 3)])
def test_a_folder_where_most_same_named_files_are_other_pictures_is_refused(
        tmp_path: Path, capsys, photos: int, differing: int) -> None:
    folder, moved, db = _labelled_folder_moved(tmp_path, photos)
    for number in range(photos - differing, photos):
        _another_picture_at_the_same_size(moved / f"DSC_{number:04d}.JPG")
    before = _state(db)
    capsys.readouterr()

    assert main(["--db", str(db), "relocate", str(folder), str(moved)]) == 2
    assert "the files there are not the indexed ones" in capsys.readouterr().err
    assert _state(db) == before


@pytest.mark.parametrize("photos, differing", [(3, 1), (2, 1)])  # a minority, and exactly half
def test_a_folder_where_at_most_half_were_edited_in_place_is_followed(
        tmp_path: Path, capsys, photos: int, differing: int) -> None:
    folder, moved, db = _labelled_folder_moved(tmp_path, photos)
    for number in range(differing):
        _another_picture_at_the_same_size(moved / f"DSC_{number:04d}.JPG")

    assert main(["--db", str(db), "relocate", str(folder), str(moved)]) == 0
    assert _state(db)[0] == [str(moved)]
    with PhotoIndex.open(db) as index:
        assert (index.count("label:Colosseum"), index.count("is:missing")) == (photos, 0)

"""`relocate OLD NEW` onto the wrong folder (OLD still there with its photos, or NEW
holding a few of them: a backup, a card with part of the trip) is refused with nothing
changed, since the photos it would mark missing are one `forget --missing` away from
losing their labels; --follow-copy goes ahead for a copy the library should follow."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.relocate import NotMovedError, relocate_folder
from tests.test_index_support import write_jpeg


def _labelled_library(tmp_path: Path, photos: int = 10) -> tuple[Path, Path]:
    """Photos/Rome holding `photos` labelled photos, scanned into index.db."""
    folder, db = tmp_path / "Photos", tmp_path / "index.db"
    for number in range(photos):
        write_jpeg(folder / "Rome" / f"DSC_{number:04d}.JPG", color=(number * 20, 80, 120))
    assert main(["--db", str(db), "scan", str(folder)]) == 0
    assert main(["--db", str(db), "label", str(folder), "Colosseum"]) == 0
    return folder, db


def _copy_of(folder: Path, to: Path, names: list[str]) -> Path:
    for name in names:
        (to / "Rome").mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / "Rome" / name, to / "Rome" / name)
    return to


def _state(db: Path) -> tuple[list[str], list[str], int, int]:
    with PhotoIndex.open(db) as index:
        paths = sorted(r[0] for r in index.conn.execute("SELECT path FROM files"))
        labelled = index.count("label:Colosseum") + index.count("label:Colosseum is:missing")
        return [str(r) for r in index.roots()], paths, labelled, index.count("is:missing")


def test_a_folder_still_there_is_not_relocated_onto_a_backup_holding_one_photo(tmp_path: Path, capsys) -> None:
    photos, db = _labelled_library(tmp_path)
    backup = _copy_of(photos, tmp_path / "Backup", ["DSC_0001.JPG"])
    before = _state(db)
    capsys.readouterr()

    assert main(["--db", str(db), "relocate", str(photos), str(backup)]) == 2
    err = capsys.readouterr().err
    assert f"{photos} has not moved: 10 of its 10 indexed files are still there (1 in {backup})" in err
    assert "Nothing changed" in err and "add --follow-copy (the 9 files not in it would be marked missing)" in err
    assert len(err.strip().splitlines()) == 1
    assert _state(db) == before

    # a partial copy the user means the library to follow: said so, it goes ahead
    assert main(["--db", str(db), "relocate", "--follow-copy", str(photos), str(backup)]) == 0
    assert "1 file found there, 9 not: marked missing" in capsys.readouterr().err
    roots, _paths, labelled, missing = _state(db)
    assert (roots, labelled, missing) == ([str(backup)], 10, 9)


def test_a_whole_copy_beside_the_folder_is_refused_without_the_flag(tmp_path: Path) -> None:
    photos, db = _labelled_library(tmp_path, photos=3)
    copy = tmp_path / "Photos (copy)"
    shutil.copytree(photos, copy)
    before = _state(db)
    with PhotoIndex.open(db) as index:
        with pytest.raises(NotMovedError, match="has not moved: 3 of its 3 indexed files are still there") as refused:
            relocate_folder(index, photos, copy)
        assert refused.value.would_go_missing == 0
    assert _state(db) == before
    with PhotoIndex.open(db) as index:
        summary = relocate_folder(index, photos, copy, follow_copy=True)
        assert (summary.files_found, summary.files_not_found) == (3, 0)
    assert _state(db)[0] == [str(copy)] and _state(db)[2:] == (3, 0)


def test_a_folder_gone_is_not_relocated_onto_one_holding_under_half_of_its_files(tmp_path: Path, capsys) -> None:
    photos, db = _labelled_library(tmp_path, photos=4)
    card = _copy_of(photos, tmp_path / "card", ["DSC_0001.JPG"])
    shutil.rmtree(photos)  # the drive is unplugged: only a card with part of the trip is there
    before = _state(db)
    capsys.readouterr()

    assert main(["--db", str(db), "relocate", str(photos), str(card)]) == 2
    err = capsys.readouterr().err
    assert f"only 1 of the 4 files of {photos} is in {card}; is it the right folder? Nothing changed" in err
    assert "add --follow-copy (the 3 files not in it would be marked missing)" in err
    assert _state(db) == before


def test_a_folder_moved_with_half_of_its_files_lost_is_followed(tmp_path: Path) -> None:
    """Half the files there and the old folder gone: a move that lost some, not a wrong folder."""
    photos, db = _labelled_library(tmp_path, photos=4)
    moved = tmp_path / "drive F" / "Photos"
    moved.parent.mkdir()
    shutil.move(photos, moved)
    for name in ("DSC_0000.JPG", "DSC_0001.JPG"):
        (moved / "Rome" / name).unlink()
    with PhotoIndex.open(db) as index:
        summary = relocate_folder(index, photos, moved)
        assert (summary.files_found, summary.files_not_found) == (2, 2)
    assert _state(db)[0] == [str(moved)]


def test_a_link_left_where_the_folder_was_is_no_copy(tmp_path: Path) -> None:
    """OLD still answers because it is NEW under another name (a link left where it was, as
    a case-insensitive disk answers for `photos` and `Photos`): the files are not copies."""
    photos, db = _labelled_library(tmp_path, photos=2)
    moved = tmp_path / "Archive"
    photos.rename(moved)
    try:
        os.symlink(moved, photos, target_is_directory=True)
    except (OSError, NotImplementedError):
        pytest.skip("this system makes no folder links")
    with PhotoIndex.open(db) as index:
        summary = relocate_folder(index, photos, moved)
        assert (summary.files_found, summary.files_not_found) == (2, 0)
    assert _state(db)[0] == [str(moved)] and _state(db)[2:] == (2, 0)

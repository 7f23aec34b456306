"""A library folder whose every photo was deleted (the folder still there, empty) holds
deleted photos, as a folder missing one photo does: undo counts its files as gone and
`forget --missing` forgets them. The empty mount point of a card not connected (a folder
unchanged since the index saw the card's photos in it) and a folder not found are a
card or disk unplugged: undo keeps its batch open and `forget --missing` keeps them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.core import emptied_folders, scanner
from app.core.emptied_folders import EMPTY_MOUNT_POINT, why_unreachable
from app.core.index import PhotoIndex
from app.core.index.photos_seen import LibraryFolders, photos_seen_at
from app.core.metadata.disk_problems import DiskUnreachableError, disk_gone_error
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo

NAMES = ("DSC_0001.JPG", "DSC_0002.JPG")


@pytest.fixture
def written_card(tmp_path, capsys) -> tuple[str, Path]:
    """A library folder `CARD` with two JPEGs, scanned, labelled and written; (db, CARD)."""
    card = tmp_path / "CARD"
    for number, name in enumerate(NAMES, 1):
        photo(card / name, number)
    db = str(tmp_path / "index.db")
    for argv in (["scan", str(card)], ["label", str(card), "Colosseum"], ["write"]):
        code, out, err = run_cli(capsys, "--db", db, *argv)
        assert code == 0, (argv, out, err)
    return db, card


def unplug(card: Path, drawer: Path) -> None:
    """The card taken out: its mount point stays, empty and as it was before the card
    was mounted on it (a mount point's own time, older than any scan of the card)."""
    drawer.mkdir()
    for name in NAMES:
        (card / name).rename(drawer / name)
    os.utime(card, (0, 0))


def test_undo_counts_the_files_of_an_emptied_library_folder_as_deleted(written_card, capsys):
    db, card = written_card
    for name in NAMES:
        (card / name).unlink()  # culled: every photo of the folder
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 1 and "has disappeared" in err, err
    assert "cannot be reached" not in err and "connect" not in err and "is empty" not in err, err
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 1 and "this batch is closed" in err, err


def test_undo_keeps_its_batch_while_the_card_of_an_empty_mount_point_is_unplugged(written_card, capsys, tmp_path):
    db, card = written_card
    drawer = tmp_path / "drawer"
    unplug(card, drawer)
    for attempt in range(3):
        code, out, err = run_cli(capsys, "--db", db, "undo")
        assert code == 1 and f"its library folder {card} {EMPTY_MOUNT_POINT}" in err, err
        assert "2 files on a card or disk that cannot be reached" in err and "closed" not in err, err
    for name in NAMES:
        (drawer / name).rename(card / name)  # plugged back
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 0 and "2 files restored, 0 failed" in err, err


def test_forget_missing_forgets_the_photos_of_an_emptied_folder_not_those_of_an_unplugged_card(
        tmp_path, capsys, monkeypatch):
    culled, card = tmp_path / "Culled", tmp_path / "CARD"
    for folder, shade in ((culled, 1), (card, 3)):
        for number, name in enumerate(NAMES):
            photo(folder / name, shade + number)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(culled), str(card))[0] == 0
    for name in NAMES:
        (culled / name).unlink()
    unplug(card, tmp_path / "drawer")
    with monkeypatch.context() as older:  # a rescan that walked the mount point (now skipped:
        older.setattr(scanner, "drive_not_connected", lambda index, folder: False)  # test_unplugged_card_rescan)
        code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "4 missing" in err, err
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["missing"] == 2, (out, err)
    assert json.loads(out)["skipped_folders"] == [str(card)], out
    with PhotoIndex.open(db) as index:
        left = sorted(Path(p.path).parent.name for p in index.search("is:missing"))
    assert left == ["CARD", "CARD"]


def test_an_empty_folder_with_a_disk_mounted_on_it_is_emptied_by_the_user(tmp_path, monkeypatch):
    """A card mounted there now whose photos were all deleted (on the card itself)."""
    mount_point = tmp_path / "CARD"
    mount_point.mkdir()
    os.utime(mount_point, (0, 0))
    assert why_unreachable(mount_point, photos_seen_at=1e9) == EMPTY_MOUNT_POINT
    monkeypatch.setattr(emptied_folders.os.path, "ismount", lambda path: path == os.path.realpath(mount_point))
    assert why_unreachable(mount_point, photos_seen_at=1e9) is None


def test_an_empty_folder_counts_as_a_disk_gone_where_no_scan_saw_its_photos(tmp_path):
    """Photos indexed otherwise than by a scan (none saw them in their folder): as before."""
    from tests.test_metadata_support import add_photo, make_jpeg

    folder = tmp_path / "CARD"
    folder.mkdir()
    jpeg = make_jpeg(folder / "DSC_0001.JPG")
    with PhotoIndex.open(":memory:") as index:
        index.add_root(folder)
        add_photo(index, [jpeg], "Petra")
        jpeg.unlink()
        assert photos_seen_at(index.conn, str(folder)) is None
        assert why_unreachable(folder, None) == EMPTY_MOUNT_POINT
        gone = disk_gone_error(jpeg, LibraryFolders.of(index))
        assert isinstance(gone, DiskUnreachableError) and gone.library_folder == str(folder)

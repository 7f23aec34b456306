"""A library folder whose every photo was deleted (the folder still there, empty) holds
deleted photos, as a folder missing one photo does: undo counts its files as gone and
`forget --missing` forgets them, also where the folder's time did not move (a camera
deleting on its FAT card, a NAS clock behind). The empty mount point of a card not
connected (a card was mounted on the folder when a scan saw its photos there, and is
not now) and a folder not found are a card or disk unplugged: undo keeps its batch open
and `forget --missing` keeps them. There are no real mounts here: `Mounts` makes
os.path.ismount say a card is mounted on a folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.core import emptied_folders, scanner
from app.core.emptied_folders import EMPTY_MOUNT_POINT, PhotosSeen, is_mount_point, why_unreachable
from app.core.index import PhotoIndex
from app.core.index.photos_seen import LibraryFolders, photos_seen_at
from app.core.metadata.disk_problems import DiskUnreachableError, disk_gone_error
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo

NAMES = ("DSC_0001.JPG", "DSC_0002.JPG")


class Mounts:
    """Cards mounted on folders, as os.path.ismount (and the walk's test) tells them (monkeypatched: no real
    mount here), from `mount` until `unmount`."""

    def __init__(self, monkeypatch) -> None:
        self.folders: set[str] = set()
        real = os.path.ismount
        monkeypatch.setattr(os.path, "ismount", lambda path: os.path.realpath(path) in self.folders or real(path))
        # the scan's walk asks its own cheaper test (no realpath per folder): the same answer
        real_on_walk = emptied_folders._is_mount_unresolved
        monkeypatch.setattr(emptied_folders, "_is_mount_unresolved",
                            lambda path: os.path.realpath(path) in self.folders or real_on_walk(path))

    def mount(self, folder: Path) -> None:
        self.folders.add(os.path.realpath(folder))

    def unmount(self, folder: Path) -> None:
        self.folders.discard(os.path.realpath(folder))


@pytest.fixture
def mounts(monkeypatch) -> Mounts:
    return Mounts(monkeypatch)


def write_card(tmp_path: Path, capsys, mounts: Mounts | None = None) -> tuple[str, Path]:
    """A library folder `CARD` with two JPEGs (a card mounted on it, with `mounts`),
    scanned, labelled and written; (db, CARD)."""
    card = tmp_path / "CARD"
    for number, name in enumerate(NAMES, 1):
        photo(card / name, number)
    if mounts is not None:
        mounts.mount(card)
    db = str(tmp_path / "index.db")
    for argv in (["scan", str(card)], ["label", str(card), "Colosseum"], ["write"]):
        code, out, err = run_cli(capsys, "--db", db, *argv)
        assert code == 0, (argv, out, err)
    return db, card


def unplug(card: Path, drawer: Path, mounts: Mounts) -> None:
    """The card taken out: its mount point stays, a plain empty folder (its time as the
    move of the photos out of it left it: newer than the scan, which no clock rule
    would take for a card unplugged)."""
    drawer.mkdir()
    for name in NAMES:
        (card / name).rename(drawer / name)
    mounts.unmount(card)


def plug_back(card: Path, drawer: Path, mounts: Mounts) -> None:
    for name in NAMES:
        (drawer / name).rename(card / name)
    mounts.mount(card)


def delete_photos_leaving_its_time(folder: Path) -> None:
    """Every photo of `folder` deleted while the folder's time stays as before its scan
    (a camera deleting on its FAT card, FAT's 2-second stamps, a NAS clock behind)."""
    for name in NAMES:
        (folder / name).unlink()
    os.utime(folder, (0, 0))


@pytest.mark.parametrize("its_time", ["moved", "left as it was"])
def test_undo_counts_the_files_of_an_emptied_library_folder_as_deleted(tmp_path, capsys, its_time):
    db, card = write_card(tmp_path, capsys)  # no card mounted on it
    if its_time == "moved":
        for name in NAMES:
            (card / name).unlink()  # culled: every photo of the folder
    else:
        delete_photos_leaving_its_time(card)
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 1 and "has disappeared" in err, err
    assert "cannot be reached" not in err and "connect" not in err and "is empty" not in err, err
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 1 and "this batch is closed" in err, err


def test_undo_keeps_its_batch_while_the_card_of_an_empty_mount_point_is_unplugged(tmp_path, capsys, mounts):
    db, card = write_card(tmp_path, capsys, mounts)
    drawer = tmp_path / "drawer"
    unplug(card, drawer, mounts)
    for attempt in range(3):
        code, out, err = run_cli(capsys, "--db", db, "undo")
        assert code == 1 and f"its library folder {card} {EMPTY_MOUNT_POINT}" in err, err
        assert "2 files on a card or disk that cannot be reached" in err and "closed" not in err, err
    plug_back(card, drawer, mounts)
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 0 and "2 files restored, 0 failed" in err, err


def test_forget_missing_forgets_the_photos_of_an_emptied_folder_not_those_of_an_unplugged_card(
        tmp_path, capsys, monkeypatch, mounts):
    culled, card = tmp_path / "Culled", tmp_path / "CARD"
    for folder, shade in ((culled, 1), (card, 3)):
        for number, name in enumerate(NAMES):
            photo(folder / name, shade + number)
    mounts.mount(card)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(culled), str(card))[0] == 0
    delete_photos_leaving_its_time(culled)
    unplug(card, tmp_path / "drawer", mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")  # Culled's photos are marked missing, CARD skipped
    assert code == 1 and "2 missing" in err and f"{card}: not found (drive not connected?)" in err, err
    with monkeypatch.context() as older:  # a rescan that walked the mount point (now skipped:
        older.setattr(scanner, "drive_not_connected",  # test_unplugged_card_rescan)
                      lambda index, folder, mounts=None: False)
        older.setattr(scanner, "record_mount_point", lambda index, folder, *measured: None)  # (recorded nothing)
        code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "2 missing" in err, err
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["missing"] == 2, (out, err)
    assert json.loads(out)["skipped_folders"] == [str(card)], out
    with PhotoIndex.open(db) as index:
        left = sorted(Path(p.path).parent.name for p in index.search("is:missing"))
    assert left == ["CARD", "CARD"]


def test_an_empty_folder_with_a_disk_mounted_on_it_is_emptied_by_the_user(tmp_path, mounts):
    """A card mounted there now whose photos were all deleted (on the card itself)."""
    mount_point = tmp_path / "CARD"
    mount_point.mkdir()
    os.utime(mount_point, (0, 0))
    seen = PhotosSeen(at=1e9, on_mount_point=True)
    assert why_unreachable(mount_point, seen) == EMPTY_MOUNT_POINT
    mounts.mount(mount_point)
    assert why_unreachable(mount_point, seen) is None


@pytest.mark.parametrize("on_mount_point, its_time, unreachable", [
    (True, "moved", True),  # the card unplugged: its mount point's time moved, a mount point then
    (False, "left as it was", False),  # emptied on a FAT card or a NAS: no mount point then
    (None, "moved", False),  # an index an older version scanned: the time rule
    (None, "left as it was", True),
])
def test_an_empty_folder_is_a_card_gone_when_a_card_was_mounted_on_it_as_its_photos_were_seen(
        tmp_path, on_mount_point, its_time, unreachable):
    folder = tmp_path / "CARD"
    folder.mkdir()
    os.utime(folder, (0, 0) if its_time == "left as it was" else (2e9, 2e9))
    seen = PhotosSeen(at=1e9, on_mount_point=on_mount_point)
    assert (why_unreachable(folder, seen) == EMPTY_MOUNT_POINT) is unreachable


def test_a_mount_point_is_told_by_its_device_where_ismount_fails(tmp_path, monkeypatch):
    def failing(path):
        raise OSError("the volume API refused the path")

    monkeypatch.setattr(os.path, "ismount", failing)
    assert is_mount_point(tmp_path) is False  # on its parent's device
    assert is_mount_point(Path(os.path.abspath(os.sep))) is True  # the root of its drive
    assert is_mount_point(tmp_path / "gone") is None


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
        assert photos_seen_at(index.conn, str(folder)) == PhotosSeen(at=None, on_mount_point=None)
        assert why_unreachable(folder, None) == EMPTY_MOUNT_POINT
        gone = disk_gone_error(jpeg, LibraryFolders.of(index))
        assert isinstance(gone, DiskUnreachableError) and gone.library_folder == str(folder)


def test_an_emptied_folder_stays_emptied_once_forget_missing_took_its_photos(tmp_path, capsys):
    """After the README's clean-up step (`scan`, then `forget --missing --yes`) the index held
    no photo in the folder the user emptied, so it no longer knew how it saw them and took
    the empty folder for a card unplugged: undo kept its batch open for good ("connect the
    card"), and older batches could no longer be undone (found by a tester). The record of
    the folder's mount point outlives its photos."""
    db, card = write_card(tmp_path, capsys)  # no card mounted on it
    for name in NAMES:
        (card / name).unlink()
    for argv in (["scan"], ["forget", "--missing", "--yes"]):
        code, out, err = run_cli(capsys, "--db", db, *argv)
        assert code == 0, (argv, err)
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 1 and "has disappeared" in err and "connect" not in err, err
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 1 and "this batch is closed" in err, err


@pytest.mark.parametrize("mount_point", ["left empty", "removed by the system"])
def test_write_leaves_the_files_of_a_card_mounted_on_a_library_folder_alone_while_it_is_out(
        tmp_path, capsys, mounts, mount_point):
    """The library folder is the card's mount point (/media/me/CARD added as one): taken
    out, `write` says one note for the card and exits 0 (it failed each file, exit 1, with
    a `scan CARD` that cannot reach them); plugged back in, the next write writes them."""
    db, card = write_card(tmp_path, capsys, mounts)
    assert run_cli(capsys, "--db", db, "label", str(card), "Petra")[0] == 0
    drawer = tmp_path / "drawer"
    unplug(card, drawer, mounts)
    if mount_point == "removed by the system":
        card.rmdir()
    code, out, err = run_cli(capsys, "--db", db, "write")
    assert code == 0 and "0 files written, 0 failed, 2 left alone" in err, err
    assert "error" not in err and "not found" not in err and err.count("card not connected") == 1, err
    assert f"note: {card.name}: a card not connected: 2 files on it left as they are; plug the card in" in err, err
    card.mkdir(exist_ok=True)
    plug_back(card, drawer, mounts)
    code, out, err = run_cli(capsys, "--db", db, "write")
    assert code == 0 and "2 files written, 0 failed" in err and "left alone" not in err, err

"""A card or NAS share mounted on a folder inside a library folder (~/Pictures/Card, the
library folder ~/Pictures) leaves its mount point an empty plain folder when it is
unplugged. A rescan marked the card's photos missing and `forget --missing` then forgot
their labels (found by a tester). Each scan now records the folders it walks that a card
is mounted on; one recorded so that is a plain empty folder now is skipped as a card not
connected (its photos kept, said once, as for a library folder), and `forget --missing`
keeps its photos. A plain folder the user emptied still has its photos marked missing.
`Mounts` makes os.path.ismount say a card is mounted on a folder (no real mount here)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.index.photos_seen import MountPointsBelow
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo
from tests.test_emptied_library_folder import Mounts, mounts  # noqa: F401
from tests.test_index_support import missing_photos, photos_labelled, unplug_card

CARD_PHOTOS = ("DCIM/100CANON/IMG_0001.JPG", "DCIM/100CANON/IMG_0002.JPG", "IMG_0003.JPG")


def _pictures_with_a_card(tmp_path, capsys, mounts: Mounts | None) -> tuple[str, Path, Path]:
    """(db, Pictures, Pictures/Card): a library folder with a photo of its own and a card
    (mounted on Card, with `mounts`) holding three, scanned; the card's labelled."""
    pictures = tmp_path / "Pictures"
    card = pictures / "Card"
    photo(pictures / "home.jpg", 0)
    for shade, name in enumerate(CARD_PHOTOS, 1):
        photo(card / name, shade)
    if mounts is not None:
        mounts.mount(card)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(pictures))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(card), "Colosseum")[0] == 0
    return db, pictures, card


def _plug_back(card: Path, drawer: Path, mounts: Mounts) -> None:
    for entry in list(drawer.iterdir()):
        entry.rename(card / entry.name)
    mounts.mount(card)


def test_a_rescan_leaves_the_photos_of_a_card_unplugged_from_a_folder_in_the_library(tmp_path, capsys, mounts):
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    drawer = tmp_path / "drawer"
    unplug_card(card, drawer, mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert err.count(f"{card}: not found (drive not connected?)") == 1, err
    assert "plug the card in and scan again" in err and "0 missing" in err, err
    assert code == 1  # as for a library folder not found
    assert missing_photos(db) == []
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["missing"] == 0, (out, err)
    assert photos_labelled(db, "Colosseum") == 3
    _plug_back(card, drawer, mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing, 0 errors" in err, err
    assert photos_labelled(db, "Colosseum") == 3


def test_forget_missing_keeps_the_photos_an_older_scan_marked_missing_on_an_unplugged_card(
        tmp_path, capsys, monkeypatch, mounts):
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    (pictures / "home.jpg").unlink()  # culled
    unplug_card(card, tmp_path / "drawer", mounts)
    with monkeypatch.context() as older:  # a version that walked the mount point marked its photos missing
        older.setattr(MountPointsBelow, "card_not_connected", lambda self, folder: False)
        older.setattr(MountPointsBelow, "record", lambda self, folder, through_link=False: None)
        code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "4 missing" in err, err
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["missing"] == 1, (out, err)  # home.jpg
    assert json.loads(out)["skipped_folders"] == [str(card)], out
    assert missing_photos(db) == sorted(str(card / name) for name in CARD_PHOTOS)
    assert photos_labelled(db, "Colosseum") == 3


@pytest.mark.parametrize("how", ["a plain folder", "a card mounted on it now"])
def test_a_folder_in_the_library_emptied_by_the_user_has_its_photos_missing(tmp_path, capsys, mounts, how):
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts if how != "a plain folder" else None)
    for entry in list(card.iterdir()):  # every photo deleted (on the card itself, where one is mounted)
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "3 missing" in err and "not connected" not in err, err
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["missing"] == 3, (out, err)
    assert missing_photos(db) == []


def _unplug_removing_its_mount_point(card: Path, drawer: Path, mounts: Mounts) -> None:
    """As udisks does (/media/me/CARD) or macOS (/Volumes/CARD): the card's mount point goes with it."""
    unplug_card(card, drawer, mounts)
    card.rmdir()


def test_a_card_whose_mount_point_the_system_removed_is_not_connected(tmp_path, capsys, mounts):
    """Its mount point gone was taken for a folder deleted: the card's photos were
    marked missing (found by a reviewer). A card was mounted there: it is unplugged."""
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    drawer = tmp_path / "drawer"
    _unplug_removing_its_mount_point(card, drawer, mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 1 and err.count(f"{card}: not found (drive not connected?)") == 1, err
    assert "0 missing" in err and "plug the card in and scan again" in err, err
    assert missing_photos(db) == []
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["skipped_folders"] == [str(card)], (out, err)
    card.mkdir()
    _plug_back(card, drawer, mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing, 0 errors" in err, err
    assert photos_labelled(db, "Colosseum") == 3


def test_label_of_a_copy_of_a_photo_on_a_card_whose_mount_point_was_removed_leaves_the_card(tmp_path, capsys,
                                                                                            mounts):
    """`label FILE` of a copy of a card photo read the card's folders for the photo moved
    away: the card's other photos became missing and its record (label) went to the copy."""
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    drawer = tmp_path / "drawer"
    _unplug_removing_its_mount_point(card, drawer, mounts)
    copy = pictures / "imported" / "IMG_0001.JPG"
    copy.parent.mkdir()
    shutil.copy2(drawer / CARD_PHOTOS[0], copy)
    code, out, err = run_cli(capsys, "--db", db, "label", str(copy), "Petra")
    assert code == 0, err
    assert missing_photos(db) == []
    assert photos_labelled(db, "Colosseum") == 3 and photos_labelled(db, "Petra") == 1


def test_a_rescan_records_a_card_in_a_library_folder_only_when_that_changed(tmp_path, capsys, mounts):
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    with PhotoIndex.open(db) as index, index.transaction() as conn:
        assert sorted(conn.execute("SELECT folder, mount_point FROM mount_points_seen")) == [
            (str(pictures), 0), (str(card), 1)]  # no row for the plain folders DCIM and 100CANON
        conn.execute("CREATE TABLE recorded (folder TEXT, mount_point INTEGER)")
        for verb in ("INSERT", "UPDATE"):
            conn.execute(f"CREATE TRIGGER recorded_{verb} AFTER {verb} ON mount_points_seen "
                         "BEGIN INSERT INTO recorded VALUES (new.folder, new.mount_point); END")
    assert run_cli(capsys, "--db", db, "scan")[0] == 0
    mounts.unmount(card)  # (the card copied into a plain folder: what it held is there)
    assert run_cli(capsys, "--db", db, "scan")[0] == 0
    assert run_cli(capsys, "--db", db, "scan")[0] == 0
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("SELECT folder, mount_point FROM recorded").fetchall() == [(str(card), 0)]
    assert missing_photos(db) == []


def test_undo_keeps_its_batch_while_a_card_below_a_library_folder_is_unplugged(tmp_path, capsys, mounts) -> None:
    """undo counted the files of a card mounted inside a library folder, unplugged, as
    deleted: a second try closed the batch, their keywords for good. It now keeps the
    batch open, as for a card mounted on a library folder, and restores once it is back."""
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    code, out, err = run_cli(capsys, "--db", db, "write")
    assert code == 0, err
    drawer = tmp_path / "drawer"
    unplug_card(card, drawer, mounts)
    for attempt in range(3):
        code, out, err = run_cli(capsys, "--db", db, "undo")
        assert code == 1 and f"its folder {card} is empty" in err and "closed" not in err, err
        assert "3 files on a card or disk that cannot be reached" in err, err
    _plug_back(card, drawer, mounts)
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 0 and "3 files restored, 0 failed" in err, err


def test_undo_of_files_deleted_from_a_plain_subfolder_closes_the_batch(tmp_path, capsys) -> None:
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, None)  # no card mounted: a plain folder
    assert run_cli(capsys, "--db", db, "write")[0] == 0
    shutil.rmtree(card / "DCIM")
    (card / "IMG_0003.JPG").unlink()
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 1 and "has disappeared" in err and "cannot be reached" not in err, err
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert "this batch is closed" in err, err


@pytest.mark.parametrize("left_by", [".DS_Store", "._IMG_0001.JPG", "Thumbs.db", "desktop.ini", ".directory"])
def test_what_a_system_leaves_in_the_empty_mount_point_keeps_it_a_card_unplugged(tmp_path, capsys, mounts,
                                                                                  left_by) -> None:
    """Finder opened on the empty mount point of the card (the user looking for its photos)
    writes .DS_Store there: the folder was no longer empty, the card's photos were marked
    missing and forget --missing dropped their labels (found by a reviewer)."""
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    unplug_card(card, tmp_path / "drawer", mounts)
    (card / left_by).write_bytes(b"\0\0\0\1Bud1")
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 1 and "not found (drive not connected?)" in err, err
    assert missing_photos(db) == []
    run_cli(capsys, "--db", db, "forget", "--missing", "--yes")
    with PhotoIndex.open(db) as index:
        assert len(index.photo_ids("label:Colosseum")) == len(CARD_PHOTOS)


def test_a_photo_left_in_the_mount_point_is_no_card_unplugged(tmp_path, capsys, mounts) -> None:
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    unplug_card(card, tmp_path / "drawer", mounts)
    photo(card / "IMG_0003.JPG", 3)  # a real file: the folder is in use, its other photos were deleted
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert len(missing_photos(db)) == 2, err


def test_tag_leaves_the_photos_of_an_unplugged_card_below_a_library_folder(tmp_path, capsys, mounts) -> None:
    """`tag` of the library with a card inside it unplugged tried to decode the card's
    untagged photos: "3 failed", one error each ("its folder is not there", "file not
    found") beside the scan's one line for the card. They are left to the next tag."""
    pictures = tmp_path / "Pictures"
    card = pictures / "Card"
    photo(pictures / "home.jpg", 0)
    for shade, name in enumerate(CARD_PHOTOS, 1):
        photo(card / name, shade)
    mounts.mount(card)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(pictures))[0] == 0
    unplug_card(card, tmp_path / "drawer", mounts)

    code, out, err = run_cli(capsys, "--db", db, "tag")

    assert "tagged 1 photo" in err and "failed" not in err and "file not found" not in err, err
    assert err.count("not found (drive not connected?)") == 1, err
    code, out, err = run_cli(capsys, "--db", db, "scan", "--json")
    (summary,) = [line["summary"] for line in map(json.loads, out.splitlines()) if "summary" in line]
    assert summary["cards_not_connected"] == [str(card)], out


def test_write_says_one_note_for_the_files_of_a_card_not_connected(tmp_path, capsys, mounts) -> None:
    """Its three labelled photos left alone: one note naming the card and how many files
    (it said one per file, each naming another, and the summary line named yet another)."""
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    unplug_card(card, tmp_path / "drawer", mounts)
    code, out, err = run_cli(capsys, "--db", db, "write")
    assert code == 0 and "0 failed, 3 left alone" in err, err
    assert err.count("card not connected") == 1, err
    assert "note: Card: a card not connected: 3 files on it left as they are; plug the card in" in err, err
    code, out, err = run_cli(capsys, "--db", db, "write", "--json")
    (summary,) = [line for line in map(json.loads, out.splitlines()) if "held" in line]
    assert [note["path"] for note in summary["notes"]] == [str(card)], out


def test_write_names_the_nearest_card_of_a_file_on_a_card_inside_another(tmp_path, capsys, mounts) -> None:
    """A card mounted on a folder of a disk mounted in the library (Pictures/Disk/Card),
    both taken out: each file's note names the card it is on, the innermost that holds
    it, not the disk around it (plugging the disk in alone leaves the card's files out)."""
    pictures, disk = tmp_path / "Pictures", tmp_path / "Pictures" / "Disk"
    card = disk / "Card"
    photo(disk / "on_disk.jpg", 1)
    for shade, name in enumerate(("IMG_0001.JPG", "IMG_0002.JPG"), 2):
        photo(card / name, shade)
    mounts.mount(disk)
    mounts.mount(card)
    db = str(tmp_path / "index.db")
    for argv in (["scan", str(pictures)], ["label", str(disk), "Colosseum"]):
        assert run_cli(capsys, "--db", db, *argv)[0] == 0, argv
    unplug_card(card, tmp_path / "card_drawer", mounts)
    unplug_card(disk, tmp_path / "disk_drawer", mounts)
    code, out, err = run_cli(capsys, "--db", db, "write", "--json")
    (summary,) = [line for line in map(json.loads, out.splitlines()) if "held" in line]
    assert sorted((note["path"], note["message"].split(":")[0]) for note in summary["notes"]) == sorted([
        (str(disk / "on_disk.jpg"), f"on a card not connected ({disk})"),
        (str(card), "a card not connected")]), (out, err)

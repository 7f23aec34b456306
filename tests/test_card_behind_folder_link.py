"""A card reached through a folder link in a library folder (~/Pictures/Card ->
/media/me/CARD, the card's mount point): the scan records the card's mount point by the
link's path, as where the library holds its photos, so that the card unplugged is told
from photos deleted. Unplugged, the system leaves its mount point empty (an fstab
entry) or removes it (udisks' /media/me/CARD, macOS' /Volumes/CARD: the link then leads
nowhere, and the scan marked the card's photos missing, `forget --missing` then dropped
their labels). Either way the scan now leaves them as they are, says so once, and
`forget --missing` and `tag` leave them; removing the link is the way to say they are
gone. `MountInfo` lists the card's mount point in a mount table of the test's own."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.index.photos_seen import MountPointsBelow
from tests.test_bind_mounts_seen import MountInfo, mountinfo  # noqa: F401
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX folder links")

CARD_PHOTOS = ("DCIM/IMG_0001.JPG", "DCIM/IMG_0002.JPG", "IMG_0003.JPG")


def _pictures_linking_a_card(tmp_path: Path, capsys, mountinfo: MountInfo) -> tuple[str, Path, Path, Path]:
    """(db, Pictures, the link Pictures/Card, the card's mount point media/CARD): a
    library folder with a photo of its own and a link to a card holding three, scanned;
    the card's photos labelled."""
    pictures, mount_point = tmp_path / "Pictures", tmp_path / "media" / "CARD"
    photo(pictures / "home.jpg", 0)
    for shade, name in enumerate(CARD_PHOTOS, 1):
        photo(mount_point / name, shade)
    mountinfo.bind(mount_point)
    link = pictures / "Card"
    link.symlink_to(mount_point, target_is_directory=True)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(pictures))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(link), "Colosseum")[0] == 0
    return db, pictures, link, mount_point


def _labelled(db: str) -> int:
    with PhotoIndex.open(db) as index:
        return len(index.photo_ids("label:Colosseum"))


def _missing(db: str) -> list[str]:
    with PhotoIndex.open(db) as index:
        return sorted(record.path for record in index.search("is:missing"))


@pytest.mark.parametrize("its_mount_point", ["left empty", "removed by the system"])
def test_a_card_unplugged_behind_a_folder_link_keeps_its_photos(tmp_path, capsys, mountinfo, its_mount_point):
    db, pictures, link, mount_point = _pictures_linking_a_card(tmp_path, capsys, mountinfo)
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("SELECT mount_point FROM mount_points_seen WHERE folder = ?",
                                  (str(link),)).fetchall() == [(1,)]  # by the link's path
    drawer = tmp_path / "drawer"
    shutil.move(str(mount_point), str(drawer))  # unplugged: what it held goes with it
    mountinfo.unbind(mount_point)
    if its_mount_point == "left empty":
        mount_point.mkdir()

    code, out, err = run_cli(capsys, "--db", db, "scan")

    assert code == 1 and err.count(f"{link}: not found (drive not connected?)") == 1, err
    assert "remove the link and scan again" in err and "0 missing" in err, err
    assert _missing(db) == []
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["missing"] == 0 and json.loads(out)["skipped_folders"] == [str(link)]
    code, out, err = run_cli(capsys, "--db", db, "tag")
    assert "failed" not in err and "file not found" not in err, err
    code, out, err = run_cli(capsys, "--db", db, "scan", "--json")
    (summary,) = [line["summary"] for line in map(json.loads, out.splitlines()) if "summary" in line]
    assert summary["cards_not_connected"] == [str(link)], out

    if mount_point.exists():
        mount_point.rmdir()
    shutil.move(str(drawer), str(mount_point))  # plugged back
    mountinfo.bind(mount_point)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing, 0 errors" in err, err
    assert _labelled(db) == len(CARD_PHOTOS)


def test_removing_the_link_of_an_unplugged_card_marks_its_photos_missing(tmp_path, capsys, mountinfo):
    """The way on the scan gives where the photos were deleted."""
    db, pictures, link, mount_point = _pictures_linking_a_card(tmp_path, capsys, mountinfo)
    shutil.rmtree(mount_point)
    mountinfo.unbind(mount_point)
    link.unlink()
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "3 missing" in err and "not connected" not in err, err


def test_a_link_to_a_plain_folder_deleted_has_its_photos_missing(tmp_path, capsys, mountinfo):
    """No card was mounted where the link leads: its folder deleted, its photos are."""
    pictures, folder = tmp_path / "Pictures", tmp_path / "elsewhere" / "Rome"
    photo(pictures / "home.jpg", 0)
    photo(folder / "IMG_0001.JPG", 1)
    (pictures / "Rome").symlink_to(folder, target_is_directory=True)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(pictures))[0] == 0
    shutil.rmtree(folder)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "1 missing" in err and "not connected" not in err, err


def test_a_followed_link_is_recorded_by_where_it_leads_where_python_cannot_tell_it(tmp_path, monkeypatch, mountinfo):
    """A Windows junction before Python 3.12: os.path tells no link there, but the walk
    followed one (scan_links.is_link reads its reparse tag)."""
    mount_point = tmp_path / "media" / "CARD"
    mount_point.mkdir(parents=True)
    mountinfo.bind(mount_point)
    link = tmp_path / "Card"
    link.symlink_to(mount_point, target_is_directory=True)
    with PhotoIndex.open(":memory:") as index:
        below = MountPointsBelow(index)
        with monkeypatch.context() as python_3_11_on_windows:
            python_3_11_on_windows.setattr(os.path, "islink", lambda path: False)
            below.record(str(link))
            assert index.conn.execute("SELECT count(*) FROM mount_points_seen").fetchone()[0] == 0
            below.record(str(link), through_link=True)
        assert index.conn.execute("SELECT folder, mount_point FROM mount_points_seen").fetchall() == [(str(link), 1)]

"""A bind mount (Linux's `mount --bind`, a Docker volume, some NAS and automount set-ups)
mounts a folder of the same file system on another folder: os.path.ismount, which
compares the folder's device with its parent's, does not see it, so the scan recorded
no mount point there and, the mount gone, took its empty folder for one the user
emptied: "3 missing", and `forget --missing` dropped the labels. Where Linux lists its
mounts (/proc/self/mountinfo) a folder it lists is a mount point too. `MountInfo` writes
such a table into a file of the test's own (emptied_folders.MOUNTINFO); the machine's
own is never read here."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.core import emptied_folders
from app.core.emptied_folders import MountTable, is_mount_point, read_mount_points
from app.core.index import PhotoIndex
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo

CARD_PHOTOS = ("DCIM/IMG_0001.JPG", "DCIM/IMG_0002.JPG", "IMG_0003.JPG")


class MountInfo:
    """The system's mount table as a file in /proc/self/mountinfo's format, listing the
    folders `bind` mounts something on (the root always)."""

    def __init__(self, monkeypatch, file: Path) -> None:
        self.file = file
        self.points: list[str] = [os.path.abspath(os.sep)]
        self._write()
        monkeypatch.setattr(emptied_folders, "MOUNTINFO", file, raising=False)

    def bind(self, folder: Path) -> None:
        self.points.append(str(folder))
        self._write()

    def unbind(self, folder: Path) -> None:
        self.points.remove(str(folder))
        self._write()

    def _write(self) -> None:
        lines = [f"{36 + n} 35 98:0 /srv/share{n} {_escaped(point)} rw,noatime master:1 - ext4 /dev/sda1 rw"
                 for n, point in enumerate(self.points)]
        self.file.write_text("".join(line + "\n" for line in lines))


def _escaped(path: str) -> str:
    """A path as the kernel writes it in mountinfo: space, tab, newline and backslash in octal."""
    return "".join(f"\\{ord(char):03o}" if char in " \t\n\\" else char for char in path)


@pytest.fixture
def mountinfo(tmp_path, monkeypatch) -> MountInfo:
    return MountInfo(monkeypatch, tmp_path / "mountinfo")


def _move_all(source: Path, target: Path) -> None:
    target.mkdir(exist_ok=True)
    for entry in list(source.iterdir()):
        entry.rename(target / entry.name)


def _labelled(db: str) -> int:
    with PhotoIndex.open(db) as index:
        return index.conn.execute("SELECT count(*) FROM labels WHERE label = 'Colosseum'").fetchone()[0]


@pytest.mark.parametrize("where", ["a library folder", "a folder in a library folder"])
def test_an_unbound_bind_mount_is_a_card_not_connected_not_a_folder_emptied(tmp_path, capsys, mountinfo, where):
    pictures = tmp_path / "Pictures"
    photo(pictures / "home.jpg", 0)
    share = pictures / "NAS share" if where != "a library folder" else tmp_path / "NAS share"
    for shade, name in enumerate(CARD_PHOTOS, 1):
        photo(share / name, shade)
    mountinfo.bind(share)  # (a name with a space: \040 in the table)
    db = str(tmp_path / "index.db")
    for argv in (["scan", str(pictures), str(share)], ["label", str(share), "Colosseum"]):
        assert run_cli(capsys, "--db", db, *argv)[0] == 0, argv
    source = tmp_path / "source"
    _move_all(share, source)  # unmounted: the folder it was mounted on is left empty
    mountinfo.unbind(share)

    code, out, err = run_cli(capsys, "--db", db, "scan")

    assert code == 1 and err.count(f"{share}: not found (drive not connected?)") == 1, err
    assert "0 missing" in err, err
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["missing"] == 0, (out, err)
    _move_all(source, share)
    mountinfo.bind(share)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing, 0 errors" in err, err
    assert _labelled(db) == len(CARD_PHOTOS)



def test_a_bind_mount_below_a_folder_link_is_a_card_not_connected(tmp_path, capsys, mountinfo):
    pictures, data = tmp_path / "Pictures", tmp_path / "data"
    photo(pictures / "home.jpg", 0)
    share = data / "NAS"  # walked as Pictures/Link/NAS; the table lists data/NAS
    for shade, name in enumerate(CARD_PHOTOS, 1):
        photo(share / name, shade)
    (pictures / "Link").symlink_to(data, target_is_directory=True)
    mountinfo.bind(share)
    db = str(tmp_path / "index.db")
    walked = pictures / "Link" / "NAS"
    for argv in (["scan", str(pictures)], ["label", str(walked), "Colosseum"]):
        assert run_cli(capsys, "--db", db, *argv)[0] == 0, argv
    assert _labelled(db) == len(CARD_PHOTOS)
    source = tmp_path / "source"
    _move_all(share, source)
    mountinfo.unbind(share)

    code, out, err = run_cli(capsys, "--db", db, "scan")

    assert f"{walked}: not found (drive not connected?)" in err and "0 missing" in err, err
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["missing"] == 0, (out, err)
    assert _labelled(db) == len(CARD_PHOTOS)

def test_a_folder_emptied_on_a_bind_mount_still_mounted_has_its_photos_missing(tmp_path, capsys, mountinfo):
    share = tmp_path / "Share"
    for shade, name in enumerate(CARD_PHOTOS, 1):
        photo(share / name, shade)
    mountinfo.bind(share)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(share))[0] == 0
    _move_all(share, tmp_path / "trash")  # deleted on the share, which is still mounted
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "3 missing" in err and "not connected" not in err, err


def test_a_scan_reads_the_mount_table_once(tmp_path, capsys, mountinfo, monkeypatch):
    """Not once a folder: a rescan visits every folder of the library."""
    library = tmp_path / "Library"
    for day in range(6):
        photo(library / f"day-{day}" / "IMG_0001.JPG", day)
    reads = []

    def counted(source):
        reads.append(source)
        return read_mount_points(source)

    monkeypatch.setattr(emptied_folders, "read_mount_points", counted, raising=False)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(library))[0] == 0
    assert run_cli(capsys, "--db", db, "scan")[0] == 0
    assert reads == [mountinfo.file, mountinfo.file]


def test_the_mount_table_is_read_with_its_escapes(tmp_path):
    table = tmp_path / "mountinfo"
    table.write_bytes(b"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
                      b"61 27 8:1 /photos /home/me/My\\040Card rw - ext4 /dev/sda1 rw\n"
                      b"62 27 8:1 /x /mnt/tab\\011and\\134back\\012slash rw - ext4 /dev/sda1 rw\n"
                      b"63 27 8:1 /y /mnt/caf\xe9 rw - vfat /dev/sdb1 rw\n"
                      b"garbled\n")
    assert read_mount_points(table) == {"/proc", "/home/me/My Card", "/mnt/tab\tand\\back\nslash",
                                        os.fsdecode(b"/mnt/caf\xe9")}


def test_without_a_readable_mount_table_os_path_ismount_alone_decides(tmp_path):
    """macOS, Windows, a Linux without /proc: as before."""
    missing = MountTable(tmp_path / "no-such-table")
    assert read_mount_points(tmp_path / "no-such-table") == frozenset()
    assert is_mount_point(tmp_path, missing) is False
    assert is_mount_point(Path(os.path.abspath(os.sep)), missing) is True
    unreadable = MountTable(tmp_path)  # a folder: reading it fails
    assert is_mount_point(tmp_path, unreadable) is False

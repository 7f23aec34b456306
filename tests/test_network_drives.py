"""An index on a network share takes SQLite's rollback journal: WAL's shared memory does
not reach the other computer, and two of them writing could corrupt the file."""

from __future__ import annotations

import sqlite3
from pathlib import PureWindowsPath

import pytest

from app.core import network_drives
from app.core.index import PhotoIndex

PROC_MOUNTS = """\
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
nas:/volume1/photos /mnt/nas nfs4 rw,relatime,vers=4.1 0 0
//nas/Photo\\040Archive /mnt/nas-archive cifs rw,relatime 0 0
/dev/sdb1 /media/anna/NIKON\\040D750 exfat rw 0 0
"""

MAC_MOUNT = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)
//anna@nas.local/Photos on /Volumes/Photos (smbfs, nodev, nosuid, mounted by anna)
/dev/disk4s1 on /Volumes/NIKON D750 (msdos, local, nodev, nosuid, noowners)
"""


def test_the_mount_holding_a_path_is_the_longest_one_above_it() -> None:
    mounts = network_drives.parse_proc_mounts(PROC_MOUNTS)
    assert ("/mnt/nas-archive", "cifs") in mounts and ("/media/anna/NIKON D750", "exfat") in mounts
    assert network_drives.mount_file_system("/mnt/nas/2019/index.db", mounts) == "nfs4"
    assert network_drives.mount_file_system("/mnt/nas-archive/index.db", mounts) == "cifs"  # not /mnt/nas's
    assert network_drives.mount_file_system("/mnt/nas", mounts) == "nfs4"
    assert network_drives.mount_file_system("/home/anna/index.db", mounts) == "ext4"
    mac = network_drives.parse_mount_command(MAC_MOUNT)
    assert network_drives.mount_file_system("/Volumes/Photos/landmarks.db", mac) == "smbfs"
    assert network_drives.mount_file_system("/Volumes/NIKON D750/DCIM", mac) == "msdos"
    assert network_drives.mount_file_system("/Users/anna/landmarks.db", mac) == "apfs"


@pytest.mark.parametrize("platform, mounts_of", [("linux", "_linux_mounts"), ("darwin", "_mount_command_mounts")])
def test_a_path_on_a_share_is_a_network_path(tmp_path, monkeypatch, platform, mounts_of) -> None:
    share = tmp_path / "nas"
    (share / "2019").mkdir(parents=True)
    monkeypatch.setattr(network_drives.sys, "platform", platform)
    monkeypatch.setattr(network_drives, mounts_of, lambda: [("/", "ext4"), (str(share), "smbfs")])
    assert network_drives.is_network_path(share / "2019" / "index.db")  # a file not made yet
    assert network_drives.is_network_path(share / "new folder" / "index.db")
    assert not network_drives.is_network_path(tmp_path / "index.db")


def test_windows_shares_by_name_are_network_paths() -> None:
    assert network_drives._is_windows_network_drive(PureWindowsPath(r"\\nas\Photos\landmarks.db"))
    assert network_drives._is_windows_network_drive(PureWindowsPath(r"\\?\UNC\nas\Photos\landmarks.db"))
    assert not network_drives._is_windows_network_drive(PureWindowsPath("landmarks.db"))  # no drive: local


def journal_and_sync(index: PhotoIndex) -> tuple[str, int]:
    return (index.conn.execute("PRAGMA journal_mode").fetchone()[0],
            index.conn.execute("PRAGMA synchronous").fetchone()[0])


def test_an_index_on_a_share_uses_the_rollback_journal_and_goes_back_to_wal_at_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(network_drives, "is_network_path", lambda path: True)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert journal_and_sync(index) == ("delete", 2)  # FULL: a commit survives a power cut
        index.add_root(tmp_path, recursive=True)
    assert not (tmp_path / "index.db-wal").exists()
    monkeypatch.setattr(network_drives, "is_network_path", lambda path: False)  # the file copied home
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert journal_and_sync(index) == ("wal", 1)
        assert index.roots() == [tmp_path.resolve()]


def test_a_share_index_another_process_holds_in_wal_is_used_as_it_is(tmp_path, monkeypatch) -> None:
    with PhotoIndex.open(tmp_path / "index.db") as first:  # in WAL, open elsewhere
        first.conn.execute("BEGIN")
        first.conn.execute("SELECT count(*) FROM photos").fetchone()  # holds a read lock
        monkeypatch.setattr(network_drives, "is_network_path", lambda path: True)
        with PhotoIndex.open(tmp_path / "index.db") as second:  # at once, not after the busy timeout
            assert journal_and_sync(second) == ("wal", 1)
            assert second.count("") == 0
        first.conn.execute("COMMIT")
    assert sqlite3.connect(tmp_path / "index.db").execute("PRAGMA integrity_check").fetchone()[0] == "ok"

"""An index on a FUSE disk a user-space program serves (fusefat): SQLite's WAL could not map
its -shm there, so creating the index failed with "disk I/O error", left a broken 4 KB file
with -wal and -shm beside it, and later runs blamed "the path and its permissions". The
index takes the rollback journal there, as on a network share, and a new index whose
creation fails leaves no file behind."""

from __future__ import annotations

import sqlite3

import pytest

from app.core import network_drives
from app.core.errors import IndexStoreError
from app.core.index import PhotoIndex, connection, opening

LEFTOVERS = ("index.db", "index.db-wal", "index.db-shm", "index.db-journal")


def test_an_index_on_a_user_space_fuse_disk_uses_the_rollback_journal(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(network_drives, "mount_type", lambda path: "fuse.fusefat")
    assert connection.journal_mode_for(tmp_path / "index.db") == "delete"
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert index.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        index.add_root(tmp_path, recursive=True)
    assert not (tmp_path / "index.db-wal").exists() and not (tmp_path / "index.db-shm").exists()


@pytest.mark.parametrize("file_system", ["fuseblk", "ext4"])  # ntfs-3g and exfat-fuse map the -shm as a disk does
def test_other_disks_keep_wal(tmp_path, monkeypatch, file_system) -> None:
    monkeypatch.setattr(network_drives, "mount_type", lambda path: file_system)
    assert connection.journal_mode_for(tmp_path / "index.db") == "wal"


def test_a_new_index_whose_wal_cannot_be_set_up_leaves_no_file(tmp_path, monkeypatch) -> None:
    """Setting WAL wrote SQLite's 4 KB header and the -wal and -shm, then failed."""
    set_mode = connection._set_journal_mode

    def header_written_then_io_error(conn, target, wanted):
        set_mode(conn, target, wanted)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(connection, "_set_journal_mode", header_written_then_io_error)
    with pytest.raises(IndexStoreError, match="disk I/O error"):
        PhotoIndex.open(tmp_path / "index.db")
    assert [name for name in LEFTOVERS if (tmp_path / name).exists()] == []


def _unreadable_after_its_first_write(conn, *args, **kwargs):
    """As on fusefat: the first write fails, and every read after it too."""
    conn.execute("PRAGMA user_version = 0")
    conn.close()  # (a closed connection: every read now fails with sqlite3.Error)
    raise sqlite3.OperationalError("disk I/O error")


def test_a_new_index_whose_creation_fails_unreadably_leaves_no_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(opening, "migrate", _unreadable_after_its_first_write)
    with pytest.raises(IndexStoreError, match="nothing was stored, and the unfinished file was removed"):
        PhotoIndex.open(tmp_path / "index.db")
    assert [name for name in LEFTOVERS if (tmp_path / name).exists()] == []


def test_an_index_that_was_there_is_never_removed(tmp_path, monkeypatch) -> None:
    with PhotoIndex.open(tmp_path / "index.db") as index:
        index.add_root(tmp_path, recursive=True)
    monkeypatch.setattr(opening, "migrate", _unreadable_after_its_first_write)
    with pytest.raises(IndexStoreError):
        PhotoIndex.open(tmp_path / "index.db")
    assert (tmp_path / "index.db").stat().st_size > 0

"""An index on a disk that fills up, a read-only disk or a folder the user may not write
into (found by the disk tester): each is named as such, a failed first creation leaves no
empty file to be taken for the index (or kept as its weekly copy), and a write the index
fails under says which files it had already changed. The disks are simulated: SQLite's
errors raised where it raises them, free space and write access answered by fakes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.errors import IndexStoreError
from app.core.index import PhotoIndex, connection, opening
from app.core.index.backup import backup_if_due, backups
from app.core.wording import shell_quote
from tests.test_index_support import write_jpeg

DISK_FULL = "database or disk is full"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _tables(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    return [write_jpeg(tmp_path / "photos" / f"DSC_000{i}.JPG", color=(60 * i, 20, 20)) for i in range(1, 4)]


@pytest.fixture
def made_index(tmp_path: Path, photos, capsys) -> str:
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(tmp_path / "photos"))[0] == 0
    return db


def _failing_sqlite(monkeypatch, message: str) -> None:
    """SQLite failing on the first write of an open, as on a disk with no room for the
    -shm file (disk I/O error) or a folder that cannot hold it (readonly database)."""
    def fail(conn, target, wanted):
        raise sqlite3.OperationalError(message)

    monkeypatch.setattr(connection, "_set_journal_mode", fail)


def test_a_first_creation_that_fails_on_a_full_disk_leaves_no_empty_index_nor_weekly_copy(
        tmp_path: Path, photos, capsys, monkeypatch) -> None:
    db = tmp_path / "index.db"

    def full_disk(*args, **kwargs):  # what SQLite raises when the disk fills while the schema is made
        raise sqlite3.OperationalError(DISK_FULL)

    real_migrate = opening.migrate
    monkeypatch.setattr(opening, "migrate", full_disk)
    code, _, err = run_cli(capsys, "--db", str(db), "scan", str(tmp_path / "photos"))
    assert code == 2 and "could not create the index" in err and "nothing was stored" in err
    assert "no space left on the disk holding the index" in err and "not a usable" not in err
    assert not db.exists() and not Path(f"{db}-wal").exists()
    code, _, err = run_cli(capsys, "--db", str(db), "label", "", "Petra")  # a command that takes the weekly copy
    assert code == 2 and "no index at" in err
    monkeypatch.setattr(opening, "migrate", real_migrate)  # the user frees space
    assert run_cli(capsys, "--db", str(db), "scan", str(tmp_path / "photos"))[0] == 0
    assert run_cli(capsys, "--db", str(db), "label", "", "Petra")[0] == 0
    copies = backups(db)
    assert copies and all(_tables(copy) > 0 for copy in copies)


def test_a_file_with_no_schema_is_never_kept_as_the_weekly_copy(tmp_path: Path) -> None:
    """What an older version left after a failed creation, and the copy it took of it."""
    stub = tmp_path / "index.db"
    with sqlite3.connect(stub) as conn:
        conn.execute("PRAGMA journal_mode = WAL")  # the 4 KB header, no table
    assert backup_if_due(stub) is None and backups(stub) == []
    old_copy = stub.with_name("index.db.backups") / "index-20240101-000000-000000.db"
    old_copy.parent.mkdir()
    old_copy.write_bytes(stub.read_bytes())
    assert backups(stub) == []  # neither the week's copy nor one a damaged index's message offers


def test_an_index_on_a_disk_with_no_room_left_is_named_as_such(made_index, capsys, monkeypatch) -> None:
    _failing_sqlite(monkeypatch, "disk I/O error")
    monkeypatch.setattr(os, "statvfs", lambda path: os.statvfs_result((4096, 4096, 256, 0, 0, 100, 0, 0, 0, 255)))
    code, _, err = run_cli(capsys, "--db", made_index, "stats")
    assert code == 2 and f"no space left on the disk holding the index ({made_index}); free some space" in err
    assert "permissions" not in err


def test_an_index_in_a_folder_the_user_may_not_write_is_named_as_such(made_index, capsys, monkeypatch) -> None:
    _failing_sqlite(monkeypatch, "attempt to write a readonly database")
    folder = str(Path(made_index).parent)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if os.fspath(path) == folder and mode & os.W_OK
                        else real_access(path, mode, **kw))
    code, _, err = run_cli(capsys, "--db", made_index, "stats")
    assert code == 2 and f"the folder holding the index is not writable: {folder}" in err
    assert "check the path and its permissions" not in err


def test_a_failed_open_closes_its_connection(tmp_path: Path, monkeypatch) -> None:
    opened: list[sqlite3.Connection] = []
    real_connect = sqlite3.connect

    def recording(*args, **kwargs):
        opened.append(real_connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(connection.sqlite3, "connect", recording)
    _failing_sqlite(monkeypatch, "disk I/O error")
    with pytest.raises(IndexStoreError):
        PhotoIndex.open(tmp_path / "index.db")
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        opened[0].execute("SELECT 1")
    assert not (tmp_path / "index.db").exists()  # made by the failed open, empty: not left behind


def test_a_write_the_index_fails_under_says_what_it_changed_and_undo_reverts_it(
        made_index, photos, capsys, monkeypatch) -> None:
    originals = [photo.read_bytes() for photo in photos]
    assert run_cli(capsys, "--db", made_index, "label", "", "Petra")[0] == 0
    real_clear = PhotoIndex.clear_errors

    def full_disk(self, *args, **kwargs):  # the first index write after a file is written
        raise sqlite3.OperationalError(DISK_FULL)

    monkeypatch.setattr(PhotoIndex, "clear_errors", full_disk)
    code, _, err = run_cli(capsys, "--db", made_index, "write")
    changed = sum(photo.read_bytes() != original for photo, original in zip(photos, originals))
    assert code == 2 and changed >= 1
    # the undo it names acts on the index given, not on the default one
    assert f"write: {changed} file{'s' if changed > 1 else ''} changed before the index failed (batch 1; " \
           f"`landmark-tagger --db {shell_quote(made_index)} undo` reverts it" in err, err
    assert "no space left on the disk holding the index" in err
    monkeypatch.setattr(PhotoIndex, "clear_errors", real_clear)  # space freed
    assert run_cli(capsys, "--db", made_index, "undo")[0] == 0
    assert [photo.read_bytes() for photo in photos] == originals


def test_a_scan_stopped_by_a_full_index_disk_reports_what_it_stored(tmp_path: Path, photos) -> None:
    from contextlib import contextmanager

    from app.core.scan_summary import ScanOptions
    from app.core.scanner import scan

    with PhotoIndex.open(":memory:") as index:
        real_transaction = index.transaction

        @contextmanager
        def filling_at_the_third_photo():
            with real_transaction() as conn:
                yield conn
                if conn.execute("SELECT count(*) FROM photos").fetchone()[0] == 3:
                    raise sqlite3.OperationalError(DISK_FULL)  # at its commit: rolled back

        index.transaction = filling_at_the_third_photo
        with pytest.raises(sqlite3.OperationalError):
            scan(index, [tmp_path / "photos"], options=ScanOptions(groups_per_transaction=1))
        index.transaction = real_transaction
        stored = index.count()
        status, new = index.conn.execute("SELECT status, new FROM scan_runs ORDER BY id DESC").fetchone()
    assert (status, stored, new) == ("failed", 2, 2)  # not 3 new: the third was never stored


def test_a_nearly_full_disk_is_said_full_before_wal_is_set_up(made_index, tmp_path: Path, capsys,
                                                              monkeypatch) -> None:
    """On a disk of 1 KiB blocks left with 20 KiB, SQLite's mapped -shm hit a hole and the
    command died of SIGBUS ("Bus error", exit 135, no message) in _set_journal_mode
    (t_media-1): a disk with under 1 MB free is said full before WAL is set up."""
    import shutil

    free = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: free._replace(free=20 * 1024))
    reached = []
    monkeypatch.setattr(connection, "_set_journal_mode", lambda *args: reached.append(args) or "wal")
    code, _, err = run_cli(capsys, "--db", made_index, "stats")
    assert code == 2 and f"no space left on the disk holding the index ({made_index}); free some space" in err
    assert "20 KB free" in err and not reached
    new = tmp_path / "new.db"
    code, _, err = run_cli(capsys, "--db", str(new), "scan", str(tmp_path / "photos"))
    assert code == 2 and "no space left on the disk" in err and not new.exists()  # no empty file left
    monkeypatch.undo()  # the user frees space
    assert run_cli(capsys, "--db", made_index, "stats")[0] == 0


def test_a_failed_open_keeps_the_index_another_process_created_meanwhile(tmp_path: Path, monkeypatch) -> None:
    """Two processes creating the same index at once (review4-2): between this open and its
    failure, the other one made the file and committed rows in WAL, still in the -wal (no
    checkpoint); the failed open, which had seen no file, removed the index, -wal included."""
    db = tmp_path / "index.db"
    held = []

    def the_other_process_creates_it(path) -> None:
        other = sqlite3.connect(db, isolation_level=None)
        held.append(other)
        other.execute("PRAGMA journal_mode = WAL")
        other.execute("PRAGMA wal_autocheckpoint = 0")
        other.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
        other.executemany("INSERT INTO photos (path) VALUES (?)", [(f"/p/{i}.jpg",) for i in range(50)])
        raise IndexStoreError("cannot open the index (900 KB free): no space left")  # this process's check

    monkeypatch.setattr(connection, "refuse_a_nearly_full_disk", the_other_process_creates_it)
    with pytest.raises(IndexStoreError, match="was left as it is"):
        connection.connect(db)
    assert db.exists() and Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists()
    held[0].close()
    assert _tables(db) == 1 and sqlite3.connect(db).execute("SELECT count(*) FROM photos").fetchone()[0] == 50


def test_a_nearly_full_card_still_opens_its_index(made_index, tmp_path: Path, capsys, monkeypatch) -> None:
    """With under 1 MB free every command was refused, stats and search included (review4-5):
    the floor is the room the -shm grows into, and a -shm already there with no holes (its
    blocks cover its size) cannot fault, whatever is free."""
    import shutil

    from app.core.index import open_failures

    free = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: free._replace(free=600 * 1024))
    assert run_cli(capsys, "--db", made_index, "stats")[0] == 0
    assert run_cli(capsys, "--db", made_index, "label", "", "Petra")[0] == 0
    monkeypatch.setattr(shutil, "disk_usage", lambda path: free._replace(free=20 * 1024))
    shm_blocks = [64]  # 32 KiB in 512-byte blocks: all allocated
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if os.fspath(path) == f"{made_index}-shm":  # as a 1 KiB-block disk may leave it
            return os.stat_result((0o100644, 0, 0, 1, 0, 0, 32768, 0, 0, 0), {"st_blocks": shm_blocks[0]})
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(open_failures.os, "stat", stat)
    assert run_cli(capsys, "--db", made_index, "stats")[0] == 0
    shm_blocks[0] = 8  # a -shm with holes: the first store into one could kill the command
    code, _, err = run_cli(capsys, "--db", made_index, "stats")
    assert code == 2 and "20 KB free, at least 128 KB needed" in err


def _shm_with_holes(tmp_path: Path) -> Path:
    """An index's -shm as SQLite leaves it on a disk of 1 KiB blocks: most of it holes."""
    if not hasattr(os, "posix_fallocate"):
        pytest.skip("no posix_fallocate here (Windows, macOS): holes are left as they are")
    shm = tmp_path / "index.db-shm"
    with open(shm, "wb") as handle:
        handle.truncate(32768)
        handle.seek(4095)
        handle.write(b"\x07")  # SQLite's byte at the end of a page, read back below
    if shm.stat().st_blocks * 512 >= 32768:
        pytest.skip("this file system leaves no holes")
    return shm


def test_the_holes_of_the_shm_are_filled_on_opening(tmp_path: Path) -> None:
    """With holes left in the -shm, a `label` that filled a 1 KiB-block disk (140 KB free)
    died of SIGBUS at its next store into one; with blocks for all of it, SQLITE_FULL."""
    from app.core.index.open_failures import fill_the_holes_of_the_shm

    shm = _shm_with_holes(tmp_path)
    fill_the_holes_of_the_shm(tmp_path / "index.db")
    assert shm.stat().st_blocks * 512 >= 32768 and shm.stat().st_size == 32768
    assert shm.read_bytes()[4095] == 7 and shm.read_bytes().count(0) == 32767  # contents unchanged


def test_no_room_for_the_holes_of_the_shm_is_said_as_a_full_disk(tmp_path: Path, monkeypatch) -> None:
    import errno

    from app.core.index import open_failures
    from app.core.index.open_failures import fill_the_holes_of_the_shm

    _shm_with_holes(tmp_path)

    def no_room(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", no_room)
    with pytest.raises(IndexStoreError, match="no space left on the disk holding the index"):
        fill_the_holes_of_the_shm(tmp_path / "index.db")
    monkeypatch.setattr(open_failures, "_fully_allocated", lambda path: False)  # the -shm SQLite maps now
    with pytest.raises(IndexStoreError, match="no space left on the disk holding the index"):
        connection.connect(tmp_path / "index.db")  # said before anything is read or written

"""`landmark-tagger restore-index COPY` (app.core.index.restore): going back to the copy
taken before an upgrade. Copied over the index by hand, the copy got the index's
leftover -wal (a kill after the upgrade) replayed onto it: it opened as the upgraded
index with the killed session's labels, or as "damaged"."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.index.backup import backup_folder, backups, is_upgrade_copy, latest_backup_note
from app.core.errors import IndexStoreError
from app.core.index.schema import LATEST_VERSION
from tests.test_index import _index_at_version

OLD = LATEST_VERSION - 2
ROOT = Path(__file__).resolve().parents[1]

_LABEL_THEN_DIE = """
import os, signal, sys
from app.core.index import PhotoIndex
index = PhotoIndex.open(sys.argv[1])
index.set_labels([row[0] for row in index.conn.execute("SELECT id FROM photos")], "Crash Label")
os.kill(os.getpid(), signal.SIGKILL)  # a power cut, a Force Quit: committed pages left in the -wal
"""


def _read(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _upgraded_then_killed(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """f0small.sh: an index at schema OLD upgraded (its copy kept), then labelled by a
    process killed before it checkpointed: the index's -wal holds those labels."""
    db = tmp_path / "index.db"
    _index_at_version(db, monkeypatch, OLD, [("/lib/Petra", f"DSC_{n:04}", "2020-11-03T10:00:00") for n in range(23)],
                      [("Petra", None, "user", "accepted")] * 23)
    PhotoIndex.open(db).close()
    (copy,) = backups(db)
    assert is_upgrade_copy(copy)
    killed = subprocess.run([sys.executable, "-c", _LABEL_THEN_DIE, str(db)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert killed.returncode != 0 and Path(f"{db}-wal").stat().st_size > 0, killed.stderr
    return db, copy


@pytest.mark.parametrize("copied_by_hand_first", [False, True])
def test_restore_index_puts_the_before_upgrade_copy_back_whatever_wal_the_index_left(
        tmp_path, monkeypatch, capsys, copied_by_hand_first) -> None:
    db, copy = _upgraded_then_killed(tmp_path, monkeypatch)
    if copied_by_hand_first:  # what the note said before: the -wal is replayed onto the copy
        db.write_bytes(copy.read_bytes())
    assert main(["--db", str(db), "restore-index", str(copy)]) == 0
    err = capsys.readouterr().err
    assert f"the index holds {copy} now (schema {OLD})" in err and "-before-restore" in err
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    assert _read(db, "PRAGMA user_version") == [(OLD,)]
    assert _read(db, "SELECT DISTINCT label FROM labels") == [("Petra",)]
    assert _read(db, "PRAGMA integrity_check") == [("ok",)]
    kept = [path for path in backup_folder(db).iterdir() if "-before-restore" in path.name]
    assert kept, "the index as it was is kept"
    if not copied_by_hand_first:  # the upgraded index with the killed session's labels, whole
        (kept_copy,) = kept
        assert _read(kept_copy, "PRAGMA user_version") == [(LATEST_VERSION,)]
        assert _read(kept_copy, "SELECT DISTINCT label FROM labels") == [("Crash Label",)]
    assert _read(copy, "PRAGMA user_version") == [(OLD,)]  # the copy itself stays, for another time


def test_restore_index_is_refused_while_another_program_has_the_index_open(tmp_path, monkeypatch, capsys) -> None:
    db, copy = _upgraded_then_killed(tmp_path, monkeypatch)
    before = len(list(backup_folder(db).iterdir()))
    with PhotoIndex.open(db) as held:  # the app left open on it
        assert main(["--db", str(db), "restore-index", str(copy)]) == 75
        err = capsys.readouterr().err
        assert "has the index" in err and "close it and run the command again; nothing changed" in err
        assert held.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert len(list(backup_folder(db).iterdir())) == before  # no copy left for a restore that did not happen
    assert _read(db, "PRAGMA user_version") == [(LATEST_VERSION,)]


def test_the_note_naming_a_copy_says_how_to_go_back_to_it(tmp_path, monkeypatch) -> None:
    db, copy = _upgraded_then_killed(tmp_path, monkeypatch)
    note = latest_backup_note(db)
    assert "restore-index" in note and str(copy) in note
    assert f"{db.name}-wal" in note and f"{db.name}-shm" in note


def test_an_index_from_a_newer_version_names_the_copy_this_version_opens(tmp_path, monkeypatch, capsys) -> None:
    """Downgrading the app: its refusal named only "upgrade the app", not the copy kept
    before the newer version's upgrade, the very file this version can open."""
    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()
    copies = backup_folder(db)
    copies.mkdir()
    kept = copies / f"index-20261205-000000-000000-before-upgrade-from-schema-{LATEST_VERSION}.db"
    kept.write_bytes(db.read_bytes())
    (copies / f"index-20261206-000000-000000-before-upgrade-from-schema-{LATEST_VERSION + 1}.db").write_bytes(
        db.read_bytes())  # a later upgrade's copy this version cannot open either
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 2}")  # what the newer version left
    conn.close()
    assert main(["--db", str(db), "stats"]) == 2
    err = capsys.readouterr().err
    assert f"(schema {LATEST_VERSION + 2}, this one knows {LATEST_VERSION}); upgrade the app, or go back to" in err
    assert f"restore-index {kept}`" in err
    assert f"(schema {LATEST_VERSION}; what changed since that upgrade is not in it" in err


# -- a disk too full for the copy kept, or for the copy put in ------------------------------

def _written_half_then_disk_full(source, target, *args, **kwargs):
    Path(target).write_bytes(Path(source).read_bytes()[:4096])
    raise OSError(28, "No space left on device")


def _index_and_copy(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    return db, copy


def test_a_disk_too_full_for_the_copy_kept_says_so_in_one_line_and_leaves_no_file(tmp_path, monkeypatch, capsys) -> None:
    """A full disk was taken for "SQLite cannot read the index": the raw-file fallback ran,
    a traceback ended the command and its half `….unreadable` blocked every later open."""
    from app.core.index import restore

    db, copy = _index_and_copy(tmp_path)
    before = db.read_bytes()

    def full_disk(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(restore, "write_copy", full_disk)
    monkeypatch.setattr(restore.shutil, "copy2", _written_half_then_disk_full)
    assert main(["--db", str(db), "restore-index", str(copy)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "not enough free space to keep a copy of the index before restoring (needs about" in err
    assert err.rstrip().endswith("nothing changed")
    assert not backup_folder(db).exists() or list(backup_folder(db).iterdir()) == []
    assert db.read_bytes() == before


def test_a_damaged_index_whose_files_do_not_fit_is_left_as_it_was_with_no_half_copy(tmp_path, capsys,
                                                                                  monkeypatch) -> None:
    from app.core.index import restore

    db, copy = _index_and_copy(tmp_path)
    db.write_bytes(b"not an index, a damaged file" * 200)
    monkeypatch.setattr(restore.shutil, "copy2", _written_half_then_disk_full)
    assert main(["--db", str(db), "restore-index", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "not enough free space to keep a copy of the index before restoring" in err and "Traceback" not in err
    assert list(backup_folder(db).iterdir()) == []
    assert db.read_bytes() == b"not an index, a damaged file" * 200


class _CopyThatDoesNotFit:
    """The copy's connection, whose backup into the index fills the disk."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def backup(self, target, **kwargs) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_a_copy_that_does_not_fit_leaves_the_index_and_no_copy_of_it_for_that_try(tmp_path, monkeypatch,
                                                                                  capsys) -> None:
    """Each retry on a full disk left one more index-sized `…-before-restore.db`."""
    from app.core.index import restore

    db, copy = _index_and_copy(tmp_path)
    real_open = restore.open_sqlite
    monkeypatch.setattr(restore, "open_sqlite", lambda path, **kwargs: _CopyThatDoesNotFit(real_open(path, **kwargs))
                        if Path(path) == copy else real_open(path, **kwargs))
    for _ in range(2):
        assert main(["--db", str(db), "restore-index", str(copy)]) == 2
        assert [path for path in backup_folder(db).iterdir() if "-before-restore" in path.name] == []
        err = capsys.readouterr().err
        assert f"not enough free space to put {copy} in place of the index" in err
        assert "the index was left as it was" in err
    assert _read(db, "PRAGMA quick_check") == [("ok",)]
    assert _read(db, "PRAGMA user_version") == [(LATEST_VERSION,)]


# -- an index on a share (rollback journal), where an idle holder cannot be seen ----------

def test_on_a_share_restore_asks_for_every_window_closed_and_one_left_open_writes_nothing(tmp_path, monkeypatch,
                                                                                       capsys) -> None:
    """t8_share.py: the rollback journal holds no lock while idle, so the restore went
    through under an open app, which then read and wrote the other index silently."""
    import app.core.network_drives as network_drives

    db = tmp_path / "index.db"
    _index_at_version(db, monkeypatch, LATEST_VERSION, [("/lib/Petra", f"DSC_{n:04}", "2020-11-03T10:00:00")
                                                         for n in range(3)], [("Petra", None, "user", "accepted")] * 3)
    monkeypatch.setattr(network_drives, "is_network_path", lambda path: True)  # (after: that helper undoes patches)
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    conn = sqlite3.connect(copy)
    conn.execute("DELETE FROM labels")
    conn.commit()
    conn.close()
    held = PhotoIndex.open(db)  # the app, left open and idle on the share
    try:
        assert held.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert held.conn.execute("SELECT count(*) FROM labels").fetchone()[0] == 3
        assert main(["--db", str(db), "restore-index", str(copy)]) == 2
        err = capsys.readouterr().err
        assert "cannot be checked: close every Landmark Tagger window on it" in err and "--yes; nothing changed" in err
        assert _read(db, "SELECT count(*) FROM labels") == [(3,)] and not backup_folder(db).exists()
        assert main(["--db", str(db), "restore-index", str(copy), "--yes"]) == 0  # the user says it is closed
        assert _read(db, "SELECT count(*) FROM labels") == [(0,)]
        with pytest.raises(IndexStoreError, match=r"was replaced by a copy \(`restore-index`\) while this app had it "
                                                  r"open, so nothing was changed; restart the app"):
            with held.transaction() as conn:
                conn.execute("DELETE FROM photos")
    finally:
        held.close()
    assert _read(db, "SELECT count(*) FROM photos") == [(3,)]
    PhotoIndex.open(db).close()  # a fresh start opens it as it is


# -- the copy checked first ---------------------------------------------------------------

def _restore_refused(db: Path, copy: Path, capsys) -> str:
    before = db.read_bytes()
    assert main(["--db", str(db), "restore-index", str(copy)]) == 2
    assert db.read_bytes() == before and not backup_folder(db).exists()  # nothing changed, no copy kept
    return capsys.readouterr().err


def test_a_copy_from_a_newer_version_is_refused_before_anything_changes(tmp_path, capsys) -> None:
    """It went in ("this version opens it as it is"), and the next command refused the index."""
    db, copy = _index_and_copy(tmp_path)
    conn = sqlite3.connect(copy)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 2}")
    conn.close()
    err = _restore_refused(db, copy, capsys)
    assert (f"this copy was written by a newer version (schema {LATEST_VERSION + 2}, this one knows "
            f"{LATEST_VERSION})") in err and "nothing changed" in err
    assert main(["--db", str(db), "stats"]) == 0


def test_a_sqlite_file_of_another_program_is_refused_before_anything_changes(tmp_path, capsys) -> None:
    """Any SQLite file with a user_version went in; the next command said "no such table: photos"."""
    db, _ = _index_and_copy(tmp_path)
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    err = _restore_refused(db, foreign, capsys)
    assert "it holds no landmark-tagger index (no labels or photos); nothing changed" in err
    assert main(["--db", str(db), "stats"]) == 0


def test_an_index_from_a_newer_version_names_the_newest_copy_this_version_opens_a_restores_too(
        tmp_path, capsys) -> None:
    """The refusal named the copy taken before an older upgrade, not the newer
    `…-before-restore.db` this version opens: following it lost every change between."""
    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()
    copies = backup_folder(db)
    copies.mkdir()
    (copies / f"index-20261201-000000-000000-before-upgrade-from-schema-{OLD}.db").write_bytes(db.read_bytes())
    kept = copies / "index-20261205-000000-000000-before-restore.db"
    kept.write_bytes(db.read_bytes())
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 2}")
    conn.close()
    (copies / "index-20261206-000000-000000-before-restore.db").write_bytes(db.read_bytes())  # newer: not opened here
    assert main(["--db", str(db), "stats"]) == 2
    err = capsys.readouterr().err
    assert (f"go back to the copy kept before the last `restore-index`, which this one opens (schema "
            f"{LATEST_VERSION}; what changed since it was taken is not in it") in err
    assert f"restore-index {kept}`" in err

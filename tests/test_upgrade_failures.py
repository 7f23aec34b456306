"""An upgrade of the index that fails and is rolled back says what happened
(app.core.index.upgrade_failures): a full disk was "is not a usable landmark-tagger
index: database or disk is full" and left its before-upgrade copy taking the space the
retry needed; Ctrl+C inside a migration's SQL function was "…: user-defined function
raised exception", exit 2."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.errors import IndexStoreError
from app.core.index import PhotoIndex, schema
from app.core.index.backup import backups, is_upgrade_copy
from app.core.index.schema import LATEST_VERSION
from tests.test_index import _index_at_version
from tests.test_index_upgrade_copy import _version

OLD = LATEST_VERSION - 3


def _old_index(tmp_path: Path, monkeypatch) -> Path:
    db = tmp_path / "index.db"
    _index_at_version(db, monkeypatch, OLD, [("/lib/Petra", "DSC_0001", "2020-11-03T10:00:00")],
                      [("Petra", None, "user", "accepted")])
    return db


def _last_migration_does(monkeypatch, step) -> None:
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS[:-1], step))


def test_a_disk_full_during_the_migrations_says_so_and_leaves_no_copy_behind(tmp_path, monkeypatch, capsys) -> None:
    db = _old_index(tmp_path, monkeypatch)
    earlier = db.with_name("index.db.backups") / "index-20250101-000000-000000-before-upgrade-from-schema-9.db"
    earlier.parent.mkdir()
    earlier.write_bytes(db.read_bytes())  # the copy an earlier upgrade kept: it stays

    def disk_full(conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    _last_migration_does(monkeypatch, disk_full)
    with pytest.raises(IndexStoreError) as raised:
        PhotoIndex.open(db)
    message = str(raised.value)
    assert f"not enough free space to upgrade the index {db} from schema {OLD} to {LATEST_VERSION}" in message
    assert f"the index was left as it was (schema {OLD})" in message and "Free about 1 MB" in message
    assert "not a usable" not in message
    assert _version(db) == OLD
    assert backups(db) == [earlier]  # this try's copy went: the retry has the space it took
    assert main(["--db", str(db), "stats"]) == 2
    assert "not enough free space to upgrade" in capsys.readouterr().err
    monkeypatch.undo()
    PhotoIndex.open(db).close()  # space freed: the upgrade goes ahead, its copy kept beside the earlier one
    (kept, copy) = backups(db)
    assert kept == earlier and is_upgrade_copy(copy) and _version(copy) == OLD


def test_ctrl_c_inside_a_migrations_sql_function_says_interrupted(tmp_path, monkeypatch, capsys) -> None:
    db = _old_index(tmp_path, monkeypatch)

    def interrupted_fold(conn: sqlite3.Connection) -> None:
        def fold(text):
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C while SQLite runs this Python function
            for _ in range(1000):
                text = str(text)
            return text

        conn.create_function("fold_for_test", 1, fold)
        conn.execute("UPDATE labels SET label = fold_for_test(label)")

    _last_migration_does(monkeypatch, interrupted_fold)
    assert main(["--db", str(db), "stats"]) == 130
    err = capsys.readouterr().err
    assert "landmark-tagger: interrupted; " in err and "not a usable" not in err
    assert f"the index was left as it was (schema {OLD}) and is upgraded at the next command" in err
    assert _version(db) == OLD and backups(db) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_folder_of_copies_that_is_not_writable_is_named_with_the_real_error(tmp_path, monkeypatch) -> None:
    """A `.backups` folder left owned by root by one `sudo landmark-tagger` run: SQLite
    said "unable to open database file" and the message sent users to free space and to
    make the index's folder, writable already, writable."""
    from app.core.index import backup

    db = _old_index(tmp_path, monkeypatch)
    copies = backup.backup_folder(db)
    copies.mkdir()

    def refused(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(backup, "write_copy", refused)
    real_access = os.access
    monkeypatch.setattr(backup.os, "access", lambda path, mode: Path(path) != copies and real_access(path, mode))
    with pytest.raises(IndexStoreError) as raised:
        PhotoIndex.open(db)
    message = str(raised.value)
    assert f"The folder {copies} is not writable (Permission denied): make it writable" in message
    assert "Free some space" not in message and f"make {tmp_path} writable" not in message
    assert _version(db) == OLD

"""An index is not upgraded while another process has it open (an older app left open
would go on writing into the upgraded schema in its old ways, and what it added would
stay wrong for good), and a connection held open stops writing once a newer version
upgraded the file under it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.errors import IndexInUseError, IndexStoreError
from app.core.index import PhotoIndex
from app.core.index.backup import backup_folder, backups
from app.core.index.schema import LATEST_VERSION
from tests.test_index_upgrade_copy import OLD, _old_index, _version


def _hold_open(db: Path) -> subprocess.Popen:
    """Another process (an older app) that has read the index and keeps it open, idle."""
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sqlite3, sys
            conn = sqlite3.connect({str(db)!r}, isolation_level=None)
            conn.execute("SELECT count(*) FROM photos").fetchone()
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    return holder


def _let_go(holder: subprocess.Popen) -> None:
    holder.stdin.close()
    holder.wait(timeout=30)


def test_an_older_index_another_process_has_open_is_left_as_it_was_with_exit_75(tmp_path, monkeypatch, capsys):
    db = _old_index(tmp_path, monkeypatch)  # in WAL, as every version opens it
    holder = _hold_open(db)
    try:
        with pytest.raises(IndexInUseError, match="still open on this index"):
            PhotoIndex.open(db)
        assert main(["--db", str(db), "stats"]) == 75
        assert "Landmark Tagger is still open on this index (perhaps an older version)" in capsys.readouterr().err
        assert _version(db) == OLD and backups(db) == []
    finally:
        _let_go(holder)
    assert main(["--db", str(db), "stats"]) == 0  # closed: the next command upgrades it
    assert _version(db) == LATEST_VERSION and len(backups(db)) == 1


def test_an_index_at_this_schema_opens_while_others_have_it_open(tmp_path):
    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()
    holder = _hold_open(db)
    try:
        with PhotoIndex.open(db) as index:
            assert index.stats()["photos"] == 0
    finally:
        _let_go(holder)


def test_a_connection_held_open_writes_nothing_once_a_newer_version_upgraded_the_file(tmp_path):
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        index.add_root(tmp_path / "before")
        newer = sqlite3.connect(db, isolation_level=None)
        newer.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")  # a newer version upgraded it meanwhile
        newer.close()
        with pytest.raises(IndexStoreError, match="upgraded by a newer version .* restart the app"):
            index.add_root(tmp_path / "after")
        assert [path.name for path in index.roots()] == ["before"]


def test_a_half_copy_a_killed_upgrade_left_goes_at_the_next_upgrade_however_new(tmp_path, monkeypatch):
    db = _old_index(tmp_path, monkeypatch)
    folder = backup_folder(db)
    folder.mkdir()
    half = folder / f"index-20260101-000000-000000-before-upgrade-from-schema-{OLD}.db.tmp"
    half.write_bytes(b"x" * 4096)
    (folder / f"{half.name}-journal").write_bytes(b"j")
    weekly = folder / "index-20260101-000000-000001.db.tmp"  # another process's weekly copy, maybe running
    weekly.write_bytes(b"w")
    PhotoIndex.open(db).close()
    assert _version(db) == LATEST_VERSION
    left = sorted(path.name for path in folder.iterdir())
    assert half.name not in left and f"{half.name}-journal" not in left
    assert weekly.name in left and len(backups(db)) == 1
    assert os.path.getsize(backups(db)[0]) > 0

"""An index opened read-only that someone writes while it is open (found in review): the
owner when the reader is another user, the same user after the `chmod u+w` our own
message asks for, a computer with write access to a share. Opened with `immutable=1`,
SQLite kept its old pages and mixed them with the new ones: stale counts, then "database
disk image is malformed", which told the user to throw a healthy index away."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest

from app.core.errors import IndexStoreError
from app.core.index import PhotoIndex
from app.core.index import read_only_files
from app.core.index.connection import index_problem_message
from app.core.index.read_only_files import read_only_uri
from tests.test_read_only_index import REPO, _as_an_ordinary_user, as_owner  # noqa: F401 (a fixture)

READER = r'''
import os, subprocess, sys
from app.core.index import PhotoIndex
from app.core.index.connection import index_problem_message

db = sys.argv[1]
WRITER = """
import sys
from app.core.index import PhotoIndex
with PhotoIndex.open(sys.argv[1]) as index, index.transaction() as conn:
    if sys.argv[2] == "delete":
        conn.execute("DELETE FROM photos WHERE id % 2 = 0")
    conn.executemany("INSERT INTO photos (folder, stem, primary_path) VALUES (?, ?, ?)",
                     [(sys.argv[3], f"IMG_{i:05d}", f"{sys.argv[3]}/IMG_{i:05d}.JPG" + "x" * 150)
                      for i in range(int(sys.argv[4]))])
"""
def write(*argv):
    subprocess.run([sys.executable, "-c", WRITER, db, *argv], check=True)

write("add", "/lib/Rome", "4000")
os.chmod(db, 0o444)
reader = PhotoIndex.open(db)
count = lambda: reader.conn.execute("SELECT count(*), count(DISTINCT folder) FROM photos").fetchone()
print("before", *count())
os.chmod(db, 0o644)  # as the read-only message asks
write("delete", "/lib/Paris", "4000")
try:
    print("after", *count())
    print("search", len(reader.search("", limit=100000)))
except Exception as error:
    print("message", index_problem_message(db, error))
'''


def test_a_change_made_while_a_read_only_index_is_open_is_read_and_never_called_damage(tmp_path) -> None:
    """The reviewer's scenario with real permissions: the reader's open is read-only."""
    folder = tmp_path / "lib"
    folder.mkdir()
    folder.chmod(0o777)
    env = {**os.environ, "PYTHONPATH": str(REPO), "LANDMARK_TAGGER_HOME": str(tmp_path / "home")}
    done = subprocess.run([*_as_an_ordinary_user(), sys.executable, "-c", READER, str(folder / "index.db")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "before 4000 1"
    # either the new rows, or a clear line to open it again: never "damaged"
    assert lines[1:] == ["after 6000 2", "search 6000"] or "open it again" in lines[1], lines
    assert "damaged" not in done.stdout


def test_an_index_in_a_folder_that_cannot_hold_a_shm_is_still_read(tmp_path) -> None:
    """mode=ro needs a -shm for a WAL index; with none and no way to make one (a folder
    the user may not write), immutable=1 is the only way to read it."""
    folder = tmp_path / "lib"
    folder.mkdir()
    with PhotoIndex.open(folder / "index.db") as index:
        index.add_root(tmp_path / "photos")
    assert sorted(path.name for path in folder.iterdir()) == ["index.db"]
    (folder / "index.db").chmod(0o444)
    folder.chmod(0o555)
    env = {**os.environ, "PYTHONPATH": str(REPO), "LANDMARK_TAGGER_HOME": str(tmp_path / "home")}
    try:
        done = subprocess.run([*_as_an_ordinary_user(), sys.executable, "-m", "app", "--db",
                               str(folder / "index.db"), "stats"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in folder.iterdir()) == ["index.db"]


@pytest.mark.parametrize("flags, immutable", [(os.ST_RDONLY if hasattr(os, "ST_RDONLY") else 1, True),
                                              (0, False), (None, False)])
def test_only_a_disk_mounted_read_only_is_trusted_not_to_change(tmp_path, monkeypatch, flags, immutable) -> None:
    """immutable=1 where nothing can write the file; mode=ro elsewhere, and where there is
    no statvfs (None: Windows)."""
    db = tmp_path / "index.db"
    with PhotoIndex.open(db):
        pass
    if flags is None:
        monkeypatch.delattr(os, "statvfs", raising=False)
    else:
        monkeypatch.setattr(os, "ST_RDONLY", os.ST_RDONLY if hasattr(os, "ST_RDONLY") else 1, raising=False)
        monkeypatch.setattr(os, "statvfs", lambda path: types.SimpleNamespace(f_flag=flags), raising=False)
    uri = read_only_uri(str(db))
    assert "mode=ro" in uri and ("immutable=1" in uri) == immutable


def _read_only_index(tmp_path: Path) -> tuple[Path, PhotoIndex]:
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        index.add_root(tmp_path / "photos")
    db.chmod(0o444)
    return db, PhotoIndex.open(db)


def test_malformed_read_on_a_read_only_connection_of_a_whole_file_says_open_it_again(tmp_path, as_owner) -> None:
    db, index = _read_only_index(tmp_path)
    try:
        malformed = sqlite3.DatabaseError("database disk image is malformed")
        for path in (db, None):  # the command line names the index; the app's jobs do not
            message = index_problem_message(path, malformed)
            assert "changed while it was open read-only" in message and "open it again" in message, path
            assert "move it aside" not in message
    finally:
        index.close()


def test_a_damaged_file_opened_read_only_is_still_called_damaged(tmp_path, as_owner) -> None:
    db, index = _read_only_index(tmp_path)
    index.close()
    db.chmod(0o644)
    with open(db, "r+b") as handle:  # every page after the first: garbage
        handle.seek(4096)
        handle.write(b"\x07" * (db.stat().st_size - 4096))
    message = index_problem_message(db, sqlite3.DatabaseError("database disk image is malformed"))
    assert "is damaged" in message and "move it aside" in message


def test_a_change_asked_after_the_file_was_made_writable_says_to_open_it_again(tmp_path, as_owner) -> None:
    db, index = _read_only_index(tmp_path)
    try:
        db.chmod(0o644)
        with pytest.raises(IndexStoreError) as refused:
            index.add_root(tmp_path / "more")
        assert str(refused.value) == (f"the index {db} was opened read-only and has been made writable since: open "
                                      "it again (run the command again, or reopen the library in the app) to change it")
    finally:
        index.close()
    with PhotoIndex.open(db) as reopened:
        reopened.add_root(tmp_path / "more")
    assert read_only_files.is_read_only_file(db) is False

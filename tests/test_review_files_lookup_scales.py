"""accept, reject and label with photo files named (a shell glob) looked each file up with a
query that read the whole `files` table, once a file (twice for label): naming the same
files cost more the larger the library. They are now looked up by exact path, all in one
query on the index of files.path. The work is counted in SQLite VM instructions (a
progress handler), never in time."""

from __future__ import annotations

import sqlite3

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.tag_selection import photo_ids_under
from tests.test_gui_support import insert_archive_rows
from tests.test_metadata_support import add_photo, make_jpeg

NAMED = 20


def _library(root, others: int):
    """NAMED real JPEGs labelled "Colosseum" (suggested), and `others` photos elsewhere in
    the library (index rows only: the rest of a large library)."""
    folder = root / "Rome"
    folder.mkdir(parents=True)
    db = root / "index.db"
    files = [make_jpeg(folder / f"DSC_{n:04d}.jpg", size=(32, 24), seed=n) for n in range(NAMED)]
    with PhotoIndex.open(db) as index:
        for file in files:
            add_photo(index, [file], "Colosseum", state="suggested")
        with index.transaction() as conn:
            insert_archive_rows(conn, others, "/photos")
    # the weekly copy of the index is taken by the first command that changes it: now, untimed
    assert main(["--db", str(db), "accept", "path:/nowhere/none.jpg"]) == 1
    return db, files


def _sqlite_work(monkeypatch, run) -> int:
    """Hundreds of SQLite VM instructions run on the connections opened during `run()`."""
    count = [0]
    real_connect = sqlite3.connect

    def counting_connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        conn.set_progress_handler(lambda: count.__setitem__(0, count[0] + 1) or 0, 100)
        return conn

    with monkeypatch.context() as patched:
        patched.setattr(sqlite3, "connect", counting_connect)
        run()
    return count[0]


@pytest.mark.parametrize("command", [["accept"], ["reject"], ["label", "--no-landmark"]])
def test_naming_files_costs_the_same_in_a_larger_library(tmp_path, monkeypatch, capsys, command):
    work = {}
    for others in (200, 10_000):
        db, files = _library(tmp_path / f"library-{others}", others)
        verb, *options = command
        argv = ["--db", str(db), verb, *map(str, files), *options]
        work[others] = _sqlite_work(monkeypatch, lambda: main(argv) == 0 or pytest.fail(capsys.readouterr().err))
        assert f"{NAMED} of {NAMED} matching photos changed" in capsys.readouterr().err
    # 50 times the photos, the same 20 files: a full read of `files` a file would be ~50 times the work
    assert work[10_000] <= 2 * work[200], work


def test_a_folder_is_looked_up_by_an_index_range(tmp_path):
    """tag and teach of a folder: its photos, not its sibling `Rome-2`'s, without reading
    the whole library."""
    db, files = _library(tmp_path / "library", 10_000)
    sibling = tmp_path / "library" / "Rome-2"
    sibling.mkdir()
    with PhotoIndex.open(db) as index:
        add_photo(index, [make_jpeg(sibling / "DSC_0000.jpg", size=(32, 24))], "Colosseum")
        work = [0]
        index.conn.set_progress_handler(lambda: work.__setitem__(0, work[0] + 1) or 0, 100)
        found = photo_ids_under(index, [files[0].parent])
        index.conn.set_progress_handler(None, 100)
        assert sorted(index.get(i).path for i in found) == sorted(str(f.resolve()) for f in files)
    assert work[0] < 100, work  # a read of the 10,000 files rows is thousands

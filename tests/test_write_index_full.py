"""The index's disk filling up in the middle of `write` (hostile-1): a known condition, not
a bug. No traceback, only the closing lines; the batch is left for the next write, which
carries it on once there is room, so one `undo` takes back every file of both runs, byte
for byte. The full disk is simulated: one journal step raises SQLite's error from the
Nth call on, before the rename (begin_entry) or after it (complete_entry, update_indexed_file)."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from app.core.errors import IndexStoreError
from app.core.metadata import journal
from tests.test_cli_core import run_cli
from tests.test_write_rerun_carries_on import NAMES, _labelled
from tests.test_write_safety_support import _library


def _begin_refused() -> IndexStoreError:  # BEGIN IMMEDIATE failing, as TransactionManager words it
    try:
        raise sqlite3.OperationalError("disk I/O error")
    except sqlite3.OperationalError as error:
        try:
            raise IndexStoreError(f"the index is busy or read-only: {error}; close the other program") from error
        except IndexStoreError as wrapped:
            return wrapped


@pytest.mark.parametrize("step, error", [
    ("begin_entry", lambda: sqlite3.OperationalError("database or disk is full")),
    ("begin_entry", _begin_refused),
    ("complete_entry", lambda: sqlite3.OperationalError("disk I/O error")),
    ("update_indexed_file", lambda: sqlite3.OperationalError("database or disk is full")),
])
def test_a_write_the_index_disk_fills_under_is_carried_on_and_one_undo_takes_it_all_back(
        tmp_path, capsys, caplog, monkeypatch, step, error):
    db, ids = _library(tmp_path, NAMES)
    originals = {photo: photo.read_bytes() for photo in ids}
    real, calls = getattr(journal, step), []

    def full_from_the_third_file(*args, **kwargs):
        calls.append(1)
        if len(calls) >= 3:
            raise error()
        return real(*args, **kwargs)

    monkeypatch.setattr(journal, step, full_from_the_third_file)
    with caplog.at_level(logging.ERROR):
        code, _, err = run_cli(capsys, "--db", str(db), "write")
    changed = len(_labelled(ids))
    assert code == 2 and changed >= 2, err
    assert "Traceback" not in err and "unexpected" not in err and not caplog.records, err
    assert (f"write: {changed} files changed before the index failed (batch 1; `landmark-tagger --db {db} undo` "
            f"reverts it once the index can be used again, or `landmark-tagger --db {db} write` then writes the "
            f"rest into batch 1, so that one `landmark-tagger --db {db} undo` takes back all its files)") in err
    assert "landmark-tagger: error: cannot use the index" in err

    monkeypatch.undo()  # space freed
    code, _, err = run_cli(capsys, "--db", str(db), "write")
    assert code == 0 and len(_labelled(ids)) == len(NAMES)
    assert "write: carried on batch 1 (stopped before it finished)" in err, err
    assert f"(batch 1 now holds {len(NAMES)} files;" in err
    code, _, err = run_cli(capsys, "--db", str(db), "undo")
    assert code == 0 and f"undo: batch 1: {len(NAMES)} files restored, 0 failed" in err, err
    assert all(photo.read_bytes() == originals[photo] for photo in ids)

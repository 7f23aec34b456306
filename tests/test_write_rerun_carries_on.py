"""A `write` killed part-way (SIGKILL, a power cut, the laptop's lid) and run again is
one write: the rerun carries the killed batch on, so one `undo` takes back every file
either run changed, byte for byte, and the rerun says so (killtest finding 1)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.index import PhotoIndex, running_writes
from app.core.index.running_writes import WriteRunningError
from app.core.metadata import journal, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.plan import WriteOptions
from tests.test_cli_core import run_cli
from tests.test_write_safety_support import REPO, _library

# A write in a child process that dies as SIGKILL makes it die right after its Nth call
# of `where` (replace_atomically: a file renamed into place, nothing after it recorded;
# flush_to_disk: its temp written, not renamed): no except, finally or atexit runs.
KILLED_AFTER_RENAMES = r"""
import os, signal, sys
from app.core.index import PhotoIndex
from app.core.metadata import atomic, plan_writes, write_labels
from app.core.metadata.plan import WriteOptions

db, renames, where = sys.argv[1], int(sys.argv[2]), sys.argv[3]
real, done = getattr(atomic, where), []


def then_die(*args, **kwargs):
    result = real(*args, **kwargs)
    done.append(1)
    if len(done) == renames:
        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)
    return result


setattr(atomic, where, then_die)
index = PhotoIndex.open(db)
write_labels(index, plan_writes(index), WriteOptions(workers=1))
print("finished")
"""

NAMES = [f"p{n}.jpg" for n in range(6)]


def _killed_write(db: Path, renames: int, where: str = "replace_atomically") -> None:
    run = subprocess.run([sys.executable, "-c", KILLED_AFTER_RENAMES, str(db), str(renames), where],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "finished" not in run.stdout, run.stderr


def _labelled(photos) -> list[str]:
    return sorted(p.name for p in photos if read_fields(p.read_bytes()).subject == ["Eiffel Tower"])


def test_one_undo_takes_back_a_killed_write_and_the_rerun_that_finished_it(tmp_path):
    db, ids = _library(tmp_path, NAMES)
    originals = {photo: photo.read_bytes() for photo in ids}
    _killed_write(db, 2)
    assert len(_labelled(ids)) == 2  # the killed write changed two files
    with PhotoIndex.open(db) as index:
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert (rerun.batch_id, rerun.carried_on, rerun.batch_files) == (1, True, 6)
        assert (rerun.written, rerun.unchanged, rerun.failed) == (4, 2, 0)
        assert rerun.line().startswith("carried on batch 1 (stopped before it finished): 4 more files written, "
                                       "2 unchanged, 0 failed")
        undone = undo_last_write(index)
        assert (undone.batch_id, undone.written, undone.failed) == (1, 6, 0)
        assert all(photo.read_bytes() == originals[photo] for photo in ids)  # every file, byte for byte
        assert undo_last_write(index).batch_id is None  # nothing older left holding our label


def test_a_kill_during_the_carried_on_write_still_leaves_one_batch(tmp_path):
    db, ids = _library(tmp_path, NAMES)
    originals = {photo: photo.read_bytes() for photo in ids}
    _killed_write(db, 2)
    _killed_write(db, 1)  # the rerun, killed too: it carried batch 1 on
    assert len(_labelled(ids)) == 3
    with PhotoIndex.open(db) as index:
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert (rerun.batch_id, rerun.carried_on, rerun.written, rerun.unchanged) == (1, True, 3, 3)
        assert [row[0] for row in index.conn.execute("SELECT id FROM write_batches")] == [1]
        assert journal.batch_size(index, 1).files == 6
        assert undo_last_write(index).written == 6
        assert all(photo.read_bytes() == originals[photo] for photo in ids)


def test_a_file_the_killed_write_began_and_the_rerun_wrote_counts_once(tmp_path):
    db, ids = _library(tmp_path, NAMES[:3])
    originals = {photo: photo.read_bytes() for photo in ids}
    _killed_write(db, 1, "flush_to_disk")  # its first file journalled, its temp written, not renamed
    assert _labelled(ids) == []
    with PhotoIndex.open(db) as index:
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert (rerun.batch_id, rerun.carried_on, rerun.written, rerun.batch_files) == (1, True, 3, 3)
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (3, 0)  # the file with two entries is one file restored
    assert all(photo.read_bytes() == originals[photo] for photo in ids)


def test_a_rerun_with_nothing_left_to_write_still_names_the_batch_undo_takes_back(tmp_path):
    db, ids = _library(tmp_path, NAMES[:2])
    originals = {photo: photo.read_bytes() for photo in ids}
    _killed_write(db, 2)  # killed after its last file: every file written, nothing recorded
    with PhotoIndex.open(db) as index:
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert (rerun.batch_id, rerun.carried_on, rerun.written, rerun.unchanged, rerun.batch_files) == (1, True, 0, 2, 2)
        assert journal.batch_status(index, 1) == "done"
        assert undo_last_write(index).written == 2
    assert all(photo.read_bytes() == originals[photo] for photo in ids)


def test_a_finished_batch_is_not_carried_on(tmp_path):
    db, ids = _library(tmp_path, NAMES[:2])
    with PhotoIndex.open(db) as index:
        first = write_labels(index, plan_writes(index))
        index.set_label(next(iter(ids.values())), "Louvre")
        second = write_labels(index, plan_writes(index))
    assert (first.batch_id, first.carried_on, second.batch_id, second.carried_on) == (1, False, 2, False)
    assert "carried on" not in second.line()


@pytest.mark.parametrize("as_json", [False, True])
def test_the_cli_says_the_rerun_carried_the_killed_write_on(tmp_path, capsys, as_json):
    db, ids = _library(tmp_path, NAMES[:3])
    _killed_write(db, 1)
    code, out, err = run_cli(capsys, "--db", str(db), "write", *(["--json"] if as_json else []))
    assert code == 0
    assert (f"write: carried on batch 1 (stopped before it finished): 2 more files written, 1 unchanged, 0 failed "
            f"(batch 1 now holds 3 files; `landmark-tagger --db {db} undo` reverts them all)") in err
    if as_json:
        summary = json.loads(out.splitlines()[-1])
        assert (summary["batch_id"], summary["carried_on"], summary["batch_files"], summary["written"]) == (1, True, 3, 2)
    code, out, err = run_cli(capsys, "--db", str(db), "undo", "--json")
    undone = json.loads(out.splitlines()[-1])
    assert (code, undone["batch_id"], undone["restored"]) == (0, 1, 3)
    assert "carried_on" not in undone and "undo: batch 1: 3 files restored, 0 failed" in err
    assert _labelled(ids) == []


TWO_DAYS_AGO = "2026-01-01T10:00:00+00:00"  # any start over OTHER_COMPUTER_GRACE (a day) before now


def _started(db: Path, when: str) -> None:
    with PhotoIndex.open(db) as index, index.transaction() as conn:
        conn.execute("UPDATE write_batches SET started_at = ?", (when,))


def test_a_batch_carried_on_days_after_its_kill_is_live_to_another_computer(tmp_path, monkeypatch):
    # review 3 F1: the index on a share; the write killed on Friday, rerun on Sunday on computer A
    db, ids = _library(tmp_path, NAMES)
    originals = {photo: photo.read_bytes() for photo in ids}
    _killed_write(db, 2)
    _started(db, TWO_DAYS_AGO)
    here, refused = socket.gethostname(), []
    with PhotoIndex.open(db) as writer, PhotoIndex.open(db) as other:

        def computer_b_acts_after_the_first_file(progress) -> None:
            if progress.done == 1:
                with monkeypatch.context() as elsewhere:
                    elsewhere.setattr(socket, "gethostname", lambda: "otherpc")
                    elsewhere.setenv("LANDMARK_TAGGER_HOME", str(tmp_path / "otherpc"))  # its own computer id
                    elsewhere.setattr("app.core.this_computer.os_machine_id", lambda: "machine-id-of-otherpc")
                    for act in (lambda: undo_last_write(other), lambda: write_labels(other, plan_writes(other))):
                        with pytest.raises(WriteRunningError) as error:
                            act()
                        refused.append(str(error.value))

        rerun = write_labels(writer, plan_writes(writer), WriteOptions(workers=1),
                             progress=computer_b_acts_after_the_first_file)
        assert refused == [f"a write is running (batch 1, process {os.getpid()} on {here}); undo when it has finished",
                           f"another write is running (batch 1, process {os.getpid()} on {here}); "
                           "try again when it has finished"]
        assert (rerun.batch_id, rerun.carried_on, rerun.written, rerun.failed, rerun.batch_files) == (1, True, 4, 0, 6)
        assert (undo_last_write(other).written, undo_last_write(other).batch_id) == (6, None)
    assert all(photo.read_bytes() == originals[photo] for photo in ids)


def test_a_write_whose_batch_an_undo_elsewhere_took_does_not_say_undo_reverts_it(tmp_path, monkeypatch):
    # a write running over a day (or an older version on the other computer): its undo is not refused
    db, ids = _library(tmp_path, NAMES[:4])
    real_begin, begun = journal.begin_entry, []
    with PhotoIndex.open(db) as writer, PhotoIndex.open(db) as other:

        def computer_b_undoes_before_the_second_file(*args, **kwargs):  # (one worker: the first is written)
            begun.append(1)
            if len(begun) == 2:
                _started(db, TWO_DAYS_AGO)
                with monkeypatch.context() as elsewhere:
                    elsewhere.setattr(socket, "gethostname", lambda: "otherpc")
                    elsewhere.setenv("LANDMARK_TAGGER_HOME", str(tmp_path / "otherpc"))  # its own computer id
                    elsewhere.setattr("app.core.this_computer.os_machine_id", lambda: "machine-id-of-otherpc")
                    assert undo_last_write(other).written == 1
            return real_begin(*args, **kwargs)

        monkeypatch.setattr(journal, "begin_entry", computer_b_undoes_before_the_second_file)
        summary = write_labels(writer, plan_writes(writer), WriteOptions(workers=1))
        assert (summary.batch_id, summary.written, summary.batch_files, summary.undone_meanwhile) == (1, 4, 3, True)
        assert summary.line() == ("4 files written, 0 failed; batch 1 was undone by another process while this write "
                                  "ran: 3 files written after that keep the label, and no undo takes them back")
        assert summary.to_json()["undone_meanwhile"] is True
        assert undo_last_write(other).batch_id is None  # as it says
    assert len(_labelled(ids)) == 3


def test_the_count_of_a_carried_on_write_the_index_failed_under_is_of_files(tmp_path, capsys, monkeypatch):
    # review 3 F2: a file the killed run journalled and the rerun wrote has two entries; it is one file
    db, ids = _library(tmp_path, NAMES[:3])
    _killed_write(db, 1, "flush_to_disk")

    def full_disk(index, batch_id, status, *_):  # closing the batch: the index's disk is full
        running_writes.release_batch(index.conn, batch_id)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(journal, "finish_batch", full_disk)
    code, _, err = run_cli(capsys, "--db", str(db), "write")
    assert code == 2 and len(_labelled(ids)) == 3
    assert f"write: 3 files changed before the index failed (batch 1; `landmark-tagger --db {db} undo` reverts it" in err
    monkeypatch.undo()
    code, _, err = run_cli(capsys, "--db", str(db), "undo")
    assert code == 0 and "undo: batch 1: 3 files restored, 0 failed" in err

"""What a write and an undo say of the batches they leave: a write the user cancelled
is named only by the files an undo can still put back (review 6, F2), and a write
stopped by SIGTERM, left for the next write to carry on, is neither called cancelled
nor counted twice by the rerun that wrote its files again (review 6, F3)."""

from __future__ import annotations

from pathlib import Path

from app.core.index import PhotoIndex
from app.core.metadata import journal, plan_writes, undo_last_write, write_labels
from app.core.metadata.plan import WriteOptions
from app.core.progress import CancelToken
from app.core.scanner import scan
from tests.test_write_safety_support import _library

NAMES = [f"p{n}.jpg" for n in range(6)]


def _stopped_write(index: PhotoIndex, files: int, by_user: bool):
    """A write of the whole plan, stopped (the app's Cancel, Ctrl-C; or SIGTERM) once `files` are written."""
    cancel, done = CancelToken(), []

    def stop_after(_progress) -> None:
        done.append(1)
        if len(done) == files:
            cancel.cancel(by_user=by_user)

    return write_labels(index, plan_writes(index), WriteOptions(workers=1), progress=stop_after, cancel=cancel)


def _journalled(index: PhotoIndex, batch_id: int) -> list[Path]:
    rows = index.conn.execute("SELECT DISTINCT path FROM write_journal WHERE batch_id = ?", (batch_id,))
    return [Path(row[0]) for row in rows]


def test_a_cancelled_batch_counts_only_its_files_still_there_and_is_not_named_once_all_are_gone(tmp_path) -> None:
    db, _ = _library(tmp_path, NAMES)
    with PhotoIndex.open(db) as index:
        cancelled = _stopped_write(index, 3, by_user=True)
        assert journal.batch_status(index, cancelled.batch_id) == "cancelled"
        written = _journalled(index, cancelled.batch_id)
        assert 3 <= len(written) == cancelled.written < len(NAMES)
        written[0].unlink()  # the user deletes one of them; the scan finds it missing
        scan(index, [tmp_path])
        assert journal.cancelled_batch_before(index) == journal.CancelledBatch(cancelled.batch_id, len(written) - 1)
        for photo in written[1:]:  # and then the others
            photo.unlink()
        scan(index, [tmp_path])
        assert journal.cancelled_batch_before(index) is None  # no undo can put any back: nothing promised
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert rerun.batch_id == cancelled.batch_id + 1 and rerun.cancelled_before is None
        assert undo_last_write(index).cancelled_before is None


def test_a_rerun_and_its_undo_name_the_cancelled_batch_they_leave_with_its_files(tmp_path) -> None:
    db, _ = _library(tmp_path, NAMES)
    with PhotoIndex.open(db) as index:
        cancelled = _stopped_write(index, 2, by_user=True)
        assert 2 <= cancelled.written < len(NAMES)
        left = journal.CancelledBatch(cancelled.batch_id, cancelled.written)
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert rerun.cancelled_before == left
        undone = undo_last_write(index)
        assert (undone.batch_id, undone.cancelled_before) == (rerun.batch_id, left)
        assert undo_last_write(index).cancelled_before is None  # batch 1 itself undone: nothing left behind


def test_a_write_stopped_by_sigterm_is_not_called_cancelled_and_its_rerun_counts_files_written_again(
        tmp_path) -> None:
    db, ids = _library(tmp_path, NAMES)
    with PhotoIndex.open(db) as index:
        stopped = _stopped_write(index, 2, by_user=False)
        first = stopped.written
        assert stopped.left_for_the_next_write and 2 <= first < len(NAMES)
        assert stopped.line() == f"{first} files written, 0 failed (stopped)"
        for photo_id in ids.values():  # relabelled before the next night's write: its files are written again
            index.set_label(photo_id, "Louvre", source="user", state="accepted")
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert (rerun.carried_on, rerun.written, rerun.written_again, rerun.batch_files) == (True, 6, first, 6)
        assert rerun.line() == (f"carried on batch 1 (stopped before it finished): 6 files written ({first} of them "
                                "again), 0 failed")
        assert rerun.to_json()["written_again"] == first

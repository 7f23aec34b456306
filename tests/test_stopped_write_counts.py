"""The counts after a write killed while a file was journalled but not yet renamed into
place (review 9 F2): that file was never written by the killed run, so the rerun that
writes it writes it once ("4 more files written", not "(1 of them again)"), and an undo
of the killed state restores the files that changed, not that one too."""

from __future__ import annotations

from app.core.index import PhotoIndex
from app.core.metadata import journal, plan_writes, undo_last_write, write_labels
from app.core.metadata.plan import WriteOptions
from tests.test_write_rerun_carries_on import NAMES, _killed_write, _labelled
from tests.test_write_safety_support import _library


def _killed_before_its_third_rename(tmp_path):
    db, ids = _library(tmp_path, NAMES)
    originals = {photo: photo.read_bytes() for photo in ids}
    _killed_write(db, 3, "flush_to_disk")  # two files written; the third journalled, its temp not renamed
    assert len(_labelled(ids)) == 2
    with PhotoIndex.open(db) as index:
        assert journal.batch_size(index, 1).files == 3
    return db, ids, originals


def test_a_file_journalled_but_never_renamed_is_not_written_again_by_the_rerun(tmp_path):
    db, ids, originals = _killed_before_its_third_rename(tmp_path)
    with PhotoIndex.open(db) as index:
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert (rerun.written, rerun.unchanged, rerun.written_again, rerun.batch_files) == (4, 2, 0, 6)
        assert rerun.line().startswith("carried on batch 1 (stopped before it finished): 4 more files written, "
                                       "2 unchanged, 0 failed")
        assert undo_last_write(index).written == 6
    assert all(photo.read_bytes() == originals[photo] for photo in ids)


def test_a_file_the_stopped_run_wrote_and_the_rerun_writes_anew_is_written_again(tmp_path):
    db, ids, originals = _killed_before_its_third_rename(tmp_path)
    first = next(photo for photo in ids if photo.name == _labelled(ids)[0])  # written by the killed run
    with PhotoIndex.open(db) as index:
        index.set_label(ids[first], "Petra", source="user", state="accepted")  # relabelled since
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert (rerun.written, rerun.written_again, rerun.batch_files) == (5, 1, 6)
        assert "5 files written (1 of them again)" in rerun.line()
        assert undo_last_write(index).written == 6
    assert all(photo.read_bytes() == originals[photo] for photo in ids)


def test_undo_of_the_killed_write_counts_the_files_it_changed_back(tmp_path):
    db, ids, originals = _killed_before_its_third_rename(tmp_path)
    with PhotoIndex.open(db) as index:
        undone = undo_last_write(index)
        assert (undone.batch_id, undone.written, undone.failed) == (1, 2, 0)
        assert undone.line().startswith("2 files restored, 0 failed")
    assert all(photo.read_bytes() == originals[photo] for photo in ids)


def test_the_stopped_write_named_at_start_up_counts_only_the_files_it_reached(tmp_path):
    """The app's start-up line ("left batch 1 with N files written"): not the file
    journalled when the write stopped and never renamed into place."""
    from app.core.metadata.stopped_write import stopped_write

    db, ids, originals = _killed_before_its_third_rename(tmp_path)
    with PhotoIndex.open(db) as index:
        assert stopped_write(index) == (1, 2)


def test_a_file_renamed_into_place_just_before_the_kill_is_counted_written(tmp_path):
    """Killed between the 2nd file's rename and its entry's completion: 2 files written."""
    from app.core.metadata.stopped_write import stopped_write

    db, ids = _library(tmp_path, NAMES)
    _killed_write(db, 2)
    assert len(_labelled(ids)) == 2
    with PhotoIndex.open(db) as index:
        assert stopped_write(index) == (1, 2)

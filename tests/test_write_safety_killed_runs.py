"""Writes and undos killed after their rename: the rerun records what the killed run did, and only that."""

from __future__ import annotations

import pytest

from app.core.fingerprint import fingerprint_file
from app.core.index import PhotoIndex
from app.core.metadata import journal, plan_writes, undo_last_write, write_labels
from app.core.metadata.file_now import changed_since_scan
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.plan import WriteOptions
from tests.test_metadata_support import make_jpeg
from tests.test_write_safety_support import _edited_elsewhere, _index_describes, _library, killed


# -- finding 2: a write killed between its rename and its bookkeeping -----------------
@pytest.mark.parametrize("where", ["atomic.replace_atomically", "journal.complete_entry"])
def test_a_write_killed_after_its_rename_is_recorded_by_the_rerun_but_an_edit_since_is_still_refused(tmp_path, where):
    db, ids = _library(tmp_path, ["ours.jpg", "edited.jpg"])
    ours, edited = ids
    originals = {photo: photo.read_bytes() for photo in ids}
    killed(db, "write", where, only="ours.jpg")
    killed(db, "write", where, only="edited.jpg")
    written = ours.read_bytes()
    assert read_fields(written).subject == read_fields(edited.read_bytes()).subject == ["Eiffel Tower"]
    outside = _edited_elsewhere(edited)  # after the kill, another program edits this one
    with PhotoIndex.open(db) as index:
        plan = {item.target.name: item for item in plan_writes(index)}  # what a dry run shows
        assert plan["ours.jpg"].problem is None and not plan["ours.jpg"].changes_anything
        assert plan["edited.jpg"].problem == changed_since_scan(plan["edited.jpg"].source)
        rerun = write_labels(index, list(plan.values()))
        assert (rerun.written, rerun.unchanged, rerun.failed) == (0, 1, 1)
        assert rerun.errors[0][0] == str(edited) and edited.read_bytes() == outside  # never overwritten
        # ours is recorded as the killed write would have: the index describes the file,
        # the journal's entry holds its new size and time
        assert _index_describes(index, ours)
        entry = journal.file_history(index, ours).last_entry
        assert (entry.size_after, entry.mtime_ns_after) == (ours.stat().st_size, ours.stat().st_mtime_ns)
        assert not _index_describes(index, edited)  # left for the scan to see
        # so it is written again at once, and undo still goes back byte for byte
        index.set_label(ids[ours], "Louvre")
        again = write_labels(index, plan_writes(index))
        assert (again.written, again.failed) == (1, 1) and read_fields(ours.read_bytes()).subject == ["Louvre"]
        assert undo_last_write(index).failed == 0 and ours.read_bytes() == written
        assert undo_last_write(index).failed == 0  # the killed batch of edited.jpg: our keyword out, theirs kept
        assert read_fields(edited.read_bytes()).subject == ["Holiday"]
        assert undo_last_write(index).failed == 0 and ours.read_bytes() == originals[ours]


# -- finding 1: an undo killed between its rename and its bookkeeping ------------------
def test_an_undo_killed_after_its_rename_is_recorded_by_the_rerun_but_an_edit_since_is_not(tmp_path):
    db, ids = _library(tmp_path, ["a.jpg", "b.jpg"])
    originals = {photo: photo.read_bytes() for photo in ids}
    with PhotoIndex.open(db) as index:
        assert write_labels(index, plan_writes(index), WriteOptions(workers=1)).written == 2
    killed(db, "undo", "atomic.replace_atomically")  # one file restored, nothing recorded
    [first] = [photo for photo in ids if photo.read_bytes() == originals[photo]]
    [second] = [photo for photo in ids if photo != first]
    killed(db, "undo", "atomic.replace_atomically")  # the rerun: finds `first` done, restores `second`, dies
    assert second.read_bytes() == originals[second]
    outside = _edited_elsewhere(second)
    with PhotoIndex.open(db) as index:
        assert _index_describes(index, first)  # the second run recorded it, as a restore does
        rerun = undo_last_write(index)
        assert (rerun.written, rerun.failed) == (1, 0) and journal.last_batch_id(index) is None
        assert second.read_bytes() == outside and not _index_describes(index, second)  # not ours: left to the scan
        for photo_id in ids.values():
            index.set_label(photo_id, "Louvre")
        summary = write_labels(index, plan_writes(index))
    assert (summary.written, summary.failed) == (1, 1), summary.errors
    assert read_fields(first.read_bytes()).subject == ["Louvre"]
    assert summary.errors[0] == (str(second), f"{second}: {changed_since_scan(second)}")
    assert second.read_bytes() == outside


# Review 2 (R1, R8): what the index says of a recovered file, and which files count as ours.
def test_a_killed_undo_of_a_relabel_to_a_label_of_the_same_length_gets_the_files_fingerprint(tmp_path):
    """Rome -> Pisa keeps the size and (kept) time: only the fingerprint tells the index
    still describes the Pisa bytes after the undo put the Rome bytes back."""
    db, ids = _library(tmp_path, ["a.jpg"], label="Rome")
    [photo] = ids
    with PhotoIndex.open(db) as index:
        write_labels(index, plan_writes(index), WriteOptions(workers=1))
        rome = photo.read_bytes()
        index.set_label(ids[photo], "Pisa")
        write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert len(photo.read_bytes()) == len(rome)
    killed(db, "undo", "atomic.replace_atomically")
    assert photo.read_bytes() == rome
    with PhotoIndex.open(db) as index:
        summary = undo_last_write(index)
        assert (summary.written, summary.failed) == (1, 0)
        assert _index_describes(index, photo)


def test_a_write_killed_before_the_index_update_of_a_same_length_relabel_gets_the_files_fingerprint(tmp_path):
    db, ids = _library(tmp_path, ["a.jpg"], label="Rome")
    [photo] = ids
    with PhotoIndex.open(db) as index:
        write_labels(index, plan_writes(index), WriteOptions(workers=1))
        index.set_label(ids[photo], "Pisa")
    killed(db, "write", "journal.complete_entry")  # entry completed, index not updated
    assert read_fields(photo.read_bytes()).subject == ["Pisa"]
    with PhotoIndex.open(db) as index:
        summary = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert summary.failed == 0, summary.errors
        assert _index_describes(index, photo)


def test_our_old_bytes_put_back_over_another_photo_the_index_describes_are_left_to_the_scan(tmp_path):
    """The photo was replaced by another one and rescanned; a backup restore then puts
    our written bytes back. The index describes neither our write nor its original, so
    the file is a change for the scan, not our write cut short."""
    db, ids = _library(tmp_path, ["a.jpg"], label="Rome")
    [photo] = ids
    with PhotoIndex.open(db) as index:
        write_labels(index, plan_writes(index), WriteOptions(workers=1))
        ours = photo.read_bytes()
        other = make_jpeg(tmp_path / "a.jpg", size=(640, 480), seed=9)
        journal.update_indexed_file(index, other, other.stat(), other.read_bytes())  # the rescan
        described = journal.indexed_stat(index, photo)
        photo.write_bytes(ours)
        [item] = plan_writes(index)
        assert item.own_write is None and item.problem is not None
        write_labels(index, [item], WriteOptions(workers=1))
        assert journal.indexed_stat(index, photo) == described


def test_a_write_killed_after_its_rename_is_still_recognised_with_the_size_and_fingerprint_check(tmp_path, monkeypatch):
    """The check that spares the whole read must not miss our own killed write."""
    db, ids = _library(tmp_path, ["ours.jpg"])
    photo, = ids
    killed(db, "write", "atomic.replace_atomically")
    with PhotoIndex.open(db) as index:
        entry = journal.file_history(index, photo).last_entry
        assert (entry.after["size"], entry.after["fingerprint"]) == (photo.stat().st_size, fingerprint_file(photo))
        item, = plan_writes(index)
        assert item.own_write is not None and item.problem is None

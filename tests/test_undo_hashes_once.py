"""An undo hashes each file once at most (a SHA-256 of a 3 MB photo is about 2 ms):
the file our write left as it was is proved ours by its digest, and the original put
back needs no noted digest (the rerun of an undo killed after its rename knows it by
redoing our write, tests/test_write_safety_killed_runs.py); a file edited since is
not hashed to compare with our digest when its size already differs, only the bytes
put back are, for that rerun (tests/test_killed_undo_and_temp_sweep.py)."""

from __future__ import annotations

from app.core.index import PhotoIndex
from app.core.metadata import journal, plan_writes, recovery, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.plan import WriteOptions
from tests.test_write_safety_support import _edited_elsewhere, _index_describes, _library


def _written(tmp_path):
    db, ids = _library(tmp_path, ["a.jpg"])
    [photo] = ids
    original = photo.read_bytes()
    with PhotoIndex.open(db) as index:
        assert write_labels(index, plan_writes(index), WriteOptions(workers=1)).written == 1
    return db, photo, original


def _undo_counting_hashes(db, monkeypatch) -> int:
    hashed = []
    real = recovery.file_digest

    def counting(data):
        hashed.append(len(data))
        return real(data)

    monkeypatch.setattr(recovery, "file_digest", counting)
    with PhotoIndex.open(db) as index:
        summary = undo_last_write(index)
        assert (summary.written, summary.failed) == (1, 0), summary.errors
        assert journal.last_batch_id(index) is None
    return len(hashed)


def test_an_undo_of_a_file_our_write_left_as_it_was_hashes_it_once(tmp_path, monkeypatch):
    db, photo, original = _written(tmp_path)
    assert _undo_counting_hashes(db, monkeypatch) == 1
    assert photo.read_bytes() == original
    with PhotoIndex.open(db) as index:
        assert _index_describes(index, photo)


def test_an_undo_of_a_file_edited_since_our_write_hashes_it_once(tmp_path, monkeypatch):
    db, photo, _ = _written(tmp_path)
    _edited_elsewhere(photo)
    with PhotoIndex.open(db) as index:  # what a scan records
        journal.update_indexed_file(index, photo, photo.stat(), photo.read_bytes())
    assert _undo_counting_hashes(db, monkeypatch) == 1
    assert read_fields(photo.read_bytes()).subject == ["Holiday"]

"""The app's Undo write asks first, naming how many files and photos the batch changed.
It counted them from every journal entry of the batch, each loaded with the original
bytes the write saved (87 KB a camera JPEG): a 20,000-photo batch froze the app for
12 s before the question. journal.batch_size counts them in the index instead; these
tests check which columns it reads (SQLite's authorizer), never time."""

from __future__ import annotations

import sqlite3

from app.core.index import PhotoIndex
from app.core.metadata import journal


def _journal_columns_read(conn: sqlite3.Connection, run) -> set[str]:
    """The write_journal columns the statements prepared during `run()` read."""
    read: set[str] = set()

    def note(action, table, column, *_):
        if action == sqlite3.SQLITE_READ and table == "write_journal":
            read.add(column)
        return sqlite3.SQLITE_OK

    conn.set_authorizer(note)
    try:
        run()
    finally:
        conn.set_authorizer(None)
    return read


def _batch(index: PhotoIndex, entries: list[tuple[int, str]]) -> int:
    """A finished batch with one journal entry (photo id, path) each, saving 'original bytes'."""
    batch_id = journal.start_batch(index)
    saved = {"segments": {"app1": journal.encode_blob(b"\xff" * 90_000)}}
    for photo_id, path in entries:
        entry_id = journal.begin_entry(index, batch_id, photo_id, path, "sidecar", saved, {})
        journal.complete_entry(index, entry_id, None)
    journal.finish_batch(index, batch_id, "done")
    return batch_id


def test_a_batch_is_sized_by_its_files_and_photos_without_reading_the_saved_bytes() -> None:
    with PhotoIndex.open(":memory:") as index:
        _batch(index, [(7, "/photos/other.jpg")])  # an older batch: not counted
        # a RAW+JPEG pair written into two sidecars, and a photo whose sidecar was journalled twice
        batch_id = _batch(index, [(1, "/photos/DSC_1.NEF.xmp"), (1, "/photos/DSC_1.JPG.xmp"),
                                  (2, "/photos/DSC_2.NEF.xmp"), (2, "/photos/DSC_2.NEF.xmp")])
        sizes = []
        read = _journal_columns_read(index.conn, lambda: sizes.append(journal.batch_size(index, batch_id)))

        entries = journal.batch_entries(index, batch_id)
        assert sizes == [(len({e.path for e in entries}), len({e.photo_id for e in entries}))] == [(3, 2)]
        assert sizes[0].files == 3 and sizes[0].photos == 2
        assert read and not read & {"before", "after"}, read
        # what the test tells apart: loading the entries reads the saved bytes
        assert {"before", "after"} <= _journal_columns_read(index.conn, lambda: journal.batch_entries(index, batch_id))


def test_a_batch_with_no_entry_left_has_no_file_nor_photo() -> None:
    with PhotoIndex.open(":memory:") as index:
        assert journal.batch_size(index, 99) == (0, 0)

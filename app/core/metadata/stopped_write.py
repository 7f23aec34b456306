"""A write that stopped before it finished and whose process is gone (the app closed
during it, a logout, a kill): its batch stays 'running' for the next write to carry on,
and the app says so when it opens, as the CLI's write says it when it carries one on."""

from __future__ import annotations

import json
import os
from typing import NamedTuple

from app.core.index import PhotoIndex, running_writes
from app.core.index.connection import db_text
from app.core.fingerprint import fingerprint_file
from app.core.metadata import journal
from app.core.metadata.keywords import FIELD_NAMES, KeywordFields


class StoppedWrite(NamedTuple):
    batch_id: int
    files: int  # the files its write reached: what Undo takes back now


def stopped_write(index: PhotoIndex) -> StoppedWrite | None:
    """The newest batch when a write left it unfinished and no live process writes it
    (journal.interrupted_batch); None otherwise."""
    batch_id = journal.interrupted_batch(index.conn)
    if batch_id is None or running_writes.running_write(index.conn, batch_id) is not None:
        return None
    return StoppedWrite(batch_id, files_written(index, batch_id))


def files_written(index: PhotoIndex, batch_id: int) -> int:
    """How many files the batch's write reached: those with an entry completed after its
    rename (size_after), and of the rest, journalled when the write stopped, those on disk
    holding the bytes the entry meant to put there (stopped between the rename and the
    bookkeeping). A file journalled but never renamed into place still holds its original:
    not counted, as undo does not count it restored. Reads only those few files' ends."""
    done, pending = set(), {}
    for path, completed, size, fingerprint in index.conn.execute(
            "SELECT path, size_after IS NOT NULL, json_extract(after, '$.size'), json_extract(after, '$.fingerprint') "
            "FROM write_journal WHERE batch_id = ?", (batch_id,)):
        if completed:
            done.add(path)
        else:
            pending.setdefault(path, set()).add((size, fingerprint))
    return len(done) + sum(1 for path, meant in pending.items() if path not in done and _holds_one_of(path, meant))


def _holds_one_of(path: str, meant: set) -> bool:
    try:
        size = os.stat(path).st_size
        return any(size == wanted for wanted, _ in meant) and (size, fingerprint_file(path, size)) in meant
    except OSError:  # gone or unreadable: not shown as written
        return False


def fields_before_stopped_run(index: PhotoIndex, batch_id: int) -> dict[str, dict]:
    """The files a carried-on batch holds already, each with the keyword fields (as
    journalled) its file held before the stopped run's write: read in SQL, not with
    journal.batch_entries, which would decode every file's saved original bytes."""
    fields: dict[str, dict] = {}
    rows = index.conn.execute("SELECT path, json_extract(before, '$.fields') FROM write_journal WHERE batch_id = ? "
                              "ORDER BY id", (batch_id,))
    for path, text in rows:
        fields.setdefault(path, json.loads(text) if text else {})
    return fields


def written_again(before_stopped_run: dict[str, dict], written: list) -> int:
    """How many of the files (PlannedWrite) a carried-on write wrote the stopped run's write
    had reached: the file held other keyword fields when this run planned it than before
    that write. A file the stopped run journalled but was killed before renaming still
    held them: this run's write is its first."""
    again = 0
    for item in written:
        recorded = before_stopped_run.get(db_text(str(item.target)))
        if recorded is None:
            continue
        fields = KeywordFields.from_json(recorded)
        if any(getattr(item.before, name) != getattr(fields, name) for name in recorded if name in FIELD_NAMES):
            again += 1
    return again

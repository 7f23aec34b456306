"""A write that stopped before it finished and whose process is gone (the app closed
during it, a logout, a kill): its batch stays 'running' for the next write to carry on,
and the app says so when it opens, as the CLI's write says it when it carries one on."""

from __future__ import annotations

import json
from typing import NamedTuple

from app.core.index import PhotoIndex, running_writes
from app.core.index.connection import db_text
from app.core.metadata import journal
from app.core.metadata.keywords import FIELD_NAMES, KeywordFields


class StoppedWrite(NamedTuple):
    batch_id: int
    files: int  # the files its journal holds: what Undo takes back now


def stopped_write(index: PhotoIndex) -> StoppedWrite | None:
    """The newest batch when a write left it unfinished and no live process writes it
    (journal.interrupted_batch); None otherwise."""
    batch_id = journal.interrupted_batch(index.conn)
    if batch_id is None or running_writes.running_write(index.conn, batch_id) is not None:
        return None
    return StoppedWrite(batch_id, journal.batch_size(index, batch_id).files)


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

"""The hidden temps of ours that are a missing file's only copy: recorded at the moment a
replace of ours made them so, and only those block a write of that file.

On Windows ReplaceFileW may remove a sidecar and then fail to rename our finished temp
into its place (atomic.replace_atomically raises OnlyCopyKeptError and says "rename
it"): the temp then holds the user's sidecar (darktable's history, their keywords) and
our label, and nowhere else does. That moment is recorded in the file's write (or undo)
problem, its `file_state` naming the temp with its size and SHA-256, so the record
stands across runs and a kill. Any other temp of ours beside a missing file is not a
copy the user needs: a write killed while creating the file (empty or cut short, never
the user's), or a killed replace's copy of a file the user deleted since on purpose
(darktable's "discard history"). Those never block a write, and go once it is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

from app.core.errors import OnlyCopyKeptError
from app.core.index.connection import db_text
from app.core.metadata import atomic
from app.core.metadata.only_copy_words import only_copy_words

# how the file_state of a write or undo problem starts when its temp is the file's only copy
ONLY_COPY_MARK = "only copy kept: "


def _digest(temp: Path) -> tuple[int, str] | None:
    try:
        data = temp.read_bytes()
    except OSError:
        return None
    return len(data), hashlib.sha256(data).hexdigest()


def only_copy_mark(error: BaseException) -> str | None:
    """The file_state to record with the problem `error` (OnlyCopyKeptError): its temp's
    path, size and SHA-256; None for any other error, or a temp no longer readable."""
    if not isinstance(error, OnlyCopyKeptError):
        return None
    digest = _digest(Path(error.temp))
    if digest is None:
        return None
    return ONLY_COPY_MARK + json.dumps({"temp": str(error.temp), "size": digest[0], "sha256": digest[1]})


def _recorded(conn: sqlite3.Connection, path: Path | None = None) -> list[tuple[str, str, str]]:
    """(file, temp, file_state) of each recorded only copy whose temp is still there as it was
    recorded (same size and SHA-256): renamed into place, deleted or rewritten, it is no
    longer what the record says."""
    sql = "SELECT path, file_state FROM errors WHERE stage IN ('write', 'undo') AND file_state LIKE ?"
    params: list = [ONLY_COPY_MARK + "%"]
    if path is not None:
        sql += " AND path = CAST(? AS TEXT)"
        params.append(db_text(str(path)))
    found = []
    for file, state in conn.execute(sql, params):
        try:
            recorded = json.loads(state[len(ONLY_COPY_MARK):])
            temp = Path(recorded["temp"])
            if _digest(temp) == (recorded["size"], recorded["sha256"]):
                found.append((str(file), str(temp), state))
        except (ValueError, KeyError, TypeError):
            continue
    return found


def created_by_a_write_of_ours(conn: sqlite3.Connection, path: Path, temp: Path) -> bool:
    """Whether `temp` holds exactly the bytes a write of ours was to create `path` with (its
    journal entry began where no file was): nothing of the user's is in it, so it may go."""
    digests = set()
    for before, after in conn.execute("SELECT before, after FROM write_journal WHERE path = CAST(? AS TEXT)",
                                      (db_text(str(path)),)):
        try:
            if json.loads(before or "{}").get("absent"):
                digests.add(json.loads(after or "{}").get("sha256"))
        except (ValueError, AttributeError):
            continue
    digests.discard(None)
    digest = _digest(temp) if digests else None
    return digest is not None and digest[1] in digests


def recorded_only_copies(conn: sqlite3.Connection) -> set[str]:
    """The paths of the temps recorded as a missing file's only copy, still as recorded
    (os.path.normcase'd: compare `os.path.normcase(str(temp))`)."""
    return {os.path.normcase(temp) for file, temp, _state in _recorded(conn) if not os.path.lexists(file)}


def kept_mark(conn: sqlite3.Connection, path: Path) -> str | None:
    """The only-copy file_state recorded for `path`, while its temp is still as recorded:
    another problem of that file met meanwhile (it "has disappeared") keeps it."""
    return next((state for _file, _temp, state in _recorded(conn, path)), None)


def only_copies_of(conn: sqlite3.Connection, path: Path) -> list[Path]:
    """The temps recorded as `path`'s only copy while it is missing (and they are as recorded)."""
    path = atomic.real_file(path)
    if os.path.lexists(path):
        return []
    return sorted({Path(temp) for _file, temp, _state in _recorded(conn, path)})


def only_copy_refusal(path: Path, temps: list[Path]) -> OnlyCopyKeptError:
    """The per-file refusal: the same advice the failed replace gave."""
    return OnlyCopyKeptError(only_copy_words(path, [str(temp) for temp in temps])
                             + "; nothing was written, so as not to put a new file in its place", temps[0])

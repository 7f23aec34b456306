"""Our hidden temps of a file that is missing: maybe the only copy of it, so nothing
may write a new file in its place nor delete them.

On Windows ReplaceFileW may remove a sidecar and then fail to rename our finished temp
into its place (atomic.replace_atomically keeps the temp and says "rename it"): the temp
then holds the user's sidecar (darktable's history, their keywords) and our label, and
nowhere else does. A write that created a fresh sidecar there, or a sweep that deleted the
temp, would lose all of it. The one temp of a missing file provably holding nothing of the
user's is that of a sidecar a killed write of ours was creating: its bytes are exactly
those a journal entry of that file, begun where no file was, was to put in (its SHA-256).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

from app.core.index.connection import db_text
from app.core.metadata import atomic
from app.core.metadata.only_copy_words import only_copy_words
from app.core.metadata.temp_names import names_a_temp_copies


def our_temps_of(path: Path) -> list[Path]:
    """Our temps in `path`'s folder named for exactly that file (cut names by their tag)."""
    folder, name = path.parent, path.name
    try:
        with os.scandir(folder) as entries:
            temps = [entry.name for entry in entries if atomic.named_as_our_temp(entry.name)]
    except OSError:
        return []
    found = []
    for temp in temps:
        stem, digits = temp[1:-len(".tmp")].rsplit(".", 1)  # `.<stem>.<8 hex>.tmp`
        if names_a_temp_copies(folder, [name], stem, digits) == [name] and (folder / temp).is_file():
            found.append(folder / temp)
    return sorted(found)


def created_by_a_write_of_ours(conn: sqlite3.Connection, path: Path, temp: Path) -> bool:
    """Whether `temp` holds exactly the bytes a write of ours was to create `path` with
    (its journal entry began where no file was): nothing of the user's is in it."""
    digests = set()
    for before, after in conn.execute("SELECT before, after FROM write_journal WHERE path = CAST(? AS TEXT)",
                                      (db_text(str(path)),)):
        try:
            if json.loads(before or "{}").get("absent"):
                digests.add(json.loads(after or "{}").get("sha256"))
        except (ValueError, AttributeError):
            continue
    digests.discard(None)
    if not digests:
        return False
    try:
        return hashlib.sha256(temp.read_bytes()).hexdigest() in digests
    except OSError:
        return False


def only_copies_of(conn: sqlite3.Connection, path: Path) -> list[Path]:
    """The temps of ours that may be `path`'s only copy: those of it while it is missing,
    less any provably holding only a sidecar a killed write of ours was creating."""
    path = atomic.real_file(path)
    if os.path.lexists(path):
        return []
    return [temp for temp in our_temps_of(path) if not created_by_a_write_of_ours(conn, path, temp)]


def only_copy_message(path: Path, temps: list[Path]) -> str:
    """The per-file refusal: the same advice the failed replace gave."""
    return (only_copy_words(path, [str(temp) for temp in temps])
            + "; nothing was written, so as not to put a new file in its place")

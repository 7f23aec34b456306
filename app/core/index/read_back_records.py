"""Which landmark keyword a photo's label was read back from, and in which of its files
(app.core.metadata.read_back): that keyword is ours to replace on a relabel though no
write of this index is journalled for the file, and any other is the user's (typed in
Lightroom after labelling). Kept through relabels: the journal speaks for a file once a
write of ours replaced the keyword, and the record again after that write is undone."""

from __future__ import annotations

import sqlite3
from os import PathLike
from typing import Iterable

from app.core.index.connection import db_text


def record_read_back(conn: sqlite3.Connection, photo_id: int, keyword: str, files: Iterable[str | PathLike],
                     teaches: bool = False) -> None:
    """The photo's label was read back from `keyword` in `files`: the record replaces
    any earlier one of the photo (a label read back anew). `teaches`: the files' Teaches
    field names it (taught_field.taught_in), so it teaches again even where the model
    knows the name (teaching.teach_untaught_labels)."""
    conn.execute("DELETE FROM read_back_keywords WHERE photo_id = ?", (photo_id,))
    conn.executemany("INSERT OR REPLACE INTO read_back_keywords (photo_id, path, keyword, teaches) "
                     "VALUES (?, CAST(? AS TEXT), ?, ?)",
                     [(photo_id, db_text(str(path)), keyword, int(teaches)) for path in files])


def read_back_keyword(conn: sqlite3.Connection, photo_id: int, file: str | PathLike) -> str | None:
    """The keyword the photo's label was read back from in `file`, None for none."""
    row = conn.execute("SELECT keyword FROM read_back_keywords WHERE photo_id = ? AND path = CAST(? AS TEXT)",
                       (photo_id, db_text(str(file)))).fetchone()
    return None if row is None else row[0]


def labelled_before_records(conn: sqlite3.Connection, photo_id: int) -> bool:
    """Whether the photo held its label before the index kept these records (migration
    33): a read back then left no record, so the write goes by the file's time."""
    return conn.execute("SELECT 1 FROM read_backs_unrecorded WHERE photo_id = ?", (photo_id,)).fetchone() is not None


def take_read_back(conn: sqlite3.Connection, photo_id: int) -> list[str]:
    """The files the photo's record names, the record removed: a photo row that goes
    (a moved photo's new row) hands them to the row that stays."""
    files = [row[0] for row in conn.execute("SELECT path FROM read_back_keywords WHERE photo_id = ?", (photo_id,))]
    conn.execute("DELETE FROM read_back_keywords WHERE photo_id = ?", (photo_id,))
    return files

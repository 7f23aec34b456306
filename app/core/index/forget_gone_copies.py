"""Copies in the library of the photos `forget FOLDER` would take out of a lost card's folder.

A card's photos imported into the library and indexed there by a scan of that folder
alone are still the user's photos: a full scan joins each to its copy when the copy
holds nothing of the user's and is the one photo of its fingerprint
(scan_moves._join_copies_of_cards_not_connected). Where it cannot (the copy has a label
of its own, or there are two), forgetting the card dropped the card photo's labels for
good while saying the scan "did not find them" (review7-1). So forget_gone_folder
refuses while a photo of the folder holding a word of the user's has a copy in the
library that does not hold that word, and counts the copies it would leave, for the
forget line to say so.
"""

from __future__ import annotations

import os
import sqlite3

from app.core.errors import UsageError
from app.core.index.moved_photos import SAME_PICTURE, holds_nothing_of_the_user, only_earlier_copy
from app.core.wording import counted, shell_quote


def copies_of(conn: sqlite3.Connection, photo_id: int, leaving: set[int]) -> dict[int, str]:
    """The present photos outside `leaving` holding a file of the same picture as one of
    `photo_id`'s (copy id -> its file's path)."""
    rows = conn.execute(
        "SELECT DISTINCT nf.photo_id, nf.path FROM files of JOIN files nf ON nf.fingerprint = of.fingerprint "
        "JOIN photos np ON np.id = nf.photo_id WHERE of.photo_id = ? AND of.fingerprint IS NOT NULL "
        f"AND nf.photo_id <> ? AND nf.missing = 0 AND np.missing = 0 AND {SAME_PICTURE} ORDER BY nf.path",
        (photo_id, photo_id))
    copies: dict[int, str] = {}
    for copy_id, path in rows:
        if int(copy_id) not in leaving:
            copies.setdefault(int(copy_id), os.fsdecode(path))
    return copies


def photos_copied(conn: sqlite3.Connection, ids: list[int]) -> int:
    """How many photos of `ids` have a copy in the library (outside `ids`)."""
    leaving = set(ids)
    return sum(1 for photo_id in ids if copies_of(conn, photo_id, leaving))


def refuse_while_copies_would_lose_words(conn: sqlite3.Connection, folder: str, ids: list[int]) -> None:
    """UsageError when a photo of `ids` (a lost card's, about to be forgotten) holds a
    label, review or taught reference of the user's and has a copy in the library that
    does not hold it: a scan can give it to a copy holding nothing of the user's (then
    forget), else the user labels the copy as they want it."""
    leaving = set(ids)
    newest = conn.execute("SELECT coalesce(max(id), 0) FROM photos").fetchone()[0]
    joinable, kept_apart = [], []
    for photo_id in ids:
        if holds_nothing_of_the_user(conn, photo_id):
            continue
        copies = copies_of(conn, photo_id, leaving)
        if not copies or any(_holds_its_word(conn, photo_id, copy_id) for copy_id in copies):
            continue
        missing = conn.execute("SELECT missing FROM photos WHERE id = ?", (photo_id,)).fetchone()[0]
        scan_joins = not missing and only_earlier_copy(conn, photo_id, newest) in copies
        (joinable if scan_joins else kept_apart).append(next(iter(copies.values())))
    joinable.sort()
    kept_apart.sort()
    if joinable:
        raise UsageError(f"{folder}: {counted(len(joinable), 'photo')} of it {_have(joinable)} copies in the library "
                         f"({joinable[0]}) that a scan can give {_their(joinable)} labels: scan first "
                         f"(`landmark-tagger scan`), then `landmark-tagger forget {shell_quote(folder)}`")
    if kept_apart:
        raise UsageError(f"{folder}: {counted(len(kept_apart), 'photo')} of it with a label, review or taught reference "
                         f"of yours {_have(kept_apart)} copies in the library ({kept_apart[0]}) holding another label "
                         f"(or more than one copy): a scan gives {_their(kept_apart)} labels to none of them by a "
                         f"guess, and forgetting {folder} would lose them: label the copies as you want them "
                         f"(`landmark-tagger label FILE LABEL`; a copy with the card photo's label keeps it), "
                         f"then `landmark-tagger forget {shell_quote(folder)}`")


def _holds_its_word(conn: sqlite3.Connection, photo_id: int, copy_id: int) -> bool:
    """Whether the copy holds the photo's label as the photo does (the same label and
    state), and a taught reference where the photo taught one: nothing of it is lost."""
    label = "SELECT label, state FROM labels WHERE photo_id = ?"
    if conn.execute(label, (photo_id,)).fetchone() != conn.execute(label, (copy_id,)).fetchone():
        return False
    taught = "SELECT 1 FROM taught_refs WHERE photo_id = ? LIMIT 1"
    return conn.execute(taught, (photo_id,)).fetchone() is None or conn.execute(
        taught, (copy_id,)).fetchone() is not None


def _have(paths: list[str]) -> str:
    return "has" if len(paths) == 1 else "have"


def _their(paths: list[str]) -> str:
    return "its" if len(paths) == 1 else "their"

"""A `rename` in the review journal. Taking a rename back is not done: a merge cannot be
undone by renaming, and several spellings made one cannot be told apart again. But
without an entry of its own, `undo --review` right after a rename reached past it and
took back the unrelated step before it, the rename staying. So a rename leaves a mark,
a command of no photo whose one row (photo 0, no photo's id) holds the old name and the
new: `undo --review` meeting it takes the mark out, takes nothing back and says how to
put the name back; the next `undo --review` takes back the step before it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.index import review_journal
from app.core.wording import shell_quote

if TYPE_CHECKING:
    from app.core.index import PhotoIndex

RENAMED = "rename"  # the mark's verb, and its row's after_state, for a rename
MERGED = "rename merge"  # ... for a rename into a name in use (a merge)
_NO_PHOTO = 0  # review_journal.PLACE_FORGOTTEN's way: ids start at 1


@dataclass(frozen=True)
class RenameMark:
    """A rename the journal holds: its words, the name before and after, whether a merge."""

    command: str
    old: str
    new: str
    merged: bool

    def way_back(self, program: str) -> str:
        """How to put the name back, as a command to paste (`program`: with its --db)."""
        if self.merged:
            return (f"a merge is not taken back by renaming: `{program} restore-index COPY` with the copy of the "
                    "index the rename named puts the index back as it was before it")
        return f"`{program} rename {shell_quote(self.new)} {shell_quote(self.old)}` puts the name back"


def record_rename(conn: sqlite3.Connection, old: str, new: str, merged: bool) -> None:
    """Mark a rename of `old` to `new` in the journal, in the rename's transaction. A rename
    that puts back the name the newest mark took away (not a merge) takes that mark out
    instead: the two cancel, and `undo --review` takes back the step before them."""
    newest = _newest_mark(conn)
    if newest is not None and not merged and not newest[1].merged and (newest[1].old, newest[1].new) == (new, old):
        _take_out(conn, newest[0])
        return
    words = f"rename {shell_quote(old)} {shell_quote(new)}"
    command_id = review_journal.open_command(conn, MERGED if merged else RENAMED, words)
    conn.execute("INSERT INTO review_changes (command_id, photo_id, label, after_label, after_state) "
                 "VALUES (?, ?, ?, ?, ?)", (command_id, _NO_PHOTO, old, new, MERGED if merged else RENAMED))
    review_journal.close_command(conn, command_id, 1)


def take_out_newest_rename(index: "PhotoIndex") -> RenameMark | None:
    """The newest entry of the journal when it is a rename's mark, taken out (the next
    `undo --review` takes back the step before it); None, nothing changed, otherwise."""
    with index.transaction() as conn:
        newest = _newest_mark(conn)
        if newest is None:
            return None
        _take_out(conn, newest[0])
    return newest[1]


def newest_rename(conn: sqlite3.Connection) -> RenameMark | None:
    """The newest entry of the journal when it is a rename's mark, else None."""
    newest = _newest_mark(conn)
    return None if newest is None else newest[1]


def _newest_mark(conn: sqlite3.Connection) -> tuple[int, RenameMark] | None:
    last = review_journal.last_command(conn)
    if last is None or last.verb not in (RENAMED, MERGED):
        return None
    row = conn.execute("SELECT label, after_label FROM review_changes WHERE command_id = ? AND photo_id = ?",
                       (last.id, _NO_PHOTO)).fetchone()
    if row is None:  # not a mark this module wrote: left alone
        return None
    return last.id, RenameMark(last.command, row[0], row[1], last.verb == MERGED)


def _take_out(conn: sqlite3.Connection, command_id: int) -> None:
    conn.execute("DELETE FROM review_changes WHERE command_id = ?", (command_id,))
    conn.execute("DELETE FROM review_commands WHERE id = ?", (command_id,))

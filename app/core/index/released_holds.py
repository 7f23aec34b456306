"""The holds a `label` released (plan_stripped_hold.release_holds), kept with its review
command: the release is marked in our write's journal entry together with the command
that gave it, so taking that command back (`undo --review`, the app's Ctrl+Z) holds the
file again, and a release that changed no label is still a command the user can take back."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from app.core.index.review_journal import ReviewCommand


def _key(command: "ReviewCommand") -> str:
    """The command as the journal entry names it: its id with its time, as an id is given
    again once the newest command is taken back."""
    return f"{command.id} {command.at}"


def mark_released(conn: sqlite3.Connection, entry_ids: Sequence[int], command: "ReviewCommand") -> None:
    """Release these write-journal entries' holds by `command`, in its transaction (json_set:
    what an undo noted in the entry meanwhile stays)."""
    conn.executemany("UPDATE write_journal SET after = json_set(after, '$.released', json('true'), "
                     "'$.released_by', ?) WHERE id = ?", [(_key(command), entry_id) for entry_id in entry_ids])


def hold_again(conn: sqlite3.Connection, command: "ReviewCommand") -> tuple[str, ...]:
    """Take back the releases `command` gave, in the caller's transaction (take_back's): each
    file is held again as before it; the paths held again."""
    rows = conn.execute("SELECT id, path FROM write_journal WHERE json_valid(after) "
                        "AND json_extract(after, '$.released_by') = ?", (_key(command),)).fetchall()
    conn.executemany("UPDATE write_journal SET after = json_remove(after, '$.released', '$.released_by') "
                     "WHERE id = ?", [(row[0],) for row in rows])
    return tuple(str(row[1]) for row in rows)

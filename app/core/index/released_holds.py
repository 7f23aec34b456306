"""The holds a `label` or an `accept` released (plan_stripped_hold), kept with its review
command: the release is marked in our write's journal entry together with the command
that gave it, so taking that command back (`undo --review`, the app's Ctrl+Z) holds the
file again, and a release that changed no label is still a command the user can take back.
Only an `accept` that names its photos one by one releases (names_photos_one_by_one), and a
`label` that does or that gives the photo another landmark (journalled_labels._decides_about)."""

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
    what an undo noted in the entry meanwhile stays). An entry an earlier command released
    stays that command's: taking back a later `label` of the photo leaves it released."""
    conn.executemany("UPDATE write_journal SET after = json_set(after, '$.released', json('true'), "
                     "'$.released_by', ?) WHERE id = ? AND json_extract(after, '$.released_by') IS NULL",
                     [(_key(command), entry_id) for entry_id in entry_ids])


def hold_again(conn: sqlite3.Connection, command: "ReviewCommand") -> tuple[str, ...]:
    """Take back the releases `command` gave, in the caller's transaction (take_back's): each
    file is held again as before it; the paths held again (after the command's labels are
    restored): a file our write reached since the release (a newer completed entry of its
    path), or one whose photo's label is now another than the one written (a hold is for
    that label alone), holds no hold that comes back, and is not named."""
    from app.core.metadata.read_back import same_landmark  # (metadata imports the index: not at the top)

    rows = conn.execute("SELECT j.id, j.path, json_extract(j.after, '$.label'), l.label, l.state "
                        "FROM write_journal j LEFT JOIN labels l ON l.photo_id = j.photo_id WHERE json_valid(j.after) "
                        "AND json_extract(j.after, '$.released_by') = ? AND NOT EXISTS ("
                        "SELECT 1 FROM write_journal later JOIN write_batches b ON b.id = later.batch_id "
                        "WHERE later.path = j.path AND later.id > j.id AND b.undone_at IS NULL "
                        "AND later.size_after IS NOT NULL AND later.size_after >= 0)", (_key(command),)).fetchall()
    conn.executemany("UPDATE write_journal SET after = json_remove(after, '$.released', '$.released_by') "
                     "WHERE id = ?", [(row[0],) for row in rows])
    return tuple(str(path) for _, path, written, label, state in rows
                 if written is not None and label is not None and state == "accepted" and same_landmark(written, label))


def close_releasing(conn: sqlite3.Connection, command_id: int, journalled: int,
                    photo_ids: Sequence[int]) -> tuple["ReviewCommand | None", list[tuple[str, str]]]:
    """close_command of an accept (`accept`, the app's A) that gave `photo_ids` their label
    accepted: as clear a decision as `label`, it releases the files `write` held for that
    label (plan_stripped_hold.release_accepted_holds), marked with the command, which is
    kept even where no state changed (the label was accepted already), so `undo --review`
    right after it holds them again; (the command, [(path, label)] of the files released)."""
    from app.core.index.review_journal import close_command
    from app.core.metadata.plan_stripped_hold import release_accepted_holds

    holds = release_accepted_holds(conn, photo_ids) if photo_ids else {}
    command = close_command(conn, command_id, journalled or len(holds))
    if holds and command is not None:
        mark_released(conn, list(holds), command)
    return command, list(holds.values()) if command is not None else []


def names_photos_one_by_one(query: str) -> bool:
    """Whether `accept QUERY` (or `label QUERY NAME`) names each photo it matches (`path:` and `id:` terms alone, as
    files typed become): only that, as the app's A on the photos selected, is a decision about
    a file `write` held. A folder's, a score's, a nightly script's accept of labels accepted
    already is none: releasing it would overwrite another program's edit unasked."""
    from app.core.errors import QuerySyntaxError
    from app.core.index.query_parser import parse_query

    try:
        terms = parse_query(query).terms
    except QuerySyntaxError:
        return False
    flat = [term for item in terms for term in getattr(item, "terms", (item,))]
    return bool(flat) and all(term.field in ("path", "id") and not term.negated for term in flat)


def held_files(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> list[str]:
    """The files `write` holds for these photos' labels, accepted, that an accept leaves held."""
    from app.core.metadata.plan_stripped_hold import release_accepted_holds

    return [path for path, _ in release_accepted_holds(conn, photo_ids).values()] if photo_ids else []

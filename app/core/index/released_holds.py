"""The holds a `label` or an `accept` released (plan_stripped_hold), kept with its review
command: the release is marked in our write's journal entry together with the command
that gave it, so taking that command back (`undo --review`, the app's Ctrl+Z) holds the
file again, and a release that changed no label is still a command the user can take back.
Only the user's explicit decision releases: `--release-held` on `accept` or `label`, the
app's "Write them again" at A or L. Whatever the query, without it the file stays held."""

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


# a write journal entry `j` that our write reached since: a newer completed entry of its path
_WRITTEN_SINCE = ("EXISTS (SELECT 1 FROM write_journal later JOIN write_batches b ON b.id = later.batch_id "
                  "WHERE later.path = j.path AND later.id > j.id AND b.undone_at IS NULL "
                  "AND later.size_after IS NOT NULL AND later.size_after >= 0)")


def written_since_release(conn: sqlite3.Connection, command: "ReviewCommand") -> set[str]:
    """The files `command` released that our write reached since (hold_again holds them no
    more): read before taking it back, so Ctrl+Z can say why each other file it released is
    not held again (it holds what we wrote again: the keyword put back in another program)."""
    return {str(path) for (path,) in conn.execute(
        "SELECT j.path FROM write_journal j WHERE json_valid(j.after) "
        f"AND json_extract(j.after, '$.released_by') = ? AND {_WRITTEN_SINCE}", (_key(command),))}


def hold_again(conn: sqlite3.Connection, command: "ReviewCommand") -> tuple[str, ...]:
    """Take back the releases `command` gave, in the caller's transaction (take_back's): each
    file is held again as before it; the paths held again: a file our write reached since
    the release (a newer completed entry of its path), or one that holds what we wrote again
    (plan_stripped_hold.hold_of), holds no hold that comes back, and is not named. Read from
    the journal and the file alone, so a photo forgotten since (its rows' id negated) is named too."""
    from pathlib import Path

    from app.core.metadata.plan_stripped_hold import hold_of

    rows = conn.execute("SELECT j.id, j.path, j.before, j.after FROM write_journal j WHERE json_valid(j.after) "
                        f"AND json_extract(j.after, '$.released_by') = ? AND NOT {_WRITTEN_SINCE}",
                        (_key(command),)).fetchall()
    conn.executemany("UPDATE write_journal SET after = json_remove(after, '$.released', '$.released_by') "
                     "WHERE id = ?", [(row[0],) for row in rows])
    again = [conn.execute("SELECT path, before, after FROM write_journal WHERE id = ?", (row[0],)).fetchone()
             for row in rows]
    return tuple(str(path) for path, before, after in again if hold_of(Path(path), before, after))


def close_releasing(conn: sqlite3.Connection, command_id: int, journalled: int, photo_ids: Sequence[int],
                    release_held: bool = False) -> tuple["ReviewCommand | None", list[tuple[str, str]]]:
    """close_command of an accept (`accept`, the app's A); with `release_held` (the user's
    --release-held, the app's "Write them again") it releases the files `write` holds of
    `photo_ids` (plan_stripped_hold.held_files_of), marked with the command, which is kept
    even where no state changed (the label was accepted already), so `undo --review` right
    after it holds them again; (the command, [(path, label)] of the files released)."""
    from app.core.index.review_journal import close_command

    holds = release_holds(conn, photo_ids) if release_held else {}
    command = close_command(conn, command_id, journalled or len(holds))
    if holds and command is not None:
        mark_released(conn, list(holds), command)
    return command, list(holds.values()) if command is not None else []


def release_holds(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """The held files of these photos, labels accepted (plan_stripped_hold.held_files_of), to release."""
    from app.core.metadata.plan_stripped_hold import held_files_of

    return held_files_of(conn, photo_ids) if photo_ids else {}


def held_files(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> list[str]:
    """The files `write` holds of these photos, labels accepted, that a command without
    --release-held leaves held (and names how many: left_held_line)."""
    return [path for path, _ in release_holds(conn, photo_ids).values()]


def photos_with_held_files(conn: sqlite3.Connection, photo_ids: Sequence[int],
                           held: Sequence[str] | None = None) -> set[int]:
    """Those of these photos (labels accepted) with a file `write` holds: a `rename` promises
    the new name to the others only. A held file is the photo's own or its sidecar
    (DSC_0001.NEF.xmp, DSC_0001.xmp), as plan_stripped_hold finds them; `held`: their
    held_files, when the caller has them already."""
    from pathlib import Path

    from app.core.index.connection import id_chunks

    held = set(held_files(conn, photo_ids) if held is None else held)
    found: set[int] = set()
    for chunk, marks in id_chunks([int(photo_id) for photo_id in photo_ids]) if held else ():
        for photo_id, path in conn.execute(f"SELECT photo_id, path FROM files WHERE photo_id IN ({marks})", chunk):
            file = Path(path)
            names = {path, f"{path}.xmp", f"{path}.XMP", str(file.with_suffix(".xmp")), str(file.with_suffix(".XMP"))}
            if held & names:
                found.add(photo_id)
    return found


def held_files_given_back(conn: sqlite3.Connection, taken) -> list[str]:
    """The files `write` holds of the photos an `undo --review` (the app's Ctrl+Z) gave their
    accepted label back (review_journal.TakenBack), less those it names held again: the label
    given back does not go into them; none after a `teach --forget`, which kept every label."""
    from app.core.index.review_journal import FORGET_PLACE

    if taken is None or taken.command.verb == FORGET_PLACE:
        return []
    return [path for path in held_files(conn, taken.restored) if path not in taken.held_again]


def left_held_line(verb: str, count: int) -> str:
    """What `accept`, `label`, `rename`, `teach`, `undo --review` say of the held files they left held."""
    from app.core.wording import counted

    them = "it" if count == 1 else "them"
    how = f"add --release-held to write {them} again" if verb in ("accept", "label") else \
        f"`landmark-tagger accept --release-held QUERY` writes {them} again"
    return f"{verb}: {counted(count, 'held file')} left alone: {how} (`write --dry-run` names {them})"

"""Whether a scan has looked for the photos of a folder `forget FOLDER` would take out.

A folder whose recorded files are gone is not a card lost for good: a renaming tool
renamed them in place (lib/Trip/IMG_1.jpg is lib/Trip/Petra_2019_1.jpg), or the user
moved the folder within the library (mv lib/Trip lib/2019/Trip). A scan's move join
follows such photos with their labels; forgetting them first lost the labels and taught
references for good (review5-1). So forget_gone_folder forgets only photos a scan has
looked for and not found: marked missing by a scan that finished its move join, or on
a card a finished scan found not connected (that scan joined any copies of its photos:
scan_moves._join_copies_of_cards_not_connected). Anything else, and any photo file in
the folder that the index does not know, asks for a scan first.
"""

from __future__ import annotations

import os
import sqlite3

from app.core.errors import UsageError
from app.core.folder_paths import is_skipped_folder, is_within
from app.core.index.connection import db_text
from app.core.index.problems import CARD_NOT_CONNECTED
from app.core.photo_names import photo_kind
from app.core.wording import counted, shell_quote

CHUNK = 500  # ids per statement, under SQLite's variable limit

# what the problem line of a card not connected said when a scan of a version before
# problems.CARD_NOT_CONNECTED wrote it (its row has no file_state): such a row alone is
# still told by its words, until the next scan that finds the card writes it anew
OLDER_SCANS_NOT_CONNECTED = "%not found (drive not connected?)%"


def refuse_unless_looked_for(conn: sqlite3.Connection, folder: str, ids: list[int], inner: dict[str, bool]) -> None:
    """UsageError saying to scan first unless every photo of `ids` (those of `folder`
    forget_gone_folder would take out) was looked for by a scan and not found, and the
    folder, if there, holds no photo file the index does not know (`inner`: library
    folders inside it, whose files are theirs)."""
    unseen = _not_looked_for(conn, ids)
    if unseen:
        example = _first_file(conn, unseen[0])
        raise UsageError(f"{folder}: {counted(len(unseen), 'photo')} of it {'is' if len(unseen) == 1 else 'are'} "
                         f"gone from where the index has {'it' if len(unseen) == 1 else 'them'} ({example}), and no "
                         f"scan has looked for {'it' if len(unseen) == 1 else 'them'} since: {_scan_first(folder)}")
    unknown = _photo_files_not_indexed(conn, folder, inner)
    if unknown:
        raise UsageError(f"{folder} holds {counted(len(unknown), 'photo file')} the index does not know "
                         f"({unknown[0]}; renamed since the last scan?): {_scan_first(folder)}")


def _scan_first(folder: str) -> str:
    return ("scan first (`landmark-tagger scan`): it finds photos renamed or moved since, with their labels; "
            f"then `landmark-tagger forget {shell_quote(folder)}` forgets those still gone")


def _not_looked_for(conn: sqlite3.Connection, ids: list[int]) -> list[int]:
    """The photos of `ids` no finished scan looked for: present in the index (no scan
    since their files went), or missing with the move join still owed (a scan killed
    before it), but those on a card a finished scan found not connected."""
    owed = {int(photo_id) for (photo_id,) in conn.execute("SELECT photo_id FROM moves_pending")}
    cards = _cards_found_not_connected(conn)
    unseen = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for photo_id, missing, folder in conn.execute(
                f"SELECT id, missing, folder FROM photos WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            if missing and photo_id not in owed:
                continue
            if not any(is_within(os.fsdecode(folder), card) for card in cards):
                unseen.append(int(photo_id))
    return sorted(unseen)


def _cards_found_not_connected(conn: sqlite3.Connection) -> list[str]:
    """The folders the latest finished scan that walked them found a card not connected
    on (its problem line, kept until a scan finds the card there, marked so by its
    file_state: its wording may change), where no scan since owes its move join (one
    killed after adding a card's copies as new photos)."""
    owing = conn.execute("SELECT max(id) FROM scan_runs WHERE photos_before IS NOT NULL").fetchone()[0]
    rows = conn.execute("SELECT e.path, e.run_id FROM errors e JOIN scan_runs r ON r.id = e.run_id "
                        "WHERE e.stage = 'scan' AND e.path IS NOT NULL AND r.status = 'done' "
                        "AND (e.file_state = ? OR (e.file_state IS NULL AND e.message LIKE ?))",
                        (CARD_NOT_CONNECTED, OLDER_SCANS_NOT_CONNECTED))
    return [os.fsdecode(path) for path, run_id in rows if owing is None or run_id > owing]


def _first_file(conn: sqlite3.Connection, photo_id: int) -> str:
    row = conn.execute("SELECT path FROM files WHERE photo_id = ? ORDER BY path LIMIT 1", (photo_id,)).fetchone()
    return os.fsdecode(row[0]) if row else "?"


def _photo_files_not_indexed(conn: sqlite3.Connection, folder: str, inner: dict[str, bool]) -> list[str]:
    """The photo files in `folder` (and below, as a scan walks it; not in a library
    folder inside it) that no file of the index, and no problem a scan recorded, names."""
    from app.core.folder_paths import subtree_range

    if not os.path.isdir(folder):
        return []
    low, high = subtree_range(folder)
    known = {os.fsdecode(path) for (path,) in conn.execute(
        "SELECT path FROM files WHERE path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT) "
        "UNION SELECT path FROM errors WHERE path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT)",
        (db_text(low), db_text(high), db_text(low), db_text(high)))}
    unknown = []
    for here, folders, names in os.walk(folder):
        folders[:] = sorted(name for name in folders if not is_skipped_folder(name)
                            and os.path.join(here, name) not in inner)
        unknown.extend(path for path in (os.path.join(here, name) for name in sorted(names)
                                         if photo_kind(name) is not None)
                       if path not in known)
    return unknown

"""The size and time of the sidecars the index knows held a photo's landmark keyword
(a DSC_0001.NEF.xmp our write put it in, a Lightroom DSC_0001.xmp the label was read
back from), as last seen. Lightroom edits a RAW's keywords in its sidecar alone, the
RAW untouched, so the scan compares these as it compares the photo files' own and reads
the photo again where one changed: keywords_changed_elsewhere then sees what the user
did there. A sidecar is known by the write journal's after-state of our writes of it
and by its row here, written when the scan read the photo since; GONE marks one known
to be deleted, so that its photo is read again once, not at every scan; the next scan
that finds it still gone drops that row where no other record knows the sidecar (drop_gone).

A sidecar is one photo's at a time, and it can change photo: an older version's merged
photo split (IMG_0001.CR3.xmp, written for IMG_0001.CR2's photo, is IMG_0001.CR3's now),
a write for the photo it went to. Its changes are read for the photo it is now (the one
holding the file it is named after, else the one of the newest state known), and a
state any of our records knows is no change: our write for the photo it went to is not
another program's edit of the photo it left. A photo's rows go with it (forget) and
follow its sidecars where its files move (moved_photos, relocate): a row left behind
costs a stat at every scan, and a moved sidecar would read as a changed one.

The table is made by migration 42 (not by the scan that first needs it: a table made
under an open app would change the schema the app's connections opened with, and the
app refuses to write into a schema changed under it)."""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from app.core.index.connection import db_text, id_chunks

GONE = (-1, -1)

# folder -> sidecar name -> (photo id, the (size, mtime_ns) the index knows it by)
KnownSidecars = dict[str, dict[str, tuple[int, set[tuple[int, int]]]]]


def known_sidecars(conn: sqlite3.Connection) -> KnownSidecars:
    """Every sidecar the index knows, by folder: two queries a scan, not one a folder.
    Each with every state our records know of it (any photo's), and the photo of the
    newest of them (latest saved; on a tie our later write, then the scan's record).
    The journal's rows of photos forgotten since stay for undo but are not looked at."""
    records: dict[str, list[tuple[tuple[int, int, int], int, tuple[int, int]]]] = defaultdict(list)
    rows = conn.execute(
        "SELECT j.path, j.photo_id, j.size_after, j.mtime_ns_after, j.id FROM write_journal j "
        "JOIN write_batches b ON b.id = j.batch_id JOIN photos p ON p.id = j.photo_id "
        "WHERE j.kind = 'sidecar' AND b.undone_at IS NULL AND j.size_after IS NOT NULL AND j.size_after >= 0 "
        "UNION ALL SELECT path, photo_id, size, mtime_ns, NULL FROM sidecar_states")
    for path, photo_id, size, mtime_ns, journal_id in rows:
        state = (int(size), int(mtime_ns or 0))
        newness = (state[1], 0 if journal_id is not None else 1, int(journal_id or 0))
        records[str(path)].append((newness, int(photo_id), state))
    known: KnownSidecars = defaultdict(dict)
    for path, found in records.items():
        folder, name = os.path.split(path)
        known[folder][name] = (max(found)[1], {state for _, _, state in found})
    return known


def owned_by_files(sidecars: dict[str, tuple[int, set[tuple[int, int]]]],
                   owners: dict[str, int]) -> dict[str, tuple[int, set[tuple[int, int]]]]:
    """A folder's known sidecars, each of the photo holding the file it is named after
    (`owners`: file name -> photo id, the folder's files the index holds) where one does:
    a split or a pairing moved that file to another photo, and the sidecar went with it.
    A stem sidecar (IMG_0001.xmp) keeps the photo of its newest state."""
    folded = {name.casefold(): photo_id for name, photo_id in owners.items()}
    owned = {}
    for name, (photo_id, states) in sidecars.items():
        stem, ext = os.path.splitext(name)
        holder = owners.get(stem, folded.get(stem.casefold())) if ext.lower() == ".xmp" else None
        owned[name] = (photo_id if holder is None else holder, states)
    return owned


def new_beside_written(conn: sqlite3.Connection, folder: str, names: Iterable[str],
                       folder_known: dict[str, tuple[int, set[tuple[int, int]]]],
                       owners: dict[str, int]) -> dict[int, list[str]]:
    """{photo id: paths} of the folder's sidecars (`names`: its .xmp files) no record knows,
    each of the photo whose file it is named after (`owners`: file name -> photo id), where
    our write or a read back put that photo's label in a file: another program made it
    since (digiKam's DSC_0001.xmp beside the DSC_0001.NEF we wrote), and `write` writes into
    it too, so the scan reads the photo as for a changed sidecar (is:unwritten then knows it:
    unwritten_elsewhere). The sidecars of a photo with nothing of ours are left to the read
    of its files: a library of Lightroom sidecars is not read again at every scan."""
    new = [name for name in names if name not in folder_known]
    if not new:
        return {}
    folded = {name.casefold(): photo_id for name, photo_id in owners.items()}
    by_stem: dict[str, set[int]] = defaultdict(set)
    for name, photo_id in owners.items():
        by_stem[os.path.splitext(name)[0].casefold()].add(photo_id)
    found: dict[int, list[str]] = defaultdict(list)
    for name in new:
        stem = os.path.splitext(name)[0]
        holders = {folded[stem.casefold()]} if stem.casefold() in folded else by_stem.get(stem.casefold(), set())
        if len(holders) == 1:  # DSC_0001.NEF.xmp, or DSC_0001.xmp of the one photo so named
            found[next(iter(holders))].append(os.path.join(folder, name))
    ours: set[int] = set()
    for chunk, marks in id_chunks(sorted(found), 400):  # (each id twice: within 999 parameters)
        ours.update(row[0] for row in conn.execute(
            f"SELECT photo_id FROM write_journal WHERE photo_id IN ({marks}) UNION "
            f"SELECT photo_id FROM read_back_keywords WHERE photo_id IN ({marks})", [*chunk, *chunk]))
    return {photo_id: paths for photo_id, paths in found.items() if photo_id in ours}


def state_now(path: str) -> tuple[int, int]:
    """(size, mtime_ns) of the sidecar, GONE where it is not there (or cannot be looked at)."""
    try:
        status = os.stat(path)
    except OSError:
        return GONE
    return status.st_size, status.st_mtime_ns


def changed_in(folder: str, sidecars: dict[str, tuple[int, set[tuple[int, int]]]]) -> set[int]:
    """The photos of `folder` a known sidecar of which is not as the index knows it."""
    return looked_at(folder, sidecars)[0]


def looked_at(folder: str, sidecars: dict[str, tuple[int, set[tuple[int, int]]]]) -> tuple[set[int], list[str]]:
    """(changed_in's photos, the paths of the sidecars still gone that no record but their
    GONE row knows: a scan read their photo without them already, so drop_gone may let
    them go). One stat a sidecar."""
    changed, gone = set(), []
    for name, (photo_id, states) in sidecars.items():
        now = state_now(os.path.join(folder, name))
        if now not in states:
            changed.add(photo_id)
        elif states == {GONE}:
            gone.append(os.path.join(folder, name))
    return changed, gone


def drop_gone(conn: sqlite3.Connection, paths: Iterable[str]) -> None:
    """Forget the GONE rows of these sidecars (looked_at's), except one a label was read
    back from (read_back_keywords): put back, it is read again for the label to follow.
    Kept, each cost a stat at every scan for good; one our write's journal entry still
    knows is never among them (without its row the entry's state would read as changed)."""
    conn.executemany("DELETE FROM sidecar_states WHERE path = CAST(? AS TEXT) AND size = ? AND mtime_ns = ? "
                     "AND NOT EXISTS (SELECT 1 FROM read_back_keywords r WHERE r.path = sidecar_states.path)",
                     [(db_text(path), *GONE) for path in paths])


def remember(conn: sqlite3.Connection, photo_id: int, paths: Iterable[str]) -> None:
    """Record the sidecars of the photo as they are now (the scan read the photo)."""
    rows = []
    for path in dict.fromkeys(str(path) for path in paths):
        size, mtime_ns = state_now(path)
        rows.append((db_text(path), photo_id, size, mtime_ns))
    conn.executemany("INSERT OR REPLACE INTO sidecar_states (path, photo_id, size, mtime_ns) "
                     "VALUES (CAST(? AS TEXT), ?, ?, ?)", rows)


def sidecars_of(photo_id: int, folder_known: dict[str, tuple[int, set]], folder: str) -> list[str]:
    """The photo's sidecars in `folder_known` (those the index knows in its folder)."""
    return [os.path.join(folder, name) for name, (owner, _) in folder_known.items() if owner == photo_id]

"""The write journal in the index (`write_batches`, `write_journal`): what each
write batch changed, with the previous values, so `undo` can put them back.

A row is inserted *before* a file is replaced and completed after, so a crash in
between leaves a row that undo can still handle (it then restores by fields), and
that the next write recognises by the SHA-256 of the bytes it wrote (`after.sha256`;
app/core/metadata/recovery.py).
`before` holds the previous keyword fields and the original bytes of each segment
(or sidecar) we changed — restoring those gives the original file byte for byte.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, NamedTuple

from app.core.fingerprint import fingerprint_bytes
from app.core.index import PhotoIndex, running_writes
from app.core.index.connection import db_text, id_chunks, now_iso
from app.core.index.held_as_suggested import keep_marks_of_dropped_batch
from app.core.metadata.keywords import FIELD_NAMES, KeywordFields, field_keyword, holds_keyword, without_keyword


@dataclass(frozen=True)
class JournalEntry:
    """One file changed by a batch."""

    id: int
    batch_id: int
    photo_id: int
    path: str
    kind: str  # "jpeg" or "sidecar"
    before: dict
    after: dict
    size_after: int | None
    mtime_ns_after: int | None

    @property
    def before_fields(self) -> KeywordFields:
        return KeywordFields.from_json(self.before.get("fields", {}))

    @property
    def after_fields(self) -> KeywordFields:
        return KeywordFields.from_json(self.after.get("fields", {}))

    def untracked(self) -> tuple[str, ...]:
        """The fields this entry says nothing about: a version of this app that did not
        write them (digiKam:TagsList came later) left them as they were."""
        recorded = set(self.before.get("fields", {})) | set(self.after.get("fields", {}))
        return tuple(name for name in FIELD_NAMES if name not in recorded)

    def fields_with(self, source: KeywordFields) -> tuple[KeywordFields, KeywordFields]:
        """(before, after), an untracked field taking `source`'s value in both: the
        write did not change it, so undo must not either."""
        keep = {name: getattr(source, name) for name in self.untracked()}
        return replace(self.before_fields, **keep), replace(self.after_fields, **keep)

    def saved_segments(self) -> dict[str, bytes | None]:
        return {k: decode_blob(v) for k, v in self.before.get("segments", {}).items()}

    def could_hold(self, size: int, fingerprint: Callable[[], str]) -> bool:
        """Whether a file of `size` bytes (and `fingerprint()`, asked only when the size
        fits) may hold exactly the bytes this write put in: False when the entry's
        recorded size or fingerprint of them says otherwise (entries of older versions
        record neither: True)."""
        written_size, written_print = self.after.get("size"), self.after.get("fingerprint")
        if written_size is not None and written_size != size:
            return False
        return written_print is None or written_print == fingerprint()

    @property
    def digest(self) -> str | None:
        """The SHA-256 of the bytes this write put into the file (None: written by an
        older version), which recognises them after a kill (app/core/metadata/recovery.py)."""
        return self.after.get("sha256")

    @property
    def undo_target(self) -> dict:
        """What an undo of this entry was about to put into the file ({"size", "sha256",
        "indexed": the index's fingerprint of the file then}), noted before its rename;
        {} when no undo got that far (see note_undo)."""
        return self.after.get("undo", {})

    @property
    def touched(self) -> bool:
        """Whether the write gave the file a new modification time (a sidecar always;
        a JPEG with `write --touch`), so its undo gives one too: Lightroom and darktable
        notice a change by it, and would otherwise keep the label they read."""
        return self.kind == "sidecar" or bool(self.after.get("touched"))

    @property
    def completed(self) -> bool:
        """Whether the write got as far as recording the file's new size and time."""
        return self.size_after is not None


_ENTRY_COLUMNS = "j.id, j.batch_id, j.photo_id, j.path, j.kind, j.before, j.after, j.size_after, j.mtime_ns_after"


def _entry(row: tuple) -> JournalEntry:
    return JournalEntry(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), json.loads(row[6]), row[7], row[8])


def encode_blob(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def decode_blob(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


class OpenedBatch(NamedTuple):
    id: int
    carried_on: bool  # an interrupted batch this process goes on writing (see open_batch)


def start_batch(index: PhotoIndex) -> int:
    """A new batch written by this process (open_batch, never carrying one on)."""
    return open_batch(index, carry_on=False).id


def open_batch(index: PhotoIndex, carry_on: bool = True) -> OpenedBatch:
    """The batch this process writes: with `carry_on`, the newest batch when its writer
    was killed (it still says 'running', its process gone: interrupted_batch), so that
    the write it was and the rerun that finishes it are one write, which one `undo`
    takes back whole (the rerun finds the killed run's files holding their label); else
    a new one. Raises WriteRunningError while another live process writes one: its plan
    and ours were made from the same index, and each would refuse the files the other
    just wrote as changed on disk. Raises UndoRunningError while a live process undoes
    one: our plan may have found its label in files that undo is about to restore."""
    with index.transaction() as conn:
        running_writes.refuse_while_busy(conn, "write")
        batch_id = interrupted_batch(conn) if carry_on else None
        carried_on = batch_id is not None
        if batch_id is None:
            batch_id = int(conn.execute(
                "INSERT INTO write_batches (started_at, status) VALUES (?, 'running')", (now_iso(),)
            ).lastrowid)
        running_writes.claim_batch(conn, batch_id)  # its killed writer's pid gives way to ours
        return OpenedBatch(batch_id, carried_on)


def interrupted_batch(conn: sqlite3.Connection) -> int | None:
    """The newest batch when it is one a killed write left (still 'running', not undone;
    called after refuse_while_busy, so its process is gone); None otherwise. A batch
    finished, cancelled or partly undone is not carried on, nor one older than another."""
    row = conn.execute(
        "SELECT id FROM write_batches WHERE status = 'running' AND undone_at IS NULL "
        "AND id = (SELECT max(id) FROM write_batches)"
    ).fetchone()
    return int(row[0]) if row else None


def finish_batch(index: PhotoIndex, batch_id: int, status: str, may_have_marked: bool = True) -> None:
    """Close the batch; a batch that changed nothing is dropped, so undo skips it, and the
    marks it may have set (held_as_suggested) outlive it: its id is given again."""
    running_writes.release_batch(index.conn, batch_id)
    with index.transaction() as conn:
        used = conn.execute("SELECT COUNT(*) FROM write_journal WHERE batch_id = ?", (batch_id,)).fetchone()[0]
        if used:
            conn.execute(
                "UPDATE write_batches SET finished_at = ?, status = ? WHERE id = ?", (now_iso(), status, batch_id)
            )
        else:
            _drop(conn, batch_id, may_have_marked)


def _drop(conn: sqlite3.Connection, batch_id: int, may_have_marked: bool) -> None:
    if may_have_marked:  # a look through the whole journal: only where a mark may name the batch
        keep_marks_of_dropped_batch(conn, batch_id)
    conn.execute("DELETE FROM write_batches WHERE id = ?", (batch_id,))


def leave_for_the_next_write(index: PhotoIndex, batch_id: int, may_have_marked: bool = True) -> None:
    """A write stopped by a signal the user did not give in its terminal (SIGTERM: a
    shutdown, a logout, `kill`) leaves its batch 'running', as a kill would, so the next
    write carries it on (interrupted_batch) and one undo takes back both runs' files: the
    user did not choose to stop there. Once this process is gone (its pid is checked as a
    killed writer's is), nothing tells the two apart, older versions sharing the index
    included. A batch that changed nothing is dropped, as finish_batch drops it."""
    running_writes.release_batch(index.conn, batch_id)
    with index.transaction() as conn:
        if not conn.execute("SELECT 1 FROM write_journal WHERE batch_id = ? LIMIT 1", (batch_id,)).fetchone():
            _drop(conn, batch_id, may_have_marked)


@dataclass(frozen=True)
class CancelledBatch:
    id: int
    files: int
    # when its write began (ISO 8601 UTC): the app names the batch by it, never by its number
    started_at: str | None = field(default=None, compare=False)


def cancelled_batch_before(index: PhotoIndex, batch_id: int | None = None) -> CancelledBatch | None:
    """The newest batch not undone that is older than `batch_id` (None: of them all),
    when the user cancelled it (Ctrl-C, the app's Cancel): its files keep their label
    after `undo` takes back the batches after it, so the user is told (a write that
    finishes it is a batch of its own). None when that batch is not a cancelled one, or
    when none of its files is still there (the index has them missing: deleted since),
    as an undo could put none of them back; `files` counts those still there."""
    row = index.conn.execute(
        "SELECT id, status, started_at FROM write_batches WHERE undone_at IS NULL AND (? IS NULL OR id < ?) "
        "ORDER BY id DESC LIMIT 1", (batch_id, batch_id)).fetchone()
    if row is None or row[1] != "cancelled":
        return None
    there = files_still_there(index, int(row[0]))
    return CancelledBatch(int(row[0]), there, row[2]) if there else None


def files_still_there(index: PhotoIndex, batch_id: int) -> int:
    """The files a batch changed that the index does not have missing (a scan found them
    deleted, or moved where it could not follow): those an undo can put back."""
    (files,) = index.conn.execute(
        "SELECT COUNT(DISTINCT j.path) FROM write_journal j WHERE j.batch_id = ? "
        "AND NOT EXISTS (SELECT 1 FROM files f WHERE f.path = j.path AND f.missing = 1) "
        "AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.id = j.photo_id AND p.missing = 1)", (batch_id,)).fetchone()
    return int(files)


def begin_entry(index: PhotoIndex, batch_id: int, photo_id: int, path: Path, kind: str, before: dict, after: dict) -> int:
    with index.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO write_journal (batch_id, photo_id, path, kind, before, after, at) "
            "VALUES (?, ?, CAST(? AS TEXT), ?, ?, ?, ?)",
            (batch_id, photo_id, db_text(str(path)), kind, json.dumps(before), json.dumps(after), now_iso()),
        )
        return int(cursor.lastrowid)


def complete_entry(index: PhotoIndex, entry_id: int, stat: os.stat_result | None) -> None:
    """Store the size/mtime after writing (None: the file was removed)."""
    with index.transaction() as conn:
        conn.execute(
            "UPDATE write_journal SET size_after = ?, mtime_ns_after = ? WHERE id = ?",
            (stat.st_size if stat else -1, stat.st_mtime_ns if stat else -1, entry_id),
        )


def note_undo(index: PhotoIndex, entry: JournalEntry, target: dict) -> None:
    """Keep in `entry` what its undo is about to put into the file (`undo_target`),
    before the rename: a kill between the rename and the bookkeeping then leaves bytes
    the rerun can prove are our undo's, even of a file edited since our write."""
    with index.transaction() as conn:
        conn.execute("UPDATE write_journal SET after = ? WHERE id = ?",
                     (json.dumps({**entry.after, "undo": target}), entry.id))


def drop_entry(index: PhotoIndex, entry_id: int) -> None:
    """Forget an entry: its write failed before the original was touched, or an undo
    restored the file (a retried undo then only retries the files it could not restore)."""
    with index.transaction() as conn:
        conn.execute("DELETE FROM write_journal WHERE id = ?", (entry_id,))


def entries_not_undone(index: PhotoIndex, entry_ids: list[int]) -> set[int]:
    """Which of `entry_ids` still stand: an undo drops the entry of each file it
    restores, and an undone batch's remaining entries no longer count."""
    found: set[int] = set()
    for chunk, marks in id_chunks(entry_ids):
        found.update(row[0] for row in index.conn.execute(
            "SELECT j.id FROM write_journal j JOIN write_batches b ON b.id = j.batch_id "
            f"WHERE b.undone_at IS NULL AND j.id IN ({marks})", chunk))
    return found


@dataclass(frozen=True)
class FileHistory:
    """What the journal knows of one file, from its writes that are not undone."""

    label: str | None  # the label our last write put into it, or None
    users_own: KeywordFields  # the user's keywords in each field that label's writes recorded
    untracked: tuple[str, ...]  # fields none of those writes recorded: all the user's own
    existed: frozenset[str] | None  # its fields before our first write; None: never written
    original: KeywordFields  # the values of those fields
    last_entry: JournalEntry | None = None  # our newest write of it, if any


def file_history(index: PhotoIndex, path: Path) -> FileHistory:
    """The journal's answers about `path` (see FileHistory), from one query: planning
    asks this for every planned file, so it goes by the journal's index on path. The
    writes into a file another was renamed over since (a pair's JPEG a renumbering
    replaced: the scan's `split_off_files` names it for the photo it left) are of the
    picture gone from there, not of the one there now: they stay for their batch's undo."""
    rows = index.conn.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM write_journal j JOIN write_batches b ON b.id = j.batch_id "
        "WHERE j.path = CAST(? AS TEXT) AND b.undone_at IS NULL AND NOT EXISTS (SELECT 1 FROM split_off_files s "
        "WHERE s.photo_id = j.photo_id AND s.name = CAST(? AS TEXT)) ORDER BY j.id DESC",
        (db_text(str(path)), db_text(path.name)),
    ).fetchall()
    last = _entry(rows[0]) if rows else None
    label = last.after.get("label") if last is not None else None
    found = _users_own(rows) if label is not None else {}
    untracked = tuple(name for name in FIELD_NAMES if name not in found) if label is not None else ()
    first = json.loads(rows[-1][5]) if rows else {}
    existed = _fields_before(first) if rows else None
    original = KeywordFields.from_json(first.get("fields", {}))
    return FileHistory(label, KeywordFields.from_json(found), untracked, existed, original, last)


def _users_own(rows: list[tuple]) -> dict:
    """The user's own keywords in each field the newest label's writes recorded (`rows`:
    the file's, newest first): the field before we first wrote that label, less the
    keyword our writes of the label before it left there. A respelt label ("AC|DC Tower"
    to "AC/DC Tower") can give the very same keyword (`Landmarks|AC/DC Tower`), still ours."""
    runs: list[tuple[str | None, dict, dict]] = []  # (label, fields before, fields written), newest first
    for row in rows:
        before, after = json.loads(row[5]).get("fields", {}), json.loads(row[6])
        if runs and runs[-1][0] == after.get("label"):
            runs[-1][1].update(before)  # older rows overwrite newer ones
        else:
            runs.append((after.get("label"), dict(before), after.get("fields", {})))
    own: dict = {}
    ours: dict[str, str] = {}  # by field, the keyword the previous label's writes added
    for label, found, written in reversed(runs):
        own = {name: without_keyword(values, ours.get(name)) for name, values in found.items()}
        ours = {}
        for name in own.keys() & set(FIELD_NAMES):
            keyword = field_keyword(name, label) if label is not None else None
            if keyword and holds_keyword(written.get(name), keyword) and not holds_keyword(own[name], keyword):
                ours[name] = keyword
    return own


def _fields_before(before: dict) -> frozenset[str]:
    if before.get("absent"):
        return frozenset()
    recorded = before.get("fields", {})
    # a field that entry does not record (an older version wrote none) counts as there
    return frozenset(name for name in FIELD_NAMES if name not in recorded or recorded[name] is not None)


def sidecar_writers(index: PhotoIndex) -> dict[str, frozenset[int]]:
    """Each sidecar our writes (not undone) wrote (its path as str), with the photos
    they wrote it for: one query for a whole plan."""
    writers: dict[str, set[int]] = {}
    for path, photo_id in index.conn.execute(
        "SELECT DISTINCT j.path, j.photo_id FROM write_journal j JOIN write_batches b ON b.id = j.batch_id "
        "WHERE j.kind = 'sidecar' AND b.undone_at IS NULL"
    ):
        writers.setdefault(path, set()).add(photo_id)
    return {path: frozenset(ids) for path, ids in writers.items()}


def photos_written(index: PhotoIndex) -> frozenset[int]:
    """The photos a write of ours (not undone) labelled a file of: those it was written
    for, and those holding a file at a path it wrote (a RAW split off or merged since).
    One query for a whole plan, which reads no other photo's files for a keyword of ours."""
    return frozenset(row[0] for row in index.conn.execute(
        "SELECT j.photo_id FROM write_journal j JOIN write_batches b ON b.id = j.batch_id "
        "WHERE b.undone_at IS NULL UNION SELECT f.photo_id FROM files f JOIN write_journal j ON j.path = f.path "
        "JOIN write_batches b ON b.id = j.batch_id WHERE b.undone_at IS NULL"))


def last_batch_id(index: PhotoIndex) -> int | None:
    """The newest batch that has not been undone (a 'running' one was cut short)."""
    row = index.conn.execute(
        "SELECT id FROM write_batches WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return int(row[0]) if row else None


def undone_batches(index: PhotoIndex) -> int:
    """How many write batches an undo took back: with none left to undo, the app tells
    "already undone" from "never written"."""
    return int(index.conn.execute("SELECT COUNT(*) FROM write_batches WHERE undone_at IS NOT NULL").fetchone()[0])


def undo_blocked_by(index: PhotoIndex) -> str | None:
    """"write" while a live process (another window, the CLI, a cron job) writes a batch,
    "undo" while one undoes a batch, None when an undo may start: the app asks before it
    undoes, and must not offer to take back a write still under way (last_batch_id names
    it too), which start_undo would then refuse."""
    if running_writes.running_write(index.conn) is not None:
        return "write"
    return "undo" if running_writes.running_undo(index.conn) is not None else None


def start_undo(index: PhotoIndex) -> int | None:
    """The batch this process's undo takes (last_batch_id; None: nothing to undo),
    claimed in the transaction that chose it, so that no other undo takes it too.
    Raises WriteRunningError while a live process writes a batch, UndoRunningError
    while one undoes a batch (see app/core/index/running_writes.py)."""
    with index.transaction() as conn:
        running_writes.refuse_while_busy(conn, "undo")
        batch_id = last_batch_id(index)
        if batch_id is not None:
            running_writes.claim_undo(conn, batch_id)
        return batch_id


def finish_undo(index: PhotoIndex, batch_id: int) -> None:
    """This process's undo of `batch_id` is over: writes and undos may start again."""
    with index.transaction() as conn:
        running_writes.release_undo(conn, batch_id)


def batch_entries(index: PhotoIndex, batch_id: int) -> list[JournalEntry]:
    rows = index.conn.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM write_journal j WHERE j.batch_id = ? ORDER BY j.id", (batch_id,)
    ).fetchall()
    return [_entry(row) for row in rows]


class BatchSize(NamedTuple):
    files: int
    photos: int


def batch_size(index: PhotoIndex, batch_id: int) -> BatchSize:
    """How many files and photos a batch changed, for the question before its undo:
    counted in the index, as batch_entries would load and decode each file's saved
    original bytes (87 KB a camera JPEG: 12 s of a frozen app for 20,000 photos)."""
    files, photos = index.conn.execute(
        "SELECT COUNT(DISTINCT path), COUNT(DISTINCT photo_id) FROM write_journal WHERE batch_id = ?", (batch_id,)
    ).fetchone()
    return BatchSize(int(files), int(photos))


def batch_started_at(index: PhotoIndex, batch_id: int) -> str | None:
    """When the batch's write began (ISO 8601 UTC), for the question before its undo: the
    user knows a write by when they made it, never by its number."""
    row = index.conn.execute("SELECT started_at FROM write_batches WHERE id = ?", (batch_id,)).fetchone()
    return row[0] if row else None


UNDO_PARTIAL = "undo-partial"  # the status of a batch whose undo failed for some files once


def batch_status(index: PhotoIndex, batch_id: int) -> str | None:
    row = index.conn.execute("SELECT status FROM write_batches WHERE id = ?", (batch_id,)).fetchone()
    return row[0] if row else None


def batch_undone(index: PhotoIndex, batch_id: int) -> bool:
    """Whether an undo marked the batch undone (`undo` no longer takes it)."""
    row = index.conn.execute("SELECT undone_at FROM write_batches WHERE id = ?", (batch_id,)).fetchone()
    return row is not None and row[0] is not None


def mark_undo_partial(index: PhotoIndex, batch_id: int) -> None:
    """The undo of this batch left files it could not restore: the batch stays the one
    `undo` works on, so the next undo retries them (once) instead of reverting an older write."""
    with index.transaction() as conn:
        conn.execute("UPDATE write_batches SET status = ? WHERE id = ?", (UNDO_PARTIAL, batch_id))


def mark_undone(index: PhotoIndex, batch_id: int) -> None:
    with index.transaction() as conn:
        conn.execute("UPDATE write_batches SET undone_at = ? WHERE id = ?", (now_iso(), batch_id))


def indexed_stat(index: PhotoIndex, path: Path) -> tuple[int | None, int | None, str | None]:
    """(size, mtime_ns, fingerprint) the index holds for a file, Nones when unknown."""
    row = index.conn.execute(
        "SELECT size, mtime_ns, fingerprint FROM files WHERE path = CAST(? AS TEXT)", (db_text(str(path)),)
    ).fetchone()
    return (row[0], row[1], row[2]) if row else (None, None, None)


def fingerprint_of(data: bytes | memoryview, size: int | None = None) -> str:
    """The fingerprint a scan gives a file holding exactly `data` (fingerprint.fingerprint_file)."""
    head = data[:65536]
    tail = data[max(65536, len(data) - 65536) :] if len(data) > 65536 else b""
    return fingerprint_bytes(len(data) if size is None else size, bytes(head), bytes(tail))


def update_indexed_file(index: PhotoIndex, path: Path, stat: os.stat_result, data: bytes) -> None:
    """After writing into a photo, store its new size, mtime and fingerprint so the
    next scan or tag run does not treat our own write as a changed photo: this file's
    row and its photo's tagging only (another photo with the same bytes, a copy, keeps
    its own, or the next tag would classify it again for nothing)."""
    new_print = fingerprint_of(data, stat.st_size)
    with index.transaction() as conn:
        row = conn.execute("SELECT fingerprint, photo_id FROM files WHERE path = CAST(? AS TEXT)",
                           (db_text(str(path)),)).fetchone()
        if row is None:
            return
        old_print, photo_id = row
        conn.execute(
            "UPDATE files SET size = ?, mtime_ns = ?, fingerprint = ? WHERE path = CAST(? AS TEXT)",
            (stat.st_size, stat.st_mtime_ns, new_print, db_text(str(path))),
        )
        # our write changed the metadata, not the picture (its picture print stays); a
        # change the scan saw before it and no tag has read yet stays to be read
        conn.execute("UPDATE tagged SET file_fingerprint = ? WHERE photo_id = ? AND file_fingerprint = ?",
                     (new_print, photo_id, old_print))

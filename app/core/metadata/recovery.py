"""Recognise a write or undo of ours that a kill (SIGKILL, a power cut) cut short
after its rename and before its bookkeeping, and finish that bookkeeping.

A write renames the new file into place, then records it: the journal entry gets
the file's new size and time, the index its new size, time and fingerprint. A kill
in between leaves a photo that holds our label while the index still describes the
file as it was, and `write` refuses files that differ from the index ("changed on
disk since it was indexed"), so the rerun refused our own work. An undo killed in
the same place left the restored file unrecorded, and its rerun, finding nothing
left to put back, never recorded it either.

How we know the file is our own work and not another program's edit: every journal
entry stores the SHA-256 of the bytes the write put into the file (`after.sha256`),
computed before the rename, and an undo stores the SHA-256 of the bytes it puts back
(`after.undo`, note_undo) before its own rename, unless they are the original of a
file our write left as it was, which the last proof below recognises without it
(undo.OurWrite.rerun_knows_original). Timestamps prove nothing (we keep
the photo's own time, and other tools can too) and sizes rarely differ, so the proof
is the bytes:
- after a write, the file's bytes hash to the digest of our newest entry for it;
- after an undo, they hash to the digest the undo noted, while the index still
  describes the file as it did then (an undo of a file edited since our write takes
  out only our keywords: no other proof exists for those bytes); or, for an undo
  that noted nothing (an older version's, or one putting back the original of a file
  our write left as it was), redoing the entry's write on the file's
  bytes gives exactly its digest and undoing it again gives back exactly those
  bytes: the file is what our undo made of our write, byte for byte.
Anything else (an edit, even one byte, even by a tool that keeps the file's time)
fails the proof, and the file keeps being refused until a scan looks at it, as
before: another program's edit is never overwritten, nor hidden from the scan by
giving the index its stat. The cost is one SHA-256 per file written or undone (2 ms for
3 MB) and, only for a file the index does not describe or whose entry is open, one
read of it; entries written by an older version have no digest and are not
recognised.

Once recognised, the write's bookkeeping is done as the write would have done it:
the file is verified (the killed run never did), the entry completed and the index
given the file's size, time and fingerprint; the rerun then carries on as with any
other file. A recognised undo gets the index update a normal restore makes.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import FileChangedError, MetadataWriteError, TaggerError
from app.core.fingerprint import fingerprint_file
from app.core.index import PhotoIndex
from app.core.metadata import atomic, journal
from app.core.metadata.file_now import gone_since_scan
from app.core.metadata.jpeg_fields import apply_fields, read_fields, restore_segments
from app.core.metadata.verify import verify_jpeg


def file_digest(data: bytes | memoryview) -> str:
    """The digest a journal entry keeps of the bytes its write put into the file."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class OwnWrite:
    """A JPEG holding exactly the bytes of our newest journalled write of it, which
    the index (and, when the write was cut short, the journal) has not recorded."""

    entry: journal.JournalEntry
    size: int  # the file's stat when it was recognised
    mtime_ns: int


def find_own_write(path: Path, entry: journal.JournalEntry | None,
                   indexed: tuple[int | None, int | None, str | None]) -> OwnWrite | None:
    """`path` recognised as our write `entry` (the newest for it, see
    journal.FileHistory.last_entry) left unrecorded: the index's (size, mtime,
    fingerprint) `indexed` is not the file's, or the entry is still open; the file's
    bytes hash to the entry's digest; and the index's fingerprint is that of those
    bytes or of the bytes our write started from, so the index still describes our
    write or its original, not another photo put at the path since (a photo replaced,
    rescanned, then our old bytes restored from a backup is a change for the scan).
    None otherwise, and for a file that cannot be read. Reads the head and tail of
    the file to compare fingerprints (a relabel to a label of the same length keeps
    the size and the kept time), and the whole file only when they differ and its
    size and fingerprint are those of the bytes the entry wrote (or the entry, from
    an older version, does not say), rare outside a kill: a file another program
    changed since is not read whole at every plan."""
    if entry is None or entry.kind != "jpeg" or entry.digest is None:
        return None
    size, mtime_ns, fingerprint = indexed
    try:
        current = os.stat(path)
        if entry.completed and (current.st_size, current.st_mtime_ns) == (size, mtime_ns) \
                and fingerprint_file(path, current.st_size) == fingerprint:
            return None  # recorded: the usual case
        if not entry.could_hold(current.st_size, lambda: fingerprint_file(path, current.st_size)):
            return None  # changed since by another program: no need to read it all
        data, stat = _read_with_stat(path)
    except OSError:
        return None
    if file_digest(data) != entry.digest:
        return None
    name = str(path)
    try:
        before = restore_segments(data, entry.saved_segments(), name)
    except TaggerError:
        return None
    if fingerprint not in (journal.fingerprint_of(data), journal.fingerprint_of(before)):
        return None  # the index describes some other file: the scan must look at this one
    return OwnWrite(entry, stat.st_size, stat.st_mtime_ns)


def record_own_write(index: PhotoIndex, path: Path, own: OwnWrite, guard) -> None:
    """Do the bookkeeping the killed write of `own` did not: verify the file, complete
    its journal entry, give the index its size, time and fingerprint. Checks the bytes
    again first (the file may have changed since the plan). `guard` serialises index
    access between writer threads. Raises FileChangedError when the file is no longer
    ours; VerificationError (after putting the original back and dropping the entry,
    as a write does) when it does not verify."""
    try:
        data, stat = _read_with_stat(path)
    except FileNotFoundError:
        raise MetadataWriteError(f"{path}: {gone_since_scan(path, index.roots())}") from None
    if (stat.st_size, stat.st_mtime_ns) != (own.size, own.mtime_ns) or file_digest(data) != own.entry.digest:
        raise FileChangedError(f"{path}: changed on disk since the write was planned; run 'write' again")
    name = str(path)
    original = restore_segments(data, own.entry.saved_segments(), name)
    try:
        verify_jpeg(path, original, own.entry.fields_with(read_fields(original, name))[1])
    except MetadataWriteError:
        atomic.replace_atomically(path, original, keep_mtime=True, read_as=stat)
        with guard:
            journal.drop_entry(index, own.entry.id)
        raise
    with guard:
        if not own.entry.completed:
            journal.complete_entry(index, own.entry.id, stat)
        journal.update_indexed_file(index, path, stat, data)


def note_undo(index: PhotoIndex, path: Path, entry: journal.JournalEntry, restored: bytes) -> None:
    """Before an undo of `entry` puts `restored` into `path`: journal their size and
    SHA-256, with the index's fingerprint of the file now, for record_own_undo to
    recognise them after a kill, as a write's own digest is (an undo of a file edited
    since our write takes out only our keywords, which nothing else could prove)."""
    journal.note_undo(index, entry, {"size": len(restored), "sha256": file_digest(restored),
                                     "indexed": journal.indexed_stat(index, path)[2]})


def note_undo_reaching(index: PhotoIndex, entry: journal.JournalEntry, restored: bytes) -> None:
    """Before an undo of `entry` puts back the original of a file our write left as it
    was: journal only the size, no SHA-256 (the rerun of one killed after its rename knows
    those bytes by redoing the write, _exact_restore), so the rerun knows this undo reached
    the file and counts it restored, even edited since, not left alone."""
    journal.note_undo(index, entry, {"size": len(restored)})


def record_own_undo(index: PhotoIndex, path: Path, entry: journal.JournalEntry) -> bool:
    """For an undo that found nothing to put back in `path`: when the index does not
    describe the file and its bytes are exactly what our undo of `entry` put there
    (an undo killed after its rename), give the index the file's size, time and
    fingerprint, as a restore does, and return True: that undo restored it. Any other
    file is left to the next scan (False): one the index describes as it is was never
    changed (a write killed before its rename) or is recorded already."""
    indexed_size, indexed_mtime_ns, indexed_print = journal.indexed_stat(index, path)
    if indexed_size is None:
        return False
    try:
        data, stat = _read_with_stat(path)
    except OSError:
        return False
    if (stat.st_size, stat.st_mtime_ns, journal.fingerprint_of(data)) == (indexed_size, indexed_mtime_ns, indexed_print):
        return False  # the index knows this file already (a same-size relabel keeps size and time: hence the print)
    if _noted_undo(entry, data, indexed_print) or _exact_restore(entry, data, str(path)):
        journal.update_indexed_file(index, path, stat, data)
        return True
    return False


def _noted_undo(entry: journal.JournalEntry, data: bytes, indexed_print: str | None) -> bool:
    """Whether `data` is what the undo of `entry` noted it was about to put in (note_undo),
    while the index still describes the file as it did then (not another photo put at
    the path and scanned since)."""
    target = entry.undo_target
    return (target.get("size") == len(data) and target.get("indexed") == indexed_print
            and target.get("sha256") == file_digest(data))


def undo_put_in(entry: journal.JournalEntry, data: bytes, name: str) -> bool:
    """Whether `data` is what a killed undo of `entry` noted it was about to put in (its
    undo_target): that undo got as far as its rename. A note says only that it was ABOUT
    to rename: a file stripped or edited since holds other bytes (undo then keeps one
    `write` holds held, as a fresh undo does)."""
    target = entry.undo_target
    if not target or target.get("size") != len(data):
        return False
    if "sha256" in target:
        return target["sha256"] == file_digest(data)
    return _exact_restore(entry, data, name)  # note_undo_reaching: the original, known by redoing the write


def _exact_restore(entry: journal.JournalEntry, data: bytes, name: str) -> bool:
    """Whether redoing the write of `entry` on `data` gives exactly the bytes it wrote
    and undoing it again gives back `data`: what an undo that noted nothing (an older
    version's) made of our write, byte for byte."""
    if entry.digest is None:
        return False
    try:
        written = apply_fields(data, entry.fields_with(read_fields(data, name))[1], name)
        return file_digest(written) == entry.digest and restore_segments(written, entry.saved_segments(), name) == data
    except TaggerError:
        return False


def _read_with_stat(path: Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes and the stat of that same file (not of one renamed over it since)."""
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        return handle.read(), stat

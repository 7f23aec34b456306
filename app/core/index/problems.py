"""The errors table: each file's (or photo's) current problem per stage.

A job that meets the same problem again replaces its row, and a job that gets past
it clears it, so `stats` and the error count say what is wrong now rather than how
often a rescan met the same eleven broken files. A problem of the file's contents keeps
what the file was then (`file_state`, `photo_files_state`): while it is so, the problem
stands and the file is not read again (a card of truncated RAW files would be decoded at
every `tag`). A file that could not be read at all (gone, no permission, an I/O error)
has no state: it is tried again at the next run. So is a photo whose decoder crashed or
hung once (that may be the machine's doing, not the file's): its problem keeps the state
with a mark (CRASHED_ONCE, HUNG_ONCE) that holds nothing back; a second crash or hang on
the same files, or one after they failed to decode, makes it a problem of the contents
(decoder_fault_state), its message saying what happened (decoder_fault_remembered).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sqlite3
from collections.abc import Collection, Iterable, Sequence

from app.core.cloud_files import online_only_note
from app.core.fingerprint import fingerprint_file
from app.core.folder_paths import is_within
from app.core.index.connection import db_text
from app.core.index.records import printable_path

# (path as db_text or None, photo_id, stage, message, run_id, at, file_state or None)
ProblemRow = tuple[object, int | None, str, str, int | None, str, str | None]
# the file_state of a photo whose decoder crashed (or hung) once starts so: it never
# matches the files' state, so the photo is decoded again at the next run
CRASHED_ONCE = "crashed once "
HUNG_ONCE = "hung once "
_ONCE = {"crashed": CRASHED_ONCE, "hung": HUNG_ONCE}
# the file_state of a scan's line of a card (or library folder's drive) not connected: what
# tells it from other problems (`forget FOLDER` of a lost card), never its wording; it
# never matches a file's state (a folder has none), so nothing is held back by it
CARD_NOT_CONNECTED = "card not connected"
# how the problem of a photo remembered for its decoder's crashes or hangs ends
REMEMBERED_FAULT_HINT = "skipped until it changes; `tag --retry-failed` tries it again"


def replace(conn: sqlite3.Connection, rows: Sequence[ProblemRow]) -> None:
    """Record problems, each replacing the earlier one for the same path (or, without
    a path, the same photo) and stage."""
    conn.executemany(
        "DELETE FROM errors WHERE stage = ? AND path IS CAST(? AS TEXT) AND (? IS NOT NULL OR photo_id IS ?)",
        [(stage, path, path, photo_id) for path, photo_id, stage, *_ in rows],
    )
    conn.executemany(
        "INSERT INTO errors (path, photo_id, stage, message, run_id, at, file_state) "
        "VALUES (CAST(? AS TEXT), ?, ?, ?, ?, ?, ?)",
        rows,
    )


def clear(conn: sqlite3.Connection, stages: Iterable[str], *, photo_id: int | None = None,
          path: object = None) -> None:
    """A photo (or one file of it: `path`, as db_text) got through these stages: its
    problems there are over."""
    stages = list(stages)
    which, value = ("photo_id = ?", int(photo_id)) if path is None else ("path = CAST(? AS TEXT)", path)
    conn.execute(
        f"DELETE FROM errors WHERE {which} AND stage IN ({', '.join('?' * len(stages))})", (value, *stages)
    )


def clear_photos(conn: sqlite3.Connection, stages: Sequence[str], photo_ids: Sequence[int]) -> None:
    """These photos got through these stages: their problems there are over (one
    statement for a batch, where clear takes one photo)."""
    for start in range(0, len(photo_ids), 500):
        chunk = [int(i) for i in photo_ids[start:start + 500]]
        conn.execute(
            f"DELETE FROM errors WHERE stage IN ({', '.join('?' * len(stages))}) "
            f"AND photo_id IN ({', '.join('?' * len(chunk))})", (*stages, *chunk),
        )


def follow_damage_notes(conn: sqlite3.Connection, moves: Iterable[tuple[int, str, str]]) -> None:
    """The damage notes (stage 'damaged': `errors` rowid, old path, new path) of photos
    whose file moved or was renamed, or whose folder was relocated, follow the file, their
    message naming the new path. Unlike a scan or decode problem, which the next run meets
    again where the file is, only a decode of the picture records this one, and tagging
    does not read a photo it has read: a note left at the old path would name a file that
    is not there, or (deleted) leave the damaged photo with no trace."""
    for row_id, old_path, new_path in moves:
        found = conn.execute("SELECT message FROM errors WHERE id = ?", (row_id,)).fetchone()
        if found is None:
            continue
        message, named = str(found[0]), printable_path(old_path) + ": "
        if message.startswith(named):
            message = printable_path(new_path) + ": " + message[len(named):]
        conn.execute("UPDATE errors SET path = CAST(? AS TEXT), message = ? WHERE id = ?",
                     (db_text(new_path), message, row_id))


def scan_problem_states(conn: sqlite3.Connection) -> dict[str, str | None]:
    """The paths with a scan problem now (as the connection reads them back: a
    non-UTF-8 name keeps its surrogate escapes, as os.path gives it), each with what the
    file was when it was met (see scanned_state; None: read it again)."""
    return dict(conn.execute("SELECT path, file_state FROM errors WHERE stage = 'scan' AND path IS NOT NULL"))


def file_state(path: str | os.PathLike) -> str | None:
    """What a file is now, for a problem of its contents (the file_state of a scan
    problem): its size, mtime, ctime and content fingerprint (its first and last 64 KiB:
    a copy restored from a backup with its old date is seen), and the readers that failed
    on it (see readers). None when it cannot be read now."""
    try:
        stat = os.stat(path)
        if online_only_note(stat) is not None:
            return None  # its data is in the cloud: reading it would download it
        fingerprint = fingerprint_file(path, stat.st_size)
    except OSError:
        return None
    return f"{stat.st_size} {stat.st_mtime_ns} {stat.st_ctime_ns} {fingerprint} {readers()}"


def photo_files_state(paths: Iterable[str]) -> str | None:
    """What a photo's files are now (file_state of each, with its path), in one short
    text: the file_state of a decode problem. None when one cannot be read now."""
    states = []
    for path in sorted(paths):
        state = file_state(path)
        if state is None:
            return None
        states.append(f"{path}\t{state}")
    return hashlib.blake2b(os.fsencode("\n".join(states)), digest_size=16).hexdigest()


@functools.cache
def readers() -> str:
    """This app's version and its decoders' (Pillow, pillow-heif, LibRaw): a file that
    failed is read again once any of them changes, as a newer one may read it."""
    import app
    from importlib import metadata

    versions = [f"landmark-tagger {app.__version__}"]
    for package in ("pillow", "pillow-heif", "rawpy"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} none")
    try:
        import rawpy

        versions.append(f"LibRaw {rawpy.libraw_version}")
    except (ImportError, AttributeError):
        pass
    return ", ".join(versions)


def unreadable_as_now(states: dict[str, str | None], folder: str, names: Iterable[str]) -> set[str]:
    """The files of `folder` (these names) whose contents could not be read when they
    were as they are now (`states`: scan_problem_states; file_state reads the few files
    with such a problem): a file with no row in the index is unchanged while its
    problem says so."""
    return {name for name in names
            if (state := states.get(os.path.join(folder, name))) is not None
            and state == file_state(os.path.join(folder, name))}


def decode_failures_as_now(conn: sqlite3.Connection, files: dict[int, Sequence[str]]) -> set[int]:
    """The photos (id -> the paths of their files) whose decode failed on their
    contents when their files were as they are now (photo_files_state): not worth
    decoding again."""
    remembered = decode_failure_states(conn, list(files)) if files else {}
    return {photo_id for photo_id, states in remembered.items()
            if photo_files_state(files[photo_id]) in states}


def decoder_fault_state(conn: sqlite3.Connection, photo_id: int, paths: Iterable[str],
                        fault: str) -> tuple[str, str | None] | None:
    """What to keep of a decoder fault (`fault`: "crashed" or "hung") on this photo, read
    before its problem is recorded: (file_state, what decoding its files as they are now
    met before: "crashed", "hung", "failed" or None). After an earlier fault or failure
    the state itself (not decoded again while its files stay so); else the state marked
    CRASHED_ONCE or HUNG_ONCE, which the next run decodes again. None when a file cannot
    be read now."""
    state = photo_files_state(paths)
    if state is None:
        return None
    rows = conn.execute(
        "SELECT file_state, message FROM errors WHERE stage = 'decode' AND photo_id = ? AND file_state IN (?, ?, ?)",
        (int(photo_id), state, CRASHED_ONCE + state, HUNG_ONCE + state),
    ).fetchall()
    met = {_met_before(kept, message, state) for kept, message in rows}
    before = fault if fault in met else min(met, default=None)
    return (state, before) if before else (_ONCE[fault] + state, None)


def _met_before(kept: str, message: str, state: str) -> str:
    """What a decode problem kept with `state` says happened: a fault once, a remembered
    fault (its message names the last one), or a failure of the contents."""
    for fault, mark in _ONCE.items():
        if kept == mark + state:
            return fault
    if message.endswith(REMEMBERED_FAULT_HINT):
        faults = re.findall(r"\b(crashed|hung)\b", message.rpartition("the decoder ")[2])
        if faults:
            return faults[-1]
    return "failed"


def decoder_fault_remembered(before: str, fault: str, hung_after_s: float | None = None) -> str:
    """The problem of a photo whose decoder crashed or hung (`fault`) on files it had
    crashed, hung or failed on (`before`), in the words of what happened."""
    first = "failed to decode" if before == "failed" else before
    what = f"{fault} on this file twice" if before == fault else f"{first}, then {fault} on this file"
    if fault == "hung" and hung_after_s is not None:
        what += f" (no answer in {hung_after_s:g} s)"
    return f"the decoder {what}; {REMEMBERED_FAULT_HINT}"


def decode_failure_states(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> dict[int, set[str]]:
    """What the files of each of these photos were when decoding it failed (the
    file_state of its decode problems, a crash's or hang's once marked CRASHED_ONCE or
    HUNG_ONCE), by photo."""
    marks = ",".join("?" * len(photo_ids))
    found: dict[int, set[str]] = {}
    for photo_id, state in conn.execute(
            f"SELECT photo_id, file_state FROM errors WHERE stage = 'decode' AND file_state IS NOT NULL "
            f"AND photo_id IN ({marks})", list(photo_ids)):
        found.setdefault(int(photo_id), set()).add(state)
    return found


def clear_rescanned(
    conn: sqlite3.Connection, roots: Sequence[str], run_id: int, unlisted: Sequence[str] = (),
    keep: Collection[str] = frozenset(),
    folder_only: Collection[str] = frozenset(),
) -> int:
    """After a whole scan of `roots`: scan problems there that this run did not meet
    again are fixed (each scan reads every unreadable file again), except below the
    folders it could not list and those of the `keep` paths (indexed files with a
    problem that the scan did not read again, being unchanged). A root in `folder_only`
    was read without its sub-folders: their problems stay. Returns how many were cleared."""
    def rescanned(path: str, root: str) -> bool:
        if root not in folder_only:
            return is_within(path, root)
        return path == root or (os.path.dirname(path) == root and not os.path.isdir(path))

    rows = conn.execute("SELECT id, path FROM errors WHERE stage = 'scan' AND run_id IS NOT ?", (run_id,))
    fixed = [
        (error_id,) for error_id, path in rows
        if path is not None and path not in keep and any(rescanned(path, root) for root in roots)
        and not any(is_within(path, folder) for folder in unlisted)
    ]
    conn.executemany("DELETE FROM errors WHERE id = ?", fixed)
    return len(fixed)


def clear_outside_library(conn: sqlite3.Connection, library: Sequence[str], run_id: int) -> int:
    """Scan problems of earlier runs about paths no library folder holds (a mistyped
    folder given to scan, which never joined the library): no later scan reads them
    again to clear them, so they would stay listed for good. Returns how many went."""
    rows = conn.execute("SELECT id, path FROM errors WHERE stage = 'scan' AND path IS NOT NULL "
                        "AND photo_id IS NULL AND run_id IS NOT ?", (run_id,))
    gone = [(error_id,) for error_id, path in rows if not any(is_within(path, root) for root in library)]
    conn.executemany("DELETE FROM errors WHERE id = ?", gone)
    return len(gone)


def counts_by_stage(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT stage, count(*) FROM errors GROUP BY stage ORDER BY count(*) DESC, stage"))

"""Undo the last write batch.

When a file is exactly what our write produced (proved by its bytes, never by
timestamps, so a batch cut short by a crash is handled too; see `our_write`,
which also recognises a write by an older version of the app) we put back the
original segments or sidecar bytes, which gives the original file byte for byte.
When someone edited it since, we take out only our change to the keyword fields
(the keywords we added go, those we replaced come back), so their edits survive,
keywords typed into the same fields after our write included; a block our write
created that holds nothing else then goes too (without_bare_creations).
A sidecar we created is removed. A file holding nothing of ours any more (another program
took our keyword out, an older copy put back; for a relabel, nothing that write put
there: the older keywords are not put back) is left as it is and counted apart, not
"restored"; one `write` holds stays held (_leave_changed_elsewhere). A rerun after an undo killed between its rename
and its bookkeeping finds the file restored already and records it as a restore does,
knowing it by the SHA-256 of the bytes the undo noted before its rename or, for the
original of a file our write left as it was, by redoing that write
(app/core/metadata/recovery.py), and our temp files a kill left are removed from
every folder the undo handles. Each file is hashed once at most.

This module drives the batch; a JPEG's restore is undo_jpeg_restore's, a sidecar's
undo_sidecar_restore's, what both ask of a file undo_file_checks', how a batch with
failures ends undo_outcome's, where a file moved since is undo_follow's.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from app.core.cloud_files import not_downloaded_note
from app.core.errors import TaggerError
from app.core.index import PhotoIndex
from app.core.index.connection import db_text
from app.core.index.holds_kept_by_undo import keep_held
from app.core.index.photos_seen import LibraryFolders
from app.core.metadata import atomic, journal
from app.core.metadata.disk_problems import DiskUnreachableError
from app.core.metadata.killed_run_temps import TempsBeforeRun
from app.core.metadata.only_copy_temps import only_copy_mark
from app.core.metadata.plan_icloud import sidecar_in_cloud
from app.core.metadata.read_back import landmark_of, same_landmark
from app.core.metadata.undo_file_checks import (CHANGED_ELSEWHERE, KEPT_IN_USERS_TREE, LANDMARK_FIELDS, LEFT_AS_IT_IS,
                                                held_by_write)
from app.core.metadata.undo_follow import FilesBySize, entry_where_it_is
from app.core.metadata.undo_jpeg_restore import OurWrite, our_write, undo_jpeg, without_bare_creations
from app.core.metadata.undo_outcome import (FileGoneError, LeftWithItsPhotoError, closed_line, new_folder_gone,
                                            passing_cause, ways_out, what_to_do)
from app.core.metadata.undo_sidecar_restore import undo_sidecar
from app.core.metadata.writer import WriteSummary
from app.core.progress import CancelToken, Progress, ProgressCallback, no_progress
from app.core.wording import shell_quote

# importable from here as before the split (tests and callers name them by this module)
__all__ = ["CHANGED_ELSEWHERE", "KEPT_IN_USERS_TREE", "LANDMARK_FIELDS", "LEFT_AS_IT_IS", "OurWrite",
           "photos_held_in_cloud", "our_write", "undo_entry", "undo_last_write", "without_bare_creations"]


def undo_last_write(
    index: PhotoIndex,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    command: str = "landmark-tagger",
) -> WriteSummary:
    """Revert the newest batch not yet undone (files in reverse order), including one
    cut short by a crash. Each file restored leaves the batch's journal. Files that
    could not be restored keep the batch open, so the next undo retries just them
    rather than reverting an older write. A file gone or replaced that
    fails again then closes the batch (keeping our keywords), so undo can move on;
    a full disk (or quota), a read-only card or disk, a file or folder made read-only
    (unwritable.FilePermissionError: the user can chmod it), one unplugged (disk_gone_error:
    the library folder holding the file, or a folder link on the way, not found or
    empty) or failing (an I/O error), a file another program holds open, or one of
    another user we may not read or change (file_owner.AnotherUsersFileError) never
    counts towards that: it passes once there is room, the card or file is writable or back, the
    program lets go, or the owner lets us in, and a retry while it lasts would otherwise
    close the batch with nothing restored. A library folder moved passes once the user relocates it, one
    deleted whole once the user forgets it (its files are then gone). The commands the
    summary suggests start with `command` (the CLI adds its --db). Failures
    are recorded with stage "undo". Stale temp files of ours are removed from every
    folder handled, a killed run's temps of each file it settles at once (killed_run_temps).
    Raises WriteRunningError while a live process writes a batch
    (one whose writer was killed is undone as any other), UndoRunningError while
    one undoes a batch; writes and other undos refuse while this one runs."""
    # claimed at once: a write or an undo in another process refuses until this one is over
    batch_id = journal.start_undo(index)
    summary = WriteSummary(batch_id=batch_id, done_word="restored")
    if batch_id is None:
        return summary
    try:
        _undo_batch(index, summary, progress or no_progress, cancel, command)
    finally:
        journal.finish_undo(index, batch_id)
    left = journal.cancelled_batch_before(index)  # the batch the next undo takes, when the user cancelled it
    if left is not None and left.id != batch_id:  # this batch, its undo stopped: its own words say so
        summary.cancelled_before = left
    return summary


def _undo_batch(index: PhotoIndex, summary: WriteSummary, report: ProgressCallback,
                cancel: CancelToken | None, command: str) -> None:
    """undo_last_write's work on the batch it claimed (summary.batch_id). Whether a killed
    undo of it reached a file is told per file (its entry's undo_target), never by the batch."""
    batch_id = summary.batch_id
    retrying = journal.batch_status(index, batch_id) == journal.UNDO_PARTIAL
    entries = list(reversed(journal.batch_entries(index, batch_id)))
    started = Progress(0, len(entries)).started_at
    passing: Counter[str] = Counter()  # failures that must not close the batch, by cause
    gone: Counter[str] = Counter()  # failures of files the user deleted, by kind: no label of ours left there
    unreachable: list[DiskUnreachableError] = []  # one a library folder or link not found, in the order met
    library_folders = LibraryFolders.of(index)  # a file gone: on a card unplugged, or removed (disk_gone_error)
    folders: set[Path] = set()
    held = photos_held_in_cloud(index, entries)  # photo id -> what of it is in the cloud, and why
    restored: set[str] = set()  # counted once each, as the batch's size counts them
    moved_files = FilesBySize(library_folders)
    # the temps a killed run left, before this undo adds its own: those of a file it settles go
    temps_before = TempsBeforeRun.listed_in((atomic.temp_folder_of(Path(entry.path)) for entry in entries),
                                           index.conn)
    settled: list[str] = []  # restored, or left as another program made it: no temp of it is needed
    for done, entry in enumerate(entries):
        if cancel is not None and cancel.cancelled:
            summary.cancelled = True
            break
        folders.add(atomic.temp_folder_of(Path(entry.path)))
        try:
            if entry.photo_id in held and held[entry.photo_id][0] != Path(entry.path):
                raise LeftWithItsPhotoError(entry.path, *_held_by(held[entry.photo_id]))
            journalled_at = entry.path  # a killed run's temp is named after it
            entry = entry_where_it_is(index, entry, moved_files)  # renamed or moved since, not scanned yet
            changed = undo_entry(index, entry, library_folders, summary.notes)
            settled += [journalled_at, entry.path]
            if changed == KEPT_IN_USERS_TREE:  # all of ours left sits in the user's tree: its note says so
                journal.drop_entry(index, entry.id)
                summary.held += 1
                index.clear_errors(("undo",), path=entry.path)
                report(Progress(done + 1, len(entries), entry.path, started_at=started))
                continue
            if changed == CHANGED_ELSEWHERE:  # nothing of ours in it: not restored, maybe held
                _leave_changed_elsewhere(index, entry, summary, command)
                index.clear_errors(("undo",), path=entry.path)
                report(Progress(done + 1, len(entries), entry.path, started_at=started))
                continue
            with index.transaction():  # one commit: a kill between them left a stale read-back record
                journal.drop_entry(index, entry.id)
                _forget_our_keyword_read_back(index, entry)
            # a file a killed run began and its rerun wrote has two entries; one begun but never
            # renamed into place (killed before it: its entry never completed) held its original
            # bytes: not counted as restored. One our write reached that holds what undo puts
            # back already (an undo of ours killed after its rename, edited since) is restored.
            reached = entry.size_after is not None and entry.size_after >= 0
            if (changed or reached) and entry.path not in restored:
                restored.add(entry.path)
                summary.written += 1
            index.clear_errors(("undo",), path=entry.path)
        except (TaggerError, OSError) as error:
            summary.failed += 1
            summary.errors.append((entry.path, str(error)))
            index.record_error(entry.path, "undo", str(error), photo_id=entry.photo_id,
                               file_state=only_copy_mark(error))  # a temp left as the file's only copy
            if isinstance(error, FileGoneError):
                gone[error.kind] += 1
            cause = passing_cause(error)
            if cause is not None:
                passing[cause] += 1
            if isinstance(error, DiskUnreachableError) and new_folder_gone(error, unreachable):
                unreachable.append(error)
        report(Progress(done + 1, len(entries), entry.path, started_at=started))
    summary.notes.extend(temps_before.remove_those_of(settled))
    for folder in folders:
        atomic.remove_stale_temps_in(folder)
    if summary.cancelled:
        return
    lasting = summary.failed - sum(passing.values())
    if summary.failed and (passing or not retrying):
        if lasting:  # the next lasting failure of this batch closes it
            journal.mark_undo_partial(index, batch_id)
        summary.next_step = what_to_do(lasting, passing, retrying, ways_out(unreachable, command))
    else:
        journal.mark_undone(index, batch_id)
        for path, _ in summary.errors:  # said now; a closed batch leaves nothing to retry
            index.clear_errors(("undo",), path=path)
        if summary.failed:
            summary.next_step = closed_line(summary.failed - sum(gone.values()), gone)


def photos_held_in_cloud(index: PhotoIndex, entries: list[journal.JournalEntry]) -> dict[int, tuple[Path, str]]:
    """The photos of `entries` the undo leaves alone as a whole, as `write` does
    (plan_icloud): a file of the batch not downloaded (a sidecar evicted, or dataless), or
    any sidecar of any of the photo's files so (plan_icloud.sidecar_in_cloud). Restoring
    the rest alone would leave the pair's JPEG naming one place and its RAW's sidecar,
    once downloaded, another. By photo id: (that file, why)."""
    held: dict[int, tuple[Path, str]] = {}
    for entry in entries:
        note = not_downloaded_note(entry.path) if entry.photo_id not in held else None
        if note is not None:
            held[entry.photo_id] = (Path(entry.path), note)
    for photo_id in {entry.photo_id for entry in entries} - held.keys():
        files = [entry.path for entry in entries if entry.photo_id == photo_id and entry.kind == "jpeg"]
        try:
            files += index.get(photo_id).files
        except TaggerError:
            pass  # forgotten since: its journalled files alone
        in_the_cloud = sidecar_in_cloud(dict.fromkeys(files))
        if in_the_cloud is not None:
            held[photo_id] = in_the_cloud
    return held


def _held_by(held: tuple[Path, str]) -> tuple[str, str]:
    path, note = held
    return (f"sidecar {path.name}" if path.suffix.lower() == ".xmp" else f"file {path.name}"), note


def _leave_changed_elsewhere(index: PhotoIndex, entry: journal.JournalEntry, summary: WriteSummary,
                             command: str) -> None:
    """Count and name the file apart (summary.held, its note). One `write` holds (its XMP
    taken out, an older copy put back: plan_stripped_hold) stays held: the other program's
    edit still stands after the undo, and only the user's --release-held writes the label
    into it again (its entry stays, marked: holds_kept_by_undo); any other's entry goes."""
    still_held = held_by_write(entry)
    if still_held:
        with index.transaction() as conn:
            keep_held(conn, entry.id)
    else:
        journal.drop_entry(index, entry.id)
    summary.held += 1
    summary.notes.append((entry.path, LEFT_AS_IT_IS + (
        f"; `write` still leaves it alone (`{command} accept --release-held {shell_quote(entry.path)}` writes "
        "the label into it again)"
        if still_held else "")))


def _forget_our_keyword_read_back(index: PhotoIndex, entry: journal.JournalEntry) -> None:
    """The record of a label read back from the keyword this write put into the file (its
    photo forgotten and scanned again after the write: a new row, journalled under the old
    one) goes once the undo took the keyword out: the index knows the file by it alone
    (unwritten_term), and is:unwritten must agree with `write --dry-run`, which reads it.
    A keyword the file held before the write stays recorded."""
    label = entry.after.get("label")
    if not label:
        return
    before = entry.before_fields
    held = landmark_of(before.hierarchical, before.subject)
    if held is not None and same_landmark(held, label):
        return
    with index.transaction() as conn:
        conn.execute("DELETE FROM read_back_keywords WHERE path = CAST(? AS TEXT) AND keyword = ?",
                     (db_text(entry.path), label))


def undo_entry(index: PhotoIndex, entry: journal.JournalEntry,
               library_folders: list[Path] | None = None, notes: list[tuple[str, str]] | None = None) -> bool | str:
    """Restore one file of a batch (`library_folders`: the index's, when the caller has them);
    False when the JPEG held what it is to get back already and no undo of ours put it
    there (its write was killed before its rename): not counted as restored;
    CHANGED_ELSEWHERE when our write reached the file but nothing of ours is left in it;
    KEPT_IN_USERS_TREE when all that is sits where the user moved it. Our tag moved into the
    user's tree stays whole (kept_by_undo), with a (path, note) added to `notes`."""
    path = Path(entry.path)
    library_folders = LibraryFolders.of(index) if library_folders is None else library_folders
    notes = [] if notes is None else notes
    if entry.kind == "jpeg":
        return undo_jpeg(index, path, entry, library_folders, notes)
    return undo_sidecar(index, path, entry, library_folders, notes)

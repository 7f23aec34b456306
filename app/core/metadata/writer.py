"""Carry out a write plan: for each file, refuse it when it changed since it was
indexed, leave it alone when its photo was labelled again since the plan was made,
write atomically, verify, and journal the previous values for undo.

A problem with one file (changed, read-only, disk full, vanished, verification
failed) is recorded with `index.record_error(stage="write")`; the original stays
intact and the batch goes on. A file holding exactly what a killed write of ours put
into it is recorded first and then written as any other (app/core/metadata/recovery.py).
Our temp files a kill left behind are removed from every folder the batch handles.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import nullcontext
from pathlib import Path

from app.core.errors import FileChangedError, IndexStoreError, MetadataWriteError, TaggerError
from app.core.fingerprint import fingerprint_file
from app.core.index import PhotoIndex
from app.core.index.connection import db_text
from app.core.index.held_as_suggested import mark_held
from app.core.index.photos_seen import LibraryFolders
from app.core.metadata import atomic, journal, recovery, stopped_write
from app.core.metadata.closing_a_write import WriterLock, close_the_batch, let_the_files_being_written_finish
from app.core.metadata.disk_problems import disk_gone_error
from app.core.metadata.exif_keywords import ExifFullError
from app.core.metadata.file_now import changed_since_scan, gone_since_scan, keywords_inside
from app.core.metadata.index_took_no_write import index_took_no_write
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.jpeg_segments import parse_jpeg
from app.core.metadata.keywords import SIDECAR_FIELDS, KeywordFields
from app.core.metadata.killed_run_temps import TempsBeforeRun
from app.core.metadata.only_copy_temps import kept_mark, only_copies_of, only_copy_mark, only_copy_refusal
from app.core.metadata.plan import PlannedWrite, WriteOptions, plan_again_where_undone
from app.core.metadata.plan_cards import one_note_per_card
from app.core.metadata.sidecar import (SidecarNotReadableError, fields_of_sidecar, fields_to_rewrite,
                                       read_sidecar_text, render_sidecar, too_many_keywords)
from app.core.metadata.sidecar_owner import is_stem_sidecar, named_anew
from app.core.metadata.still_as_read import created_while_written_message, stat_before_reading
from app.core.metadata.temps_set_aside import SetAside, kept_aside_note, naming_kept_aside, set_aside_whole_temps
from app.core.metadata.unverified_write import take_back_unverified
from app.core.metadata.verify import verify_jpeg, verify_sidecar
from app.core.metadata.write_summary import WriteSummary
from app.core.photo_info import file_kind
from app.core.progress import CancelToken, Progress, ProgressCallback, no_progress

OWNED_SEGMENTS = ("exif", "xmp", "photoshop")
_log = logging.getLogger(__name__)


def write_labels(
    index: PhotoIndex,
    plan: list[PlannedWrite],
    options: WriteOptions = WriteOptions(),
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> WriteSummary:
    """Write every planned change as one batch that `undo_last_write` can revert.

    A few threads overlap the fsyncs (which release the GIL); every index access
    goes through one lock, and each touched folder is fsynced once at the end. Then
    stale temp files of ours are removed from every folder in the plan, written into
    or not (a kill's leftovers: hidden full-size copies of photos), a killed run's temps of
    each file it writes at once (killed_run_temps). A file the plan found
    holding its label is planned anew when an undo took that write back since the plan.
    After a killed write, its batch is carried on (journal.open_batch): the files it
    wrote count as unchanged here, and one undo takes back both runs' files. A write
    `cancel`led by a signal the user did not give (CancelToken.by_user False: SIGTERM)
    leaves its batch so too (journal.leave_for_the_next_write); one the user cancelled
    is closed as 'cancelled', and the next write starts a batch of its own. An index
    whose disk takes no more writes (full) stops the write and leaves its batch so as
    well, raising SQLite's error (index_took_no_write): no file can be journalled."""
    report = progress or no_progress
    batch = journal.open_batch(index)
    summary = WriteSummary(batch_id=batch.id, carried_on=batch.carried_on)
    before_stopped_run = stopped_write.fields_before_stopped_run(index, batch.id) if batch.carried_on else {}
    written_items: list[PlannedWrite] = []  # for written_again
    plan = plan_again_where_undone(index, plan)  # no undo can start now; one may have run since the plan
    # the temps a killed run left, before this one adds its own: those of a file it writes go once it is
    # written, or before it when this run carries the killed run's batch on (its originals are intact)
    temps_before = TempsBeforeRun.listed_in((atomic.temp_folder_of(item.target) for item in plan), index.conn)
    started = Progress(0, len(plan)).started_at
    lock = WriterLock()  # abandoned when the write stops waiting on a stalled file (StoppedWhileWriting)
    folders: set[Path] = set()
    pending = list(plan)
    failed_before = _paths_with_write_problems(index)
    library_folders = LibraryFolders.of(index)  # a file gone: on a card unplugged, or removed (disk_gone_error)
    done = 0
    marked = batch.carried_on  # a mark may name the batch (held_as_suggested): the killed run's too
    went_through = False  # False in `finally`: an exception (a second SIGTERM) cut the loop short
    index_took_none = False  # the index's disk refused a write: the batch is left for the next write
    running: dict = {}  # each file being written: its future, its PlannedWrite
    pool = ThreadPoolExecutor(max_workers=max(1, options.workers))  # no `with`: its exit joins (see below)
    try:
        while pending or running:
            while pending and len(running) < 2 * max(1, options.workers):
                if cancel is not None and cancel.cancelled:
                    summary.cancelled = True
                    pending.clear()
                    break
                item = pending.pop(0)
                if item.held:  # a note, not a failure: the user's choice leaves it (plan_jpeg_hold)
                    with lock:
                        summary.held += 1
                        summary.notes.append((str(item.target), item.problem))
                        index.clear_errors(("write",), path=item.target)
                elif item.problem is not None:
                    with lock:
                        problem = item.problem  # a reader's message may name the file already
                        named = problem if problem.startswith(str(item.target)) else f"{item.target}: {problem}"
                        _fail(index, summary, item, named)
                elif not item.changes_anything:
                    try:
                        if item.own_write is not None:  # a killed write left it done but unrecorded
                            recovery.record_own_write(index, item.target, item.own_write, lock)
                        summary.unchanged += 1
                        if not item.rejected and item.index_label == (item.label, "suggested") and item.last_write:
                            with lock, index.transaction() as conn:  # a taken-back accept's keyword kept as asked
                                marked |= mark_held(conn, item.last_write, item.photo_id, item.label, summary.batch_id)
                        if db_text(str(item.target)) in failed_before:  # it holds its label now
                            with lock:
                                index.clear_errors(("write",), path=item.target)
                    except (TaggerError, OSError) as error:
                        if index_took_no_write(error) is not None:
                            raise
                        with lock:
                            _fail(index, summary, item, str(error))
                elif relabelled_since_plan(index, item, lock):
                    summary.relabelled += 1
                else:
                    if batch.carried_on:  # the killed run's hidden copies of it may hold the room it needs (a full card)
                        temps_before.remove_those_of([item.target])  # (one that stays is said at the end)
                    running[pool.submit(write_one, index, summary.batch_id, item, options, lock,
                                        library_folders, temps_before)] = item
                    continue
                done += 1
                report(Progress(done, len(plan), str(item.target), started_at=started))
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            refused = None  # raised once the files finished with it are counted (their folders fsynced)
            for future in finished:
                item = running.pop(future)
                error = future.exception()
                if error is not None and index_took_no_write(error) is not None:
                    refused = refused or error  # not this file's problem: none can be journalled now
                    continue
                if error is None:
                    summary.written += 1
                    written_items.append(item)
                    note = future.result()
                    if note:
                        summary.notes.append((str(item.target), note))
                    folders.add(atomic.real_file(item.target).parent)  # a link's file lives elsewhere
                    with lock:
                        index.clear_errors(("write",), path=item.target)
                elif isinstance(error, FileChangedError) and _written_since_plan(index, item, lock):
                    summary.unchanged += 1  # by another write of ours, whose plan was ours too
                    with lock:
                        index.clear_errors(("write",), path=item.target)
                elif isinstance(error, (TaggerError, OSError)):
                    with lock:
                        _fail(index, summary, item, str(error), only_copy_mark(error))
                else:  # a bug, or a file we did not foresee: that file's problem, not the batch's end
                    with lock:
                        _fail(index, summary, item, unexpected_error_message(item.target, error))
                done += 1
                report(Progress(done, len(plan), str(item.target), started_at=started))
            if refused is not None:
                raise refused
        went_through = True
    except (sqlite3.Error, IndexStoreError) as error:
        refused = index_took_no_write(error)
        if refused is None:
            raise
        index_took_none = True
        raise refused from None  # SQLite's own words: the CLI and the app name the disk's trouble from them
    except KeyboardInterrupt:  # a second Ctrl-C (or one no handler caught): the user stopped it, it is not done
        summary.cancelled = True
        raise
    finally:
        let_the_files_being_written_finish(pool, running, batch.id, lock)  # StoppedWhileWriting: the batch stays open
        try:
            for folder in folders:
                try:
                    atomic.fsync_folder(folder)
                except OSError:
                    pass
        finally:  # the batch is closed even when a Ctrl-C again cuts the fsyncs short
            summary.left_for_the_next_write = index_took_none or (
                cancel is not None and cancel.cancelled and not cancel.by_user and (summary.cancelled or not went_through))
            if summary.left_for_the_next_write:
                close_the_batch(index, lambda: journal.leave_for_the_next_write(index, summary.batch_id, marked))
            else:
                close_the_batch(index, lambda: journal.finish_batch(index, summary.batch_id, summary.status, marked))
        summary.notes.extend(temps_before.remove_those_of(item.target for item in written_items))
        for folder in {atomic.temp_folder_of(item.target) for item in plan}:
            atomic.remove_stale_temps_in(folder)
    summary.notes = one_note_per_card(summary.notes, plan)
    summary.batch_files = journal.batch_size(index, batch.id).files
    # a file the stopped run wrote and this one wrote again (its label changed since) is one file of the batch
    summary.written_again = stopped_write.written_again(before_stopped_run, written_items)
    if summary.written == 0 and not (summary.carried_on and summary.batch_files):  # nothing for undo from this run
        summary.batch_id, summary.carried_on = None, False
    # a batch that changed nothing was dropped: nothing to carry on
    summary.left_for_the_next_write = summary.left_for_the_next_write and journal.batch_status(index, batch.id) is not None
    # an undo on a computer that judged this write dead (an older version, or a write over a day long)
    summary.undone_meanwhile = summary.batch_id is not None and journal.batch_undone(index, batch.id)
    summary.cancelled_before = journal.cancelled_batch_before(index, summary.batch_id)  # undo leaves it behind this one
    return summary


def unexpected_error_message(path: Path, error: BaseException) -> str:
    """The per-file message for an exception no check foresaw (a MemoryError on a 4 GB
    JPEG, a bug of ours); its traceback goes to the log, for the report."""
    _log.error("writing %s failed unexpectedly", path, exc_info=(type(error), error, error.__traceback__))
    what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return (f"{path}: cannot write: unexpected {what}; the file was left as it was "
            "(likely a bug: please report it with the traceback printed)")


def _paths_with_write_problems(index: PhotoIndex) -> set[str | bytes]:
    """The files (as the errors table holds their paths) an earlier write failed: one
    found unchanged now clears its problem, without a transaction for every other file."""
    return {row[0] for row in index.conn.execute("SELECT path FROM errors WHERE stage = 'write' AND path IS NOT NULL")}


def relabelled_since_plan(index: PhotoIndex, item: PlannedWrite, lock: threading.Lock) -> bool:
    """Whether the photo's label or state in the index is no longer the one planned: it
    was rejected or labelled again meanwhile (from a terminal while the app showed the
    plan), and writing the planned keywords would put a label the index no longer holds
    into the file. Not recorded as a problem: the next plan writes what the index holds."""
    if item.index_label is None:
        return False  # a plan made by hand: nothing to compare with
    with lock:
        now = index.review_states([item.photo_id]).get(item.photo_id, (None, "unlabelled"))
    return now != item.index_label


def _fail(index: PhotoIndex, summary: WriteSummary, item: PlannedWrite, message: str,
          only_copy: str | None = None) -> None:
    """Record the file's problem; the record of a temp left as its only copy (only_copy,
    or one recorded before and still there) stays with it, whatever this problem is."""
    summary.failed += 1
    summary.errors.append((str(item.target), message))
    index.record_error(item.target, "write", message, photo_id=item.photo_id,
                       file_state=only_copy or kept_mark(index.conn, item.target))


def _written_since_plan(index: PhotoIndex, item: PlannedWrite, lock: threading.Lock) -> bool:
    """Whether a file that differs from the plan already holds what the plan was to put
    in, while the index describes its photo file as it is now: another write (a plan
    made from the same index, then written first) or a scan recorded it since, and a
    fresh plan would find it unchanged. Not a change on disk to rescan for."""
    with lock:
        size, mtime_ns, fingerprint = journal.indexed_stat(index, item.source)
    try:
        stat = os.stat(item.source)
        if size is None or (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns) \
                or fingerprint_file(item.source, stat.st_size) != fingerprint:
            return False
        if item.kind == "jpeg":
            return read_fields(_read(item.target), str(item.target)) == item.after
        text = read_sidecar_text(item.target)
        return text is not None and fields_of_sidecar(text, str(item.target)) == item.after.only(SIDECAR_FIELDS)
    except (TaggerError, OSError):
        return False


def check_unchanged(item: PlannedWrite, library_folders: list[Path] | None = None) -> None:
    """Raise FileChangedError when the photo file differs from what was indexed, and
    DiskUnreachableError when it is not found on a card or disk gone (see _disappeared)."""
    try:
        stat = os.stat(item.source)
    except FileNotFoundError:
        raise _disappeared(item.source, library_folders) from None
    if item.indexed_size is None:
        return  # not a file the index knows (written through the API); nothing to compare
    if (stat.st_size, stat.st_mtime_ns) != (item.indexed_size, item.indexed_mtime_ns):
        raise FileChangedError(f"{item.source}: {changed_since_scan(item.source)}")


def write_one(
    index: PhotoIndex, batch_id: int, item: PlannedWrite, options: WriteOptions, lock: threading.Lock | None = None,
    library_folders: list[Path] | None = None, temps_before: TempsBeforeRun | None = None,
) -> str | None:
    """Write one planned file; raises MetadataWriteError (original intact) on failure,
    returns a note when it was written with a caveat. `lock` guards the index when
    several threads write; `library_folders`: the index's, when the caller has them;
    `temps_before`: our temps its batch listed (else its folder is listed now)."""
    guard = lock if lock is not None else nullcontext()
    if library_folders is None:
        with guard:
            library_folders = LibraryFolders.of(index)
    check_unchanged(item, library_folders)
    if item.own_write is not None:  # a killed write of ours left it written but unrecorded
        recovery.record_own_write(index, item.target, item.own_write, guard)
    if item.kind == "jpeg":
        return _write_jpeg(index, batch_id, item, options, guard, library_folders)
    kept_aside = _write_sidecar(index, batch_id, item, options, guard, library_folders, temps_before)
    # a sidecar's: what it keeps of the user's tree (landmark_in_users_tree), an earlier copy it kept
    return "; ".join(note for note in (item.note, kept_aside) if note) or None


def _write_jpeg(index: PhotoIndex, batch_id: int, item: PlannedWrite, options: WriteOptions, guard,
                library_folders: list[Path]) -> str | None:
    path = item.target
    read_as = stat_before_reading(path)  # another program's file renamed over it since is not overwritten
    original = _read(path, library_folders)
    if read_fields(original, str(path)) != item.before:
        raise FileChangedError(f"{path}: its keywords changed since the plan was made; run 'write' again")
    try:
        new = apply_fields(original, item.after, str(path))  # the plan left out what does not fit (item.note)
    except ExifFullError as error:  # a plan made by hand, or before the EXIF block grew
        raise ExifFullError(
            f"{path}: {error}, and this write's plan expected XPKeywords to fit (a plan made by hand, or "
            "before another program filled the EXIF block); nothing was written: run 'write' again, whose "
            "new plan writes the label into XMP and IPTC and leaves XPKeywords as it is"
        ) from None
    saved = changed_segments(original, new)
    before = {"fields": item.before.to_json(), "segments": {k: journal.encode_blob(v) for k, v in saved.items()}}
    stat = _replace_journaled(
        index, batch_id, item, "jpeg", before, new, options, guard, library_folders,
        verify=lambda: verify_jpeg(path, original, item.after),
        restore=lambda written: atomic.replace_atomically(path, original, keep_mtime=True,
                                                          library_folders=library_folders, read_as=written),
        read_as=read_as,
    )
    with guard:
        journal.update_indexed_file(index, path, stat, new)
    return item.note


def _write_sidecar(index: PhotoIndex, batch_id: int, item: PlannedWrite, options: WriteOptions, guard,
                   library_folders: list[Path], temps_before: TempsBeforeRun | None) -> str | None:
    path = item.target
    read_as = stat_before_reading(path)  # another program's sidecar renamed over it (or created) since is left
    existing = read_sidecar_text(path)
    if existing is not None and read_as is None:  # created between the two
        raise FileChangedError(created_while_written_message(path))
    current = fields_to_rewrite(existing, str(path)) if existing is not None else None
    if current is not None and current != item.before.only(SIDECAR_FIELDS):
        raise FileChangedError(f"{path}: the sidecar changed since the plan was made; run 'write' again")
    if existing is None and _removed_since_plan(item):
        raise FileChangedError(f"{path}: the sidecar was removed since the plan was made; run 'write' again")
    if existing is None:  # a temp our failed replace left as its only copy: no new file in its place
        with guard:
            kept = only_copies_of(index.conn, path)
        if kept:
            raise only_copy_refusal(path, kept)
    if (crowded := too_many_keywords(item.before, item.after)) is not None:
        raise SidecarNotReadableError(f"{path}: {crowded}")
    # a stem sidecar we create names its photo, which other photos of the stem may share
    made_for = item.source.name if is_stem_sidecar(path, item.source) else None
    # ours, naming a file gone since (a NEF converted to DNG): it names the photo's now
    base = (named_anew(path, existing, made_for) if existing is not None and made_for is not None
            else None) or existing
    new = render_sidecar(base, item.after, str(path), made_for)
    if existing is None:
        before = {"absent": True, "fields": item.before.to_json()}
    else:
        before = {"fields": item.before.to_json(), "text": journal.encode_blob(existing)}
    kept_aside: list[SetAside] = []
    if existing is None:  # a whole temp of ours of it, maybe its only copy, is kept under a visible name
        with guard:  # listed by the batch, else now
            listed = temps_before or TempsBeforeRun.listed_in([atomic.temp_folder_of(path)], index.conn)
        kept_aside = set_aside_whole_temps(path, listed.whole_copies_of(path))
    with naming_kept_aside(path, kept_aside):  # a failed write names the copy set aside too
        _replace_journaled(
            index, batch_id, item, "sidecar", before, new, options, guard, library_folders,
            verify=lambda: verify_sidecar(path, base, item.after),
            restore=(lambda written: atomic.remove_file(path)) if existing is None  # checked just before
            else (lambda written: atomic.replace_atomically(path, existing, keep_mtime=True,
                                                            library_folders=library_folders, read_as=written)),
            create=existing is None, read_as=read_as,
        )
    return kept_aside_note(path, kept_aside)


def _removed_since_plan(item: PlannedWrite) -> bool:
    """Whether a sidecar that is not there now held other keywords when planned than a new
    one starts from (those inside its photo file): the plan read a sidecar another program
    or the user removed since, and writing it would bring back its keywords without the
    rest of it (Lightroom's develop settings). Refused rather than written as a new
    sidecar, as any other change since the plan is: the next plan shows what it will do."""
    planned = item.before.only(SIDECAR_FIELDS)
    return planned != KeywordFields() and planned != keywords_inside(item.source, file_kind(item.source.name))


def _replace_journaled(
    index: PhotoIndex, batch_id: int, item: PlannedWrite, kind: str, before: dict, new: bytes,
    options: WriteOptions, guard, library_folders: list[Path], *, verify, restore, create: bool = False,
    read_as: os.stat_result | None = None,
) -> os.stat_result:
    """Journal first, then replace the file atomically, then verify; a failed
    replace or verification drops the journal entry (and `restore` puts the
    original back after a failed verification, if the file is still ours: `restore`
    gets our stat, unverified_write), so undo never sees half a write.
    `library_folders` tell a file gone with its card from one removed (disk_gone_error);
    `read_as`: the file's stat before its bytes were read (atomic.replace_atomically)."""
    # the digest recognises these bytes as ours if a kill stops us between the rename
    # and the bookkeeping below (recovery.py); their size and fingerprint rule out a
    # file changed since without reading all of it
    after = {"label": item.label, "fields": item.after.to_json(), "sha256": recovery.file_digest(new),
             "size": len(new), "fingerprint": journal.fingerprint_of(new)}
    if item.index_label is not None:
        # the state it was written in: a label written as accepted and then taken back
        # (`undo --review`, Ctrl+Z) is ours to take out again (plan.taken_back_accept)
        after["state"] = item.index_label[1]
        if item.label_source is not None:  # a `label` taken back is said as one, not as an accept
            after["source"] = item.label_source
    if kind == "jpeg" and not options.keep_mtime:
        after["touched"] = True  # `write --touch`: its undo gives a new time too (JournalEntry.touched)
    with guard:
        entry = journal.begin_entry(index, batch_id, item.photo_id, item.target, kind, before, after)
    try:
        # A sidecar is metadata only: its new time is how darktable and Lightroom see it changed.
        stat = atomic.replace_atomically(
            item.target, new, keep_mtime=options.keep_mtime and kind == "jpeg", create=create, sync_folder=False,
            library_folders=library_folders, read_as=read_as,
        )
    except BaseException:
        with guard:
            journal.drop_entry(index, entry)
        raise
    with guard:
        journal.complete_entry(index, entry, stat)
    try:
        verify()
    except Exception:  # a failed check, or one that could not finish (a bug): unverified is not kept
        def forget() -> None:
            with guard:
                journal.drop_entry(index, entry)
        # a file another program renamed over ours since is left, with an error saying so
        take_back_unverified(item.target, stat, restore, forget, library_folders)
        raise
    return stat


def changed_segments(old: bytes, new: bytes) -> dict[str, bytes | None]:
    """The original payload of each owned segment that differs (None: it was absent)."""
    old_layout, new_layout = parse_jpeg(old), parse_jpeg(new)
    saved: dict[str, bytes | None] = {}
    for kind in OWNED_SEGMENTS:
        before, after = old_layout.first(kind), new_layout.first(kind)
        if (before and before.payload) != (after and after.payload):
            saved[kind] = before.payload if before else None
    return saved


def _read(path: Path, library_folders: list[Path] | None = None) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise _disappeared(path, library_folders) from None
    except OSError as error:
        raise MetadataWriteError(f"cannot read {path}: {error.strerror}") from None


def _disappeared(path: Path, library_folders: list[Path] | None) -> MetadataWriteError:
    """The error for a file not found at write time: the card or disk holding it gone
    (unplugged mid-write: connect it and write again), else removed since the scan."""
    return (disk_gone_error(path, library_folders)
            or MetadataWriteError(f"{path}: {gone_since_scan(path, library_folders)}"))

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
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from app.core.cloud_files import NotDownloadedError, not_downloaded_note
from app.core.errors import MetadataWriteError, TaggerError
from app.core.index import PhotoIndex
from app.core.index.holds_kept_by_undo import keep_held
from app.core.index.photos_seen import LibraryFolders
from app.core.metadata import atomic, iptc, journal, recovery
from app.core.metadata.disk_problems import DiskUnreachableError, disk_gone_error, passing_error_class
from app.core.metadata.exif_keywords import is_emptied_creation, older_creations
from app.core.metadata.jpeg_fields import apply_fields, read_fields, restore_segments, with_created_exif
from app.core.metadata.jpeg_segments import XMP_HEADER, parse_jpeg
from app.core.metadata.keywords import FIELD_NAMES, SIDECAR_FIELDS, KeywordFields, keyword_form, revert_fields
from app.core.metadata.killed_run_temps import TempsBeforeRun
from app.core.metadata.landmark_in_users_tree import kept_by_undo
from app.core.metadata.only_copy_temps import only_copy_mark
from app.core.metadata.plan_icloud import sidecar_in_cloud
from app.core.metadata.sidecar import fields_of_sidecar, render_sidecar
from app.core.metadata.undo_follow import FilesBySize, entry_where_it_is
from app.core.metadata.undo_outcome import (GONE_WITH_ITS_PHOTO, FileGoneError, LeftWithItsPhotoError, PhotoGoneError,
                                            SidecarGoneError, SidecarMovedError, closed_line, new_folder_gone,
                                            passing_cause, ways_out, what_to_do)
from app.core.metadata.verify import VerificationError
from app.core.metadata.writer import WriteSummary
from app.core.metadata.xmp import RDF, X, XmpDocument
from app.core.path_case import fold
from app.core.progress import CancelToken, Progress, ProgressCallback, no_progress
from app.core.wording import shell_quote


def undo_last_write(
    index: PhotoIndex,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    command: str = "landmark-tagger",
) -> WriteSummary:
    """Revert the newest batch not yet undone (files in reverse order), including one
    cut short by a crash. Each file restored leaves the batch's journal. Files that
    could not be restored keep the batch open, so the next undo retries just them
    rather than reverting an older write. A file gone, replaced or read-only that
    fails again then closes the batch (keeping our keywords), so undo can move on;
    a full disk (or quota), a read-only card or disk, one unplugged (disk_gone_error:
    the library folder holding the file, or a folder link on the way, not found or
    empty) or failing (an I/O error), or a file another program holds open never counts
    towards that: it passes once there is room, the card is writable or back, or the
    program lets go, and a retry while it lasts would otherwise close the batch with
    nothing restored. A library folder moved passes once the user relocates it, one
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
            journal.drop_entry(index, entry.id)
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


# undo_entry's answer for a file our write reached that holds nothing of ours now, which no
# undo of ours put back: another program took our keyword out (saved it without its XMP,
# darktable rewrote its sidecar) or an older copy was put back; left as it is, not restored
CHANGED_ELSEWHERE = "changed elsewhere"
LEFT_AS_IT_IS = "left as it is: changed in another program since our write (nothing of ours left in it)"
# undo_entry's answer for a file all of whose keywords of ours sit where the user moved them
# (landmark_in_users_tree.kept_by_undo): left as it is, its note (in `notes`) says why
KEPT_IN_USERS_TREE = "kept in the user's tree"


def _held_by_write(entry: journal.JournalEntry) -> bool:
    """Whether `write` holds the entry's file (its XMP taken out, an older copy put back)."""
    import json

    from app.core.metadata.plan_stripped_hold import hold_of

    return hold_of(Path(entry.path), json.dumps(entry.before), json.dumps(entry.after)) is not None


def _leave_changed_elsewhere(index: PhotoIndex, entry: journal.JournalEntry, summary: WriteSummary,
                             command: str) -> None:
    """Count and name the file apart (summary.held, its note). One `write` holds (its XMP
    taken out, an older copy put back: plan_stripped_hold) stays held: the other program's
    edit still stands after the undo, and only the user's --release-held writes the label
    into it again (its entry stays, marked: holds_kept_by_undo); any other's entry goes."""
    still_held = _held_by_write(entry)
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
        return _undo_jpeg(index, path, entry, library_folders, notes)
    return _undo_sidecar(index, path, entry, library_folders, notes)


def _current_bytes(path: Path, library_folders: list[Path]) -> bytes | None:
    """The file's bytes, None when it is not there. Raises DiskUnreachableError when it
    is on a card or disk gone (disk_gone_error: a file or folder the user removed leaves
    its library folder, and any link on the way, there), NotDownloadedError when it is
    in iCloud or online-only (not read: that would download it, and fail offline), or
    the error of its disk's failure, so the undo keeps the batch for that file."""
    note = not_downloaded_note(path)
    if note is not None:
        raise NotDownloadedError(path, note)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        gone = disk_gone_error(path, library_folders)
        if gone is not None:
            raise gone from None
        return None
    except OSError as error:
        raise (passing_error_class(error) or MetadataWriteError)(f"cannot read {path}: {error.strerror}") from None


def _undo_jpeg(index: PhotoIndex, path: Path, entry: journal.JournalEntry,
               library_folders: list[Path], notes: list[tuple[str, str]]) -> bool | str:
    data = _current_bytes(path, library_folders)
    if data is None:
        raise PhotoGoneError(f"{path} has disappeared; cannot restore its keywords")
    # When the file is exactly what our write produced (our_write), the saved
    # segments give back the original byte for byte; otherwise only our fields go back.
    # A field the entry does not record (written by an older version) stays as it is.
    candidate = restore_segments(data, entry.saved_segments(), str(path))
    before, after = entry.fields_with(read_fields(candidate, str(path)))
    ours = our_write(data, candidate, entry, after, str(path))
    kept = None
    if ours is not None:
        restored, wanted = candidate, before
    else:  # edited since: keep what was added after our write
        current = read_fields(data, str(path))
        before, after = entry.fields_with(current)
        wanted, kept = kept_by_undo(index.conn, path, entry.after.get("label"), current,
                                    revert_fields(current, before, after), before)
        # nothing that write added is left (another program took it out): the older
        # write's keywords it replaced are not put back into the file the user stripped
        restored = data if wanted == current or _none_left_of(current, before, after) else \
            without_bare_creations(apply_fields(data, wanted, str(path)), entry, str(path))
    if kept is not None:
        notes.append((str(path), kept))
    if restored == data:  # nothing to put back: maybe an undo killed after its rename
        if recovery.record_own_undo(index, path, entry):
            return True
        if kept is not None and entry.completed and (entry.size_after or 0) >= 0:
            return KEPT_IN_USERS_TREE
        if not entry.completed or (entry.size_after or 0) < 0:
            return False  # our write never reached it
        if not entry.undo_target:
            return CHANGED_ELSEWHERE  # no undo of ours got as far as its rename
        if recovery.undo_put_in(entry, data, str(path)):
            return False  # a killed undo put these bytes in: restored
        # a killed undo noted it, then it changed: renamed in and edited since, or never
        # renamed and stripped since; one `write` holds stays held either way
        return CHANGED_ELSEWHERE if _held_by_write(entry) else False
    # before the rename: a kill after it is then recognised, and its rerun knows this file was reached
    if ours is None or not ours.rerun_knows_original:
        recovery.note_undo(index, path, entry, restored)
    else:  # a hash would be for nothing: the rerun knows the original by redoing the write
        recovery.note_undo_reaching(index, entry, restored)
    stat = atomic.replace_atomically(path, restored, keep_mtime=not entry.touched, library_folders=library_folders)
    if read_fields(path.read_bytes(), str(path)) != wanted:
        raise VerificationError(f"{path}: keywords did not read back as intended after undoing the write")
    journal.update_indexed_file(index, path, stat, restored)
    return True


# the fields that hold landmark keywords: our private landmarkTagger:Teaches is none, and
# digiKam and exiftool keep it when the user takes the keyword out
LANDMARK_FIELDS = tuple(name for name in FIELD_NAMES if name != "taught")


def _none_left_of(current: KeywordFields, before: KeywordFields, after: KeywordFields) -> bool:
    """Whether the write (`before` -> `after`) added keywords and none of them is in any
    landmark keyword field of the file now (`current`; a Teaches field of ours left does
    not count): nothing of that write left, so its undo leaves the file as it is, bytes
    and all (a relabel's undo would otherwise put the older label back into a file
    another program stripped)."""
    added = {keyword_form(keyword).casefold() for name in LANDMARK_FIELDS
             for keyword in set(getattr(after, name) or []) - set(getattr(before, name) or [])}
    # in any letter case, as a write recognises its keyword (keywords._is_keyword): "petra" re-cased in Lightroom
    present = {keyword_form(keyword).casefold() for name in LANDMARK_FIELDS for keyword in getattr(current, name) or []}
    return bool(added) and not added & present


def without_bare_creations(data: bytes, entry: journal.JournalEntry, name: str = "file") -> bytes:
    """`data` (our keywords taken out of a file edited since) without each segment the
    entry's write created (it saved no payload for it) that holds nothing but what the
    write put there: an EXIF block with only its mandatory tags, an IPTC block with
    only its record version and UTF-8 mark, an XMP packet with no property. Another
    program's edit elsewhere (an XMP rating) then leaves no empty block of ours behind;
    a segment anyone put anything into since stays."""
    layout = parse_jpeg(data, name)
    jfif = layout.first("jfif")
    bare_ones = {
        "exif": lambda payload: is_emptied_creation(payload, jfif.payload if jfif else None),
        "photoshop": iptc.holds_only_bookkeeping,
        "xmp": lambda payload: _xmp_holds_nothing(payload[len(XMP_HEADER):], name),
    }
    bare = {
        kind: None for kind, saved in entry.saved_segments().items()
        if saved is None and kind in bare_ones
        and (segment := layout.first(kind)) is not None and bare_ones[kind](segment.payload)
    }
    return restore_segments(data, bare, name) if bare else data


def _xmp_holds_nothing(packet: bytes, name: str) -> bool:
    """Whether an XMP packet holds no property: only x:xmpmeta (its toolkit name aside),
    rdf:RDF and rdf:Description elements with nothing but rdf:about."""
    doc = XmpDocument.parse(packet, name)
    frame = {f"{{{X}}}xmpmeta", f"{{{RDF}}}RDF", f"{{{RDF}}}Description"}
    return all(
        element.tag in frame and not (element.text or "").strip()
        and set(element.attrib) <= {f"{{{RDF}}}about", f"{{{X}}}xmptk"}
        for element in doc.root.iter()
    )


@dataclass(frozen=True)
class OurWrite:
    """What proved a JPEG exactly our write (see our_write)."""

    digest: bool  # its bytes hash to the entry's SHA-256
    redone: bool  # today's writer makes exactly its bytes of the original

    @property
    def rerun_knows_original(self) -> bool:
        """Whether the rerun of an undo killed after its rename knows the original put
        back without a note of its SHA-256: redoing the write on it gives the entry's
        digest and undoing that gives it back (recovery.record_own_undo), so the undo
        hashes the file once, not twice."""
        return self.digest and self.redone


def our_write(data: bytes, candidate: bytes, entry: journal.JournalEntry,
              after: KeywordFields, name: str = "file") -> OurWrite | None:
    """Whether (and how) the JPEG `data` is exactly what `entry`'s write made of `candidate`
    (the file with the entry's saved segments put back), so that putting those segments
    back gives the original byte for byte and loses nobody's edit; None when it is not.
    The proof is the bytes, never the file's size or time (we keep the photo's time,
    other tools can too, and copying a library to a new disk changes it without
    changing a byte):
    - the entry's SHA-256 of the bytes its write put in (`after.sha256`, recorded by
      every version since it came in) is the file's: exact, whatever wrote them (not
      hashed when the entry's size or fingerprint of those bytes already differs);
    - or redoing the write on `candidate` with today's writer gives exactly `data`;
    - or, for an entry without a digest (an older version's), the file is byte for
      byte what today's writer makes of `candidate` with the one difference older
      versions are known to have made: they created an EXIF segment for XPKeywords in a
      JPEG that had none (today's writer creates none), as `exif_keywords.older_creations`
      rebuilds it.
    Restoring touches only the EXIF, XMP and IPTC segments the entry saved, so the
    last two also hold when another program changed something else since (a
    comment, an ICC profile): its change survives the undo, as it does now. A
    change inside one of our segments (a tag added to the EXIF we created, a
    caption in our XMP), or an older version's output we cannot rebuild exactly,
    fails the proof, and undo then takes out only our keyword fields."""
    digest = (entry.digest is not None and entry.could_hold(len(data), lambda: journal.fingerprint_of(data))
              and recovery.file_digest(data) == entry.digest)
    try:
        written = apply_fields(candidate, after, name)
    except TaggerError:
        if digest:  # ours by its bytes, whatever today's writer makes of them
            return OurWrite(digest=True, redone=False)
        raise
    if digest or written == data:
        return OurWrite(digest=digest, redone=written == data)
    if entry.digest is not None or entry.saved_segments().get("exif", b"") is not None or not after.xp:
        return None  # only a digestless write that created the EXIF segment can differ
    jfif = parse_jpeg(candidate, name).first("jfif")
    if any(with_created_exif(written, payload, name) == data
           for payload in older_creations(after.xp, jfif.payload if jfif else None)):
        return OurWrite(digest=False, redone=False)
    return None


def _photo_file_gone_too(sidecar: Path) -> bool:
    """Whether no file the sidecar describes is beside it any more (DSC_0001.NEF of
    DSC_0001.NEF.xmp, any DSC_0001.* of DSC_0001.xmp): moved or renamed with it, maybe."""
    described = fold(sidecar.with_suffix("").name)
    try:
        names = os.listdir(sidecar.parent)
    except OSError:
        return True
    return not any(fold(name) == described or (fold(name).rpartition(".")[0] == described
                                               and not name.lower().endswith(".xmp")) for name in names)


def _undo_sidecar(index: PhotoIndex, path: Path, entry: journal.JournalEntry, library_folders: list[Path],
                  notes: list[tuple[str, str]]) -> bool | str:
    existing = _current_bytes(path, library_folders)
    if existing is None:
        with_its_photo = _photo_file_gone_too(path)
        if entry.before.get("absent"):  # already gone; never created (killed before its rename): not restored
            created = entry.completed and (entry.size_after or 0) >= 0
            if created and with_its_photo:  # deleted, or moved off the library: undo cannot tell
                notes.append((str(path), GONE_WITH_ITS_PHOTO))
            return created
        gone = SidecarMovedError if with_its_photo else SidecarGoneError
        raise gone(f"the sidecar {path} has disappeared; cannot restore it")
    original = None if entry.before.get("absent") else journal.decode_blob(entry.before["text"])
    _, after = entry.fields_with(fields_of_sidecar(original, str(path)))
    # exactly our output: the bytes our write put in (a sidecar we created names its
    # photo, xmpMM:DerivedFrom), or what today's writer makes of the original (an entry
    # an older version wrote without a digest)
    ours = entry.digest is not None and recovery.file_digest(existing) == entry.digest
    if ours or render_sidecar(original, after, str(path)) == existing:
        if entry.before.get("absent"):
            atomic.remove_file(path)
        else:
            atomic.replace_atomically(path, original, keep_mtime=not entry.touched, library_folders=library_folders)
        return True
    # edited since: take out only our change, keep what was added after it
    current = fields_of_sidecar(existing, str(path))
    before, after = entry.fields_with(current)
    wanted, kept = kept_by_undo(index.conn, path, entry.after.get("label"), current,
                                revert_fields(current, before, after, SIDECAR_FIELDS), before)
    wanted = wanted.only(SIDECAR_FIELDS)
    if kept is not None:
        notes.append((str(path), kept))
        if wanted == current.only(SIDECAR_FIELDS):
            return KEPT_IN_USERS_TREE if entry.completed and (entry.size_after or 0) >= 0 else True
    if wanted == current.only(SIDECAR_FIELDS) or _none_left_of(current, before, after):
        # nothing of ours left to take out (darktable rewrote it from its database; for a
        # relabel, the older label is not put back): its bytes and time stay, else its
        # "look for updated XMP files" flags the image
        return CHANGED_ELSEWHERE if entry.completed and (entry.size_after or 0) >= 0 else True
    restored = render_sidecar(existing, wanted, str(path))
    if restored != existing:
        atomic.replace_atomically(path, restored, keep_mtime=not entry.touched, library_folders=library_folders)
    if fields_of_sidecar(path.read_bytes(), str(path)) != wanted:
        raise VerificationError(f"{path}: keywords did not read back as intended after undoing the write")
    return True

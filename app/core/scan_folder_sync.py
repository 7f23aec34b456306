"""Bring one folder's photos in the index in step with a listing of it: the
scan's per-folder sync. Names whose size or mtime_ns changed (and those a stem's
pairing or an upgrade's reread marks) are read by name stem, all its spellings in
letter case together (pairing.family_of), as the photos they form, and saved a few
stems a transaction; photos none of whose files is left go missing.

The walk that lists the folders is scanner.py's (`_Scan`, which builds on FolderSync
and tells its progress through `_report`); which file describes a photo is
scan_details.py's, which photos were renamed over renamed_over.py's.
"""

from __future__ import annotations

import errno
import os
from collections import defaultdict
from collections.abc import Collection, Mapping
from pathlib import Path

from app.core.cloud_files import IN_ICLOUD
from app.core.errors import PhotoNotReadError, PhotoReadError
from app.core.file_owner import with_permission_advice
from app.core import keywords_changed_elsewhere, unwritten_elsewhere
from app.core.fingerprint import fingerprint_file, picture_print
from app.core.index import catalog, labels, pairing, problems, renamed_over_records, rereads, scan_runs
from app.core.index import sidecar_states
from app.core.index.catalog import FileState, KnownFile
from app.core.index.connection import db_text, now_iso
from app.core.index.pairing import PhotoFiles, family_of, family_of_key
from app.core.index.records import printable_path
from app.core.jpeg_named_raw import holds_raw_picture
from app.core.photo_info import PhotoInfo, file_kind, primary_of, read_photo_info
from app.core.picture_backfill import UnprintedJpegs
from app.core.progress import CancelToken
from app.core.raw_pictures import SamePictures, merged_raws, mixed_photos, sidecars_written_first
from app.core.scan_details import pair_unread_raws, raw_sidecar_dates, read_photo_details, sidecars_in_icloud
from app.core.scan_summary import ScanOptions, ScanSummary, split_notes


# The counts a scan reports of what it stored in the index: those of a transaction that
# failed are taken back (a scan stopped by a full disk stored nothing of it).
COUNTED_WHEN_STORED = ("new", "changed", "missing", "labels_read", "other_frames")


def cannot_read(path: str, error: OSError, what: str = "read") -> str:
    """The message for a file or folder entry that the scan cannot read (`what`: "read",
    "list the folder"), with the advice its cause calls for; for a permission refused, the
    owner named where it is another user (who alone can change it), as `write` words it."""
    words = f"cannot {what} ({error.strerror or error})"
    if error.errno in (errno.EACCES, errno.EPERM):  # permissions only where they are the cause
        return f"{path}: {with_permission_advice(words, Path(path))}"
    return f"{path}: {words}; {what_to_do(path, error)}"


def what_to_do(path: str, error: OSError) -> str:
    """The advice for an OSError while scanning other than a permission refused."""
    if error.errno == errno.ENAMETOOLONG:
        return (f"its path is too long for the system ({len(os.fsencode(path)):,} bytes); "
                "move or rename its folders to shorten it")
    if error.errno == errno.ELOOP:
        return "a symbolic link there points back into itself; remove or fix the link"
    return "check the disk and that it is still connected"


def _listed_state(folder: str, name: str, listed: tuple[int, int]) -> FileState:
    """A file as the folder's listing shows it (size, mtime_ns), its contents not read."""
    return FileState(os.path.join(folder, name), name, os.path.splitext(name)[1].lower(),
                     file_kind(name) or "raw", *listed, None)


class FolderSync:
    """The per-folder sync of one scan, and the problems it records (in the
    transaction that writes the folder's photos, or at the end)."""

    def __init__(self, index, options: ScanOptions, cancel: CancelToken | None) -> None:
        self.index = index
        self.conn = index.conn
        self.options = options
        self.cancel = cancel
        self.summary = ScanSummary()
        self.became_missing: list[int] = []
        self.merging_spellings = False  # while a library folder's other spelling leaves (see _merge_other_spellings)
        self.detaching: list[int] = []  # photos whose names another picture took (renamed over)
        # new photo id -> what was read of it, where its files hold a landmark keyword (a moved photo's: scan_moves)
        self.read_labels: dict[int, PhotoInfo] = {}
        # the photos this scan brought in (its `new`): a scan running beside brings in others
        self.created_ids: set[int] = set()
        self.pending_errors: list[tuple[str, str]] = []
        # Files with a scan problem (a RAW kept with its JPEG, a truncated file): an unchanged
        # one is not read again (a library of RAW files LibRaw cannot read would be re-read on
        # every scan), so its problem is kept as it is, not cleared as "not met again".
        self.problem_states: dict[str, str | None] = {}
        self.problem_folders: set[str] = set()
        self.kept_problems: set[str] = set()
        self.rereads_left = False  # photos an upgrade marked to read again (app/core/index/rereads.py)
        self.rereading: dict[int, str] = {}  # those of the folder being read: photo id -> key
        self.renamed = None  # the scan's RenamedOver, made when it starts
        self.not_downloaded: dict[str, str] = {}  # those of the folder being read kept in the cloud -> why
        # names of the folder being read that a reread needed and that could not be read now
        # (in the cloud, locked, a share's hiccup): their photos keep their reread marks
        self.not_read_now: set[str] = set()
        self.marks_kept: set[int] = set()  # their photos
        self.sidecars: sidecar_states.KnownSidecars | None = None  # loaded by the first folder's sync
        self.folder_sidecars: dict = {}  # those of the folder being read
        self.new_sidecars: dict[int, list[str]] = {}  # its photos' sidecars no record knew (new_beside_written)
        self.sidecar_changed: set[int] = set()  # its photos a known sidecar of which changed (or came): read again
        self.sidecars_gone: list[str] = []  # its sidecars still gone that only their GONE row knows
        self.keyword_decisions = keywords_changed_elsewhere.ScanDecisions()  # one review command a scan
        self.changed_elsewhere: set[int] = set()  # the batch's photos new, changed or reread: unwritten_elsewhere
        self.unprinted = UnprintedJpegs(index)  # JPEGs indexed before picture prints (picture_backfill.py)

    def _cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.cancelled

    def _report(self, message: str) -> None:
        """Tell the progress after a folder's batch: the scan's to fill in."""

    def _error(self, path: str, message: str, file_state: str | None = None) -> None:
        # the path keeps its exact bytes; the message is for people (and must be valid UTF-8)
        self.pending_errors.append((path, printable_path(message), file_state))
        self.summary.errors += 1

    def _flush_errors(self, conn=None) -> None:
        if not self.pending_errors:
            return
        rows = [(db_text(p), None, "scan", m, self.summary.run_id, now_iso(), state)
                for p, m, state in self.pending_errors]
        self.pending_errors = []
        if conn is not None:
            problems.replace(conn, rows)
        else:
            with self.index.transaction() as tx:
                problems.replace(tx, rows)

    # -- one folder -------------------------------------------------------------
    def _sync_folder(self, folder: str, seen: dict[str, tuple[int, int]], in_icloud: Collection[str] = (),
                     online_only: Mapping[str, str] | None = None, sidecars: Collection[str] = ()) -> None:
        """Bring the folder's photos in step with `seen` (and its .xmp files, `sidecars`); the photos
        of `in_icloud` (only their iCloud stand-ins listed) and those `online_only` (-> why) are not read."""
        known = catalog.known_files(self.conn, folder)
        self.not_downloaded = dict(online_only or {})
        self.not_read_now, self.marks_kept = set(), set()
        if in_icloud:
            seen = self._kept_in_icloud(folder, seen, known, in_icloud)
        self.summary.not_downloaded += sum(1 for name in self.not_downloaded if name in known)
        self.summary.pictures_printed += self.unprinted.print_folder(folder, known, seen, self.not_downloaded)
        dirty: set[str] = pairing.families_to_mend(known)
        self._note_changed_sidecars(folder, known, dirty, sidecars)
        if self.sidecars_gone:  # their photos were read without them by an earlier scan: the rows may go
            with self.index.transaction() as conn:
                sidecar_states.drop_gone(conn, self.sidecars_gone)
        self.rereading = rereads.marked_in(self.conn, folder) if self.rereads_left else {}
        dirty.update(family_of_key(key) for key in self.rereading.values())
        failed_as_now = (problems.unreadable_as_now(self.problem_states, folder, seen)
                         if folder in self.problem_folders else set())
        for name, (size, mtime_ns) in seen.items():
            k = known.get(name)
            if name not in failed_as_now and (k is None or k.missing or k.size != size or k.mtime_ns != mtime_ns):
                dirty.add(family_of(name))
        for name, k in known.items():
            if not k.missing and name not in seen:
                dirty.add(family_of(name))
        if folder in self.problem_folders:
            self.kept_problems.update(
                path for name, k in known.items()
                if not k.missing and seen.get(name) == (k.size, k.mtime_ns)
                and (path := os.path.join(folder, name)) in self.problem_states
            )
            self.kept_problems.update(os.path.join(folder, name) for name in failed_as_now
                                      if family_of(name) not in dirty)  # (else read again, with its stem)
        if not dirty:
            return
        seen_by_family: dict[str, list[str]] = defaultdict(list)
        for name in seen:
            seen_by_family[family_of(name)].append(name)
        known_by_family: dict[str, dict[str, KnownFile]] = defaultdict(dict)
        for name, k in known.items():
            known_by_family[family_of(name)][name] = k
        families = sorted(dirty)
        for batch in self.options.batches(families):
            if self._cancelled():
                return
            groups = [
                group for family in batch
                for group in self._read_family(
                    folder, seen_by_family.get(family, []), known_by_family.get(family, {}), seen)
            ]
            counted_before = self._stored_counts()
            try:
                with self.index.transaction() as conn:
                    self._detach_renamed_over(conn)
                    self.renamed.save_notes(conn)
                    for group in groups:
                        self._write_group(conn, folder, group)
                    unwritten_elsewhere.mark_to_plan(conn, self.changed_elsewhere)  # planned at the scan's end
                    self.changed_elsewhere.clear()
                    self._flush_errors(conn)
            except BaseException:  # rolled back (a full disk): the scan reports what it stored
                self._take_back_counts(counted_before)
                raise
            self._report(folder)

    def _note_changed_sidecars(self, folder: str, known: dict[str, KnownFile], dirty: set[str], names) -> None:
        """Mark to be read again the photos of the folder a known sidecar of which (sidecar_states) changed or
        went (Lightroom edits a RAW's keywords there alone), or new beside our write came (new_beside_written)."""
        if self.sidecars is None:
            self.sidecars = sidecar_states.known_sidecars(self.conn)
        owners = {name: k.photo_id for name, k in known.items() if not k.missing}
        self.folder_sidecars = self.sidecars.get(folder, {})
        if self.folder_sidecars:  # each the photo's whose file it is named after (a split moved it)
            self.folder_sidecars = sidecar_states.owned_by_files(self.folder_sidecars, owners)
        self.sidecar_changed, self.sidecars_gone = (sidecar_states.looked_at(folder, self.folder_sidecars)
                                                    if self.folder_sidecars else (set(), []))
        self.new_sidecars = sidecar_states.new_beside_written(self.conn, folder, names, self.folder_sidecars, owners)
        self.sidecar_changed |= self.new_sidecars.keys()
        if self.sidecar_changed:
            dirty.update(family_of(name) for name, k in known.items()
                         if not k.missing and k.photo_id in self.sidecar_changed)

    def _kept_in_icloud(self, folder: str, seen: dict[str, tuple[int, int]], known: dict[str, KnownFile],
                        in_icloud: Collection[str]) -> dict[str, tuple[int, int]]:
        """`seen` with the photos iCloud replaced by stand-ins (cloud_files) listed as the
        index knows them: not missing, their labels kept, nothing read (one an older version
        marked missing is found again, as it was); one never indexed is noted, to scan once
        downloaded."""
        seen = dict(seen)
        for name in sorted(in_icloud):
            k = known.get(name)
            if k is None or k.size is None:
                path = os.path.join(folder, name)
                self._error(path, f"{path}: {IN_ICLOUD}, then scan again")
                continue
            seen[name] = (k.size, k.mtime_ns)
            self.not_downloaded[name] = IN_ICLOUD
        return seen

    def _stored_counts(self) -> dict[str, int]:
        return {name: getattr(self.summary, name) for name in COUNTED_WHEN_STORED}

    def _take_back_counts(self, counted_before: dict[str, int]) -> None:
        for name, value in counted_before.items():
            setattr(self.summary, name, value)

    def _read_family(
        self, folder: str, names: list[str], known: dict[str, KnownFile], seen: dict[str, tuple[int, int]],
    ) -> list[PhotoFiles]:
        """The files of one name stem in all its spellings (pairing.family_of), read where
        new or changed, as the photos they form; on a disk that ignores case those of
        two spellings share a stem sidecar (dsc_8188.xmp of DSC_8188.NEF and dsc_8188.tif)."""
        infos: dict[str, PhotoInfo] = {}
        failed: set[str] = set()  # there but unreadable now: their rows stay as they are
        states: dict[str, FileState] = {}
        fresh: set[str] = set()  # read in this scan (new or changed)
        unread_raws: dict[str, str] = {}  # RAW files that could not be read, and why
        def unreadable(path: str, message: str) -> None:  # its contents: not read again while unchanged
            self._error(path, message, problems.file_state(path))

        for name in sorted(names):
            size, mtime_ns = seen[name]
            path = os.path.join(folder, name)
            ext = os.path.splitext(name)[1].lower()
            k = known.get(name)
            # a photo read again for its changed sidecar: its unchanged file that could not be
            # read stays unread (counted once, as unchanged still unreadable, not as an error again)
            if (k is not None and not k.missing and k.size == size and k.mtime_ns == mtime_ns
                    and (k.photo_id not in self.sidecar_changed or path in self.kept_problems)):
                states[name] = _listed_state(folder, name, (size, mtime_ns))
                continue
            if name in self.not_downloaded:  # reading it would download it (or fail, offline)
                if k is not None and (k.size, k.mtime_ns) == (size, mtime_ns):  # marked missing: found again
                    states[name] = _listed_state(folder, name, (size, mtime_ns))
                else:  # new or changed: its row, if any, stays as it is
                    self._error(path, f"{path}: {self.not_downloaded[name]}, then scan again")
                    failed.add(name)
                    self.not_read_now.add(name)
                continue
            try:
                fingerprint = fingerprint_file(path, size)  # raises OSError only
                infos[name] = read_photo_info(path)
                picture = picture_print(path, size) if infos[name].kind == "jpeg" else None  # OSError only
            except PhotoNotReadError as error:  # not its contents: read again at the next scan
                self._error(path, str(error))
                failed.add(name)
                self.not_read_now.add(name)
                continue
            except PhotoReadError as error:
                if (file_kind(name) or "raw") == "raw":
                    states[name] = FileState(path, name, ext, "raw", size, mtime_ns, fingerprint)
                    unread_raws[name] = str(error)
                    fresh.add(name)
                    continue
                unreadable(path, str(error))
                failed.add(name)
                continue
            except FileNotFoundError:
                self._error(path, f"{path}: disappeared during the scan")
                continue
            except OSError as error:
                self._error(path, cannot_read(path, error))
                failed.add(name)
                self.not_read_now.add(name)
                continue
            states[name] = FileState(path, name, ext, infos[name].kind, size, mtime_ns, fingerprint, picture)
            fresh.add(name)
        renamed = self.renamed.replaced_photos(known, states, fresh, failed, infos)
        if renamed.replaced:  # they give up their names in the write that follows (_detach_renamed_over)
            self.detaching.extend(sorted(renamed.replaced))
            known = {name: k for name, k in known.items() if k.photo_id not in renamed.replaced}
        regroup = self._read_merged_raws(folder, known, states, infos)
        mixed = self._read_merged_raws(folder, known, states, infos, mixed_photos)
        self.summary.pairs_reread += len(mixed)
        self._read_beside_raws(folder, states, infos)
        merged = [name for name, k in known.items() if k.photo_stem in regroup | mixed]
        written_first = sidecars_written_first(self.conn, known, merged)
        pictures = SamePictures(self.conn, infos, known,
                                raw_sidecar_dates(folder, list(states), self.not_downloaded))
        self._read_beside_raws(folder, states, infos, [n for n, k in known.items()  # the RAWs kept, by their headers
                                                       if any(k.photo_id == known[m].photo_id for m in renamed.came_in)])
        came_in = self.renamed.leaving_pairs(renamed.came_in, known, pictures, infos)
        groups = pairing.photos_of(states, fresh, known, failed, pictures, regroup, written_first,
                                   other_picture=pictures.differ, mixed=mixed, other_camera=pictures.other_camera,
                                   renamed_in={name: renamed_over_records.photo_renamed_from(
                                       self.conn, place, states[name].fingerprint) for name, place in came_in.items()},
                                   rejoin=self.renamed.rejoining(known, states, fresh, pictures))
        for group in groups:
            pair_unread_raws(group, unread_raws, failed, unreadable)
            read_photo_details(group, infos, self._read_quietly, reread=group.photo_id in self.rereading,
                               family=groups)
            self.summary.sidecars_in_icloud.extend(
                path for path in sidecars_in_icloud(group) if path not in self.summary.sidecars_in_icloud)
        # after pair_unread_raws: a RAW that cannot be read, alone, stays as indexed
        self.summary.split_notes.extend(split_notes(self.conn, groups, known, pictures, came_in))
        self.marks_kept.update(k.photo_id for name, k in known.items()
                               if name in self.not_read_now and k.photo_id in self.rereading)
        self.marks_kept.update(group.photo_id for group in groups if group.photo_id in self.rereading
                               and any(f.name in self.not_read_now for f in group.present))
        return groups

    def _read_merged_raws(self, folder: str, known: dict[str, KnownFile], states: dict[str, FileState],
                          infos: dict[str, PhotoInfo], merged=merged_raws) -> set[str]:
        """The keys of the photos marked to be read again that an older version made of
        two or more RAW files of one stem (raw_pictures.merged_raws), or of a rendered image
        and RAWs (`merged`=raw_pictures.mixed_photos), each of those read into `infos` now
        so that pairing tells their pictures apart. One of whose files
        cannot be read now stays as it is: one in the cloud is not read (that would
        download it), one that cannot be opened now is reported; both keep the mark, to
        be told apart at a later scan (see _reread_done)."""
        if not self.rereading:
            return set()
        regroup: set[str] = set()
        for key, names in merged(known, states, self.rereading).items():
            if any(name in self.not_downloaded for name in names):
                self.not_read_now.update(name for name in names if name in self.not_downloaded)
                continue
            try:
                for name in names:
                    if name not in infos:
                        infos[name] = self._read_now(os.path.join(folder, name))
            except PhotoReadError:  # one not read now is reported (and keeps the mark); its
                continue  # contents: reported where it stands for the photo
            regroup.add(key)
        return regroup

    def _read_beside_raws(self, folder: str, states: dict[str, FileState], infos: dict[str, PhotoInfo],
                          only: list[str] | None = None) -> None:
        """Read into `infos` the headers of a family holding a rendered image and two RAWs
        or more (or of the files `only`): whether the image is one RAW's picture
        (pairing._among_pictures, RenamedOver.leaving_pairs) goes by the files' own headers,
        not their photo's row (a JPEG without EXIF is stored with its NEF's date). One in
        the cloud is not read (that would download it); one that cannot be read now is
        compared by its row."""
        names = [name for name in states if only is None or name in only]
        raws = sum(1 for name in names if pairing.is_raw_name(name))
        if only is None and (raws < 2 or raws == len(names)):
            return
        for name in names:
            if name in infos or name in self.not_downloaded or name in self.not_read_now:
                continue
            try:
                infos[name] = self._read_now(os.path.join(folder, name))
            except PhotoReadError:
                continue

    def _read_now(self, path: str) -> PhotoInfo:
        """The file's header. One that cannot be read this time (locked, no permission,
        a share's hiccup) is reported as the file's problem and raises PhotoNotReadError,
        its name noted so that a reread mark of its photo stays (_reread_done)."""
        try:
            return read_photo_info(path)
        except PhotoNotReadError as error:
            failure: Exception = error
            message = str(error)
        except OSError as error:
            failure = error
            message = cannot_read(path, error)
        self._error(path, message)
        self.not_read_now.add(os.path.basename(path))
        raise PhotoNotReadError(message) from failure

    def _read_quietly(self, path: str) -> PhotoInfo | None:
        if os.path.basename(path) in self.not_downloaded:
            self.not_read_now.add(os.path.basename(path))  # a reread waits till it is downloaded
            return None  # in the cloud: what the index holds of it stays
        if os.path.basename(path) in self.not_read_now:
            return None  # tried and reported already in this scan
        try:
            return self._read_now(path)
        except PhotoNotReadError:
            return None
        except PhotoReadError as error:
            self._error(path, str(error))
            return None

    def _reread_done(self, conn, photo_id: int) -> None:
        """Take the photo's reread mark (rereads.py) once its files were read, or found
        unreadable in their contents; one with a file not read now (in the cloud, locked:
        `marks_kept`) keeps it, for the scan that can read it."""
        if photo_id in self.rereading and photo_id not in self.marks_kept:
            rereads.reread_done(conn, photo_id)

    def _write_group(self, conn, folder: str, group: PhotoFiles) -> None:
        catalog.mark_files_missing(conn, [k.id for k in group.vanished])
        if not group.present:
            self._write_photo_without_files(conn, group)
            return
        if self._written_meanwhile(conn, folder, group):
            return  # another scan at once indexed these very files: no news of this one's
        primary = primary_of([Path(f.path) for f in group.present])
        has_raw = any(holds_raw_picture(f.path, f.kind, self.not_downloaded) for f in group.present)
        photo_id, created = catalog.save_photo(conn, folder, group.stem, str(primary), has_raw, group.info)
        for state in group.present:
            catalog.save_file(conn, photo_id, state, self.summary.run_id)
        catalog.drop_deleted_files(conn, photo_id)
        self._reread_done(conn, photo_id)
        info = group.info
        change = keywords_changed_elsewhere.follow_the_files(
            conn, photo_id, info, self.keyword_decisions) if not created and group.touched else None
        if created or group.touched or photo_id in self.rereading:  # a label read back, an upgrade's mark
            self.changed_elsewhere.add(photo_id)
        if change is not None:
            self.summary.keywords_changed_elsewhere.append(change.to_json())
            if change.note is not None:  # a file whose copies of its keywords disagree: said, label kept
                self._error(change.path, change.note)
        # a decision put off till a file in the cloud is downloaded: the sidecars stay unseen, to be read again then
        put_off = change is not None and change.how == keywords_changed_elsewhere.NOT_DOWNLOADED
        if group.touched and not put_off and (sidecars := [
                *sidecar_states.sidecars_of(photo_id, self.folder_sidecars, folder), *self.new_sidecars.get(photo_id, ()),
                *(path for path in (info.landmark_files if info is not None else ()) if path.lower().endswith(".xmp"))]):
            sidecar_states.remember(conn, photo_id, sidecars)
        read = bool(info is not None and info.landmark and labels.adopt_written_label(
            conn, photo_id, info.landmark, info.landmark_files, info.landmark_taught))
        if created and group.renamed_from is not None and labels.take_decision_of(conn, group.renamed_from, photo_id):
            read = False  # the index's word about the picture it holds: newer than the keyword in its file
        if read:
            self.summary.labels_read += 1
            if created:  # a moved photo's: see _recognise_moves
                self.read_labels[photo_id] = info
        catalog.refresh_fts(conn, photo_id)
        if created:
            self.summary.new += 1
            self.created_ids.add(photo_id)
        elif group.touched or group.vanished or group.stale or group.regrouped:
            self.summary.changed += 1

    def _written_meanwhile(self, conn, folder: str, group: PhotoFiles) -> bool:
        """Files read as new or changed that the index already holds as found: what it
        knew of the folder was listed before another scan (a cron scan, the app's
        start-up check) wrote them, so this scan counts them neither new nor changed."""
        return (group.touched and not (group.vanished or group.stale or group.regrouped)
                and group.photo_id not in self.rereading and group.photo_id not in self.sidecar_changed
                and catalog.holds_as_found(conn, folder, group.stem, group.present))

    def _detach_renamed_over(self, conn) -> None:
        """Photos whose names hold other pictures give them up, missing until found moved (replaced_photos)."""
        for photo_id in self.detaching:
            if renamed_over_records.detach_photo(conn, photo_id):  # (not missing since an earlier scan)
                self.summary.missing += 1
                self._went_missing(conn, photo_id)
            self.summary.other_frames += int(photo_id in self.renamed.other_times)  # a name reused
        self.detaching.clear()

    def _went_missing(self, conn, photo_id: int) -> None:
        """The photo went missing in this scan (in the transaction that marks it so): the
        move recognition looks for it at the end, or the next scan if this one is killed first."""
        self.became_missing.append(photo_id)
        scan_runs.note_went_missing(conn, photo_id, self.summary.run_id, self.merging_spellings)

    def _write_photo_without_files(self, conn, group: PhotoFiles) -> None:
        """None of the photo's files was read now: it is missing when none is left, else
        (the others unreadable now) it only stops listing the deleted ones."""
        if group.photo_id is None:
            return
        if catalog.mark_photo_missing_if_empty(conn, group.photo_id):
            self.summary.missing += 1
            self._went_missing(conn, group.photo_id)
        elif catalog.drop_deleted_files(conn, group.photo_id):
            catalog.refresh_fts(conn, group.photo_id)
            self.summary.changed += 1

"""Walk library folders and bring the index in step with the disk.

A rescan only stats files: one query loads what the index knows about a folder,
and a file whose size and mtime_ns are unchanged is not opened. New or changed
files are fingerprinted and their header read. Files that disappear are marked
missing (their labels stay); a missing photo whose fingerprint turns up at a new
place (in this scan, or indexed before with nothing of the user's on it) is
recognised as moved, and keeps its labels. Per-file problems are
recorded in the index and the scan goes on.

This module is the walk and the per-folder sync; which links the walk follows is
scan_links.py's, which file describes a photo scan_details.py's, which photos were
renamed over renamed_over.py's, and joining moved photos to their new places is
scan_moves.py's.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from app.core.errors import PhotoNotReadError, PhotoReadError
from app.core.fingerprint import fingerprint_file
from app.core.folder_paths import is_skipped_folder, is_within
from app.core.index import catalog, labels, pairing, problems, rereads, scan_runs
from app.core.index.catalog import FileState, KnownFile
from app.core.index.connection import db_text, now_iso
from app.core.index.pairing import PhotoFiles, stem_of
from app.core.index.records import printable_path
from app.core.metadata.atomic import named_as_our_temp, remove_stale_temps_in
from app.core.path_case import DiskNames, canonical_path
from app.core.photo_info import PhotoInfo, file_kind, primary_of, read_photo_info
from app.core.photo_names import is_skipped_name
from app.core.progress import CancelToken, Progress, ProgressCallback, no_progress
from app.core.renamed_over import RenamedOver
from app.core.scan_details import pair_unread_raws, read_photo_details
from app.core.scan_links import ScanLinks, broken_link_message, in_library, is_link, library_spelling
from app.core.scan_moves import MoveRecognition
from app.core.scan_summary import ScanOptions, ScanSummary

def scan(
    index,
    roots: list[Path],
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    options: ScanOptions | None = None,
    folder_only: Sequence[Path] = (),
) -> ScanSummary:
    """Scan `roots` into `index` (a PhotoIndex). Missing roots, unreadable
    folders and bad files are recorded as errors; only an unusable index raises.

    A root new to the library joins it with the folders below it, except those in
    `folder_only` (the folder of a photo given by its file), which are read without
    the folders in them; a library folder is read as it was added."""
    return _Scan(index, options or ScanOptions(), progress or no_progress, cancel).run(roots, folder_only)


def _cannot_read(path: str, error: OSError) -> str:
    return f"{path}: cannot read ({error.strerror or error}); check its permissions"


class _Scan:
    def __init__(self, index, options: ScanOptions, progress: ProgressCallback, cancel: CancelToken | None) -> None:
        self.index = index
        self.conn = index.conn
        self.options = options
        self.progress = progress
        self.cancel = cancel
        self.summary = ScanSummary()
        self.files_seen = 0
        self.started = time.monotonic()
        self.visited: set[str] = set()
        self.unreadable: list[str] = []
        self.became_missing: list[int] = []
        self.merging_spellings = False  # while a library folder's other spelling leaves (see _merge_other_spellings)
        self.moves_recognised = False
        self.detaching: list[int] = []  # photos whose names another picture took (renamed over)
        self.other_spelling_ids: set[int] = set()  # photos of a library folder's other spelling (merge)
        self.read_labels: dict[int, str] = {}  # new photo id -> the landmark keyword taken from its files
        self.pending_errors: list[tuple[str, str]] = []
        # Files with a scan problem (a RAW kept with its JPEG, a truncated file): an unchanged
        # one is not read again (a library of RAW files LibRaw cannot read would be re-read on
        # every scan), so its problem is kept as it is, not cleared as "not met again".
        self.problem_states: dict[str, str | None] = {}
        self.problem_folders: set[str] = set()
        self.kept_problems: set[str] = set()
        self.shallow: set[str] = set()  # roots read without the folders below them
        self.rereads_left = False  # photos an upgrade marked to read again (app/core/index/rereads.py)
        self.rereading: dict[int, str] = {}  # those of the folder being read: photo id -> key

    # -- the job ---------------------------------------------------------------------
    def run(self, roots: list[Path], folder_only: Sequence[Path] = ()) -> ScanSummary:
        from app.core.relocate import respell_library_folders

        respell_library_folders(self.index)  # an older version's `~/pictures` is `~/Pictures` first
        names = DiskNames()  # the roots' folders listed once (only roots: the walk reads names from listings)
        follow = self.options.follow_symlinks
        resolved = list(dict.fromkeys(library_spelling(self.index, r, names, follow) for r in roots))
        self.through_links = {root for root in resolved if root != str(canonical_path(root, names))}
        self.shallow = self._folders_read_alone(resolved, {library_spelling(self.index, f, names, follow)
                                                           for f in folder_only})
        self.links = ScanLinks(self.index, resolved, self.shallow, self.options.follow_symlinks)
        with self.index.transaction() as conn:
            self.summary.run_id = scan_runs.start_run(conn, resolved)
            self.newest_before = int(conn.execute("SELECT coalesce(max(id), 0) FROM photos").fetchone()[0])
            # what scans killed before their move recognition left undone becomes this one's
            self.since = scan_runs.take_over_interrupted(conn, self.summary.run_id, self.newest_before)
            self.owed = scan_runs.pending_moves(conn, self.summary.run_id)
            self.problem_states = problems.scan_problem_states(conn)
            self.problem_folders = {os.path.dirname(path) for path in self.problem_states}
            self.rereads_left = rereads.any_to_reread(conn)
        status = "failed"
        try:
            self.renamed = RenamedOver(self.conn, self.newest_before, self.summary.run_id)
            # Whole roots first: a folder read alone is then skipped inside them (already
            # read), rather than read alone first and its sub-folders taken for deleted.
            walked = [root for root in sorted(resolved, key=lambda r: r in self.shallow) if self._walk_root(root)]
            if not self._cancelled():
                for root in walked:
                    if root not in self.shallow:  # its sub-folders were not looked at
                        self._forget_vanished_folders(root)
            if not self._cancelled():
                self._flush_errors()
                with self.index.transaction() as conn:
                    problems.clear_rescanned(conn, walked, self.summary.run_id, self.unreadable,
                                             keep=self.kept_problems, folder_only=self.shallow)
                    self.summary.unchanged_problems = len(self.kept_problems)
                    problems.clear_outside_library(conn, [str(r) for r in self.index.roots()], self.summary.run_id)
            self._recognise_moves()
            status = "cancelled" if self._cancelled() else "done"
        except KeyboardInterrupt:  # stopped at once (a second Ctrl-C), as a kill would: no failure
            status = "interrupted"
            raise
        finally:
            try:
                self._flush_errors()
                self.summary.status = status
                self.summary.photos = sum(
                    catalog.count_photos_in(self.conn, root) if root in self.shallow
                    else catalog.count_photos_under(self.conn, root)
                    for root in self._outermost(resolved)
                )
                with self.index.transaction() as conn:
                    scan_runs.finish_run(conn, self.summary.run_id, asdict(self.summary), status,
                                         moves_recognised=self.moves_recognised)
            finally:
                scan_runs.stopped_here(self.conn, self.summary.run_id)
        self._report("done")
        return self.summary

    def _cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.cancelled

    def _folders_read_alone(self, roots: list[str], asked: set[str]) -> set[str]:
        """The roots to read without their sub-folders: the asked ones (a photo's
        folder: its library folder, if any, stays as it is) and library folders added that way."""
        alone = {str(root) for root in self.index.folder_only_roots()} | asked
        return {root for root in roots if root in alone}

    def _outermost(self, roots: list[str]) -> list[str]:
        kept: list[str] = []
        for root in sorted(set(roots)):
            if not any(is_within(root, k) and k not in self.shallow for k in kept):
                kept.append(root)
        return kept

    def _report(self, message: str) -> None:
        self.progress(Progress(done=self.files_seen, total=None, message=message, started_at=self.started))

    def _error(self, path: str, message: str, file_state: str | None = None) -> None:
        # the path keeps its exact bytes; the message is for people (and must be valid UTF-8)
        self.pending_errors.append((path, printable_path(message), file_state))
        self.summary.errors += 1

    def _unreadable_entry(self, path: str, error: OSError) -> None:
        self.unreadable.append(path)
        self._error(path, _cannot_read(path, error))

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

    # -- walking -------------------------------------------------------------------
    def _walk_root(self, root: str) -> bool:
        if not os.path.isdir(root):
            from app.core.relocate import not_a_folder_message

            self._error(root, not_a_folder_message(root, root in {str(r) for r in self.index.roots()}))
            return False
        alone = root in self.shallow
        self._merge_other_spellings(root, whole=not alone)
        # a folder inside a library folder is no news; one linked into it is its link's (library_spelling)
        if not ((alone or root in self.through_links) and in_library(self.index, root)):
            self.index.add_root(root, recursive=not alone)
        stack = [root]
        while stack and not self._cancelled():
            folder = stack.pop()
            if folder in self.visited:
                continue
            self.visited.add(folder)
            listing = self._list_folder(folder)
            if listing is None:
                continue  # unlistable: what the index knows there stays as it is
            subfolders, seen = listing
            if not alone:
                stack.extend(sorted(subfolders, reverse=True))
            self._sync_folder(folder, seen)
            self._report(folder)
        return True

    def _merge_other_spellings(self, root: str, whole: bool) -> None:
        """A library folder an older version kept as typed (`~/pictures/trip` for
        `~/Pictures/Trip` on a case-insensitive disk) indexed these photos a second time:
        it leaves the library and its photos become missing, so that move recognition
        joins each to its row here, its labels kept (see _recognise_moves)."""
        for other, other_whole in self.index.other_spellings_of(root, whole):
            self.index.remove_root(other)
            already = len(self.became_missing)
            self.merging_spellings = True
            try:
                for folder in catalog.folders_under(self.conn, other) if other_whole else [other]:
                    self._sync_folder(folder, {})
            finally:
                self.merging_spellings = False
            self.other_spelling_ids.update(self.became_missing[already:])

    def _list_folder(self, folder: str) -> tuple[list[str], dict[str, tuple[int, int]]] | None:
        """Subfolders to visit and {photo file name: (size, mtime_ns)}; None when
        the folder cannot be listed (recorded as an error)."""
        subfolders: list[str] = []
        linked: list[os.DirEntry] = []
        seen: dict[str, tuple[int, int]] = {}
        try:
            with os.scandir(folder) as iterator:
                entries = list(iterator)
        except OSError as error:
            self.unreadable.append(folder)
            self._error(folder, f"{folder}: cannot list the folder ({error.strerror or error}); check its permissions")
            return None
        files: list[os.DirEntry] = []
        walked_here = self.links.walked_through_link(folder)
        maybe_our_temps = False
        for entry in entries:
            if entry.name.startswith("."):
                maybe_our_temps = maybe_our_temps or named_as_our_temp(entry.name)
                continue
            try:
                if not entry.is_dir():
                    files.append(entry)
                elif is_skipped_folder(entry.name):
                    continue
                elif is_link(entry):
                    linked.append(entry)
                elif not (walked_here and self.links.walked_by_a_link(entry.path)):
                    # (one a link of its own walks is left to that link: indexed once)
                    subfolders.append(entry.path)
            except OSError as error:  # if it was a folder, what we know of it is kept
                self._unreadable_entry(entry.path, error)
        if maybe_our_temps:  # a killed write's or undo's hidden copies of photos: clutter, cleared
            remove_stale_temps_in(Path(folder))
        # folder links first, so that a file link into one of them is known for an alias;
        # in name order, so that of two links to one folder the same is walked at every scan
        for entry in sorted(linked, key=lambda entry: entry.name):
            target = self.links.folder_to_visit(folder, entry)
            if target is not None:
                subfolders.append(target)
        for entry in files:
            name = entry.name
            try:
                if is_skipped_name(name) or file_kind(name) is None:
                    continue
                if not entry.is_file():
                    if is_link(entry):  # a photo's name, linking to nothing: say so, as for a file gone bad
                        self._error(entry.path, broken_link_message(entry.path))
                    continue
                stat = entry.stat()
                if is_link(entry) and self.links.alias_in_library(entry.path):
                    continue  # the photo is indexed under its own name: one photo, not two
            except FileNotFoundError:
                self._error(entry.path, f"{entry.path}: disappeared during the scan")
                continue
            except OSError as error:
                self._unreadable_entry(entry.path, error)
                continue
            seen[name] = (stat.st_size, stat.st_mtime_ns)
        self.files_seen += len(seen)
        return subfolders, seen

    # -- one folder -------------------------------------------------------------
    def _sync_folder(self, folder: str, seen: dict[str, tuple[int, int]]) -> None:
        known = catalog.known_files(self.conn, folder)
        dirty: set[str] = pairing.stems_to_mend(known)
        self.rereading = rereads.marked_in(self.conn, folder) if self.rereads_left else {}
        dirty.update(stem_of(key) for key in self.rereading.values())
        failed_as_now = (problems.unreadable_as_now(self.problem_states, folder, seen)
                         if folder in self.problem_folders else set())
        for name, (size, mtime_ns) in seen.items():
            k = known.get(name)
            if name not in failed_as_now and (k is None or k.missing or k.size != size or k.mtime_ns != mtime_ns):
                dirty.add(stem_of(name))
        for name, k in known.items():
            if not k.missing and name not in seen:
                dirty.add(stem_of(name))
        if folder in self.problem_folders:
            self.kept_problems.update(
                path for name, k in known.items()
                if not k.missing and seen.get(name) == (k.size, k.mtime_ns)
                and (path := os.path.join(folder, name)) in self.problem_states
            )
            self.kept_problems.update(os.path.join(folder, name) for name in failed_as_now
                                      if stem_of(name) not in dirty)  # (else read again, with its stem)
        if not dirty:
            return
        seen_by_stem: dict[str, list[str]] = defaultdict(list)
        for name in seen:
            seen_by_stem[stem_of(name)].append(name)
        known_by_stem: dict[str, dict[str, KnownFile]] = defaultdict(dict)
        for name, k in known.items():
            known_by_stem[stem_of(name)][name] = k
        stems = sorted(dirty)
        step = max(1, self.options.groups_per_transaction)
        for start in range(0, len(stems), step):
            if self._cancelled():
                return
            groups = [
                group for stem in stems[start : start + step]
                for group in self._read_family(folder, stem, seen_by_stem.get(stem, []), known_by_stem.get(stem, {}), seen)
            ]
            with self.index.transaction() as conn:
                self._detach_renamed_over(conn)
                self.renamed.save_notes(conn)
                for group in groups:
                    self._write_group(conn, folder, group)
                self._flush_errors(conn)
            self._report(folder)

    def _read_family(
        self, folder: str, stem: str, names: list[str], known: dict[str, KnownFile], seen: dict[str, tuple[int, int]]
    ) -> list[PhotoFiles]:
        """The files of one name stem, read where new or changed, as the photos they form."""
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
            if k is not None and not k.missing and k.size == size and k.mtime_ns == mtime_ns:
                states[name] = FileState(path, name, ext, file_kind(name) or "raw", size, mtime_ns, None)
                continue
            try:
                fingerprint = fingerprint_file(path, size)  # raises OSError only
                infos[name] = read_photo_info(path)
            except PhotoNotReadError as error:  # not its contents: read again at the next scan
                self._error(path, str(error))
                failed.add(name)
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
                self._error(path, _cannot_read(path, error))
                failed.add(name)
                continue
            states[name] = FileState(path, name, ext, infos[name].kind, size, mtime_ns, fingerprint)
            fresh.add(name)
        replaced = self.renamed.replaced_photos(known, states, fresh, failed)
        if replaced:  # they give up their names in the write that follows (_detach_renamed_over)
            self.detaching.extend(sorted(replaced))
            known = {name: k for name, k in known.items() if k.photo_id not in replaced}
        groups = pairing.photos_of(stem, states, fresh, known, failed)
        for group in groups:
            pair_unread_raws(group, unread_raws, failed, unreadable)
            read_photo_details(group, infos, self._read_quietly, reread=group.photo_id in self.rereading)
        return groups


    def _read_quietly(self, path: str) -> PhotoInfo | None:
        try:
            return read_photo_info(path)
        except (PhotoReadError, OSError) as error:
            self._error(path, str(error))
            return None

    def _write_group(self, conn, folder: str, group: PhotoFiles) -> None:
        catalog.mark_files_missing(conn, [k.id for k in group.vanished])
        if not group.present:
            self._write_photo_without_files(conn, group)
            return
        if self._written_meanwhile(conn, folder, group):
            return  # another scan at once indexed these very files: no news of this one's
        primary = primary_of([Path(f.path) for f in group.present])
        has_raw = any(f.kind == "raw" for f in group.present)
        photo_id, created = catalog.save_photo(conn, folder, group.stem, str(primary), has_raw, group.info)
        for state in group.present:
            catalog.save_file(conn, photo_id, state, self.summary.run_id)
        catalog.drop_deleted_files(conn, photo_id)
        if photo_id in self.rereading:
            rereads.reread_done(conn, photo_id)
        if group.info is not None and group.info.landmark and labels.adopt_written_label(
                conn, photo_id, group.info.landmark):
            self.summary.labels_read += 1
            if created:
                self.read_labels[photo_id] = group.info.landmark  # a moved photo's: see _recognise_moves
        catalog.refresh_fts(conn, photo_id)
        if created:
            self.summary.new += 1
        elif group.touched or group.vanished or group.stale or group.regrouped:
            self.summary.changed += 1

    def _written_meanwhile(self, conn, folder: str, group: PhotoFiles) -> bool:
        """Files read as new or changed that the index already holds as found: what it
        knew of the folder was listed before another scan (a cron scan, the app's
        start-up check) wrote them, so this scan counts them neither new nor changed."""
        return (group.touched and not (group.vanished or group.stale or group.regrouped)
                and group.photo_id not in self.rereading
                and catalog.holds_as_found(conn, folder, group.stem, group.present))

    def _detach_renamed_over(self, conn) -> None:
        """Photos whose names now hold other pictures give the names up (see
        RenamedOver.replaced_photos): missing until recognised as moved."""
        for photo_id in self.detaching:
            catalog.detach_photo(conn, photo_id)
            self.summary.missing += 1
            self._went_missing(conn, photo_id)
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

    # -- after the walk ------------------------------------------------------------
    def _forget_vanished_folders(self, root: str) -> None:
        """Folders the index knows under `root` that the walk did not reach were
        deleted (or hidden): their photos become missing."""
        for folder in catalog.folders_under(self.conn, root):
            if folder in self.visited or self._under_unreadable(folder):
                continue
            if self._cancelled():
                return
            self._sync_folder(folder, {})

    def _under_unreadable(self, folder: str) -> bool:
        return any(is_within(folder, bad) for bad in self.unreadable)

    def _recognise_moves(self) -> None:
        """Join the photos that went missing to their new places (see scan_moves.py)."""
        MoveRecognition(
            self.index, self.summary, self.renamed, since=self.since, newest_before=self.newest_before,
            owed=self.owed, other_spelling_ids=self.other_spelling_ids, read_labels=self.read_labels,
            went_missing=self._went_missing, cancelled=self._cancelled,
        ).recognise(self.became_missing)
        self.moves_recognised = True



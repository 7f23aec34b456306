"""Walk library folders and bring the index in step with the disk.

A rescan only stats files: one query loads what the index knows about a folder,
and a file whose size and mtime_ns are unchanged is not opened. New or changed
files are fingerprinted and their header read. Files that disappear are marked
missing (their labels stay); a missing photo whose fingerprint turns up at a new
place (in this scan, or indexed before with nothing of the user's on it) is
recognised as moved, and keeps its labels. Per-file problems are
recorded in the index and the scan goes on.

This module is the walk; bringing each folder it lists in step (reading new and
changed files, saving the photos they form) is scan_folder_sync.py's, which links the
walk follows scan_links.py's, which file describes a photo scan_details.py's, which
photos were renamed over renamed_over.py's, and joining moved photos to their new
places is scan_moves.py's.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import NamedTuple, Sequence

from app.core import unwritten_elsewhere
from app.core.cloud_files import name_of_icloud_stand_in, online_only_note
from app.core.emptied_folders import is_mount_point
from app.core.folder_paths import is_skipped_folder, is_within
from app.core.index import catalog, problems, rereads, running_writes, scan_runs
from app.core.index.connection import db_text
from app.core.index.photos_seen import MountPointsBelow, record_mount_point
from app.core.library import drive_not_connected, not_connected_message
from app.core.metadata.atomic import STALE_TEMP_AGE_S, named_as_our_temp, remove_stale_temps_in
from app.core.metadata.only_copy_temps import recorded_only_copies
from app.core.path_case import DiskNames, canonical_path
from app.core.photo_names import photo_kind
from app.core.progress import CancelToken, Progress, ProgressCallback, no_progress
from app.core.renamed_over import RenamedOver
from app.core.scan_folder_sync import FolderSync, cannot_read
from app.core.scan_links import ScanLinks, broken_link_message, in_library, is_link, library_spelling
from app.core.scan_moves import MoveRecognition
from app.core.scan_summary import ScanOptions, ScanSummary


# A temp the index records as a missing file's only copy, with no write of the index running,
# is named once this old: a write no record of this index shows (another index's) may be creating it (ms for a sidecar).
ONLY_COPY_TEMP_AGE_S = 5.0


class FolderListing(NamedTuple):
    """One folder as the walk listed it."""

    subfolders: list[str]  # to visit
    seen: dict[str, tuple[int, int]]  # photo file name -> (size, mtime_ns)
    in_icloud: set[str]  # photo names of which only iCloud's stand-in is here (cloud_files)
    online_only: dict[str, str]  # those of `seen` whose data is in the cloud (not to be read) -> why
    sidecars: frozenset[str] = frozenset()  # the .xmp files beside (one no record knows: read for it)


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


class _Scan(FolderSync):
    """One scan: the walk of its roots, each folder listed and synced (FolderSync),
    then what follows the walk (vanished folders, moves)."""

    def __init__(self, index, options: ScanOptions, progress: ProgressCallback, cancel: CancelToken | None) -> None:
        super().__init__(index, options, cancel)
        self.progress = progress
        self.files_seen = 0
        self.started = time.monotonic()
        self.visited: set[str] = set()
        self.unreadable: list[str] = []
        self.moves_recognised = False
        self.other_spelling_ids: set[int] = set()  # photos of a library folder's other spelling (merge)
        self.shallow: set[str] = set()  # roots read without the folders below them
        self.cards_not_connected: list[str] = []  # folders below a root left as they are (their card unplugged)
        # each one's words (link, gone, recorded) and photos then: said once the moves are joined
        self.card_lines: dict[str, tuple[dict, int]] = {}
        self.split_on_cards: list[str] = []  # folders of card photos whose files not copied were split off
        self.left_to_their_time: set[str] = set()  # roots with such a folder judged by its time (not recorded)
        self.joined_alone: list[str] = []  # folders a photo given by its file brought into the library now
        self._only_copies: set[str] | None = None  # temps the index records as a missing file's only copy

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
        self.mount_points = MountPointsBelow(self.index)
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
                self._read_folders_left_behind()
            if not self._cancelled():
                self._flush_errors()
                with self.index.transaction() as conn:
                    problems.clear_rescanned(conn, walked, self.summary.run_id,
                                             self.unreadable + self.cards_not_connected,
                                             keep=self.kept_problems, folder_only=self.shallow)
                    self.summary.unchanged_problems = len(self.kept_problems)
                    problems.clear_outside_library(conn, [str(r) for r in self.index.roots()], self.summary.run_id)
            unwritten_elsewhere.plan_marked(self.index)  # the photos new, changed or reread: once a scan
            self._recognise_moves()
            self._drop_folders_joined_for_nothing()
            status = "cancelled" if self._cancelled() else "done"
        except KeyboardInterrupt:  # stopped at once (a second Ctrl-C), as a kill would: no failure
            status = "interrupted"
            raise
        finally:
            try:
                self._say_cards_not_connected()
                self._flush_errors()
                self.summary.status = status
                self.summary.same_folders = list(self.links.same_folders)
                self.summary.left_to_links = list(self.links.left_to_links)
                self.summary.said_before = sorted(self.links.said_before)
                self.summary.cards_not_connected = list(self.cards_not_connected)
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

    def _drop_folders_joined_for_nothing(self) -> None:
        """A folder that joined the library for a photo given by its file (tag FILE, a photo
        dropped on the app) and holds no photo that could be read (the file damaged, empty,
        no photo at all) leaves it again: an empty library folder ("run (0 photos)") is
        nothing the user asked for; the file's problem is said as it is."""
        for root in self.joined_alone:
            if catalog.count_photos_in(self.conn, root) == 0:
                self.index.remove_root(root)

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

    def _unreadable_entry(self, path: str, error: OSError) -> None:
        self.unreadable.append(path)
        self._error(path, cannot_read(path, error))

    # -- walking -------------------------------------------------------------------
    def _walk_root(self, root: str) -> bool:
        if not os.path.isdir(root):
            from app.core.relocate import not_a_folder_message

            self._error(root, not_a_folder_message(root, root in {str(r) for r in self.index.roots()}))
            return False
        if drive_not_connected(self.index, Path(root), self.mount_points.mounts):  # a card's empty mount point
            self._error(root, not_connected_message(root), problems.CARD_NOT_CONNECTED)
            return False  # its photos are left as they were, not marked missing
        if root in self.through_links and self.links.root_indexed_elsewhere(root):
            return False  # indexed under another link to its folder (summary.same_folders)
        alone = root in self.shallow
        self._merge_other_spellings(root, whole=not alone)
        # a folder inside a library folder is no news; one linked into it is its link's (library_spelling)
        if not ((alone or root in self.through_links) and in_library(self.index, root)):
            if alone and root not in {str(r) for r in self.index.roots()}:
                self.joined_alone.append(root)  # taken out again if none of its photos can be read
            self.index.add_root(root, recursive=not alone)
        # so that, found empty one day, it tells a card gone from photos deleted: as it is now,
        # recorded once the walk is done (until then folders below go by their time)
        root_mounted = is_mount_point(Path(root), self.mount_points.mounts)
        self.links.walking_root()
        stack = [root]
        below_link: set[str] = set()  # folders under a folder link: the mount table lists them by their real path
        while stack and not self._cancelled():
            folder = stack.pop()
            if folder in self.visited or folder in self.cards_not_connected:
                continue
            link = folder in self.links.link_paths
            if folder != root and self._card_not_connected(folder, link, below_link=folder in below_link):
                continue  # its photos are left as they were, not marked missing
            self.visited.add(folder)
            listing = self._list_folder(folder)
            if listing is None:
                continue  # unlistable: what the index knows there stays as it is
            subfolders, seen = listing.subfolders, listing.seen
            if folder != root and not (subfolders or seen or listing.in_icloud) and self._card_gone_by_its_time(
                    folder, root, link):
                continue  # (an index an older version scanned) its photos are left as they were
            if not alone:
                stack.extend(sorted(subfolders, reverse=True))
                if link or folder in below_link:
                    below_link.update(subfolders)
            self._sync_folder(folder, seen, listing.in_icloud, listing.online_only, listing.sidecars)
            self._report(folder)
        if not self._cancelled():
            self.links.forget_removed_links(lambda folder: folder in self.visited and folder not in self.unreadable)
            if root not in self.left_to_their_time:
                record_mount_point(self.index, root, self.mount_points.mounts, root_mounted)
        return True

    def _card_not_connected(self, folder: str, link: bool = False, below_link: bool = False) -> bool:
        """Whether `folder`, below the root walked, is the empty mount point of a card or
        disk not connected (said once, as for a library folder); else it records whether
        one is mounted on it (where a folder `link` the walk followed leads; a folder
        `below_link` resolved too, as the mount table names it by its real path), so that,
        found empty one day, it tells a card gone from photos deleted
        (photos_seen.MountPointsBelow)."""
        if not self.mount_points.card_not_connected(folder):
            self.mount_points.record(folder, through_link=link or below_link)
            return False
        self._left_for_its_card(folder, link, recorded=True)
        return True

    def _card_gone_by_its_time(self, folder: str, root: str, link: bool) -> bool:
        """Whether `folder`, below `root` and listed empty, is left as the mount point of a
        card not connected by its time, no scan of this version having recorded one there
        (MountPointsBelow.card_not_connected_by_its_time); `root` is then left unrecorded,
        so that the next scan judges it so again rather than take it for a plain folder."""
        if not self.mount_points.card_not_connected_by_its_time(folder, root):
            return False
        self.visited.discard(folder)  # not listed: a link on the card is not taken for removed
        self.left_to_their_time.add(root)
        self._left_for_its_card(folder, link)
        return True

    def _left_for_its_card(self, folder: str, link: bool, gone: bool = False, recorded: bool = False) -> None:
        self.cards_not_connected.append(folder)
        if folder not in self.card_lines:
            self.card_lines[folder] = (dict(link=link, gone=gone, recorded=recorded),
                                       catalog.count_photos_under(self.conn, folder))

    def _say_cards_not_connected(self) -> None:
        """Say each card not connected once the moves are joined (scan_moves joins the
        photos found copied into the library to their copies): a card none of whose photos
        is left on it is no problem (nor said); one some of whose photos were copied says
        how many are left. An older scan's line of a card now empty of photos goes."""
        for folder, (words, before) in self.card_lines.items():
            left = catalog.count_photos_under(self.conn, folder)
            split = sum(1 for place in self.split_on_cards if is_within(place, folder))  # (left, and copied)
            if left:
                self._error(folder, not_connected_message(folder, library_folder=False,
                                                          copied=max(0, before - left + split),
                                                          left=left, **words), problems.CARD_NOT_CONNECTED)
            else:
                with self.index.transaction() as conn:
                    problems.clear(conn, ["scan"], path=db_text(folder))
        self.card_lines = {}

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

    def _list_folder(self, folder: str) -> FolderListing | None:
        """What the folder holds (FolderListing); None when it cannot be listed
        (recorded as an error)."""
        subfolders: list[str] = []
        in_icloud: set[str] = set()
        online_only: dict[str, str] = {}
        linked: list[os.DirEntry] = []
        seen: dict[str, tuple[int, int]] = {}
        sidecars: set[str] = set()
        try:
            with os.scandir(folder) as iterator:
                entries = list(iterator)
        except OSError as error:
            self.unreadable.append(folder)
            self._error(folder, cannot_read(folder, error, "list the folder"))
            return None
        files: list[os.DirEntry] = []
        walked_here = self.links.walked_through_link(folder)
        maybe_our_temps = False
        for entry in entries:
            if entry.name.startswith("."):
                maybe_our_temps = maybe_our_temps or named_as_our_temp(entry.name)
                stands_for = name_of_icloud_stand_in(entry.name)
                if stands_for is not None and photo_kind(stands_for):
                    in_icloud.add(stands_for)
                continue
            try:
                if not entry.is_dir():
                    if self.mount_points.was_mount_point(entry.path) and self.mount_points.card_not_connected(
                            entry.path):  # a link to a card's mount point, which the system removed
                        self._left_for_its_card(entry.path, link=True)
                        continue
                    files.append(entry)
                elif is_skipped_folder(entry.name) or self.links.left_to_another_link(entry.path):
                    continue  # (one of a linked folder that another link keeps: indexed once, there)
                elif is_link(entry):
                    linked.append(entry)
                elif walked_here and self.links.walked_by_a_link(entry.path):
                    continue  # (one a link of its own walks is left to that link: indexed once)
                elif not walked_here and self.links.left_to_a_walked_link(entry.path):
                    continue  # (one a link from the library was walked to first: indexed there)
                else:
                    subfolders.append(entry.path)
            except OSError as error:  # if it was a folder, what we know of it is kept
                self._unreadable_entry(entry.path, error)
        if maybe_our_temps:  # a killed write's or undo's hidden copies of photos: clutter, cleared
            if self._only_copies is None:  # once a scan, where a folder holds one: rare, and read whole
                self._only_copies = recorded_only_copies(self.conn)
            remove_stale_temps_in(Path(folder), kept=self.summary.kept_temps, kept_after_s=self._temps_named_after_s(),
                                  only_copies=self._only_copies)
            self.summary.only_copy_temps = sorted(path for path in self.summary.kept_temps
                                                  if os.path.normcase(path) in self._only_copies)
        # folder links first, so that a file link into one of them is known for an alias;
        # in name order, so that of two links to one folder the same is walked at every scan
        for entry in sorted(linked, key=lambda entry: entry.name):
            target = self.links.folder_to_visit(folder, entry)
            if target is not None:
                subfolders.append(target)
        for entry in files:
            name = entry.name
            try:
                if photo_kind(name) is None:
                    if name.lower().endswith(".xmp"):
                        sidecars.add(name)
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
            if (note := online_only_note(stat)) is not None:  # a placeholder: reading it would download it
                online_only[name] = note
        self.files_seen += len(seen)
        # (a stand-in left beside its file downloaded again: the file is what counts)
        return FolderListing(subfolders, seen, in_icloud - seen.keys(), online_only, frozenset(sidecars))

    # -- after the walk ------------------------------------------------------------
    def _temps_named_after_s(self) -> float:
        """How old a temp recorded as a missing file's only copy (a Windows replace removed
        the file, then could not rename the temp: only_copy_temps) must be for the scan to
        name it: at once (ONLY_COPY_TEMP_AGE_S) where no write or undo of this index runs,
        as `write` refuses that file meanwhile; 10 minutes while one runs, which may be
        creating that very file now. Other temps beside no file: 10 minutes."""
        if running_writes.running_write(self.conn) is None and running_writes.running_undo(self.conn) is None:
            return ONLY_COPY_TEMP_AGE_S
        return STALE_TEMP_AGE_S

    def _forget_vanished_folders(self, root: str) -> None:
        """Folders the index knows under `root` that the walk did not reach were
        deleted (or hidden): their photos become missing."""
        for folder in catalog.folders_under(self.conn, root):
            if folder in self.visited or self._left_as_it_was(folder):
                continue
            if self._cancelled():
                return
            card = self.mount_points.unplugged_card_above(folder, root)
            if card is not None:  # its mount point removed by the system: said once, its photos left
                self._left_for_its_card(card, link=False, gone=not os.path.lexists(card), recorded=True)
                continue
            self._sync_folder(folder, {})

    def _read_folders_left_behind(self) -> None:
        """Folders this scan did not walk that hold an indexed photo with the picture of one
        it brought in, its file gone from there: read alone, as a scan of them would, so
        that the photo is missing and joined to its new place below (a folder moved in the
        file manager, then `label`, `accept`, `teach` or `scan` given its new place: one
        photo, not a second row splitting its labels). A copy beside its original is not
        read for (the original is there). Only inside a library folder that is there and
        connected, no card recorded on the way: a card unplugged is not photos moved."""
        if self._cancelled() or not self.summary.new:
            return
        from app.core.index.left_behind import places_left_behind

        roots = [str(root) for root in self.index.roots()]
        for folder, paths in places_left_behind(self.conn, self.newest_before).items():
            if folder in self.visited or self._cancelled() or all(os.path.lexists(path) for path in paths):
                continue
            root = max((r for r in roots if is_within(folder, r)), key=len, default=None)
            if root is None or drive_not_connected(self.index, Path(root), self.mount_points.mounts):
                continue
            if self.mount_points.unplugged_card_above(folder, root) is not None:
                continue  # (its empty mount point, or one the system removed)
            self.visited.add(folder)
            listing = self._list_folder(folder) if os.path.isdir(folder) else FolderListing([], {}, set(), {})
            if listing is not None and not (listing.subfolders or listing.seen or listing.in_icloud) and (
                    self.mount_points.card_not_connected_by_its_time(folder, root)):
                continue  # an empty mount point no scan recorded, its card's photos left as they were
            if listing is not None:
                self._sync_folder(folder, listing.seen, listing.in_icloud, listing.online_only, listing.sidecars)

    def _left_as_it_was(self, folder: str) -> bool:
        """Whether `folder` lies in one the walk could not list or whose card is not connected."""
        return any(is_within(folder, bad) for bad in self.unreadable + self.cards_not_connected)

    def _recognise_moves(self) -> None:
        """Join the photos that went missing to their new places (see scan_moves.py)."""
        MoveRecognition(
            self.index, self.summary, self.renamed, since=self.since, newest_before=self.newest_before,
            owed=self.owed, other_spelling_ids=self.other_spelling_ids, read_labels=self.read_labels,
            created_ids=self.created_ids, cards_not_connected=self.cards_not_connected,
            split_on_cards=self.split_on_cards,
            went_missing=self._went_missing, cancelled=self._cancelled, keyword_decisions=self.keyword_decisions,
            options=self.options, failed=self._error,
        ).recognise(self.became_missing)
        self.moves_recognised = True

"""The work functions the GUI's library, tagging and writing jobs run in a worker
thread (the review jobs' are in review_work).

Each opens its own connection to the index (SQLite connections are not shared
across threads here) and calls exactly one app.core function.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from app.core.settings import AppSettings
from app.gui.job_runner import JobWork


def scan_work(db_path: Path, roots: Sequence[Path]) -> JobWork:
    """Add new/changed photos of these folders to the index."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.scanner import scan

        with PhotoIndex.open(db_path) as index:
            return scan(index, [Path(r) for r in roots], progress=progress, cancel=cancel)

    return work


def check_library_work(db_path: Path) -> JobWork:
    """Read the library's folders that are there (new and changed files only); returns
    (ScanSummary or None, the folders not found). Looking for them happens here, not on
    the GUI thread: a network drive that does not answer can hold a stat for long."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.library import present_library_folders
        from app.core.scanner import scan

        with PhotoIndex.open(db_path) as index:
            present, absent = present_library_folders(index)
            summary = scan(index, present, progress=progress, cancel=cancel) if present else None
            return LibraryCheck(summary, absent)

    return work


@dataclass(frozen=True)
class LibraryCheck:
    """What reading the library's folders at start found."""

    scan: object | None  # the ScanSummary, None when no library folder is there
    absent: list[Path]

    def line(self) -> str:
        return self.scan.line() if self.scan is not None else ""


@dataclass(frozen=True)
class LocateQuestion:
    """Locate folder… found the chosen folder unlike a move (app.core.relocate.NotMovedError:
    the old one still holds its files, or the new one under half of them): nothing changed,
    and the app asks whether to follow it as a copy anyway."""

    message: str
    would_go_missing: int

    def line(self) -> str:
        return f"not followed: {self.message}"


@dataclass(frozen=True)
class LocateRefused:
    """Locate folder… found the chosen folder no place of the library folder (not its
    photos, or in the library already): nothing changed, said as a refusal, not as a job
    that failed (nor a problem of the library's)."""

    message: str

    def line(self) -> str:
        return f"not located: {self.message}"


def relocate_work(db_path: Path, folder: str, new: str, follow_copy: bool = False) -> JobWork:
    """Follow a library folder that moved (checked first; then its new place is read);
    a LocateQuestion when the folder chosen does not look like it moved there, a
    LocateRefused when it cannot be its place."""

    def work(progress, cancel, emit_item):
        from app.core.errors import UsageError
        from app.core.index import PhotoIndex
        from app.core.relocate import NotMovedError, relocate_folder

        with PhotoIndex.open(db_path) as index:
            try:
                return relocate_folder(index, folder, new, progress=progress, cancel=cancel, follow_copy=follow_copy)
            except NotMovedError as error:
                return LocateQuestion(str(error), error.would_go_missing)
            except UsageError as error:
                return LocateRefused(str(error))

    return work


def index_work(db_path: Path, call: Callable[[Any], Any]) -> JobWork:
    """A job that opens its own index in the worker and returns `call(index)`."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex

        with PhotoIndex.open(db_path) as index:
            return call(index)

    return work


def forget_work(db_path: Path, folder: str) -> JobWork:
    """Take a library folder out of the index (its files are not touched)."""

    def call(index):
        from app.core.index.forget import forget_folder

        return forget_folder(index, folder)

    return index_work(db_path, call)


def rename_work(db_path: Path, old: str, new: str, landmarks: dict[str, str]) -> JobWork:
    """Rename a place of the user's everywhere in the index (app.core.rename): one
    transaction, but a name on tens of thousands of photos takes seconds."""

    def call(index):
        from app.core.rename import rename_place

        return rename_place(index, old, new, landmarks)

    return index_work(db_path, call)


def missing_count_work(db_path: Path) -> JobWork:
    """What Forget missing photos… asks about (app.core.index.forget.missing_photos), those
    in iCloud marked found again: it asks the library folders' disks and lists the missing
    photos' folders, which a network share that does not answer holds for long."""

    def call(index):
        from app.core.index.forget import missing_photos

        return missing_photos(index, find_again=True)

    return index_work(db_path, call)


def forget_missing_work(db_path: Path) -> JobWork:
    """Forget the photos whose files are gone (app.core.index.forget.forget_missing)."""

    def call(index):
        from app.core.index.forget import forget_missing

        return forget_missing(index)

    return index_work(db_path, call)


def tag_options(settings: AppSettings):
    """The core's TagOptions from the user's settings."""
    from app.core.decode_workers import usable_cpus
    from app.core.model_choice import model_choice
    from app.core.tagging import TagOptions

    # One core stays free for the GUI thread, so the window keeps up while tagging.
    spare = max(1, usable_cpus() - 1)
    choice = model_choice(settings=settings)  # the CLI's rule too (app.core.model_choice)
    return TagOptions(
        model=choice.model,
        threshold=choice.threshold,
        workers=spare,
        batch_size=8,  # small batches: cancel is checked between them
        retag=False,
        threads=spare,
    )


def tag_work(db_path: Path, targets: Sequence[Path] | Sequence[int], settings: AppSettings) -> JobWork:
    """Tag folders (scanning them first) or a list of photo ids (Tag selection, photos
    dropped); emits each TagResult, and first the retag it carries on (RetagCarriedOn).
    Photos chosen by hand that could not be decoded are
    tried again although unchanged: Tag selection is how the app retries them."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.tagging import tag

        options = tag_options(settings)
        if all(isinstance(target, int) for target in targets):
            options = replace(options, retry_failed=True)
        with PhotoIndex.open(db_path) as index:
            return tag(index, list(targets), options, progress=progress, cancel=cancel, on_result=emit_item,
                       on_retag_carried_on=emit_item)

    return work


def folders_tag_work(db_path: Path, folders: Sequence[Path], settings: AppSettings) -> JobWork:
    """Tag these folders (scanning them first); one not found (a drive not connected, a
    folder moved since) is skipped and named in the summary, as for the whole library.
    Which are there is looked up here, not on the GUI thread."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.tagging import tag

        present = [Path(folder) for folder in folders if Path(folder).is_dir()]
        absent = [str(folder) for folder in folders if Path(folder) not in present]
        if not present:
            return FoldersNotFound(absent)
        with PhotoIndex.open(db_path) as index:
            summary = tag(index, present, tag_options(settings), progress=progress, cancel=cancel,
                          on_result=emit_item, on_retag_carried_on=emit_item)
        summary.skipped_folders = absent
        return summary

    return work


@dataclass(frozen=True)
class FoldersNotFound:
    """A tagging job none of whose folders was there: nothing was read or tagged."""

    skipped_folders: list[str]

    def line(self) -> str:
        return "nothing tagged"


def library_tag_work(db_path: Path, settings: AppSettings) -> JobWork:
    """Tag the library's folders that are there; one not found (a drive not connected)
    is skipped and named in the summary. Which are there is looked up here, not on the
    GUI thread (a network drive that does not answer can hold a stat for long)."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.library import present_library_folders
        from app.core.tagging import tag

        with PhotoIndex.open(db_path) as index:
            present, absent = present_library_folders(index)
            if not present:
                return FoldersNotFound([str(root) for root in absent])
            summary = tag(index, present, tag_options(settings), progress=progress, cancel=cancel,
                          on_result=emit_item, on_retag_carried_on=emit_item)
            summary.skipped_folders = [str(root) for root in absent]
            return summary

    return work


def write_options(settings: AppSettings):
    """The core's WriteOptions from the user's settings, by the CLI's rule too (app.core.write_choice)."""
    from app.core.metadata import WriteOptions
    from app.core.write_choice import write_choice

    choice = write_choice(settings=settings)
    return WriteOptions(sidecar_naming=choice.sidecar_naming, write_into_jpeg=choice.write_into_jpeg,
                        keep_mtime=True)


def plan_work(db_path: Path, query: str, include_suggested: bool, settings: AppSettings) -> JobWork:
    """The dry run: what would be written, without touching a file, the new RAW sidecars
    in it Lightroom would not read (lightroom_sidecars) and the files it changes that have
    other names (hard_links), as (plan, sidecars, linked). Cancel stops it before the next
    photo (it reads every file: minutes on a big library)."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.metadata import plan_writes
        from app.core.metadata.hard_links import hard_linked
        from app.core.metadata.lightroom_sidecars import new_raw_sidecars_lightroom_misses

        with PhotoIndex.open(db_path) as index:
            plan = plan_writes(index, query, include_suggested, write_options(settings), cancel=cancel)
        return plan, new_raw_sidecars_lightroom_misses(plan), hard_linked(plan)

    return work


def write_work(db_path: Path, plan: list, settings: AppSettings) -> JobWork:
    """The write; its summary's hard_linked names the files it replaced that had other
    names (read before the write: the rename leaves those names alone), as the CLI says."""
    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.metadata import write_labels
        from app.core.metadata.hard_links import hard_linked, now_alone

        with PhotoIndex.open(db_path) as index:
            linked = hard_linked(plan)
            summary = write_labels(index, plan, write_options(settings), progress=progress, cancel=cancel)
        summary.hard_linked = now_alone(linked)
        return summary

    return work


def undo_work(db_path: Path) -> JobWork:
    """Undo the last write batch; Cancel (or the window closing) stops it after the file in
    hand, leaving the rest of the batch for the next Undo, as the CLI's Ctrl+C does."""
    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.metadata import undo_last_write

        with PhotoIndex.open(db_path) as index:
            return undo_last_write(index, progress=progress, cancel=cancel)

    return work

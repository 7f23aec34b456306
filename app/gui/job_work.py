"""The work functions the GUI's jobs run in a worker thread.

Each opens its own connection to the index (SQLite connections are not shared
across threads here) and calls exactly one app.core function.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from app.core.settings import AppSettings
from app.gui.job_runner import JobWork

if TYPE_CHECKING:
    from app.core.index.review_journal import ReviewCommand


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


def take_back_work(db_path: Path, command) -> JobWork:
    """The app's Ctrl+Z of a bulk L, Teach… or Forget… (review_journal.take_back of its
    command), counting the photos given their label back for the job bar; Cancel rolls it back."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex, review_journal

        with PhotoIndex.open(db_path) as index:
            return review_journal.take_back(index, command, progress=progress, cancel=cancel)

    return work


def forget_work(db_path: Path, folder: str) -> JobWork:
    """Take a library folder out of the index (its files are not touched)."""

    def call(index):
        from app.core.index.forget import forget_folder

        return forget_folder(index, folder)

    return index_work(db_path, call)


def state_work(db_path: Path, ids_by_state: dict[str, list[int]], expected: dict, journal: str | None = None,
               taken_back: "ReviewCommand | None" = None) -> JobWork:
    """Accept, reject or re-suggest the labels of many photos (each state its photos)
    whose (label, state) is still the one `expected` holds (PhotoIndex.set_state_if_unchanged),
    all in one transaction: cancelled (between chunks of photos) or killed, none changed.
    `journal`: the app's A or R (one state), journalled by these words for `undo --review`;
    `taken_back`: the journal's command of the A or R this Ctrl+Z takes back, which leaves
    the journal in that transaction. Returns a StatesChanged: how many changed, the photos
    left as another program left them, and the journal's command."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex, review_journal
        from app.core.teaching_untaught import StatesChanged, set_states_withdrawing

        with PhotoIndex.open(db_path) as index, index.transaction() as conn:
            # a reject of the last photos teaching a place withdraws its suggestions (teaching_untaught)
            changes = [set_states_withdrawing(index, ids, state, expected, progress=progress, cancel=cancel,
                                              journal=journal) for state, ids in ids_by_state.items()]
            if taken_back is not None:  # `expected`: each photo of the step as the A or R left it
                review_journal.drop_taken_back(conn, taken_back, list(expected),
                                               next(iter(expected.values()))[1],
                                               set_back=sum(change.changed for change in changes))
        return StatesChanged(sum(change.changed for change in changes),
                             {photo_id: now for change in changes for photo_id, now in change.left.items()},
                             tuple(gone for change in changes for gone in change.untaught),
                             next((change.journalled for change in changes if change.journalled), None))

    return work


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
    dropped); emits each TagResult. Photos chosen by hand that could not be decoded are
    tried again although unchanged: Tag selection is how the app retries them."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.tagging import tag

        options = tag_options(settings)
        if all(isinstance(target, int) for target in targets):
            options = replace(options, retry_failed=True)
        with PhotoIndex.open(db_path) as index:
            return tag(index, list(targets), options, progress=progress, cancel=cancel, on_result=emit_item)

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
                          on_result=emit_item)
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
                          on_result=emit_item)
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
    """The dry run: what would be written, without touching a file."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.metadata import plan_writes

        with PhotoIndex.open(db_path) as index:
            return plan_writes(index, query, include_suggested, write_options(settings))

    return work


def write_work(db_path: Path, plan: list, settings: AppSettings) -> JobWork:
    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.metadata import write_labels

        with PhotoIndex.open(db_path) as index:
            return write_labels(index, plan, write_options(settings), progress=progress, cancel=cancel)

    return work


def undo_work(db_path: Path) -> JobWork:
    def call(index):
        from app.core.metadata import undo_last_write

        return undo_last_write(index)

    return index_work(db_path, call)


class BundleCache:
    """The settings' model bundle, loaded once (in the worker) for teaching jobs and
    corrections; loaded again only when the chosen bundle changes."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._bundle = None

    def get(self, settings: AppSettings):
        """The bundle; raises the core's error (UsageError/BundleError) when unusable."""
        from app.core.teaching import load_model_bundle

        key = settings.model_bundle or ""
        if self._bundle is None or self._key != key:
            self._bundle = load_model_bundle(Path(settings.model_bundle) if settings.model_bundle else None)
            self._key = key
        return self._bundle

    def get_or_why(self, settings: AppSettings) -> tuple[Any, str]:
        """(the bundle, "") or (None, the core's reason it is unusable), so a correction
        that sets the label without learning can say why."""
        from model.errors import ModelError

        from app.core.errors import TaggerError

        try:
            return self.get(settings), ""
        except (ModelError, TaggerError) as error:
            return None, str(error)


def teach_work(db_path: Path, label: str, photo_ids: Sequence[int], settings: AppSettings,
               bundles: BundleCache) -> JobWork:
    """Make these photos references for `label`, journalled for Ctrl+Z and `undo --review`;
    returns the TeachSummary (its `journalled`: the journal's command)."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.teaching import teach

        with PhotoIndex.open(db_path) as index:
            return teach(index, label, list(photo_ids), bundle=bundles.get(settings), progress=progress,
                         cancel=cancel, journal=app_teach_command(label, len(photo_ids)))

    return work


@dataclass(frozen=True)
class CorrectionSummary:
    """What a label set with L did, for the status bar: the photos labelled, the label
    they got, those that teach it now, the labels rejected for them (never suggested
    again), why nothing was learnt when the model was unusable, and the photos left as
    they are: labelled again by another program since the app looked."""

    photo_ids: tuple[int, ...]
    label: str | None
    first_name: str  # the first photo's file name, for a message about one photo
    learnt: tuple[int, ...] = ()
    rejected: tuple[str, ...] = ()
    model_problem: str = ""  # the core's error when no model could be loaded
    left: dict[int, tuple[str | None, str]] = field(default_factory=dict)  # photo id: its (label, state) now
    journalled: "ReviewCommand | None" = None  # the review journal's command, for Ctrl+Z (app.core.journalled_labels)
    # places the photos were the last to teach, each with its suggestions withdrawn (app.core.teaching_untaught)
    untaught: tuple[tuple[str, tuple[int, ...]], ...] = ()


def app_label_command(label: str | None, count: int) -> str:
    """How the review journal names an L given in the app (`undo --review` says it)."""
    from app.core.wording import counted

    return f"the app's L: “{label or 'no landmark'}” for {counted(count, 'photo')}"


def app_state_command(state: str, count: int) -> str:
    """How the review journal names an A or R given in the app (`undo --review` says it)."""
    from app.core.wording import counted

    key, verb = ("A", "accept") if state == "accepted" else ("R", "reject")
    return f"the app's {key}: {verb} of {counted(count, 'photo')}"


def app_teach_command(label: str, count: int) -> str:
    """How the review journal names a Teach… (T) given in the app (`undo --review` says it)."""
    from app.core.wording import counted

    return f"the app's T: “{label}” taught from {counted(count, 'photo')}"


def correction_work(db_path: Path, photo_ids: Sequence[int], label: str | None, settings: AppSettings,
                    bundles: BundleCache, expected: dict[int, tuple[str | None, str]] | None = None) -> JobWork:
    """The user's label for these photos: the old label is rejected, the photos teach the
    new one (decoding only photos without a stored embedding); those no longer as
    `expected` (the app's look, PhotoIndex.review_states) are left as they are
    (learn_from_corrections), journalled for Ctrl+Z and `undo --review`
    (app.core.journalled_labels). Returns a CorrectionSummary."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.journalled_labels import correct_and_journal
        from app.core.library import display_name
        from app.core.name_order import name_order
        from app.core.progress import Progress

        model = Path(settings.model_bundle) if settings.model_bundle else None
        bundle, problem = bundles.get_or_why(settings) if label is not None else (None, "")
        done = [int(photo_id) for photo_id in photo_ids]
        with PhotoIndex.open(db_path) as index:
            # all photos in one transaction (decoding before it): cancelled or killed, none changed
            journalled = correct_and_journal(index, done, label, command=app_label_command(label, len(done)),
                                             model=model, bundle=bundle, progress=progress, cancel=cancel,
                                             expected=expected)
            corrections = journalled.corrections
            progress(Progress(done=len(done), total=len(done), message=label or "no landmark"))
            left = {photo_id: correction.labelled_since for photo_id, correction in zip(done, corrections)
                    if correction.labelled_since is not None}
            labelled = [photo_id for photo_id in done if photo_id not in left]
            first = display_name(index.get(labelled[0]).path) if labelled else ""
        given = corrections[0].label if corrections else label  # as the index spells it
        learnt = [photo_id for photo_id, correction in zip(done, corrections) if correction.taught]
        rejected = {correction.rejected for correction in corrections if correction.rejected is not None}
        return CorrectionSummary(tuple(labelled), given, first, learnt=tuple(learnt),
                                 rejected=tuple(sorted(rejected, key=name_order)), model_problem=problem,
                                 left=left, journalled=journalled.command,
                                 untaught=tuple((gone.place, tuple(int(row[0]) for row in gone.withdrawn))
                                                for gone in journalled.untaught))

    return work


def suggest_work(db_path: Path, query: str, settings: AppSettings, bundles: BundleCache) -> JobWork:
    """Re-score the photos matching `query` against what was taught (no decoding);
    stores the new suggestions and returns them with the SuggestReport."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.model_choice import model_choice
        from app.core.teaching import suggest
        from app.core.teaching_suggest import SuggestOptions, SuggestReport

        choice = model_choice(settings=settings)
        options = SuggestOptions(model=choice.model, threshold=choice.threshold)
        report = SuggestReport()
        with PhotoIndex.open(db_path) as index:
            found = suggest(index, query, options, bundle=bundles.get(settings), progress=progress, cancel=cancel,
                            report=report)
        return found, report

    return work

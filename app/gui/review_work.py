"""The work functions of the GUI's review jobs, run in a worker thread: a bulk A or R,
L (a correction, which teaches its photos), Teach…, Suggest again and the Ctrl+Z of a
bulk L, Teach… or Forget…; and how the review journal names the app's L, A, R and T.

Each opens its own connection to the index (SQLite connections are not shared
across threads here) and calls exactly one app.core function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from app.core.settings import AppSettings
from app.gui.job_runner import JobWork

if TYPE_CHECKING:
    from app.core.index.review_journal import ReviewCommand


def state_work(db_path: Path, ids_by_state: dict[str, list[int]], expected: dict, journal: str | None = None,
               taken_back: "ReviewCommand | None" = None, release_held: bool = False) -> JobWork:
    """Accept, reject or re-suggest the labels of many photos (each state its photos)
    whose (label, state) is still the one `expected` holds (PhotoIndex.set_state_if_unchanged),
    all in one transaction: cancelled (between chunks of photos) or killed, none changed.
    `journal`: the app's A or R (one state), journalled by these words for `undo --review`;
    `taken_back`: the journal's command of the A or R this Ctrl+Z takes back, which leaves
    the journal in that transaction; `release_held`: the user's "Write them again" (an A's held
    files released). Returns a StatesChanged: how many changed, the photos
    left as another program left them, the journal's command and the files an A released."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex, review_journal
        from app.core.teaching_untaught import StatesChanged, set_states_withdrawing

        with PhotoIndex.open(db_path) as index, index.transaction() as conn:
            # a reject of the last photos teaching a place withdraws its suggestions (teaching_untaught)
            changes = [set_states_withdrawing(index, ids, state, expected, progress=progress, cancel=cancel,
                                              journal=journal, release_held=release_held)
                       for state, ids in ids_by_state.items()]
            if taken_back is not None:  # `expected`: each photo of the step as the A or R left it
                review_journal.drop_taken_back(conn, taken_back, list(expected),
                                               next(iter(expected.values()))[1],
                                               set_back=sum(change.changed for change in changes))
        return StatesChanged(sum(change.changed for change in changes),
                             {photo_id: now for change in changes for photo_id, now in change.left.items()},
                             tuple(gone for change in changes for gone in change.untaught),
                             next((change.journalled for change in changes if change.journalled), None),
                             tuple(path for change in changes for path in change.released))

    return work



def take_back_work(db_path: Path, command) -> JobWork:
    """The app's Ctrl+Z of a bulk L, Teach… or Forget… (review_journal.take_back of its
    command), counting the photos given their label back for the job bar; Cancel rolls it back."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex, review_journal

        with PhotoIndex.open(db_path) as index:
            return review_journal.take_back(index, command, progress=progress, cancel=cancel)

    return work



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
    # files Write labels… held (their XMP gone since our write) that the label released
    released: tuple[str, ...] = ()


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
                    bundles: BundleCache, expected: dict[int, tuple[str | None, str]] | None = None,
                    release_held: bool = False) -> JobWork:
    """The user's label for these photos: the old label is rejected, the photos teach the
    new one (decoding only photos without a stored embedding); those no longer as
    `expected` (the app's look, PhotoIndex.review_states) are left as they are
    (learn_from_corrections), journalled for Ctrl+Z and `undo --review`
    (app.core.journalled_labels); `release_held`: the user's "Write them again" for the files
    Write labels… held among them. Returns a CorrectionSummary."""

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
                                             expected=expected, release_held=release_held)
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
                                                for gone in journalled.untaught),
                                 released=tuple(journalled.released))

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

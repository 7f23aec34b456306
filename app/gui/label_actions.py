"""Accept (A), reject (R) and set label (L) on the selected photos of the grid or the
review list; a label the user sets teaches (app.core.teaching.learn_from_correction).
Every change goes to the index at once; then the view moves on so review is one key per
photo. Ctrl+Z takes the steps remembered here back (app.gui.review_undo)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from PySide6.QtCore import QItemSelectionModel

from app.core import library
from app.core.errors import TaggerError
from app.core.index.labels import FORGOTTEN
from app.core.journalled_labels import set_labels_journalled
from app.core.label_names import known_landmarks
from app.core.name_order import name_order
from app.core.review_choices import choices_kept_among
from app.core.teaching_untaught import set_states_withdrawing
from app.core.wording import counted
from app.gui.job_words import kept_choices_text, labelled_again_text, untaught_text
from app.gui.choice_work import still_as_shown, teaching_photos
from app.gui.review_work import app_label_command, app_state_command
from app.gui.held_files_question import ask_to_write_held_again
from app.gui.held_words import with_left_held
from app.gui.label_dialog import LabelDialog
from app.gui.read_only_index import refused_as_read_only
from app.gui.review_undo import REVIEW_UNDO_DEPTH, ReviewStep, ReviewUndo, files_named

if TYPE_CHECKING:
    from app.core.index.labels import StateChange

BULK_IN_WORKER = 2_000  # more photos than this are accepted or rejected in the job worker


def no_longer_teaching_text(changed: int, taught: Sequence[tuple[int, str]]) -> str:
    """ "; it no longer teaches “Lake cabin”.": a reject sets aside what its photos taught,
    and the taught place has fewer photos now (Ctrl+Z says they teach it again)."""
    if not taught:
        return ""
    places = ", ".join(f"“{place}”" for place in sorted({place for _, place in taught}, key=name_order))
    if len(taught) == changed:
        who = "it no longer teaches" if changed == 1 else "they no longer teach"
    else:
        who = f"{len(taught):,} of them no longer teach{'es' if len(taught) == 1 else ''}"
    return f"; {who} {places}."


def first_row_of(shown: Sequence[int], photo_ids: Sequence[int]) -> int | None:
    """The row of the first of these photos in a list as shown (None: none is in it)."""
    wanted = set(photo_ids)
    return next((row for row, photo_id in enumerate(shown) if photo_id in wanted), None)


def next_row_not_in(shown: Sequence[int], photo_ids: Sequence[int], start: int) -> int:
    """The first row after `start` whose photo is not one of these; `start` when every
    photo after it is (the changed photos are the last of the list)."""
    skipped = set(photo_ids)
    return next((row for row in range(start + 1, len(shown)) if shown[row] not in skipped), start)


def ids_in_rows(selection: Iterable, shown: Sequence[int]) -> list[int]:
    """The photos of a QItemSelection's rows, each once, in the list's order: its ranges
    merged and sliced out of `shown` (a set of 30,000 rows, then a lookup a row, took 15 ms)."""
    spans: list[list[int]] = []
    for top, bottom in sorted((span.top(), span.bottom()) for span in selection):
        if spans and top <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], bottom)
        else:
            spans.append([top, bottom])
    return [photo_id for top, bottom in spans for photo_id in shown[max(top, 0) : bottom + 1]]



def unchanged_words(state: str, ids: Sequence[int], before: dict, left: int, alone: bool) -> str:
    """Why `left` of these photos did not change, as the app knows it: "the photo is already
    accepted", "the photo is not tagged yet", "2 already accepted, 1 not tagged yet" (it
    said "already accepted or not tagged yet" of one photo, though `before` tells which)."""
    already = min(left, sum(1 for i in ids if before.get(i, (None, None))[1] == state))
    untagged = left - already
    if alone and left == 1:
        return f"the photo is already {state}" if already else "the photo is not tagged yet"
    if alone and not untagged:
        return f"the selected photos are already {state}"
    if alone and not already:
        return "the selected photos are not tagged yet"
    parts = [f"{already:,} already {state}"] if already else []
    return ", ".join(parts + ([f"{untagged:,} not tagged yet"] if untagged else []))

class LabelActions(ReviewUndo):
    """Mixed into MainWindow (which provides index, models, views and show_message)."""

    def _goes_to_worker(self, count: int) -> bool:
        """Thousands of photos at once (Ctrl+A on a search) take seconds: the job worker,
        not the GUI thread (while a job runs, _waits_for_the_running_job refused them)."""
        return count > BULK_IN_WORKER

    def _waits_for_the_running_job(self, count: int) -> bool:
        """True, and said, when `count` photos are too many for the GUI thread (seconds: the
        window would freeze) and a job (tagging, reading folders) has the one worker. Refused,
        not queued behind it: that job may take an hour, and a queued key would act then on
        photos the user has moved past."""
        if count <= BULK_IN_WORKER or not self.jobs.busy:
            return False
        self.jobs.say_busy(f"{counted(count, 'photo')} at once are changed in the background, one job at a time")
        return True

    def _index_held_by_a_job(self) -> bool:
        """True, and said, while a job of the app's keeps the index's write lock to its end (a bulk
        Accept, a Ctrl+Z of one, a bulk L): a change on the GUI thread would freeze the window
        until that job ends, then fail as if another program held the index."""
        if not self.jobs.runner.holds_index:
            return False
        self.jobs.say_busy()
        return True

    def _active_model_and_view(self):
        if self.showing_review():
            return self.review_model, self.review.list
        return self.grid_model, self.grid

    def selected_ids(self) -> list[int]:
        """The chosen photos in the view's order, else the current one. Read as the selection's
        row ranges: selectedIndexes() made an object a row (0.2 s for Ctrl+A on 30,000 photos)."""
        model, view = self._active_model_and_view()
        shown, selection = model.ids(), view.selectionModel().selection()
        if selection.isEmpty():
            current = view.currentIndex()
            return shown[current.row() : current.row() + 1] if current.isValid() else []
        return ids_in_rows(selection, shown)

    def current_photo_id(self) -> int | None:
        """The photo an action on one photo means: the current one of the grid or the
        review list, else the first selected, else the detail pane's while the view lists
        it (the pane may still show a photo that left the view); None (and a word in the
        status bar) when there is none."""
        model, view = self._active_model_and_view()
        current = view.currentIndex()
        if current.isValid() and current.row() < model.rowCount():
            photo_id = model.photo_id(current.row())
        else:
            record = self.detail.record
            photo_id = next(iter(self.selected_ids()), None)
            if photo_id is None and record is not None and record.id in model.ids():
                photo_id = record.id
        if photo_id is None:
            self.show_message("Select a photo first.")
        return photo_id

    def accept_selected(self) -> None:
        self._change_state("accepted")

    def reject_selected(self) -> None:
        self._change_state("rejected")

    def _change_state(self, state: str) -> None:
        ids = self.selected_ids()
        if not ids:
            self.show_message(f"Select photos to {'accept' if state == 'accepted' else 'reject'} first.")
            return
        if refused_as_read_only(self) or self._index_held_by_a_job() or self._waits_for_the_running_job(len(ids)):
            return
        if self._goes_to_worker(len(ids)):  # the look too: 30,000 photos' states took 0.2 s here
            self._choose_in_worker(state, ids, self._shown_labels(ids))
            return
        try:
            before = self._states_now(ids)
            # R means "not the label shown": another label set since (a terminal) is left alone
            ids, again = self._still_as_shown(ids, before)
            if not ids:
                self._left_labelled_again(state, again, before)
                return
            ids, kept = choices_kept_among(ids, state, before)
            # of the photos it changes only: those left as they are go on teaching
            taught = self._teaching_photos({i: before[i] for i in ids if i in before}) if state == "rejected" else ()
            held, release = self._held_among(ids) if state == "accepted" else ([], False)
            # each photo only while it is still as read above (compared and changed at once):
            # one labelled again by another program since is left as well, whatever the timing;
            # journalled in the change's transaction: `undo --review` takes it back after a quit or crash;
            # a reject of the last photos teaching a place withdraws its suggestions
            change = set_states_withdrawing(self.index, ids, state, before, journal=app_state_command(state, len(ids)),
                                            release_held=release)
        except TaggerError as error:
            self.show_message(str(error))
            return
        self._state_changed(ids, state, before, change, taught, again, kept, left_held=0 if release else len(held))

    def _choose_in_worker(self, state: str, ids: list[int], shown: dict[int, str | None],
                          release_held: bool | None = None) -> bool:
        """A or R on thousands of photos as a job (choice_work): the look, the change and its
        journal entry in the worker; held files found there are asked about here, then the
        job runs again with the answer."""
        from app.gui.choice_work import HeldQuestion, choice_work

        def done(made) -> None:
            if isinstance(made, HeldQuestion):  # nothing changed yet
                answer = ask_to_write_held_again(self, list(made.held), made.count)
                self._choose_in_worker(state, ids, shown, release_held=answer)
            elif made.change is None:
                self._left_labelled_again(state, made.again, made.before)
            else:
                self._state_changed(made.ids, state, made.before, made.change, made.taught, made.again, made.kept,
                                    left_held=made.left_held)

        verb = "Accepting" if state == "accepted" else "Rejecting"
        return self.jobs.start(f"{verb} {counted(len(ids), 'photo')}", choice_work(self.db_path, ids, state, shown,
                                                                                 release_held),
                               after=done, all_or_nothing=True, holds_index=True)

    def _held_among(self, ids: Sequence[int]) -> tuple[list[str], bool]:
        """(the files Write labels… holds of these photos, whether the user answered "Write them
        again"): asked only when there are some; leaving them alone is the default."""
        held = self.index.held_files(ids)
        return held, bool(held) and ask_to_write_held_again(self, held, len(ids))

    def _states_now(self, ids: Sequence[int]) -> dict:
        """review_states, with (None, FORGOTTEN) for each photo no longer in the index (its
        folder forgotten in a terminal since the view listed it), so A, R and L name it."""
        return self.index.review_states_now(ids)

    def _shown_labels(self, ids: Sequence[int]) -> dict[int, str | None]:
        """The label the user sees on each of these photos: the detail pane's (and the
        loupe's) for its photo, else its tile's, as they were read; photos not shown
        (Ctrl+A far past the screen) are left out."""
        model, _view = self._active_model_and_view()
        shown = model.shown_labels(ids)
        record = self.detail.record
        if record is not None and record.id in ids:
            shown[record.id] = record.label
        return shown

    def _still_as_shown(self, ids: list[int], now: dict,
                        shown: dict[int, str | None] | None = None) -> tuple[list[int], list[int]]:
        """(the photos whose label in the index (`now`) is the one the app shows, those
        labelled again since by another program: `landmark-tagger label` in a terminal,
        a script, or taken out of the library). A photo the app has not shown is taken as
        the index holds it."""
        return still_as_shown(ids, now, self._shown_labels(ids) if shown is None else shown)

    def _left_labelled_again(self, verb: str, again: list[int], now: dict) -> None:
        """Nothing done: every photo was labelled again since it was shown; show them as they are now."""
        self.show_message(labelled_again_text(verb, again, now, alone=True))
        self.photos_changed(again)
        self.counts_changed()
        self.refresh_results()

    def _teaching_photos(self, before: dict) -> tuple[tuple[int, str], ...]:
        """(photo id, place) of the photos that teach their label: the user's accepted
        label of a taught place. A reject sets aside what they taught; Ctrl+Z brings it back."""
        return teaching_photos(self.index, before)

    def _state_changed(self, ids: list[int], state: str, before: dict, change: StateChange,
                       taught: tuple[tuple[int, str], ...] = (), again: Sequence[int] = (),
                       kept: Sequence[int] = (), left_held: int = 0) -> None:
        """Remember the step for Ctrl+Z, say what changed (and which photos were left as
        they are: labelled again since they were shown, or since `before` was read, or
        `kept`, the user's own opposite choices among others: choices_kept_among; `left_held`:
        the held files the user chose to leave alone), move on."""
        if change.left:
            ids = [i for i in ids if i not in change.left]
            again = [*again, *change.left]
            taught = tuple(pair for pair in taught if pair[0] not in change.left)
            before = {**before, **change.left}  # how the photos left are now, for the message
            if not ids:
                self._left_labelled_again(state, again, before)
                return
        changed = change.changed
        # in the list's order (`ids`, not the index's): Ctrl+Z shows the first of them again
        step = tuple((i, *before[i]) for i in ids if i in before and before[i][1] != state)
        # files Write labels… held that the A released (app.core.index.released_holds): its
        # journalled command holds them again at Ctrl+Z, a step even where no state changed
        released = tuple(getattr(change, "released", ()))
        journalled = getattr(change, "journalled", None)
        if step or (released and journalled is not None):
            self.review_undo.append(ReviewStep(state, step, taught, journalled, released))
            del self.review_undo[:-REVIEW_UNDO_DEPTH]
        left = len(ids) - changed
        if changed == 0 and released:  # the label was accepted already: the release is what A did
            message = f"{files_named(released)} no longer left alone: Write labels… writes it again"
        elif changed == 0:
            message = f"Nothing to change: {unchanged_words(state, ids, before, left, alone=True)}"
        else:
            message = f"{state.capitalize()} {counted(changed, 'photo')}"
            if left:
                message += f" ({unchanged_words(state, ids, before, left, alone=False)})"
            message += no_longer_teaching_text(changed, taught)
            # the place itself is named just before: said again only for the suggestions it withdrew
            untaught = [(gone.place, len(gone.withdrawn)) for gone in getattr(change, "untaught", ()) if gone.withdrawn]
            if untaught:
                message = message.removesuffix(".") + untaught_text(untaught) + "."
            if released:  # the hold note's way out, as the CLI's `accept` says it
                message = (message.removesuffix(".") + f"; {files_named(released)} no longer left alone: "
                           "Write labels… writes it again")
        if again:
            message = message.removesuffix(".") + labelled_again_text(state, again, before, alone=False)
            self.photos_changed(again)
        if kept:
            message = message.removesuffix(".") + kept_choices_text(state, len(kept))
        self.show_message(with_left_held(message, left_held))
        self._after_label_change(ids)

    def relabel_selected(self) -> None:
        ids = self.selected_ids()
        # before the dialog, not after the user typed a name
        if not ids or refused_as_read_only(self) or self._index_held_by_a_job() or self._waits_for_the_running_job(len(ids)):
            return
        try:
            if len(self.index.not_in_index(ids)) == len(ids):  # no dialog for photos gone
                self._left_labelled_again("changed", ids, dict.fromkeys(ids, (None, FORGOTTEN)))
                return
            current = self.index.get(ids[0]).label if len(ids) == 1 else None
            # a typed name close to one of these asks first (a typo made a second place)
            known = known_landmarks(self.index, library.bundle_landmarks(self.settings.model_bundle))
        except TaggerError as error:
            self.show_message(str(error))
            return
        shown = self._shown_labels(ids)
        if len(ids) == 1:
            shown[ids[0]] = current  # the dialog shows it
        dialog = LabelDialog(library.label_choices(self.index, ids[0], self.settings.model_bundle), current, len(ids),
                             self, known=known)
        if dialog.exec() != LabelDialog.DialogCode.Accepted:
            return
        try:
            now = self._states_now(ids)
        except TaggerError as error:
            self.show_message(str(error))
            return
        # the label replaced is rejected for these photos: not one set since by another program
        ids, again = self._still_as_shown(ids, now, shown)
        if not ids:
            self._left_labelled_again("changed", again, now)
            return
        try:
            held, release = self._held_among(ids) if dialog.label() is not None else ([], False)
        except TaggerError as error:
            self.show_message(str(error))
            return
        self.set_user_label(ids, dialog.label(), now, again, release_held=release,
                            left_held=0 if release else len(held))
        self.photos_changed(again)

    def set_user_label(self, ids: list[int], label: str | None, expected: dict, again: Sequence[int] = (),
                       release_held: bool = False, left_held: int = 0) -> None:
        """The user's label: learnt from in a worker (the old label is rejected for these
        photos, they teach the new one), only on photos still as `expected` (the app's
        look, review_states: one labelled again by another program or taken out of the
        library before the change's transaction is left and named). While another job
        runs, the label is only set. `again`: photos left already, labelled again before
        the look (their (label, state) now in `expected`), named at the end of the message.
        `release_held`: the user answered "Write them again" for the held files among them;
        `left_held`: the held files "Leave them alone" kept, named at the end as A names them."""
        if self._index_held_by_a_job() or self._waits_for_the_running_job(len(ids)):  # one started meanwhile
            return
        try:
            label = self._stored_spelling(label)
        except TaggerError as error:
            self.show_message(str(error))
            return
        left_out = labelled_again_text("changed", again, expected, alone=False) if again else ""
        if not self.jobs.busy and self.jobs.correct(ids, label, expected, {i: expected[i] for i in again},
                                                   release_held=release_held, left_held=left_held):
            self.show_message(f"Labelled {self._labelled_what(ids, label)}; learning from it…{left_out}")
            self._after_label_change(ids, refresh=False)  # the job refreshes the lists when it is done
            return
        try:
            # one transaction, a few statements per 500 photos (PhotoIndex.set_labels): the
            # same effects on each photo as set_label, without a statement per photo, the
            # same comparison as the job's (learn_from_corrections), journalled for Ctrl+Z
            change, journalled = set_labels_journalled(self.index, ids, label, expected=expected,
                                                       command=app_label_command(label, len(ids)),
                                                       release_held=release_held)
        except TaggerError as error:
            self.show_message(str(error))
            return
        self.remember_label_step(journalled, [i for i in ids if i not in change.left], label)
        if change.left:
            ids = [i for i in ids if i not in change.left]
            again, expected = [*again, *change.left], {**expected, **change.left}
            if not ids:
                self._left_labelled_again("changed", again, expected)
                return
            left_out = labelled_again_text("changed", again, expected, alone=False)
            self.photos_changed(list(change.left))
        what = self._labelled_what(ids, label)
        self.show_message(with_left_held(f"Labelled {what} (not taught: “{self.jobs.runner.name}” is running){left_out}",
                                         left_held))
        self._after_label_change(ids)

    def _stored_spelling(self, label: str | None) -> str | None:
        """The label as the index will keep it: "  colosseum " typed for the known
        "Colosseum" is that place (teaching.canonical_label, as L's job takes it), so the
        first line already names it, and the label set while another job runs is no
        second, look-alike place. UsageError for a name no label can hold."""
        from app.core.teaching import canonical_label, check_label

        if label is None:
            return None
        return canonical_label(self.index, check_label(label),
                               library.bundle_landmarks(self.settings.model_bundle))

    def _labelled_what(self, ids: Sequence[int], label: str | None) -> str:
        """ "pdp 0.jpg “Colosseum”" or "3 photos “Colosseum”": the photos as the job's
        last line names them (job_words.correction_text), so both lines name one photo alike;
        one taken out of the library meanwhile (the job then says so) is counted."""
        photos = counted(len(ids), "photo")
        if len(ids) == 1:
            try:
                photos = library.display_name(self.index.get(ids[0]).path)
            except TaggerError:
                pass
        return f"{photos} “{label or 'no landmark'}”"

    def _after_label_change(self, ids: list[int], refresh: bool = True) -> None:
        """Repaint, then move on to the first photo after the changed ones, so review is
        one key per photo: after a run (selected with Shift+Down or Shift+Up) or photos
        Ctrl-clicked here and there, the photo after the first of them, as after one."""
        model, view = self._active_model_and_view()
        shown = model.ids()
        first = first_row_of(shown, ids)
        row = view.currentIndex().row() if view.currentIndex().isValid() else 0
        self.photos_changed(ids)
        self.counts_changed()
        if self.showing_review():
            # Reviewed photos leave the list now, so the next key acts on the next photo;
            # the search in the worker then confirms the list.
            self.review_model.remove_ids(ids)
            self.review.show_count(self.review_model.rowCount())
            row = min(row if first is None else first, self.review_model.rowCount() - 1)
            if row >= 0:
                view.selectionModel().setCurrentIndex(model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
            if refresh:
                self.refresh_results()
            return
        if first is not None:
            # the grid keeps them until its search runs again; those that leave it then
            # (a search for suggested photos) leave the photo after them current
            row = next_row_not_in(shown, ids, first)
        elif len(ids) == 1:
            row = min(row + 1, model.rowCount() - 1)
        if row >= 0:
            view.selectionModel().setCurrentIndex(model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)

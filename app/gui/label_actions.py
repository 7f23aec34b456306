"""Accept (A), reject (R) and set label (L) on the selected photos of the grid or the
review list; a label the user sets teaches (app.core.teaching.learn_from_correction).
Every change goes to the index at once; then the view moves on so review is one key per
photo. Ctrl+Z takes back accepts, rejects, labels, Teach… and Forget… of a taught place,
the latest first (a label, a Teach… or a Forget… through the review journal, as `undo
--review` does)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

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
from app.gui.job_words import kept_choices_text, labelled_again_text, left_since_text, untaught_text
from app.gui.job_work import app_label_command
from app.gui.key_names import key_name
from app.gui.label_dialog import LabelDialog

if TYPE_CHECKING:
    from app.core.index.labels import StateChange
    from app.core.index.review_journal import ReviewCommand

REVIEW_UNDO_DEPTH = 100  # accepts, rejects, labels, Teach… and Forget… that Ctrl+Z can take back
BULK_IN_WORKER = 2_000  # more photos than this are accepted or rejected in the job worker


@dataclass(frozen=True)
class ReviewStep:
    """One accept or reject: the photos it changed, each with its label and its state
    before; `state` is what they were given."""

    state: str
    before: tuple[tuple[int, str | None, str], ...]  # (photo id, label, state before)
    # a reject sets aside what a photo taught: (photo id, place) of those that taught it
    taught: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class LabelStep:
    """One L (or a Teach…, `taught`, or a Forget… of a taught place, `forgot`): its command
    in the review journal (which holds each photo's label before it), the photos it labelled
    (a Forget…: those that taught the place and its suggestions), in the list's order, and
    the label they got (the place)."""

    command: "ReviewCommand"
    photo_ids: tuple[int, ...]
    label: str | None
    taught: bool = False
    forgot: bool = False

    @property
    def named(self) -> str:
        """ "the label “Bakery”", "the teaching of “Bakery”" or "forgetting “Bakery”", as
        Ctrl+Z's message names the step."""
        if self.forgot:
            return f"forgetting “{self.label}”"
        return f"the {'teaching of' if self.taught else 'label'} “{self.label or 'no landmark'}”"


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


class LabelActions:
    """Mixed into MainWindow (which provides index, models, views and show_message)."""

    def _active_model_and_view(self):
        if self.showing_review():
            return self.review_model, self.review.list
        return self.grid_model, self.grid

    def selected_ids(self) -> list[int]:
        model, view = self._active_model_and_view()
        rows = sorted({index.row() for index in view.selectionModel().selectedIndexes()})
        if not rows and view.currentIndex().isValid():
            rows = [view.currentIndex().row()]
        return [model.photo_id(row) for row in rows if row < model.rowCount()]

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

            def done(change: StateChange) -> None:
                self._state_changed(ids, state, before, change, taught, again, kept)

            # each photo only while it is still as read above (compared and changed at once):
            # one labelled again by another program since is left as well, whatever the timing
            if len(ids) > BULK_IN_WORKER and not self.jobs.busy:
                # thousands of photos at once (Ctrl+A on a search) take seconds: not on the GUI thread
                verb = "Accepting" if state == "accepted" else "Rejecting"
                self.jobs.set_states({state: ids}, before, f"{verb} {counted(len(ids), 'photo')}", done)
                return
            # a reject of the last photos teaching a place withdraws its suggestions
            change = set_states_withdrawing(self.index, ids, state, before)
        except TaggerError as error:
            self.show_message(str(error))
            return
        done(change)

    def _states_now(self, ids: Sequence[int]) -> dict:
        """review_states, with (None, FORGOTTEN) for each photo no longer in the index (its
        folder forgotten in a terminal since the view listed it), so A, R and L name it."""
        now = self.index.review_states(ids)
        unlabelled = [i for i in ids if i not in now]
        if unlabelled:
            now.update((i, (None, FORGOTTEN)) for i in self.index.not_in_index(unlabelled))
        return now

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
        shown = self._shown_labels(ids) if shown is None else shown
        again = [i for i in ids if (was := now.get(i, (None, "unlabelled")))[1] == FORGOTTEN
                 or (i in shown and was[0] != shown[i])]
        if not again:
            return ids, []
        left = set(again)
        return [i for i in ids if i not in left], again

    def _left_labelled_again(self, verb: str, again: list[int], now: dict) -> None:
        """Nothing done: every photo was labelled again since it was shown; show them as they are now."""
        self.show_message(labelled_again_text(verb, again, now, alone=True))
        self.photos_changed(again)
        self.counts_changed()
        self.refresh_results()

    def _teaching_photos(self, before: dict) -> tuple[tuple[int, str], ...]:
        """(photo id, place) of the photos that teach their label: the user's accepted
        label of a taught place. A reject sets aside what they taught; Ctrl+Z brings it back."""
        from app.core.teaching import taught_labels

        candidates = [(i, label) for i, (label, was) in before.items() if was == "accepted" and label]
        if not candidates:
            return ()
        places = taught_labels(self.index)
        return tuple((i, label) for i, label in candidates
                     if label in places and self.index.get(i).source == "user")

    def _state_changed(self, ids: list[int], state: str, before: dict, change: StateChange,
                       taught: tuple[tuple[int, str], ...] = (), again: Sequence[int] = (),
                       kept: Sequence[int] = ()) -> None:
        """Remember the step for Ctrl+Z, say what changed (and which photos were left as
        they are: labelled again since they were shown, or since `before` was read, or
        `kept`, the user's own opposite choices among others: choices_kept_among), move on."""
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
        if step:
            self.review_undo.append(ReviewStep(state, step, taught))
            del self.review_undo[:-REVIEW_UNDO_DEPTH]
        left = len(ids) - changed
        if changed == 0:
            these = "the photo is" if left == 1 else "the selected photos are"
            message = f"Nothing to change: {these} already {state} or not tagged yet"
        else:
            message = f"{state.capitalize()} {counted(changed, 'photo')}"
            if left:
                message += f" ({left:,} already {state} or not tagged yet)"
            message += no_longer_teaching_text(changed, taught)
            # the place itself is named just before: said again only for the suggestions it withdrew
            untaught = [(gone.place, len(gone.withdrawn)) for gone in getattr(change, "untaught", ()) if gone.withdrawn]
            if untaught:
                message = message.removesuffix(".") + untaught_text(untaught) + "."
        if again:
            message = message.removesuffix(".") + labelled_again_text(state, again, before, alone=False)
            self.photos_changed(again)
        if kept:
            message = message.removesuffix(".") + kept_choices_text(state, len(kept))
        self.show_message(message)
        self._after_label_change(ids)

    def remember_label_step(self, command: "ReviewCommand | None", photo_ids: Sequence[int],
                            label: str | None, taught: bool = False, forgot: bool = False) -> None:
        """An L (a Teach…: `taught`; a Forget… of a taught place: `forgot`) that changed
        photos, journalled as `command`, for Ctrl+Z to take back."""
        if command is not None:
            self.review_undo.append(LabelStep(command, tuple(photo_ids), label, taught, forgot))
            del self.review_undo[:-REVIEW_UNDO_DEPTH]

    def undo_review(self) -> bool:
        """Take back the latest accept, reject, label, Teach… or Forget… (Ctrl+Z): its photos get their
        label and state back and the view shows the first of them. A photo whose label changed
        since (set again, tagged again) is left as it is."""
        if not self.review_undo:
            self.show_message(f"Nothing to take back: {key_name('Ctrl+Z')} undoes accepts (A), rejects (R), "
                              "labels (L) and Teach… (T), and Forget… of a taught place, the latest first.")
            return False
        step = self.review_undo.pop()
        if isinstance(step, LabelStep):
            return self._take_back_label(step)
        stepped = [photo_id for photo_id, _, _ in step.before]
        now = self._states_now(stepped)
        back: dict[str, list[int]] = {}
        for photo_id, label, was in step.before:
            if now.get(photo_id) == (label, step.state):
                back.setdefault(was, []).append(photo_id)
        taken = {photo_id for photo_ids in back.values() for photo_id in photo_ids}
        ids = [photo_id for photo_id in stepped if photo_id in taken]  # in the list's order
        # labelled again or taken out of the library since the step: left, and named
        skipped = {photo_id: now.get(photo_id, (None, "unlabelled")) for photo_id in stepped if photo_id not in taken}
        if not ids:
            return self._nothing_taken_back(skipped)
        verb = "accept" if step.state == "accepted" else "reject"
        accepted = set(back.get("accepted", []))
        # their references come back with the label (app.core.teaching_store)
        teaching = [(photo_id, place) for photo_id, place in step.taught if photo_id in accepted]
        expected = {photo_id: (label, step.state) for photo_id, label, _ in step.before}
        if len(ids) > BULK_IN_WORKER and not self.jobs.busy:
            return self.jobs.set_states(back, expected, f"Taking back the {verb} of {counted(len(ids), 'photo')}",
                                        lambda change: self._taken_back(verb, ids, back, teaching,
                                                                        {**skipped, **change.left}))
        try:
            left: dict = dict(skipped)
            for was, photo_ids in back.items():
                left.update(self.index.set_state_if_unchanged(photo_ids, was, expected).left)
        except TaggerError as error:
            self.show_message(str(error))
            return False
        return self._taken_back(verb, ids, back, teaching, left)

    def _taken_back(self, verb: str, ids: list[int], back: dict[str, list[int]],
                    teaching: Sequence[tuple[int, str]] = (), left: dict | None = None) -> bool:
        """Say what came back and show the first of `ids` (in the list's order, as selected).
        `left`: photos labelled again by another program (or taken out of the library)
        since the step, or as they were being taken back, each with its (label, state) now,
        left as they are and named as A and R name them; False when that was every one."""
        if left:
            ids = [photo_id for photo_id in ids if photo_id not in left]
            back = {was: kept for was, photo_ids in back.items() if (kept := [i for i in photo_ids if i not in left])}
            teaching = [pair for pair in teaching if pair[0] not in left]
            if not ids:
                return self._nothing_taken_back(left)
            self.photos_changed(list(left))
        states = " / ".join(sorted(back))
        message = f"Took back the {verb}: {counted(len(ids), 'photo')} {states} again"
        if teaching:
            places = ", ".join(f"“{place}”" for place in sorted({place for _, place in teaching}, key=name_order))
            message += f"; {counted(len(teaching), 'photo')} teach{'es' if len(teaching) == 1 else ''} {places} again"
        return self._show_taken_back(ids, message, left or {})

    def _show_taken_back(self, ids: list[int], message: str, left: dict) -> bool:
        """Say what Ctrl+Z gave back (`left`: the photos it left, labelled again or taken
        out of the library since, named as A and R name them) and show the first of `ids`."""
        if left:
            message += labelled_again_text("taken back", list(left), left, alone=False)
        self.show_message(message)
        self.photos_changed(ids)
        self.counts_changed()
        if ids:  # none when only a Forget…'s place was unforgotten
            self.select_after_load = ids[0]
        self.refresh_results()
        return True

    def _take_back_label(self, step: LabelStep) -> bool:
        """Ctrl+Z after L or Teach…: the photos get the label they had before it back (source,
        score, state) and no longer teach the one it gave (but what they taught before), through
        the review journal as `undo --review` takes it back, compared and changed in one transaction."""
        from app.core.index import review_journal
        from app.gui.job_work import index_work

        if len(step.photo_ids) > BULK_IN_WORKER and not self.jobs.busy:  # off the GUI thread, as A and R
            work = index_work(self.db_path, lambda index: review_journal.take_back(index, step.command))
            what = "forgetting" if step.forgot else "teaching" if step.taught else "label"
            return self.jobs.start(f"Taking back the {what} of {counted(len(step.photo_ids), 'photo')}", work,
                                   after=lambda taken: self._label_taken_back(step, taken), all_or_nothing=True)
        try:
            taken = review_journal.take_back(self.index, step.command)
        except TaggerError as error:
            self.show_message(str(error))
            return False
        return self._label_taken_back(step, taken)

    def _label_taken_back(self, step: LabelStep, taken) -> bool:
        """Say what Ctrl+Z of an L gave back (review_journal.TakenBack, None: nothing was
        left to take back) and show the first of its photos."""
        if taken is None:  # `undo --review` in a terminal took it back, or ten newer ones pushed it out
            self.show_message(f"Nothing to take back: {step.named} was taken back already, or is older "
                              "than the last 10 labels, teachings, accepts and rejects of the command line.")
            return False
        restored = set(taken.restored)
        ids = [photo_id for photo_id in step.photo_ids if photo_id in restored]  # in the list's order
        if not ids and not taken.unforgotten:  # a place unforgotten is something taken back
            return self._nothing_taken_back(taken.left)
        if taken.left:
            self.photos_changed(list(taken.left))
        message = f"Took back {step.named}: {counted(len(ids), 'photo')} as before it"
        for phrase in taken.place_phrases(lambda place: f"“{place}”"):  # a Forget… taken back
            message += f"; {phrase}"
        return self._show_taken_back(ids, message, taken.left)

    def _nothing_taken_back(self, left: dict) -> bool:
        """Ctrl+Z found every photo of its step labelled again or taken out of the library
        since (`left`: each one's (label, state) now): say so and show them as they are now
        at once, as A and R do, not at the next check for outside changes."""
        self.show_message(f"Nothing to take back: those photos were {left_since_text(list(left), left)}.")
        self.photos_changed(list(left))
        self.counts_changed()
        self.refresh_results()
        return False

    def relabel_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
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
        self.set_user_label(ids, dialog.label(), now, again)
        self.photos_changed(again)

    def set_user_label(self, ids: list[int], label: str | None, expected: dict, again: Sequence[int] = ()) -> None:
        """The user's label: learnt from in a worker (the old label is rejected for these
        photos, they teach the new one), only on photos still as `expected` (the app's
        look, review_states: one labelled again by another program or taken out of the
        library before the change's transaction is left and named). While another job
        runs, the label is only set. `again`: photos left already, labelled again before
        the look (their (label, state) now in `expected`), named at the end of the message."""
        left_out = labelled_again_text("changed", again, expected, alone=False) if again else ""
        if not self.jobs.busy and self.jobs.correct(ids, label, expected, {i: expected[i] for i in again}):
            what = f"{counted(len(ids), 'photo')} “{label or 'no landmark'}”"
            self.show_message(f"Labelled {what}; learning from it…{left_out}")
            self._after_label_change(ids, refresh=False)  # the job refreshes the lists when it is done
            return
        try:
            # one transaction, a few statements per 500 photos (PhotoIndex.set_labels): the
            # same effects on each photo as set_label, without a statement per photo, the
            # same comparison as the job's (learn_from_corrections), journalled for Ctrl+Z
            change, journalled = set_labels_journalled(self.index, ids, label, expected=expected,
                                                       command=app_label_command(label, len(ids)))
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
        what = f"{counted(len(ids), 'photo')} “{label or 'no landmark'}”"
        self.show_message(f"Labelled {what} (not taught: “{self.jobs.runner.name}” is running){left_out}")
        self._after_label_change(ids)

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

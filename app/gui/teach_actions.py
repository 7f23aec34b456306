"""Teaching in the window: "Teach…" (T) on a selection, "Similar photos" (S) for one
photo, and "Find suggestions" in the review view. The work runs in JobController's
worker through app.core.teaching; similar photos come from ResultsLoader's worker."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.core import library
from app.core.errors import TaggerError
from app.core.label_names import known_landmarks
from app.core.teaching_suggest import far_under_words, held_hint, unreached_words
from app.core.wording import counted
from app.gui.icons import icon
from app.gui.key_names import key_name
from app.gui.label_dialog import LabelDialog
from app.gui.read_only_index import refused_as_read_only

SIMILAR_COUNT = 20  # photos shown by "Similar photos"


class SimilarBanner(QWidget):
    """Above the grid while it shows photos similar to one: what they are and a way back."""

    back_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # file names are text, never markup
        self.text.setProperty("role", "heading")
        self.text.setWordWrap(True)
        self.back_button = QPushButton(icon("grid"), "Back to all photos")
        self.back_button.setToolTip("Leave the similar photos (Esc)")
        self.back_button.clicked.connect(self.back_requested)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.back_button)
        self.hide()

    def show_similar(self, name: str, count: int | None) -> None:
        if count is None:
            self.text.setText(f"Finding photos similar to {name}…")
        elif count == 0:
            self.text.setText(f"No similar photos for {name} yet: tag this photo first, "
                              "so the app knows what it looks like.")
        else:
            self.text.setText(f"Similar to {name} — {counted(count, 'photo')}")
        self.show()


class TeachActions:
    """Mixed into MainWindow (index, jobs, results, views, show_message, selected_ids)."""

    similar_to: int | None = None  # the photo whose similar photos the grid shows

    def teach_selected(self) -> bool:
        """Ask for the place's name, then teach it from the selected photos in the worker."""
        ids = self.selected_ids()
        if not ids:
            self.show_message("Select photos of a place first, then Teach… (T).")
            return False
        if refused_as_read_only(self):
            return False
        try:
            choices = library.label_choices(self.index, ids[0], self.settings.model_bundle)
            current = self.index.get(ids[0]).label if len(ids) == 1 else None
            known = self._known_landmarks()  # a typo of one asks first, as L does
        except TaggerError as error:
            self.show_message(str(error))
            return False
        dialog = LabelDialog(choices, current, len(ids), self, teaching=True, known=known)
        if dialog.exec() != LabelDialog.DialogCode.Accepted:
            return False
        label = dialog.label()
        if not label:
            self.show_message("A taught place needs a name.")
            return False
        return self.jobs.teach(label, ids)

    # -- similar photos ---------------------------------------------------------------
    def show_similar_to_current(self) -> bool:
        """Show the photos most like the current one."""
        photo_id = self.current_photo_id()
        return photo_id is not None and self.show_similar(photo_id)

    def show_similar(self, photo_id: int) -> bool:
        self.close_loupe()
        try:
            name = library.display_name(self.index.get(photo_id).path)
        except TaggerError as error:
            self.show_message(str(error))
            return False
        from app.core.teaching_similar import is_blank_frame

        if is_blank_frame(self.index, photo_id):
            self.show_message(f"{name} is a blank frame (too little detail): there is nothing in it to compare.")
            return False
        self.similar_to = photo_id
        self.similar_banner.show_similar(name, None)
        if self.showing_review():
            self.show_page(self.grid_page_index)  # refreshes, now as similar photos
        else:
            self.refresh_results()
        return True

    def leave_similar(self) -> None:
        """Back to the search results (the grid shows all matching photos again)."""
        if self.similar_to is None:
            return
        self.similar_to = None
        self.similar_banner.hide()
        self.refresh_results()

    def similar_arrived(self, photo_id: int, count: int) -> None:
        if self.similar_to != photo_id:
            return
        try:
            name = library.display_name(self.index.get(photo_id).path)
        except TaggerError:
            name = f"photo {photo_id}"
        self.similar_banner.show_similar(name, count)

    # -- taught places ----------------------------------------------------------------
    def open_taught_places(self) -> None:
        """The list of taught places; "Show photos" searches the grid for one."""
        dialog = self.taught_places_dialog()
        try:
            dialog.exec()
        finally:
            self.jobs.job_stopped.disconnect(dialog.reload_after_job)

    def taught_places_dialog(self):
        """The Taught places dialog, wired to the window (disconnect its reload_after_job
        from jobs.job_stopped when it closes)."""
        from app.gui.taught_places import TaughtPlacesDialog

        dialog = TaughtPlacesDialog(self.index, self, read_only=self.index_read_only)
        dialog.show_requested.connect(self.show_label)
        dialog.rename_requested.connect(self.rename_place)
        dialog.forgotten.connect(self.place_forgotten)
        self.jobs.job_stopped.connect(dialog.reload_after_job)  # a rename runs as a job: list the new name
        return dialog

    def place_forgotten(self, label: str, done) -> None:
        """Say what Forget did (teaching_store.ForgetSummary): the place is no longer
        recognised, its photos keep their labels, the suggestions teaching made left
        Review (they are "no landmark" until tagged again), and the model's own
        suggestions of a landmark of that name stay."""
        message = f"Forgot “{label}” (taught from {counted(done.photos, 'photo')}); its photos keep their labels"
        if done.withdrawn:
            message += f"; {counted(done.withdrawn, 'suggestion')} of it left Review"
        if done.kept:
            message += f"; the model's own {counted(done.kept, 'suggestion')} of “{label}” stay"
        if done.journalled is not None:  # Ctrl+Z takes it back (the review journal's command)
            self.remember_label_step(done.journalled, done.photo_ids, label, forgot=True)
            message += f"; {key_name('Ctrl+Z')} takes it back"
        self.show_message(message + ".")
        self.library_changed()  # Review and the counts without them

    def show_label(self, label: str) -> None:
        """All photos with this label, in the grid: the landmark chosen in the library
        panel, or (not listed there yet) a search for it."""
        self.similar_to = None
        self.similar_banner.hide()
        self.show_page(self.grid_page_index)
        if self.library_tree.has_landmark(label):
            self.search_bar.set_text("")
            self.library_tree.select_landmark(label)
        else:
            self.search_bar.set_text(library.label_query(label))

    def rename_place(self, old: str) -> bool:
        """Ask for a new name for one of the user's places (a taught place, a label of
        theirs) and rename it everywhere in the index; the model's own landmarks keep
        their names."""
        from app.core.rename import plan_rename

        if refused_as_read_only(self):
            return False
        fixed = self.why_name_is_fixed(old)
        if fixed:
            self.show_message(fixed)
            return False
        landmarks = library.bundle_landmark_ids(self.settings.model_bundle)
        if self.jobs.busy:
            self.show_message(f"Rename “{old}” when “{self.jobs.runner.name}” is done.")
            return False
        try:
            count = self.index.count(library.label_holders_query(old))
            choices = library.label_choices(self.index, None, self.settings.model_bundle)
            known = self._known_landmarks()  # a name close to another place: a merge into it, asked
        except TaggerError as error:
            self.show_message(str(error))
            return False
        dialog = LabelDialog(choices, old, count, self, renaming=True, known=known)
        if dialog.exec() != LabelDialog.DialogCode.Accepted or not dialog.label():
            return False
        try:
            plan = plan_rename(self.index, old, dialog.label(), landmarks)
        except TaggerError as error:
            self.show_message(str(error))
            return False
        if plan.merged and not self.confirm_merge(old, plan.target):
            return False
        return self.jobs.rename_place(old, dialog.label(), landmarks)  # tens of thousands of photos take seconds

    def rename_chosen_place(self) -> bool:
        """Edit ▸ Rename place… (F2): the landmark chosen in the library panel, else the
        current photo's label (the panel's right-click Rename… names its landmark itself)."""
        record = self.detail.record
        place = self.library_tree.selected_landmark() or (record.label if record is not None else None)
        if not place:
            self.show_message("Choose a landmark in the library panel, or a photo labelled with it, to rename it.")
            return False
        return self.rename_place(place)

    def _known_landmarks(self) -> list[str]:
        """The library's and the model's landmarks, which a typed name is checked against."""
        return known_landmarks(self.index, library.bundle_landmarks(self.settings.model_bundle))

    def why_name_is_fixed(self, place: str) -> str:
        """Why `place` cannot be renamed ("" when it can): the model's own landmarks keep
        the names the model gives them; a place the user taught under such a name is
        given another by forgetting it and teaching its photos again, which it says."""
        from app.core.teaching import taught_labels

        landmarks = library.bundle_landmark_ids(self.settings.model_bundle)
        if any(name.casefold() == place.casefold() for name in landmarks):
            why = f"“{place}” is one of the model's landmarks: its name comes with the model."
            if place in taught_labels(self.index):
                why += (" To give your place another name, forget it (Forget… in Taught places) and teach its "
                        "photos under the new name.")
            return why
        return ""

    def confirm_merge(self, old: str, target: str) -> bool:
        """A new name already in use merges two places, which no later rename takes back."""
        from app.gui.safe_question import go_ahead

        return go_ahead(
            self, "Merge two places",
            f"“{target}” is already a place. Merge “{old}” into it? Their photos and what was taught of them "
            "become one place, which renaming cannot split again (a copy of the index is taken first).")

    # -- suggestions ------------------------------------------------------------------
    def find_suggestions(self) -> bool:
        """Re-score the photos matching the search against what was taught (no decoding)."""
        if refused_as_read_only(self):
            return False
        self.review.show_found(None)
        return self.jobs.find_suggestions(self.current_query())

    def suggestions_found(self, count: int, report=None) -> None:
        """`report`: the job's SuggestReport, for the photos that came close when none cleared the
        threshold, and for the photos skipped because they are not tagged yet."""
        self.review.show_found(count)
        self.show_message(self._suggestions_message(count, report) + _untagged_note(report))

    @staticmethod
    def _suggestions_message(count: int, report) -> str:
        if count:  # a taught place the model holds is said whatever the other places found
            held = held_hint(report, '(L)') if report is not None else None
            return f"{counted(count, 'new suggestion')} from what you taught{f'; {held}.' if held else ''}"
        if report is not None and report.taught == 0 and report.unreached:
            return (f"Nothing to suggest: {unreached_words(report.unreached)}; put them back and Tag, "
                    "which teaches this model from them (see Problems).")
        if report is not None and report.taught == 0:
            return "Nothing is taught yet: select a few photos of a place and press Teach… (T)."
        if report is not None and report.scored == 0 and report.tagged == 0:
            return "No tagged photo to compare with what you taught: tag your folders first."
        if report is not None and report.scored == 0 and report.untagged:
            photos = counted(report.untagged, 'photo')
            return f"{photos} here not tagged yet: tag them to compare them with what you taught."
        if report is not None and report.scored == 0:
            return "Every tagged photo here is one you taught or labelled: tag more folders to look through."
        if report is not None and report.held:
            # what teaching more photos would not change comes first, whatever else came close
            return f"No new suggestions: {held_hint(report, '(L)')}{_close_note(report)}."
        if report is not None and (far := far_under_words(report)) is not None:  # lowering the threshold is no answer
            return f"No new suggestions: {far}; teach more photos of your places (T)."
        if report is not None and report.close:
            best, photos = _score_under(report.best_close, report.threshold), counted(report.close, 'photo')
            return (f"No new suggestions above the threshold ({report.threshold:.2f}); {photos} came "
                    f"close (best {best}): lower the threshold in Settings to review "
                    "them, or teach more photos of your places (T).")
        return "No new suggestions: teach more photos of your places (T)."


def _close_note(report) -> str:
    """"; 5 other photos came close (best 0.41)": the photos under the threshold, after
    the held hint, without asking for more photos (which would not move the held ones)."""
    if not report.close:
        return ""
    if (far := far_under_words(report)) is not None:  # "came close" at 0.03 against 0.79 said they were nearly there
        return f"; {far}"
    return f"; {counted(report.close, 'other photo')} came close (best {_score_under(report.best_close, report.threshold)})"


def _score_under(score: float, threshold: float) -> str:
    """A score under the threshold, in two decimals that show it under: 0.3996 under 0.40
    read "best 0.40", which a threshold of 0.40 would have let through."""
    shown = f"{score:.2f}"
    if score < threshold and shown >= f"{threshold:.2f}":
        shown = f"{math.floor(score * 100 + 1e-9) / 100:.2f}"
    return shown


def _untagged_note(report) -> str:
    """A note on the photos suggest skipped because this model has not tagged them yet
    (empty when none were, or when the message already says to tag first)."""
    untagged = getattr(report, "untagged", 0) if report is not None else 0
    if not untagged or report.taught == 0 or report.tagged == 0 or report.scored == 0:
        return ""
    photos = counted(untagged, 'photo')
    them = "it" if untagged == 1 else "them"
    return f" ({photos} not tagged yet: tag {them} to look through {them} too.)"

"""The "set label" prompt (L), the "Teach…" prompt (T) and the "Rename…" prompt for a
place: a line edit with completion over known labels. Given the known landmarks, it
asks before a typed name close to one of them ("Colloseum" beside "Colosseum", or
"Zurich" beside "Zürich": accents alone make another keyword) makes a second place, and
it refuses a word the app uses for a state ("no landmark", "rejected") as a place's name
(app.core.label_names), as the CLI's `label` does."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from app.core.label_names import NO_LANDMARK as NO_LANDMARK_STATE
from app.core.label_names import (close_landmarks, did_you_mean, not_a_landmark_name, own_state_named,
                                  unwritable_character)
from app.gui.key_names import key_name
from model.labels import label_form
from app.gui.name_completer import NameCompleter

NO_LANDMARK = "(no landmark)"
MAKE_NEW = "Make new landmark"  # the OK button's text while the question shows
RENAME_AS_TYPED = "Rename as typed"  # the same in "Rename…"


class LabelDialog(QDialog):
    """Asks for a label; completion matches anywhere in the name, accents and case aside
    (NameCompleter: "zurich" offers "Zürich Grossmünster").
    `known`: the landmarks a typed name is checked against (known_landmarks); a name
    close to some is not taken at once: the dialog names them, one click (or Alt+1…)
    away, the first one Enter's, and OK, now "Make new landmark", takes the name as typed. A state's word
    ("none", "rejected") is refused the same way, OK then making it a place all the same
    (the CLI's --new); "no landmark" itself is refused for good. In "Rename…" a near
    landmark is a merge into it (app.core.rename), and the old name is no typo of itself."""

    def __init__(self, choices: list[str], current: str | None, count: int, parent=None, *,
                 teaching: bool = False, renaming: bool = False, known: Sequence[str] = ()) -> None:
        super().__init__(parent)
        # "Teach…" and "Rename…": a name is required, "no landmark" is not offered
        self.teaching = teaching or renaming
        self.renamed = current if renaming else None  # the place renamed: "Rename…" only
        self.known = list(known)
        self.asked_about: str | None = None  # the name the question is about: OK again makes it
        self.setWindowTitle("Rename a place" if renaming else "Teach a place" if teaching else "Set label")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        what = "this photo" if count == 1 else f"these {count:,} photos"
        if renaming:
            prompt = QLabel(f"New name for “{current}” on {what} and wherever it was taught "
                            "(a name already in use merges the two):")
            prompt.setWordWrap(True)
            spoken = f"New name for “{current}”"
        elif teaching:
            prompt = QLabel(f"Which place shows in {what}? The app learns it and finds it in your other photos.")
            prompt.setWordWrap(True)
            spoken = f"Which place shows in {what}?"
        else:
            prompt = QLabel(f"Label for {what}:")
            spoken = f"Label for {what}"
        self.field = QLineEdit(current or "")
        # a screen reader names the field by its question, not by the placeholder (gone once typed in)
        prompt.setBuddy(self.field)
        self.field.setAccessibleName(spoken)
        self.field.selectAll()
        self.field.setPlaceholderText("Name the place, e.g. Our cabin" if self.teaching
                                      else "Start typing a landmark… (empty = no landmark)")
        self.completer = NameCompleter(choices if self.teaching else [NO_LANDMARK, *choices], self)
        self.field.setCompleter(self.completer)
        self.field.textChanged.connect(self._forget_question)
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.PlainText)  # it quotes what the user typed
        self.question.setProperty("role", "error")
        self.near_row = QWidget()
        self.near_buttons: list[QPushButton] = []
        QHBoxLayout(self.near_row).setContentsMargins(0, 0, 0, 0)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._ok_text = self.buttons.button(QDialogButtonBox.StandardButton.Ok).text()
        layout.addWidget(prompt)
        layout.addWidget(self.field)
        layout.addWidget(self.question)
        layout.addWidget(self.near_row)
        layout.addWidget(self.buttons)
        self._forget_question()

    def label(self) -> str | None:
        """The chosen label; None means "no landmark"."""
        text = self.field.text().strip()
        return None if not text or text == NO_LANDMARK else text

    def accept(self) -> None:
        """OK: a state's word, or a name close to a known landmark, asks first; asked, OK
        makes it as typed (never "no landmark" itself)."""
        name = self.label()
        if name is not None and self._refuse_unusable(name):
            return
        if not name or name == self.asked_about:
            super().accept()
            return
        state = own_state_named(name)
        if state is not None:
            self._refuse_state(name, state)
            return
        renamed = (self.renamed or "").casefold()  # the old name is no typo of the new
        near = [other for other in close_landmarks(name, self.known) if other.casefold() != renamed]
        if not near:
            super().accept()
            return
        question = did_you_mean(name, near)
        if self.renamed is not None:  # rename merges into a name in use (app.core.rename)
            question += f" Choosing one merges “{self.renamed}” into it."
        self._ask(name, question, near)

    def _refuse_unusable(self, name: str) -> bool:
        """A name no label can hold is refused here, the typed text kept to mend: one empty
        once its invisible characters are dropped (a pasted zero-width space), or holding a
        character a keyword cannot (app.core.teaching_names.check_label, which said it after
        the dialog closed in the words of the command line's teach)."""
        cleaned = label_form(name)
        if not cleaned:
            refusal = ("The name is empty once its invisible characters (zero-width spaces and the like) are "
                       "dropped: type a landmark name" + ("" if self.teaching or self.renamed is not None
                                                          else ", or choose “(no landmark)”") + ".")
        else:
            bad = unwritable_character(cleaned)
            if bad is None:
                return False
            refusal = f"The name holds {bad}; a landmark name can hold only printable text."
        self._forget_question()
        self.question.setText(refusal)
        self.question.show()
        self.field.setFocus()
        return True

    def _refuse_state(self, name: str, state: str) -> None:
        """A state's word as the name: say how to give that state instead; where a place
        may be called so (the CLI's --new: "None", a town), OK then makes it."""
        if state == NO_LANDMARK_STATE:
            way = ("leave the name empty or choose “(no landmark)”" if not self.teaching
                   else "give the place's name (L with “(no landmark)” labels photos that show none)")
            way += f"; Reject ({key_name('R')}) marks a wrong label"
        else:
            way = {"rejected": f"Reject ({key_name('R')}) marks a wrong label",
                   "accepted": f"Accept ({key_name('A')}) accepts the label shown"}.get(state, "give the place's name")
        refusal = f"{not_a_landmark_name(name, state)}: {way}."
        if own_state_named(name, new=True) is None:
            self._ask(name, refusal, [])
            return
        self._forget_question()
        self.question.setText(refusal)
        self.question.show()
        self.field.setFocus()

    def _ask(self, name: str, question: str, near: list[str]) -> None:
        """Show the question, each near landmark as a button, and OK as "Make new landmark"
        (or "Rename as typed"), which takes `name` at the next press."""
        self.asked_about = name
        make = f"rename it “{name}”" if self.renamed is not None else f"make “{name}” a new landmark"
        self.question.setText(f"{question[0].upper()}{question[1:]} Or {make}.")
        self.question.show()
        row = self.near_row.layout()
        while row.count():  # the buttons of a question asked before about another name
            widget = row.takeAt(0).widget()
            if widget is not None:
                widget.setShortcut(QKeySequence())  # until deleted, its Alt+1 made the new one's ambiguous
                widget.deleteLater()
        self.near_buttons = []
        for number, landmark in enumerate(near, 1):
            button = QPushButton(landmark)
            button.setShortcut(QKeySequence(f"Alt+{number}"))
            what = (f"Merge “{self.renamed}” into" if self.renamed is not None
                    else "Teach it as" if self.teaching else "Label it")
            button.setToolTip(f"{what} “{landmark}” ({key_name(f'Alt+{number}')})")
            button.clicked.connect(lambda _checked=False, chosen=landmark: self._choose(chosen))
            row.addWidget(button)
            button.show()  # now, not at the next event (Qt's way in a shown row): Alt+1 works at once
            self.near_buttons.append(button)
        row.addStretch(1)
        self.near_row.setVisible(bool(near))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        # Enter after "did you mean 'Colosseum'?" takes the suggestion, as keyword entry in
        # Lightroom completes to the keyword there: as OK it made the typo a landmark. In
        # Rename… a near place means a merge, which renaming cannot split: OK stays default.
        suggestion = self.near_buttons[0] if self.near_buttons and self.renamed is None else None
        ok.setDefault(suggestion is None)
        if suggestion is not None:
            suggestion.setDefault(True)
        ok.setText(RENAME_AS_TYPED if self.renamed is not None else MAKE_NEW)
        beside = f", beside {', '.join(f'“{n}”' for n in near)}" if near else ""
        ok.setToolTip(f"Rename “{self.renamed}” to “{name}”{beside}" if self.renamed is not None
                      else f"Add “{name}” as a new landmark{beside}")
        self.field.setFocus()

    def _choose(self, landmark: str) -> None:
        """A near landmark clicked: that is the label."""
        self.field.setText(landmark)
        super().accept()

    def _forget_question(self) -> None:
        """The name changed (or none asked yet): no question, OK is OK again."""
        if self.asked_about is not None and self.label() == self.asked_about:
            return
        self.asked_about = None
        self.question.hide()
        self.near_row.hide()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self._ok_text)
        ok.setToolTip("")
        ok.setDefault(True)

"""The "set label" prompt (L), the "Teach…" prompt (T) and the "Rename…" prompt for a
place: a line edit with completion over known labels. Given the known landmarks, it
asks before a typed name close to one of them ("Colloseum" beside "Colosseum") makes a
second place (app.core.label_names), as the CLI's `label` does."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCompleter, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from app.core.label_names import close_landmarks, did_you_mean
from app.gui.key_names import key_name

NO_LANDMARK = "(no landmark)"
MAKE_NEW = "Make new landmark"  # the OK button's text while the question shows


class LabelDialog(QDialog):
    """Asks for a label; completion matches anywhere in the name, case-insensitively.
    `known`: the landmarks a typed name is checked against (known_landmarks); a name
    close to some is not taken at once: the dialog names them, one click (or Alt+1…)
    away, and OK, now "Make new landmark", takes the name as typed."""

    def __init__(self, choices: list[str], current: str | None, count: int, parent=None, *,
                 teaching: bool = False, renaming: bool = False, known: Sequence[str] = ()) -> None:
        super().__init__(parent)
        # "Teach…" and "Rename…": a name is required, "no landmark" is not offered
        self.teaching = teaching or renaming
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
        elif teaching:
            prompt = QLabel(f"Which place shows in {what}? The app learns it and finds it in your other photos.")
            prompt.setWordWrap(True)
        else:
            prompt = QLabel(f"Label for {what}:")
        self.field = QLineEdit(current or "")
        self.field.selectAll()
        self.field.setPlaceholderText("Name the place, e.g. Our cabin" if self.teaching
                                      else "Start typing a landmark… (empty = no landmark)")
        self.completer = QCompleter(choices if self.teaching else [NO_LANDMARK, *choices], self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
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
        """OK: a name close to a known landmark asks first; asked, OK makes it as typed."""
        name = self.label()
        near = close_landmarks(name, self.known) if name and self.known and name != self.asked_about else []
        if not near:
            super().accept()
            return
        self._ask(name, near)

    def _ask(self, name: str, near: list[str]) -> None:
        """Show the question, each near landmark as a button, and OK as "Make new landmark"."""
        self.asked_about = name
        question = did_you_mean(name, near)
        self.question.setText(f"{question[0].upper()}{question[1:]} Or make “{name}” a new landmark.")
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
            button.setToolTip(f"Label it “{landmark}” ({key_name(f'Alt+{number}')})")
            button.clicked.connect(lambda _checked=False, chosen=landmark: self._choose(chosen))
            row.addWidget(button)
            button.show()  # now, not at the next event (Qt's way in a shown row): Alt+1 works at once
            self.near_buttons.append(button)
        row.addStretch(1)
        self.near_row.show()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(MAKE_NEW)
        ok.setToolTip(f"Add “{name}” as a new landmark, beside {', '.join(f'“{n}”' for n in near)}")
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

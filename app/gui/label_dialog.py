"""The "set label" prompt (L), the "Teach…" prompt (T) and the "Rename…" prompt for a
place: a line edit with completion over known labels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCompleter, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout,
)

NO_LANDMARK = "(no landmark)"


class LabelDialog(QDialog):
    """Asks for a label; completion matches anywhere in the name, case-insensitively."""

    def __init__(self, choices: list[str], current: str | None, count: int, parent=None, *,
                 teaching: bool = False, renaming: bool = False) -> None:
        super().__init__(parent)
        # "Teach…" and "Rename…": a name is required, "no landmark" is not offered
        self.teaching = teaching or renaming
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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(prompt)
        layout.addWidget(self.field)
        layout.addWidget(buttons)

    def label(self) -> str | None:
        """The chosen label; None means "no landmark"."""
        text = self.field.text().strip()
        return None if not text or text == NO_LANDMARK else text

"""Yes/No questions before a step the app cannot take back in one key (a merge of two
places, an Undo write that rewrites photo files, forgetting photos, a folder or a taught
place). QMessageBox.question with no default button makes Yes the default, so an Enter
pressed out of habit went ahead; here No is the default and Escape's answer too, as in
Lightroom's destructive prompts."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def go_ahead(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask `text`; True only for a click on Yes (or its key), never for Enter or Escape."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, text, yes | no, no) == yes

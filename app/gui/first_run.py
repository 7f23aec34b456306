"""The screen of an empty library: what the app does and one button to start."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.gui.icons import icon, icon_path


class FirstRunScreen(QWidget):
    """Emits `add_folder_requested` when the user clicks "Add folder…"."""

    add_folder_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(14)
        picture = QLabel()
        picture.setPixmap(QIcon(icon_path("empty-library")).pixmap(QSize(160, 120)))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = QLabel("Your library is empty")
        heading.setProperty("role", "heading")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Add a folder of photos. Landmark Tagger reads them without changing them,\n"
            "recognises the landmarks in them, and lets you search, review and write the labels."
        )
        text.setProperty("role", "muted")
        text.setWordWrap(True)  # (the window may be narrow)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.add_button = QPushButton(icon("folder-add"), "Add folder…")
        self.add_button.setProperty("primary", "true")
        self.add_button.setMinimumWidth(180)
        self.add_button.clicked.connect(self.add_folder_requested)
        layout.addWidget(picture)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addSpacing(8)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignCenter)

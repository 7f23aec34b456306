"""The folder a library folder not found may have become (app.core.relocate.twin_of_missing:
its name respelled by a sync tool), looked up off the GUI thread. The lookup lists the
folder's parent, which on a network drive that stopped answering can take minutes, and
the library panel must paint at once; the answer arrives later as `found(folder, twin)`.

Each lookup runs in a daemon thread (app/gui/folder_probes.py), so a listing that never
returns does not hold up closing the window; only one lookup of a folder runs at a time,
however often the panel is rebuilt."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Signal

from app.core.relocate import twin_of_missing
from app.gui.folder_probes import FolderProbes


class _Answers(QObject):
    """The lookups' way back to the GUI thread. It has no parent and each thread holds it,
    so a lookup that answers after the window closed emits into a live object."""

    found = Signal(object, object)  # folder, twin or None (objects: a name that is not UTF-8 stays as it is)


class FolderTwins(QObject):
    """Emits `found(folder, twin)` (twin None: no folder of that name spelled otherwise)
    on the GUI thread once `look(folder)` has its answer; `known(folder)` is the last one."""

    found = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._known: dict[str, str | None] = {}
        self._lookups = FolderProbes("folder-twin")
        self._answers = _Answers()
        self._answers.found.connect(self._on_found)

    def known(self, folder: str) -> str | None:
        """The twin the last lookup of `folder` found (None: none, or not looked up yet)."""
        return self._known.get(folder)

    def look(self, folder: str) -> None:
        """Look for `folder`'s twin in the background, unless a lookup of it still runs."""
        self._lookups.start(folder, partial(twin_of_missing, folder), partial(_answer, self._answers, folder))

    def _on_found(self, folder: str, twin: str | None) -> None:
        self._known[folder] = twin
        self.found.emit(folder, twin)



def _answer(answers: _Answers, folder: str, twin: str | None) -> None:  # the lookup's thread
    """The thread holds `answers`, no widget: it is alive to emit into after the window closed."""
    answers.found.emit(folder, twin)

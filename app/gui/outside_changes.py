"""Changes other programs make to the index while the app is open (`landmark-tagger
label` or `reject` in a terminal, a script, a second window): noticed through SQLite's
data_version on a short timer and whenever the window comes to the front, and shown
without moving the view, so what the app shows, and what A, R and L act on, is what
the index holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer

from app.core.index.outside_changes import data_version

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

LOOK_EVERY_MS = 2000  # one PRAGMA, no table read: cheap on the GUI thread


class OutsideChanges(QObject):
    """Owned by a MainWindow (its index, jobs, models and results)."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self._seen = self._version()
        self._timer = QTimer(self, interval=LOOK_EVERY_MS)
        self._timer.timeout.connect(self.look)
        self._timer.start()
        window.installEventFilter(self)
        # a job's own commits come from its worker's connection: its end shows them
        window.jobs.job_stopped.connect(lambda _name: self._take_as_seen())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.WindowActivate:
            self.look()  # back from the terminal: show its changes before the next key
        return False

    def look(self) -> bool:
        """Show the index as it is now when another connection committed since the last
        look; False when none did, or while a job of this window runs (its commits are
        shown as it goes, and everything again when it ends)."""
        if self.window.jobs.busy:
            return False
        version = self._version()
        if version is None or version == self._seen:
            return False
        self._seen = version
        self.show_changes()
        return True

    def show_changes(self) -> None:
        """Labels, the detail pane and the loupe read again in place (the view keeps its
        scroll and selection); then the search and the counts, in the worker."""
        self.window.results_display.library_changed(keep_view=True)  # the user did not ask: nothing scrolls

    def _take_as_seen(self) -> None:
        self._seen = self._version()

    def _version(self) -> int | None:
        return data_version(self.window.index)  # None: not readable now; the next look tries again

"""The small window shown while the app upgrades an older index at start-up: a copy
of a large index and its migrations take seconds to minutes before the main window
can exist, and a start-up that shows nothing gets started again or force-quit."""

from __future__ import annotations

from app.core.index.upgrade import UpgradeStep


def upgrade_text(step: UpgradeStep) -> str:
    copy = step.copy if step.copy is not None else step.copy_folder
    return ("Upgrading your index to this version (one time); a copy of the old one is kept in "
            f"{copy}\n\nLandmark Tagger opens when this is done.")


class UpgradeWindow:
    """The watcher PhotoIndex.open tells about an upgrade: shown at its first step, moved
    on at each migration. It runs on the GUI thread between two steps of the upgrade, so
    it lets the window paint there (processEvents) and offers no way to stop it: a kill
    at any moment leaves the index as it was, but a half-done upgrade is not offered."""

    def __init__(self) -> None:
        self.dialog = None

    def __call__(self, step: UpgradeStep) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication, QProgressDialog

        if self.dialog is None:
            self.dialog = QProgressDialog(upgrade_text(step), None, 0, max(1, step.new - step.old) + 1)
            self.dialog.setWindowTitle("Landmark Tagger")
            self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
            self.dialog.setAutoClose(False)
            self.dialog.setMinimumDuration(0)
            self.dialog.show()
        self.dialog.setLabelText(upgrade_text(step))
        # the copy counts as one step, each migration as one
        self.dialog.setValue(step.reached - step.old + (1 if step.copy is not None else 0))
        QApplication.processEvents()

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

"""Options for the app's file and folder pickers: the system's own dialog on macOS and
Windows (Finder's and Explorer's sidebars, iCloud, OneDrive, network places), Qt's on
Linux, where the desktop's dialog goes through a portal that is not always there."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QFileDialog


def picker_options(folders_only: bool = False) -> QFileDialog.Option:
    options = QFileDialog.Option(0)
    if sys.platform.startswith("linux"):
        options |= QFileDialog.Option.DontUseNativeDialog
    if folders_only:
        options |= QFileDialog.Option.ShowDirsOnly
    return options

"""Hand a photo to the rest of the desktop: open it in the default application (the
photographer's editor or viewer), or show it in the file manager.

Qt opens files and folders on every platform; selecting the file inside its folder
needs the file manager's own switch (Finder `open -R`, Explorer `/select,`), so other
systems get the folder opened.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


def open_in_default_app(path: str | Path) -> bool:
    """Open the file as a double click in the file manager would; False when it is gone
    or no application takes it."""
    target = Path(path)
    return target.exists() and QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))


def show_in_file_manager(path: str | Path) -> bool:
    """Show the file in its folder (selected where the file manager can do that); False
    when neither the file nor its folder is there any more."""
    target = Path(path)
    if not target.parent.is_dir():
        return False
    command = _reveal_command(target) if target.exists() else None
    if command is not None:
        try:
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return True
        except OSError:
            pass  # no such program here: open the folder instead
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(target.parent)))


def _reveal_command(target: Path) -> list[str] | str | None:
    if sys.platform == "darwin":
        return ["open", "-R", str(target)]
    if sys.platform == "win32":
        # A command line of its own: Explorer reads `/select,"C:\My Photos\a.jpg"` and
        # not the `"/select,C:\My Photos\a.jpg"` that quoting a list argument would make
        # of a path with a space (it then opens Documents and selects nothing).
        return f'explorer /select,"{target}"'
    return None

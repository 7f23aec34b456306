"""Keys named as the user's keyboard names them: ⌘Z on a Mac, Ctrl+Z elsewhere.

Qt maps Ctrl in a shortcut to the Command key on macOS, but a text that spells out
"Ctrl+Z" (a tooltip, a message) would send a Mac user to the wrong key, and Ctrl-click
opens the context menu there."""

from __future__ import annotations

import sys

from PySide6.QtGui import QKeySequence


def key_name(portable: str) -> str:
    """A shortcut ("Ctrl+Z", Qt's portable form) as this platform writes it."""
    return QKeySequence(portable).toString(QKeySequence.SequenceFormat.NativeText)


def add_click() -> str:
    """The click that adds an item to a selection."""
    return "⌘-click" if sys.platform == "darwin" else "Ctrl+click"

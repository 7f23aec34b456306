"""Completion of a typed place name that matches whatever the accents. QCompleter folds
case but not accents, so "zurich", "eglise" or "olberg" offered nothing for "Zürich
Grossmünster", "Église Saint-Étienne" or "Ölberg", and someone on a keyboard without
accents could not pick the name in use: the name typed became a second spelling of the
place, another keyword in the files."""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter

from app.core.name_order import accent_free

ACCENT_FREE_ROLE = Qt.ItemDataRole.UserRole + 1  # what a name is matched by: name_order.accent_free


class NameCompleter(QCompleter):
    """Completes on `names` anywhere in them, accents and case aside (search finds them so
    too): each name is matched by its accent-free form (ACCENT_FREE_ROLE), the typed text
    is folded the same way (splitPath, NFC or NFD alike), and the name as shown goes into
    the field (pathFromIndex), accents and all."""

    def __init__(self, names: Iterable[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        model = QStandardItemModel(self)
        for name in names:
            item = QStandardItem(name)
            item.setData(accent_free(name), ACCENT_FREE_ROLE)
            item.setEditable(False)
            model.appendRow(item)
        self.setModel(model)
        self.setCompletionRole(ACCENT_FREE_ROLE)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 (Qt's name)
        """The typed text as the names are matched: accent-free and case-folded."""
        return [accent_free(path)]

    def pathFromIndex(self, index: QModelIndex) -> str:  # noqa: N802 (Qt's name)
        """The name chosen, as shown (the matched form has no accents)."""
        return index.data(Qt.ItemDataRole.DisplayRole) or ""

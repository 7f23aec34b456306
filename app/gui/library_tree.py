"""The left panel: "All photos" and the added folders as a tree with photo counts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from app.core.library import FolderNode
from app.gui.icons import icon

PathRole = Qt.ItemDataRole.UserRole + 10


class LibraryTree(QTreeWidget):
    """Emits `folder_selected(path)`; an empty path means the whole library."""

    folder_selected = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setIndentation(14)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QTreeWidget.SelectionMode.SingleSelection)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.itemSelectionChanged.connect(self._on_selection)
        self._all: QTreeWidgetItem | None = None

    def show_folders(self, total: int, roots: list[FolderNode]) -> None:
        """Rebuild the tree, keeping the selected folder selected."""
        selected = self.selected_folder()
        self.blockSignals(True)
        self.clear()
        self._all = self._item(None, "All photos", "", total, "library")
        for root in roots:
            root_item = self._item(None, root.name, root.path, root.count, "folder")
            root_item.setToolTip(0, root.path)
            self._add_children(root_item, root)
            root_item.setExpanded(True)
        self.setCurrentItem(self._find(selected) or self._all)
        self.blockSignals(False)
        if self.selected_folder() != selected:
            self.folder_selected.emit(self.selected_folder())  # the folder is gone

    def select_folder(self, path: str) -> None:
        """Select a folder by path ("" = all photos); emits folder_selected."""
        self.setCurrentItem(self._find(path) or self._all)

    def selected_folder(self) -> str:
        items = self.selectedItems()
        return items[0].data(0, PathRole) if items else ""

    def _add_children(self, parent: QTreeWidgetItem, node: FolderNode) -> None:
        for child in sorted(node.children, key=lambda c: c.name.casefold()):
            item = self._item(parent, child.name, child.path, child.count, "folder")
            item.setToolTip(0, child.path)
            self._add_children(item, child)

    def _item(self, parent, name: str, path: str, count: int, icon_name: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([name, f"{count:,}"])
        item.setIcon(0, icon(icon_name))
        item.setData(0, PathRole, path)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setForeground(1, self.palette().placeholderText())
        if parent is None:
            self.addTopLevelItem(item)
        else:
            parent.addChild(item)
        return item

    def _find(self, path: str) -> QTreeWidgetItem | None:
        if not path:
            return None
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item.data(0, PathRole) == path:
                return item
            stack.extend(item.child(i) for i in range(item.childCount()))
        return None

    def _on_selection(self) -> None:
        self.folder_selected.emit(self.selected_folder())

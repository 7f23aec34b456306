"""The left panel: "All photos", the added folders as a tree, and the landmarks on the
photos, each with its photo count. Choosing a folder or a landmark narrows the grid."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QMenu, QTreeWidget, QTreeWidgetItem

from app.core.index.search_text import label_key
from app.core.library import FolderNode
from app.gui.icons import icon

PathRole = Qt.ItemDataRole.UserRole + 10
LandmarkRole = Qt.ItemDataRole.UserRole + 11
LANDMARKS_TITLE = "Landmarks"


class LibraryTree(QTreeWidget):
    """Emits `folder_selected(path)` (an empty path means the whole library) or
    `landmark_selected(label)`; one of the two is chosen at a time."""

    folder_selected = Signal(str)
    landmark_selected = Signal(str)
    forget_requested = Signal(str)  # a library folder (a root) to take out of the library

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
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_menu)
        self._roots: set[str] = set()
        self._all: QTreeWidgetItem | None = None
        self._landmarks: QTreeWidgetItem | None = None
        self._landmarks_expanded = True

    def show_folders(self, total: int, roots: list[FolderNode], landmarks: list[tuple[str, int]] = ()) -> None:
        """Rebuild the tree, keeping the selected folder or landmark selected."""
        folder, landmark = self.selected_folder(), self.selected_landmark()
        if self._landmarks is not None:
            self._landmarks_expanded = self._landmarks.isExpanded()
        self.blockSignals(True)
        self.clear()
        self._all = self._item(None, "All photos", "", total, "library")
        self._roots = {root.path for root in roots}
        for root in roots:
            root_item = self._item(None, root.name, root.path, root.count, "folder")
            root_item.setToolTip(0, root.path)
            self._add_children(root_item, root)
            root_item.setExpanded(True)
        self._landmarks = None
        if landmarks:
            self._landmarks = QTreeWidgetItem([LANDMARKS_TITLE, ""])
            self._landmarks.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading, not a filter
            self.addTopLevelItem(self._landmarks)
            for label, count in landmarks:
                item = self._item(self._landmarks, label, "", count, "tag")
                item.setData(0, LandmarkRole, label)
                item.setToolTip(0, f"{label}: {count:,} photo{'s' if count != 1 else ''}")
            self._landmarks.setExpanded(self._landmarks_expanded)
        chosen = self._find_landmark(landmark) if landmark else self._find(folder)
        self.setCurrentItem(chosen or self._all)
        self.blockSignals(False)
        if self.selected_landmark() != landmark:
            self._on_selection()  # the landmark is gone from every photo
        elif not landmark and self.selected_folder() != folder:
            self.folder_selected.emit(self.selected_folder())  # the folder is gone

    def select_folder(self, path: str) -> None:
        """Select a folder by path ("" = all photos); emits folder_selected."""
        self.setCurrentItem(self._find(path) or self._all)

    def select_landmark(self, label: str) -> None:
        """Select a landmark by label; emits landmark_selected (all photos when it is not listed)."""
        self.setCurrentItem(self._find_landmark(label) or self._all)

    def has_landmark(self, label: str) -> bool:
        return self._find_landmark(label) is not None

    def selected_folder(self) -> str:
        items = self.selectedItems()
        return (items[0].data(0, PathRole) or "") if items else ""

    def selected_landmark(self) -> str:
        items = self.selectedItems()
        return (items[0].data(0, LandmarkRole) or "") if items else ""

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

    def _find_landmark(self, label: str) -> QTreeWidgetItem | None:
        """The entry `label:` would match (it lists one spelling per landmark)."""
        if not label or self._landmarks is None:
            return None
        key = label_key(label)
        children = (self._landmarks.child(i) for i in range(self._landmarks.childCount()))
        return next((item for item in children if label_key(item.data(0, LandmarkRole)) == key), None)

    def _show_menu(self, position) -> None:
        menu = self.menu_for(self.itemAt(position))
        if menu is not None:
            menu.exec(self.viewport().mapToGlobal(position))

    def menu_for(self, item: QTreeWidgetItem | None) -> QMenu | None:
        """Right-click on a library folder: take it out of the library (nothing for the rest)."""
        path = item.data(0, PathRole) if item is not None else ""
        if path not in self._roots:
            return None
        menu = QMenu(self)
        menu.addAction(icon("reject"), "Remove from library…", lambda: self.forget_requested.emit(path))
        return menu

    def _on_selection(self) -> None:
        landmark = self.selected_landmark()
        if landmark:
            self.landmark_selected.emit(landmark)
        else:
            self.folder_selected.emit(self.selected_folder())

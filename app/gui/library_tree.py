"""The left panel: "All photos", the missing photos, the saved searches, the added
folders as a tree, the landmarks on the photos and the dates they were taken, each
with its photo count. Choosing an entry narrows the grid; Ctrl/Cmd-click chooses
several: any of the folders, any of the landmarks, any of the dates, and all kinds
together (a folder's photos of the Colosseum or the Pantheon taken in 2019)."""

from __future__ import annotations

import calendar
from typing import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QMenu, QTreeWidget, QTreeWidgetItem

from app.core.folder_paths import is_within
from app.core.index.query_parser import NO_LANDMARK_TERM
from app.core.index.search_text import label_key
from app.core.library import FolderNode, YearNode, any_of, combine_queries, date_query, label_query, landmark_query
from app.core.name_order import name_order
from app.core.relocate import moved_path, twin_reason
from app.core.wording import counted
from app.gui.folder_twins import FolderTwins
from app.gui.icons import icon

PathRole = Qt.ItemDataRole.UserRole + 10
LandmarkRole = Qt.ItemDataRole.UserRole + 11
SavedRole = Qt.ItemDataRole.UserRole + 13  # a saved search's name
QueryRole = Qt.ItemDataRole.UserRole + 12  # the search a landmark or date entry stands for
NoLandmarkRole = Qt.ItemDataRole.UserRole + 14  # True on the Landmarks list's "No landmark" entry
MISSING_QUERY = "is:missing"  # the photos whose files are gone (deleted, moved out of the library)
LANDMARKS_TITLE = "Landmarks"
NO_LANDMARK_TITLE = "No landmark"
# the photos tagged "no landmark", not rejected: as a landmark's entry counts its photos
NO_LANDMARK_QUERY = combine_queries(NO_LANDMARK_TERM, "-state:rejected")
DATES_TITLE = "Dates"
SAVED_TITLE = "Saved searches"


def _not_found(folder: str, twin: str | None) -> str:
    """Why a greyed library folder is greyed, naming the folder it may have become when a
    sync tool respelled its name (`twin`, found by FolderTwins: the two look alike on screen)."""
    if twin is None:
        return ("Not found: moved, renamed, or on a drive that is not connected. Its photos keep their labels; "
                "right-click to locate it.")
    return (f"Not found: {twin_reason(folder, twin)}. Its photos keep their labels; if it is this one, "
            "right-click and Locate folder… to follow it there.")


class LibraryTree(QTreeWidget):
    """Emits `folder_selected(path)` (an empty path means the whole library) when folders
    alone are chosen, else `query_selected(query)` for the other entries chosen;
    `selected_folders()` and `selected_query()` say what is chosen."""

    folder_selected = Signal(str)
    query_selected = Signal(str)
    forget_requested = Signal(str)  # a library folder (a root) to take out of the library
    whole_folder_requested = Signal(str)  # a library folder held alone: read the folders in it too
    locate_requested = Signal(str)  # a library folder not found: where is it now?
    rename_requested = Signal(str)  # a landmark of the user's to give another name
    forget_missing_requested = Signal()  # the photos whose files are gone: out of the index
    delete_saved_requested = Signal(str)  # a saved search (by name) to drop

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setAccessibleName("Library")  # its heading is the dock's title, which a screen reader does not tie to it
        self.setIndentation(14)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.itemSelectionChanged.connect(self._on_selection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_menu)
        self._roots: set[str] = set()
        # why a landmark keeps its name ("" when it can be renamed); the window knows the model
        self.why_name_is_fixed: Callable[[str], str] = lambda landmark: ""
        self._alone: set[str] = set()  # library folders that hold their own photos only
        self._absent: set[str] = set()  # library folders not found on disk
        self._all: QTreeWidgetItem | None = None
        self._landmarks: QTreeWidgetItem | None = None
        self._landmark_counts: dict[str, int] = {}  # as last listed: to follow a rename made elsewhere
        self._expanded = {LANDMARKS_TITLE: True, DATES_TITLE: True, SAVED_TITLE: True}  # as the user left them
        # a greyed folder's respelled twin, looked up off the GUI thread: its drive may not answer
        self.folder_twins = FolderTwins(self)
        self.folder_twins.found.connect(self._twin_found)

    def show_folders(self, total: int, roots: list[FolderNode], landmarks: list[tuple[str, int]] = (),
                     dates: list[YearNode] = (), missing: int = 0,
                     saved: Sequence[tuple[str, str]] = (), no_landmark: int = 0) -> None:
        """Rebuild the tree, keeping the chosen entries chosen (All photos when they are gone;
        a chosen landmark renamed by another program follows its new name, see _renamed).
        `no_landmark`: the photos tagged "no landmark" (NO_LANDMARK_QUERY), last in Landmarks."""
        chosen_before = self._renamed([self._identity(item) for item in self.selectedItems()], dict(landmarks))
        self._landmark_counts = dict(landmarks)
        narrowed_before = (self.selected_folders(), self.selected_query())
        for i in range(self.topLevelItemCount()):
            heading = self.topLevelItem(i)
            if heading.text(0) in self._expanded and heading.childCount():
                self._expanded[heading.text(0)] = heading.isExpanded()
        self.blockSignals(True)
        self.clear()
        self._all = self._item(None, "All photos", "", total, "library")
        if missing:
            item = self._item(None, "Missing photos", "", missing, "errors")
            item.setData(0, QueryRole, MISSING_QUERY)
            item.setToolTip(0, "Photos whose files are gone since they were read (deleted, or moved out of the "
                               "library); they keep their labels. Right-click to forget them.")
        heading = self._heading(SAVED_TITLE) if saved else None
        for name, query in saved:
            item = self._item(heading, name, "", None, "bookmark")
            item.setData(0, SavedRole, name)
            item.setData(0, QueryRole, query)
            item.setToolTip(0, f"{name}: {query}\nRight-click to delete it.")
        self._roots = {root.path for root in roots}
        self._alone = {root.path for root in roots if root.alone}
        self._absent = {root.path for root in roots if not root.present}
        for root in roots:
            root_item = self._item(None, root.name, root.path, root.count, "folder")
            root_item.setToolTip(0, root.path + ("\nThis folder only, not the folders in it (right-click to "
                                                 "include them)." if root.alone else ""))
            if not root.present:
                root_item.setForeground(0, self.palette().placeholderText())
                root_item.setToolTip(0, f"{root.path}\n{_not_found(root.path, self.folder_twins.known(root.path))}")
                self.folder_twins.look(root.path)  # the tooltip names the twin when the answer comes
            self._add_children(root_item, root, absent_root=None if root.present else root.path)
            root_item.setExpanded(True)
        self._landmarks = self._heading(LANDMARKS_TITLE) if landmarks or no_landmark else None
        for label, count in landmarks:
            item = self._item(self._landmarks, label, "", count, "tag")
            item.setData(0, LandmarkRole, label)
            item.setData(0, QueryRole, landmark_query(label))
            item.setToolTip(0, f"{label}: {counted(count, 'photo')}")
        if no_landmark:
            self._no_landmark_item(no_landmark)
        heading = self._heading(DATES_TITLE) if dates else None
        for node in dates:
            year = self._item(heading, node.year or "No date", "", node.count, "calendar")
            year.setData(0, QueryRole, date_query(node.year))
            for month, count in node.months:
                entry = self._item(year, calendar.month_name[month], "", count, "calendar")
                entry.setData(0, QueryRole, date_query(node.year, month))
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            item.setExpanded(self._expanded.get(item.text(0), item.isExpanded()))
        found = [item for item in map(self._by_identity, chosen_before) if item is not None]
        self.setCurrentItem(found[0] if found else self._all)
        for item in found:
            item.setSelected(True)
            if item.parent() is not None:
                item.parent().setExpanded(True)
        self.blockSignals(False)
        if (self.selected_folders(), self.selected_query()) != narrowed_before:
            self._on_selection()  # a folder, landmark or date chosen is gone

    def _no_landmark_item(self, count: int) -> None:
        """The photos tagged "no landmark": muted and in italics, no place of its own."""
        item = self._item(self._landmarks, NO_LANDMARK_TITLE, "", count, "tag")
        item.setData(0, NoLandmarkRole, True)
        item.setData(0, QueryRole, NO_LANDMARK_QUERY)
        font = item.font(0)
        font.setItalic(True)
        item.setFont(0, font)
        item.setForeground(0, self.palette().placeholderText())
        item.setToolTip(0, f"Photos tagged with no landmark, by the model or by you: {counted(count, 'photo')} "
                           f"({NO_LANDMARK_QUERY})")

    def select_folder(self, path: str) -> None:
        """Select a folder by path ("" = all photos); emits folder_selected."""
        self.setCurrentItem(self._find(path) or self._all)

    def select_landmark(self, label: str) -> None:
        """Select a landmark by label; emits query_selected (All photos when it is not listed)."""
        self.setCurrentItem(self._find_landmark(label) or self._all)

    def select_query(self, query: str) -> None:
        """Select the entry that stands for `query` (a landmark's or a date's)."""
        self.setCurrentItem(self._find_query(query) or self._all)

    def rename_landmark(self, old: str, new: str) -> None:
        """The landmark `old` is called `new` now (merged into it when listed): its entry
        follows at once, chosen if it was, before the counts are read again."""
        item = self._find_landmark(old)
        if item is None:
            return
        chosen = item.isSelected()
        merged_into = self._find_landmark(new)
        if merged_into is not None and merged_into is not item:
            item.parent().removeChild(item)
            item = merged_into
        item.setText(0, new)
        item.setData(0, LandmarkRole, new)
        item.setData(0, QueryRole, landmark_query(new))
        if chosen:
            item.setSelected(True)
            self._on_selection()

    def follow_folder(self, old: str, new: str) -> None:
        """The library folder `old` is at `new` now (Locate folder…): its entry and those
        below it name the new place, so the next rebuild keeps the chosen ones chosen.
        Emits nothing: what they show is the same photos."""
        for item in self._items():
            path = item.data(0, PathRole)
            if path and is_within(path, old):
                item.setData(0, PathRole, moved_path(path, old, new))
                item.setForeground(0, self.palette().text())
        self._roots = {moved_path(path, old, new) if is_within(path, old) else path for path in self._roots}
        self._alone = {moved_path(path, old, new) if is_within(path, old) else path for path in self._alone}
        self._absent.discard(old)

    def _twin_found(self, folder: str, twin: str | None) -> None:
        """A lookup's answer: the greyed folder's tooltip names its twin (or no longer does)."""
        item = self._find(folder) if folder in self._absent else None
        if item is not None:
            item.setToolTip(0, f"{folder}\n{_not_found(folder, twin)}")

    def absent_folder_of(self, path: str) -> str | None:
        """The library folder not found (greyed) that holds `path` or is it; None when
        the folder's library folder was there at the last count."""
        return next((root for root in self._absent if is_within(path, root)), None)

    def has_landmark(self, label: str) -> bool:
        return self._find_landmark(label) is not None

    def selected_folder(self) -> str:
        """The folder chosen ("" for none or All photos; the first of several)."""
        return next(iter(self.selected_folders()), "")

    def selected_folders(self) -> list[str]:
        return self._chosen(PathRole)

    def selected_landmark(self) -> str:
        return next(iter(self._chosen(LandmarkRole)), "")

    def selected_query(self) -> str:
        """The entries chosen as one search: any of the landmarks, and any of the dates,
        and missing when Missing photos is chosen, and each saved search chosen ("" for
        none). Folders are `selected_folders()`."""
        queries = [item.data(0, QueryRole) for item in self._in_order() if item.data(0, QueryRole)
                   and not item.data(0, LandmarkRole) and not item.data(0, SavedRole)
                   and not item.data(0, NoLandmarkRole)]
        dates = [query for query in queries if query != MISSING_QUERY]
        missing = MISSING_QUERY if MISSING_QUERY in queries else ""
        saved = [item.data(0, QueryRole) for item in self._in_order() if item.data(0, SavedRole)]
        return combine_queries(self._landmarks_chosen_query(), any_of(dates), missing, *saved)

    def _landmarks_chosen_query(self) -> str:
        """Any of the landmarks chosen, and the "no landmark" photos when that is chosen
        too; rejected labels left out ("" for none). NO_LANDMARK_TERM comes last: OR joins
        only the terms beside it, so its -has:label is the one in the OR, and its
        -state:unlabelled holds for all (a landmark's photos are never unlabelled)."""
        terms = [label_query(label) for label in self._chosen(LandmarkRole)]
        if self._chosen(NoLandmarkRole):
            terms.append(NO_LANDMARK_TERM)
        return combine_queries(any_of(terms), "-state:rejected") if terms else ""

    def _chosen(self, role) -> list[str]:
        return [item.data(0, role) for item in self._in_order() if item.data(0, role)]

    def _in_order(self) -> list[QTreeWidgetItem]:
        """The chosen entries from the top of the tree down (not in the order clicked)."""
        return [item for item in self._items() if item.isSelected()]

    @staticmethod
    def _identity(item: QTreeWidgetItem) -> tuple[str, str]:
        """What an entry stands for, to find it again after a rebuild."""
        if item.data(0, LandmarkRole):
            return "landmark", item.data(0, LandmarkRole)
        if item.data(0, SavedRole):
            return "saved", item.data(0, SavedRole)
        if item.data(0, QueryRole):
            return "query", item.data(0, QueryRole)
        return "folder", item.data(0, PathRole) or ""

    def _renamed(self, chosen: list[tuple[str, str]], landmarks: dict[str, int]) -> list[tuple[str, str]]:
        """A chosen landmark no longer listed, when one name new to the list has as many
        photos as it had (`landmark-tagger rename` in a terminal: the index keeps no record
        of renames), is that name now, as after the app's own Rename…."""
        new_names = [label for label in landmarks if label not in self._landmark_counts]
        if len(new_names) != 1:
            return chosen
        new = new_names[0]
        return [("landmark", new) if kind == "landmark" and value not in landmarks
                and self._landmark_counts.get(value) == landmarks[new] else (kind, value) for kind, value in chosen]

    def _by_identity(self, identity: tuple[str, str]) -> QTreeWidgetItem | None:
        kind, value = identity
        if kind == "landmark":
            return self._find_landmark(value)
        if kind == "query":
            return self._find_query(value)
        if kind == "saved":
            return next((item for item in self._items() if item.data(0, SavedRole) == value), None)
        return self._find(value) if value else None

    def _heading(self, title: str) -> QTreeWidgetItem:
        heading = QTreeWidgetItem([title, ""])
        heading.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading, not a filter
        self.addTopLevelItem(heading)
        return heading

    def _add_children(self, parent: QTreeWidgetItem, node: FolderNode, absent_root: str | None) -> None:
        """The folders below `node`; greyed out, as their library folder, when it is not found."""
        for child in sorted(node.children, key=lambda c: name_order(c.name)):
            item = self._item(parent, child.name, child.path, child.count, "folder")
            item.setToolTip(0, child.path)
            if absent_root is not None:
                item.setForeground(0, self.palette().placeholderText())
                item.setToolTip(0, f"{child.path}\nNot found: its library folder {absent_root} is not there. "
                                   "Its photos keep their labels.")
            self._add_children(item, child, absent_root)

    def _item(self, parent, name: str, path: str, count: int | None, icon_name: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([name, "" if count is None else f"{count:,}"])
        item.setIcon(0, icon(icon_name))
        item.setData(0, PathRole, path)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setForeground(1, self.palette().placeholderText())
        if parent is None:
            self.addTopLevelItem(item)
        else:
            parent.addChild(item)
        return item

    def _items(self):
        """Every entry in the order the tree shows them."""
        def walk(item):
            yield item
            for i in range(item.childCount()):
                yield from walk(item.child(i))

        for i in range(self.topLevelItemCount()):
            yield from walk(self.topLevelItem(i))

    def _find(self, path: str) -> QTreeWidgetItem | None:
        return next((item for item in self._items() if item.data(0, PathRole) == path), None) if path else None

    def _find_query(self, query: str) -> QTreeWidgetItem | None:
        return next((item for item in self._items() if item.data(0, QueryRole) == query), None) if query else None

    def _find_landmark(self, label: str) -> QTreeWidgetItem | None:
        """The entry `label:` would match (it lists one spelling per landmark)."""
        if not label or self._landmarks is None:
            return None
        key = label_key(label)
        children = (self._landmarks.child(i) for i in range(self._landmarks.childCount()))
        return next((item for item in children
                     if item.data(0, LandmarkRole) and label_key(item.data(0, LandmarkRole)) == key), None)

    def mousePressEvent(self, event) -> None:
        """A click on a heading (Landmarks, Dates …) opens or closes it, and a click
        below the entries does nothing: both leave what is chosen alone (Qt would clear
        the choice: nothing highlighted, every photo shown)."""
        item = self.itemAt(event.position().toPoint())
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsSelectable:
            if item is not None:
                item.setExpanded(not item.isExpanded())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        item = self.itemAt(event.position().toPoint())
        if item is not None and not item.flags() & Qt.ItemFlag.ItemIsSelectable:
            event.accept()  # the press already opened or closed it
            return
        super().mouseDoubleClickEvent(event)

    def _show_menu(self, position) -> None:
        menu = self.menu_for(self.itemAt(position))
        if menu is not None:
            menu.exec(self.viewport().mapToGlobal(position))

    def menu_for(self, item: QTreeWidgetItem | None) -> QMenu | None:
        """Right-click on a library folder: take it out of the library, or include the
        folders in one that holds its own photos only; on a landmark: rename it (nothing
        for the rest)."""
        landmark = item.data(0, LandmarkRole) if item is not None else ""
        if item is not None and item.data(0, SavedRole):
            menu = QMenu(self)
            name = item.data(0, SavedRole)
            menu.addAction(icon("reject"), "Delete saved search", lambda: self.delete_saved_requested.emit(name))
            return menu
        if item is not None and item.data(0, QueryRole) == MISSING_QUERY:
            menu = QMenu(self)
            menu.addAction(icon("reject"), "Forget missing photos…", self.forget_missing_requested.emit)
            return menu
        if landmark:
            return self._landmark_menu(landmark)
        path = item.data(0, PathRole) if item is not None else ""
        if path not in self._roots:
            return None
        menu = QMenu(self)
        if path in self._absent:
            menu.addAction(icon("folder"), "Locate folder…", lambda: self.locate_requested.emit(path))
        if path in self._alone:
            menu.addAction(icon("folder-add"), "Include the folders in it",
                           lambda: self.whole_folder_requested.emit(path))
        menu.addAction(icon("reject"), "Remove from library…", lambda: self.forget_requested.emit(path))
        return menu

    def _landmark_menu(self, landmark: str) -> QMenu:
        """Rename…, greyed out with the reason as its tooltip for a model's own landmark
        (it used to be offered, then refused)."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        rename = menu.addAction(icon("label"), "Rename…", lambda: self.rename_requested.emit(landmark))
        fixed = self.why_name_is_fixed(landmark)
        rename.setEnabled(not fixed)
        rename.setToolTip(fixed or f"Give “{landmark}” another name on all its photos")
        return menu

    def _on_selection(self) -> None:
        query = self.selected_query()
        if query:
            self.query_selected.emit(query)
        else:
            self.folder_selected.emit(self.selected_folder())

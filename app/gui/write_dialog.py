""""Write labels to files…": the dry-run list first, then the write on demand."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
    QTableWidgetItem, QVBoxLayout,
)

from app.core.index.records import one_line_text, printable_path
from app.core.keywords_changed_elsewhere import holds_landmark
from app.core.library import display_name
from app.core.metadata.hard_links import hard_links_words
from app.core.metadata.lightroom_sidecars import ext_and_stem_names
from app.core.metadata.plan_stripped_hold import is_stripped_hold
from app.core.wording import counted
from app.gui import theme
from app.gui.app_words import in_app_words
from app.gui.held_words import held_problem_text
from app.gui.screen_fit import resize_within_screen

MAX_SHOWN = 5000
# The widest a column other than Status starts (the user can drag it wider): a whole
# path in the first column pushed Label and Status out of the dialog. Written into is as
# wide as "Into a sidecar (.xmp)" (cut at 120 px it hid the word that mattered): the
# file's name gives up the room, whole in its tooltip, so Status keeps its 250 px.
COLUMN_CAPS = {"target": 205, "kind": 160, "label": 180, "previous_label": 150}
OTHER_COLUMN_CAP = 120
# Status's room where the dialog is narrow (an 800 px screen): the file's name gives it
# up, down to TARGET_FLOOR, as the theme's 10 pt font left Status 221 px at 736 px
STATUS_ROOM = 250
TARGET_FLOOR = 90


# The PlannedWrite fields worth a column, in order, with their headers.
PREFERRED_COLUMNS = {"target": "File written", "kind": "Written into", "label": "Label",
                     "previous_label": "Replaces", "problem": "Status"}
# the plan's kind in a photographer's words ("jpeg", "sidecar" were the core's), short
# enough for the column; the tooltip names the photo's type (kind_tooltip)
KIND_WORDS = {"jpeg": "Into the photo", "sidecar": "Into a sidecar (.xmp)"}
# a file type by its usual name where its suffix is not it
TYPE_NAMES = {"JPG": "JPEG", "JPE": "JPEG", "TIF": "TIFF"}
ALREADY_WRITTEN = "Already written"
NOTHING_FOR_NO_LANDMARK = "Nothing to write (no landmark)"


def plan_columns(plan: list) -> list[str]:
    """Columns for a list of PlannedWrite dataclasses: the preferred fields it has,
    else its simple fields, paths first."""
    if not plan or not dataclasses.is_dataclass(plan[0]):
        return ["item"]
    names = [f.name for f in dataclasses.fields(plan[0])]
    preferred = [name for name in PREFERRED_COLUMNS if name in names]
    if len(preferred) >= 3:
        return preferred
    names = [f.name for f in dataclasses.fields(plan[0])]
    simple = [n for n in names if isinstance(getattr(plan[0], n), (str, int, float, bool, type(None)))
              or hasattr(getattr(plan[0], n), "__fspath__")]
    simple.sort(key=lambda n: (0 if "path" in n else 1))
    return simple or ["item"]


def cell_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def plan_summary(plan: list, writable: int, include_suggested: bool) -> str:
    """What the write would do; with nothing to write, why and what to do instead (a
    library fresh from tagging holds suggestions only, and "0 files would be written"
    with a note on atomic writes left the photographer guessing)."""
    if not plan:
        if include_suggested:
            return "No photo here has a label to write: tag its folder first (Tag folder), or widen the search."
        return ("No photo here has an accepted label to write yet. Accept labels in Review (A) first, "
                "or include the suggested labels below.")
    blocked = sum(1 for item in plan if getattr(item, "problem", None))
    # "no landmark" with no keyword of ours to take out: its row says there is nothing to write
    no_landmark = sum(1 for item in plan if _row_order(item) == 2 and getattr(item, "label", "") is None)
    unchanged = len(plan) - writable - blocked - no_landmark
    text = (f"{counted(writable, 'file')} would be written"
            + (f", {unchanged:,} already {'carry' if unchanged != 1 else 'carries'} the label" if unchanged else "")
            + (f", {no_landmark:,} {'have' if no_landmark != 1 else 'has'} no landmark (nothing to write)"
               if no_landmark else "")
            + (f", {blocked:,} cannot be (see Status)" if blocked else "") + ".")
    if writable:
        text += (" Nothing has been changed yet; each file is replaced safely (the original stays until the new "
                 "one is complete), checked after writing, and the whole batch can be undone. RAW files are "
                 "never modified.")
    return text


def lightroom_text(lightroom_misses: list) -> str:
    """The note above the list when the write would create RAW sidecars Lightroom does not
    read (lightroom_sidecars), pointing to the Settings choice before anything is written."""
    if not lightroom_misses:
        return ""
    ext_name, stem_name = map(one_line_text, ext_and_stem_names(lightroom_misses[0]))  # a non-UTF-8 name: U+FFFD
    return (f"RAW labels will go into new sidecars named {ext_name}, which darktable and digiKam read. "
            f"Lightroom reads {stem_name} only: if you use Lightroom, Cancel, choose DSC_0001.xmp "
            "under New sidecar names in Settings, then write.")


def hard_links_text(linked: list) -> str:
    """The note above the list when files the write changes have other names (hard links,
    app.core.metadata.hard_links): the dry run's words of the CLI, the first file by name."""
    if not linked:
        return ""
    return in_app_words(hard_links_words([display_name(str(path)) for path in linked], dry_run=True))


def problem_text(item, unchanged: bool, index_named: str | None = None) -> str:
    """The Status cell: "—" for a file to write, "Already written" for one that carries
    the label already (it was listed as a problem), else why a file cannot be written, in
    the app's words (the core's
    reason names command-line steps: "run 'scan' again, then 'write'"), or what the
    write will leave out of a file it writes (XPKeywords in a full EXIF block). A
    command kept for a terminal carries `--db index_named` (app_words)."""
    note = getattr(item, "note", None)
    if is_stripped_hold(item):  # the core's note names a terminal's `accept --release-held`
        return held_problem_text(getattr(item, "label", None))
    if unchanged:
        text = NOTHING_FOR_NO_LANDMARK if getattr(item, "label", "") is None else ALREADY_WRITTEN
        return text + (f" (note: {in_app_words(note, index_named)})" if note else "")
    problem = getattr(item, "problem", None)
    return in_app_words(cell_text(problem if problem or not note else f"note: {note}"), index_named)


def replaced_text(item) -> str:
    """The Replaces cell: the landmark keyword the file holds now that the write takes out,
    "—" for none. The plan's previous_label is what our last write put there: a file whose
    XMP was stripped since, or a backup put back, carries nothing, and the cell named the
    landmark all the same. A file not read (missing, changed since indexed) shows "—" too."""
    previous = getattr(item, "previous_label", None)
    before = getattr(item, "before", None)
    return previous if previous and before is not None and holds_landmark(before, previous) else "—"


def kind_tooltip(item, jpegs_left_unchanged: bool) -> str:
    """The whole of the Written into cell: which photo the sidecar goes beside, and why a
    JPEG gets one. The cell said "beside the RAW" for every sidecar, a PNG scan's and a
    JPEG's (Settings: JPEGs left unchanged) too."""
    kind = getattr(item, "kind", None)
    source = getattr(item, "source", None)
    if kind == "jpeg":
        return "Into the photo file itself (its XMP keywords)"
    if kind != "sidecar":
        return cell_text(kind)
    suffix = source.suffix.lstrip(".").upper() if source is not None else ""
    photo_type = TYPE_NAMES.get(suffix, suffix)
    text = f"Into a sidecar file (.xmp) beside the {photo_type} file" if photo_type else (
        "Into a sidecar file (.xmp) beside the photo")
    if photo_type == "JPEG" and jpegs_left_unchanged:
        text += ", because Settings leave JPEGs unchanged"
    return text


def _row_order(item) -> int:
    """0 a file that would be written, 1 one that cannot be, 2 one already right."""
    if getattr(item, "problem", None):
        return 1
    return 0 if getattr(item, "changes_anything", True) else 2


def fit_columns(table: QTableWidget, columns: list[str]) -> None:
    """Columns as wide as their contents up to a cap, the last one (Status) taking the
    rest, so every column shows in the dialog; cut texts are whole in their tooltips."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.resizeColumnsToContents()
    for column, name in enumerate(columns[:-1]):
        table.setColumnWidth(column, min(table.columnWidth(column), COLUMN_CAPS.get(name, OTHER_COLUMN_CAP)))


def keep_room_for_status(table: QTableWidget, columns: list[str]) -> None:
    """Narrow the File written column, whole in its tooltips, until the last column
    (Status) has STATUS_ROOM of the table's width, or the name is down to TARGET_FLOOR."""
    if "target" not in columns or columns[-1] != "problem":
        return
    column = columns.index("target")
    others = sum(table.columnWidth(c) for c in range(len(columns) - 1))
    short = STATUS_ROOM - (table.viewport().width() - others)
    if short > 0:
        table.setColumnWidth(column, max(TARGET_FLOOR, table.columnWidth(column) - short))


def fit_problem_rows(table: QTableWidget, columns: list[str]) -> None:
    """Rows with a problem as tall as their wrapped text, again when the column is dragged:
    a held file's "what to do" came after the first ~45 characters, seen only on hover."""
    if "problem" not in columns:
        return
    column = columns.index("problem")
    table.setWordWrap(True)
    rows = [row for row in range(table.rowCount())
            if (cell := table.item(row, column)) is not None and cell.text() != "—"]

    def fit(*_) -> None:
        least = table.verticalHeader().defaultSectionSize()
        for row in rows:
            table.setRowHeight(row, max(least, table.sizeHintForRow(row)))

    if column == len(columns) - 1:  # the rest of the width (stretched), not the whole text on one line
        table.setColumnWidth(column, OTHER_COLUMN_CAP)
    fit()
    table.horizontalHeader().sectionResized.connect(
        lambda index, _old, _new: fit() if index == column else None)


class WritePlanDialog(QDialog):
    """Shows what would be written; Write starts the job, Cancel writes nothing."""

    def __init__(self, plan: list, include_suggested: bool, parent=None, jpegs_left_unchanged: bool = False,
                 lightroom_misses: list = (), hard_linked: list = ()) -> None:
        """`jpegs_left_unchanged`: the write's options keep labels out of JPEGs (Settings),
        said in the tooltip of a JPEG's sidecar row. `lightroom_misses`: the new RAW
        sidecars of the plan Lightroom would not read (lightroom_sidecars), said in a note;
        `hard_linked`: the files it changes that have other names (hard_links), in another."""
        super().__init__(parent)
        self.setWindowTitle("Write labels to files")
        resize_within_screen(self, QSize(900, 560))
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        writable = sum(1 for item in plan if getattr(item, "changes_anything", not getattr(item, "problem", None)))
        self.summary = QLabel(plan_summary(plan, writable, include_suggested))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.lightroom_note = QLabel(lightroom_text(list(lightroom_misses)))
        self.lightroom_note.setWordWrap(True)
        self.lightroom_note.setVisible(bool(lightroom_misses))
        layout.addWidget(self.lightroom_note)
        self.hard_links_note = QLabel(hard_links_text(list(hard_linked)))
        self.hard_links_note.setWordWrap(True)
        self.hard_links_note.setVisible(bool(hard_linked))
        layout.addWidget(self.hard_links_note)
        self.include_suggested = QCheckBox("Include suggested (not yet accepted) labels")
        self.include_suggested.setChecked(include_suggested)
        layout.addWidget(self.include_suggested)
        columns = plan_columns(plan)
        # the files that would change first; those already right, muted, after them
        plan = sorted(plan, key=lambda item: _row_order(item))
        table = QTableWidget(min(len(plan), MAX_SHOWN), len(columns))
        table.setHorizontalHeaderLabels([PREFERRED_COLUMNS.get(c, c.replace("_", " ")) for c in columns])
        table.verticalHeader().hide()
        table.setAccessibleName("Files to write")
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Tab goes on to Write and Cancel: the table's own Tab went cell to cell for ever
        table.setTabKeyNavigation(False)
        for row, item in enumerate(plan[:MAX_SHOWN]):
            unchanged = _row_order(item) == 2
            for column, name in enumerate(columns):
                value = item if name == "item" else getattr(item, name)
                text = cell_text(value)
                if name == "label" and value is None:
                    text = "no landmark"
                elif name == "previous_label":  # an already written file replaces nothing
                    text = "—" if unchanged else replaced_text(item)
                elif name == "kind":
                    text = KIND_WORDS.get(text, text)
                elif name == "problem":
                    text = problem_text(item, unchanged, getattr(parent, "index_named", None))
                cell = QTableWidgetItem(text)
                cell.setToolTip(kind_tooltip(item, jpegs_left_unchanged) if name == "kind" else text)
                if name == "target":  # the name; the whole path on hover
                    cell.setText(display_name(text))
                    cell.setToolTip(printable_path(text))
                if unchanged:
                    cell.setForeground(QColor(theme.MUTED))
                table.setItem(row, column, cell)
        fit_columns(table, columns)
        fit_problem_rows(table, columns)
        self.table = table
        layout.addWidget(table, 1)
        if len(plan) > MAX_SHOWN:
            more = QLabel(f"… and {len(plan) - MAX_SHOWN:,} more")
            more.setProperty("role", "muted")
            layout.addWidget(more)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.write_button = buttons.addButton(f"Write {counted(writable, 'file')}",
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        self.write_button.setProperty("primary", "true")
        self.write_button.setEnabled(writable > 0)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.plan = plan
        # Write writes what its button counts: the rows shown as blocked or already right
        # are not tried again (they came back as as many new failures and Problems rows)
        self.to_write = [item for item in plan if _row_order(item) == 0]
        self.blocked = sum(1 for item in plan if _row_order(item) == 1)
        self._columns = columns

    def showEvent(self, event) -> None:
        """The table's width is known once the dialog is laid out to show."""
        super().showEvent(event)
        self.layout().activate()
        keep_room_for_status(self.table, self._columns)

""""Write labels to files…": the dry-run list first, then the write on demand."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
    QTableWidgetItem, QVBoxLayout,
)

MAX_SHOWN = 5000


def plan_columns(plan: list) -> list[str]:
    """Columns for a list of PlannedWrite dataclasses: their simple fields, path first."""
    if not plan or not dataclasses.is_dataclass(plan[0]):
        return ["item"]
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


class WritePlanDialog(QDialog):
    """Shows what would be written; Write starts the job, Cancel writes nothing."""

    def __init__(self, plan: list, include_suggested: bool, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Write labels to files")
        self.resize(900, 560)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        summary = QLabel(
            f"{len(plan):,} file{'s' if len(plan) != 1 else ''} would be written. Nothing has been changed yet; "
            "originals are replaced atomically and every write can be undone."
        )
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.include_suggested = QCheckBox("Include suggested (not yet accepted) labels")
        self.include_suggested.setChecked(include_suggested)
        layout.addWidget(self.include_suggested)
        columns = plan_columns(plan)
        table = QTableWidget(min(len(plan), MAX_SHOWN), len(columns))
        table.setHorizontalHeaderLabels([c.replace("_", " ") for c in columns])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, item in enumerate(plan[:MAX_SHOWN]):
            for column, name in enumerate(columns):
                value = item if name == "item" else getattr(item, name)
                cell = QTableWidgetItem(cell_text(value))
                cell.setToolTip(cell_text(value))
                table.setItem(row, column, cell)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeColumnsToContents()
        self.table = table
        layout.addWidget(table, 1)
        if len(plan) > MAX_SHOWN:
            more = QLabel(f"… and {len(plan) - MAX_SHOWN:,} more")
            more.setProperty("role", "muted")
            layout.addWidget(more)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.write_button = buttons.addButton(f"Write {len(plan):,} files", QDialogButtonBox.ButtonRole.AcceptRole)
        self.write_button.setProperty("primary", "true")
        self.write_button.setEnabled(bool(plan))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.plan = plan

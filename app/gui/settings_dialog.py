"""Settings: model bundle, "no landmark" threshold, sidecar naming, writing into JPEGs.

The dialog edits an AppSettings value; saving is app.core.settings' job. The model
bundle is chosen from the bundles the app knows (app.core.bundle_choices, the same list
as `landmark-tagger models`), so a photographer never has to type a path. Checking a
bundle reads it whole, so the list is built in a worker thread and polled; the GUI thread
never waits for it, and a dialog closed early simply drops the answer.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton,
    QSizePolicy, QVBoxLayout, QWidget,
)

from app.core import bundle_choices
from app.core.settings import AppSettings
from app.gui.app_words import NOT_A_MODEL, in_app_words
from app.gui.file_dialogs import picker_options
from app.gui.screen_fit import resize_within_screen
from app.gui.threshold_box import ThresholdBox, format_threshold

if TYPE_CHECKING:
    from model.bundle_listing import BundleInfo

BUNDLE_FILTER = "Model bundles (*.ltbundle);;All files (*)"
DEFAULT_CHOICE = ""  # the combo's data for "the default bundle"; stored as model_bundle=None
LISTING_POLL_MS = 20
THRESHOLD_ROLE = Qt.ItemDataRole.UserRole + 1  # a listed bundle's own threshold
PATH_ROLE = Qt.ItemDataRole.UserRole + 2  # a listed bundle's file (the default's too)
DEFAULT_FIGURE = 0.5  # the threshold box's figure when neither the settings nor a bundle give one
NO_FIGURE = "—"  # the threshold box while the bundle whose threshold is used is unusable


def describe_bundle(info: "BundleInfo", file_shown: str | None = None) -> str:
    """One line per bundle: "name in file — N landmarks, input px (id)", or that it is
    unusable; the file (`file_shown`, else its name) tells two copies of a model apart,
    and comes early so a narrow list does not cut it off."""
    file_shown = file_shown or info.path.name
    if info.error:
        return f"{file_shown} — unusable"
    count = info.num_classes or 0
    text = (f"{info.name} in {file_shown} — {count} landmark{'' if count == 1 else 's'}, {info.input_size} px "
            f"({info.id})")
    return text + "  ★ default" if info.is_default else text


def bundle_problem(info: "BundleInfo") -> str:
    """Why a bundle is unusable, in the app's words: no command to run, and a file that is
    no model at all called so (not "not a zip file")."""
    if NOT_A_MODEL.search(info.error or ""):
        return f"This file is not a Landmark Tagger model ({info.path})."
    text = in_app_words(info.error or "").replace("choose a model bundle in Settings", "choose a model bundle here")
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", ")")) else text + "."


def _same_file(first: str | Path, second: str | Path) -> bool:
    try:
        return Path(first).resolve() == Path(second).resolve()
    except (OSError, RuntimeError, ValueError):  # a looping symlink or a bad name
        return str(first) == str(second)


class BundleChooser(QWidget):
    """A list of the known bundles plus Browse…; `choice()` is a path, or None for the default."""

    listed = Signal()  # the checked list has replaced the placeholder

    def __init__(self, current: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._initial = current
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(56)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setToolTip("Add a model bundle file from elsewhere")
        self.browse_button.clicked.connect(self.browse)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setProperty("role", "muted")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.browse_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.problem)
        self.combo.currentIndexChanged.connect(self._show_problem_of_current)

        # Until the worker answers, the combo holds only the current choice, unchecked.
        if current and not _same_file(current, bundle_choices.default_bundle_path()):
            self._add_item(f"{current} (checking…)", current, tooltip=current)
        else:
            self._add_item("The default bundle (checking…)", DEFAULT_CHOICE)
        self.combo.setEnabled(False)
        self.browse_button.setEnabled(False)
        self._say("")
        self._listing = self._start_listing(current)
        self._poll = QTimer(self)
        self._poll.setInterval(LISTING_POLL_MS)
        self._poll.timeout.connect(self._collect_listing)
        self._poll.start()

    # -- the answer -----------------------------------------------------------------------
    @property
    def is_listed(self) -> bool:
        return not self._poll.isActive()

    def choice(self) -> str | None:
        """The chosen bundle path, or None for the default bundle."""
        return self.combo.currentData() or None

    def chosen_threshold(self) -> float | None:
        """The chosen bundle's own "no landmark" threshold (None until it is checked)."""
        return self.combo.currentData(THRESHOLD_ROLE)

    def choose(self, path: str | None) -> bool:
        """Select a listed, usable bundle by path (None: the default); False if it is not there."""
        index = self._find(path)
        if index < 0 or not self._is_enabled(index):
            return False
        self.combo.setCurrentIndex(index)
        return True

    def current_is_unusable(self) -> bool:
        """Whether the current entry is a checked bundle that cannot be used."""
        return self.is_listed and not self._is_enabled(self.combo.currentIndex())

    def items(self) -> list[tuple[str, str | None, bool, str]]:
        """(text, path or None, enabled, tooltip) of every entry, for tests and screenshots."""
        return [(self.combo.itemText(i), self.combo.itemData(i) or None, self._is_enabled(i),
                 self.combo.itemData(i, Qt.ItemDataRole.ToolTipRole) or "") for i in range(self.combo.count())]

    # -- listing in a worker ----------------------------------------------------------------
    @staticmethod
    def _start_listing(current: str | None) -> Future:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bundle-list")
        future = executor.submit(bundle_choices.known_bundles, [current] if current else [])
        executor.shutdown(wait=False)  # its one thread ends with the task
        return future

    def _collect_listing(self) -> None:
        if not self._listing.done():
            return
        self._poll.stop()
        self.combo.setEnabled(True)
        self.browse_button.setEnabled(True)
        error = self._listing.exception()
        if error is not None:  # keep the current choice as it was, unchecked
            self.combo.setItemText(0, self.combo.itemText(0).removesuffix(" (checking…)"))
            self._say(f"The model bundles could not be listed: {error}")
        else:
            self._fill(self._listing.result())
        self.listed.emit()

    def _fill(self, infos: list["BundleInfo"]) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        default_path = bundle_choices.default_bundle_path()
        if not any(info.is_default for info in infos):
            index = self._add_item("The default bundle — not installed", DEFAULT_CHOICE,
                                   tooltip=f"{default_path} is not installed; choose another bundle or "
                                           "reinstall the app")
            self._set_enabled(index, False)
        for info in sorted(infos, key=lambda item: (not item.is_default, item.error is not None)):
            self._add_info(info)
        self.combo.blockSignals(False)
        self.combo.setCurrentIndex(max(0, self._find(self._initial)))
        self._show_problem_of_current()

    # -- Browse… -----------------------------------------------------------------------------
    def browse(self) -> None:
        start = self.choice() or str(bundle_choices.default_bundle_path().parent)
        path, _ = QFileDialog.getOpenFileName(self, "Choose a model bundle", start, BUNDLE_FILTER,
                                              options=picker_options())
        if path:
            self.add_file(path)

    def add_file(self, path: str) -> bool:
        """Add (or find) a bundle file and select it when usable; say why when it is not."""
        index = self._find(path)
        if index < 0:
            index = self._add_info(bundle_choices.check_bundle(path))
        if not self._is_enabled(index):
            tooltip = self.combo.itemData(index, Qt.ItemDataRole.ToolTipRole)
            self._say(f"Not usable: {tooltip}")
            return False
        self.combo.setCurrentIndex(index)
        return True

    # -- entries -----------------------------------------------------------------------------
    def _add_info(self, info: "BundleInfo") -> int:
        """The default bundle's entry always stands for None, even when it is unusable, so
        a setting of "the default" is kept as such."""
        if info.is_default:
            data = DEFAULT_CHOICE
        else:
            data = str(info.path) if info.error else str(info.path.resolve())
        index = self._add_item(describe_bundle(info, self._file_shown(info.path)), data,
                               tooltip=bundle_problem(info) if info.error else str(info.path))
        self.combo.setItemData(index, info.threshold, THRESHOLD_ROLE)
        self.combo.setItemData(index, str(info.path), PATH_ROLE)
        if info.error:
            self._set_enabled(index, False)
        return index

    def _add_item(self, text: str, data: str, tooltip: str = "") -> int:
        self.combo.addItem(text, data)
        index = self.combo.count() - 1
        if tooltip:
            self.combo.setItemData(index, tooltip, Qt.ItemDataRole.ToolTipRole)
        return index

    def _file_shown(self, path: Path) -> str:
        """The bundle's file name; with its folder when a listed bundle's file has that name too."""
        for index in range(self.combo.count()):
            other = self.combo.itemData(index, PATH_ROLE)
            if other and Path(other).name == path.name and not _same_file(other, path):
                return f"{path.parent.name}/{path.name}"
        return path.name

    def _find(self, path: str | None) -> int:
        if not path or _same_file(path, bundle_choices.default_bundle_path()):
            return self.combo.findData(DEFAULT_CHOICE)
        for index in range(self.combo.count()):
            data = self.combo.itemData(index)
            if data and _same_file(data, path):
                return index
        return -1

    def _is_enabled(self, index: int) -> bool:
        item = self.combo.model().item(index)
        return item is not None and item.isEnabled()

    def _set_enabled(self, index: int, enabled: bool) -> None:
        # The app's combo popups draw disabled entries like the others; "— unusable" says it.
        self.combo.model().item(index).setEnabled(enabled)

    def _show_problem_of_current(self) -> None:
        """An unusable current choice (kept from the settings) is explained below the list."""
        index = self.combo.currentIndex()
        unusable = index >= 0 and not self._is_enabled(index)
        self._say(str(self.combo.itemData(index, Qt.ItemDataRole.ToolTipRole)) if unusable else "")

    def _say(self, text: str) -> None:
        """Show a (wrapped) problem below the list; the dialog grows to fit it."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        # A shown dialog does not grow for a label that wraps to more lines; ask for them.
        width = max(self.problem.width(), self.combo.width() + self.browse_button.width(), 300)
        self.problem.setMinimumHeight(self.problem.heightForWidth(width) if text else 0)


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(720)
        self._settings = settings
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        form = QFormLayout()
        form.setVerticalSpacing(12)
        form.setHorizontalSpacing(16)

        self.bundle_chooser = BundleChooser(settings.model_bundle)
        form.addRow("Model bundle", self.bundle_chooser)

        self.use_bundle_threshold = QCheckBox("Use the bundle's own threshold")
        self.threshold = ThresholdBox()
        self.threshold_problem = QLabel()
        self.threshold_problem.setProperty("role", "error")
        self.threshold_problem.setWordWrap(True)
        self.threshold_problem.hide()
        self._figure = settings.threshold if settings.threshold is not None else DEFAULT_FIGURE
        self.threshold.setValue(self._figure)
        self.use_bundle_threshold.setChecked(settings.threshold is None)
        self.threshold.setEnabled(settings.threshold is not None)
        self.use_bundle_threshold.toggled.connect(lambda on: self.threshold.setEnabled(not on))
        self.use_bundle_threshold.toggled.connect(self._show_bundle_threshold)
        self.bundle_chooser.combo.currentIndexChanged.connect(self._show_bundle_threshold)
        self.bundle_chooser.listed.connect(self._show_bundle_threshold)
        # the box keeps its width, whether a problem is said beside it or not
        self.threshold.setSizePolicy(QSizePolicy.Policy.Fixed, self.threshold.sizePolicy().verticalPolicy())
        threshold_row = QHBoxLayout()
        threshold_row.addWidget(self.threshold)
        threshold_row.addWidget(self.threshold_problem, 1)
        threshold_row.addStretch()
        form.addRow("No-landmark threshold", threshold_row)  # a row of a layout: no buddy, so named here
        self.threshold.setAccessibleName("No-landmark threshold")
        self.threshold.lineEdit().setAccessibleName("No-landmark threshold")
        form.addRow("", self.use_bundle_threshold)

        self.sidecar = QComboBox()
        self.sidecar.addItem("DSC_0001.NEF.xmp (name with extension)", "ext")
        self.sidecar.addItem("DSC_0001.xmp (name without extension)", "stem")
        self.sidecar.setCurrentIndex(max(0, self.sidecar.findData(settings.sidecar_naming)))
        self.sidecar.setToolTip("An existing sidecar is always written into, whichever its name")
        form.addRow("New sidecar names", self.sidecar)

        self.write_into_jpeg = QCheckBox("Write labels into JPEG files too")
        self.write_into_jpeg.setChecked(settings.write_into_jpeg)
        form.addRow("JPEGs", self.write_into_jpeg)

        self.check_folders_at_start = QCheckBox("Look for new photos in the library's folders when the app opens")
        self.check_folders_at_start.setChecked(settings.check_folders_at_start)
        self.check_folders_at_start.setToolTip("Only new and changed files are read; folders on a drive that is "
                                               "not connected are skipped")
        form.addRow("At start", self.check_folders_at_start)
        layout.addLayout(form)
        note = QLabel("RAW files are never modified: their labels go into XMP sidecars.\n"
                      "Changes apply to the next tag or write job.")
        note.setProperty("role", "muted")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.threshold.problem_changed.connect(self._show_threshold_problem)
        self.threshold.text_checked.connect(self._allow_saving)
        self.use_bundle_threshold.toggled.connect(self._allow_saving)
        # as wide as its rows ask, up to the screen's width: a window is opened at 2/3 of the
        # screen at most, which cut the rows off with a large system font (16 pt on 1366 px)
        resize_within_screen(self, self.sizeHint())

    def accept(self) -> None:
        """Refused while the threshold box holds a text that is no threshold: the value
        saved is one the user typed, never a figure made up from half of it."""
        if not self.threshold.holds_a_threshold():
            self.threshold.insist()
            return
        super().accept()

    def _allow_saving(self) -> None:
        self.save_button.setEnabled(self.threshold.holds_a_threshold())

    def _show_threshold_problem(self, problem: str) -> None:
        self.threshold_problem.setText(problem)
        self.threshold_problem.setVisible(bool(problem))

    def _show_bundle_threshold(self) -> None:
        """While the bundle's own threshold is used, the (disabled) box shows its value,
        so the figure on screen is the one tagging will use; an unusable bundle has none."""
        own = self.bundle_chooser.chosen_threshold()
        self.use_bundle_threshold.setText("Use the bundle's own threshold"
                                          + (f" ({format_threshold(own)})" if own is not None else ""))
        uses_own = self.use_bundle_threshold.isChecked()
        self._show_no_figure(uses_own and own is None and self.bundle_chooser.current_is_unusable())
        if uses_own and own is not None:
            self.threshold.setValue(own)

    def _show_no_figure(self, blank: bool) -> None:
        """Blank the box (its lowest value reads NO_FIGURE), or give it back a figure."""
        if blank == bool(self.threshold.specialValueText()):
            return
        if blank:
            self._figure = self.threshold.value()
        self.threshold.setSpecialValueText(NO_FIGURE if blank else "")
        self.threshold.setValue(self.threshold.minimum() if blank else self._figure)

    def settings(self) -> AppSettings:
        """The edited settings (validated by the caller before saving)."""
        return replace(
            self._settings,
            model_bundle=self.bundle_chooser.choice(),
            threshold=None if self.use_bundle_threshold.isChecked() else self._threshold_chosen(),
            sidecar_naming=self.sidecar.currentData(),
            write_into_jpeg=self.write_into_jpeg.isChecked(),
            check_folders_at_start=self.check_folders_at_start.isChecked(),
        )

    def _threshold_chosen(self) -> float:
        """The figure in the box; a saved threshold with more decimals than the box shows
        (set in settings.json) is kept as it is while the box still shows it."""
        typed = round(self.threshold.typed_value(), 4)
        saved = self._settings.threshold
        return saved if saved is not None and format_threshold(saved) == format_threshold(typed) else typed

"""The "no landmark" threshold box: a figure from 0 to 1, typed with a point or a comma.

A plain QDoubleSpinBox takes only its locale's decimal separator and drops any other
keystroke without a word: in German "0.8" became "0", which Enter saved as 0.0. This box
takes either separator whatever the locale, shows figures with a point as the rest of
the app does (the CLI's --threshold 0.8, search's score>0.8, the README), and leaves a
text that is no threshold ("1.5", "0.805", "abc") as typed and marked, never turned into
another figure: Enter on it is refused, and leaving the box puts back the figure it held.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QWidget

DECIMALS = 2
STEP = 0.05
EXAMPLE = "like 0.8 or 0,8"
_NUMBER = re.compile(r"\s*(\d*)(?:[.,](\d*))?\s*")
_STARTED = re.compile(r"\s*(?:[01]?[.,]?|0[.,]\d{0,%d})\s*" % DECIMALS)  # a figure being typed


def format_threshold(value: float) -> str:
    """A threshold as the app shows it everywhere: two decimals and a point ("0.79")."""
    return f"{value:.{DECIMALS}f}"


def parse_threshold(text: str) -> float | None:
    """The threshold a typed text means ("0.8", "0,8", ",8", " 1 "), or None when it is
    none: not a number, outside 0..1, or with more decimals than the box keeps."""
    match = _NUMBER.fullmatch(text)
    if not match or match.group(2) == "" or not (match.group(1) or match.group(2)):
        return None  # nothing, or a separator with no decimal after it yet ("0,")
    whole, decimals = match.group(1) or "0", match.group(2) or "0"
    if len(decimals) > DECIMALS:
        return None
    value = float(f"{whole}.{decimals}")
    return value if 0.0 <= value <= 1.0 else None


def threshold_problem(text: str) -> str:
    """Why a typed text is no threshold, in a sentence ("" when it is one)."""
    if parse_threshold(text) is not None:
        return ""
    match = _NUMBER.fullmatch(text)
    if match and match.group(2) and len(match.group(2)) > DECIMALS:
        return f"Use at most {DECIMALS} decimals, {EXAMPLE}."
    return f"Type a number from 0 to 1, {EXAMPLE}."


class ThresholdBox(QDoubleSpinBox):
    """A 0..1 spin box that takes "0.8" and "0,8" alike and never saves a text it could not read."""

    problem_changed = Signal(str)  # why the text is no threshold; "" once it is one
    text_checked = Signal()  # the text changed, typed or set: whether it holds a threshold may have too

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0.0, 1.0)
        self.setDecimals(DECIMALS)
        self.setSingleStep(STEP)
        # The value follows the text only when editing ends, so "leaving puts back the
        # figure it held" means the figure from before the edit, not one typed halfway.
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setToolTip(f"A number from 0 to 1, {EXAMPLE}; ↑ and ↓ change it by {STEP}")
        self._problem = ""
        self.lineEdit().textChanged.connect(self._check_text)
        # a figure set (setValue, or the one put back on leaving) is written with the line
        # edit's signals blocked: checked here instead
        self.valueChanged.connect(lambda: self._check_text(self.text()))

    # -- what the dialog asks ------------------------------------------------------------------
    def typed_value(self) -> float:
        """The figure typed, even before Enter or leaving the box; the box's value while
        the text is no threshold."""
        shown = parse_threshold(self.text()) if self.isEnabled() else None
        return self.value() if shown is None or self.specialValueText() else shown

    def holds_a_threshold(self) -> bool:
        return not self.isEnabled() or self._is_special(self.text()) or parse_threshold(self.text()) is not None

    def problem(self) -> str:
        return self._problem

    def insist(self) -> None:
        """Mark a text that is no threshold, even one still being typed ("0,"), and keep
        the focus on it: keeping it was refused."""
        if not self.holds_a_threshold():
            self._set_problem(threshold_problem(self.text()), marked=True)
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- QDoubleSpinBox ----------------------------------------------------------------------------
    def validate(self, text: str, pos: int) -> QValidator.State:
        """No keystroke is ever dropped: a text that is no threshold stays, marked."""
        if self._is_special(text) or parse_threshold(text) is not None:
            return QValidator.State.Acceptable
        return QValidator.State.Intermediate

    def fixup(self, text: str) -> str:
        return text  # QDoubleSpinBox's fixup drops a German "." as a group separator

    def valueFromText(self, text: str) -> float:
        value = parse_threshold(text)
        return self.value() if value is None else value

    def textFromValue(self, value: float) -> str:
        return format_threshold(value)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.holds_a_threshold():
            self.insist()
            event.accept()  # not on to the dialog's Save button
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        typed, kept = self.text(), self.value()
        super().focusOutEvent(event)  # a text that is no threshold gives way to the figure before it
        self._check_text(self.text())
        if self.isEnabled() and not self._is_special(typed) and parse_threshold(typed) is None:
            self._set_problem(f"“{typed.strip()}” is no threshold; {format_threshold(kept)} was kept. "
                              f"{threshold_problem(typed)}", marked=False)

    # -- marking -----------------------------------------------------------------------------------
    def _is_special(self, text: str) -> bool:
        return bool(self.specialValueText()) and text == self.specialValueText()

    def _check_text(self, text: str) -> None:
        """Mark a text that cannot become a threshold as typed on; a figure being started
        ("", "0,") is left unmarked until the user tries to keep it."""
        if self._is_special(text) or parse_threshold(text) is not None or _STARTED.fullmatch(text):
            self._set_problem("", marked=False)
        else:
            self._set_problem(threshold_problem(text), marked=True)
        self.text_checked.emit()

    def _set_problem(self, problem: str, marked: bool) -> None:
        """Say `problem` beside the box; `marked` gives the box the style sheet's red border."""
        invalid = "true" if marked else "false"
        if self.property("invalid") != invalid:
            self.setProperty("invalid", invalid)
            self.style().unpolish(self)
            self.style().polish(self)
        if problem != self._problem:
            self._problem = problem
            self.problem_changed.emit(problem)

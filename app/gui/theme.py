"""A dark, neutral theme: photos are judged against grey, not against colour.

Fusion style with a hand-set palette plus a small style sheet for spacing, so the
look is the same on every platform and offscreen, and whatever the system's light or dark
mode: the palette replaces the system's, so one set of colours is the one drawn.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontInfo, QPalette
from PySide6.QtWidgets import QApplication

from app.gui.icons import icon_path

BACKGROUND = "#1e1f22"
PANEL = "#26282c"
RAISED = "#2f3237"
BORDER = "#3a3d43"
FIELD_BORDER = "#73777e"  # a field's edge: 3.66:1 on BACKGROUND, 3.28:1 on PANEL (WCAG 1.4.11 asks 3:1); BORDER gave 1.51:1
TEXT = "#e3e4e6"
MUTED = "#9a9ea6"
ACCENT = "#3d8bfd"
PRIMARY = "#2a6ad9"  # under white text (buttons, selections): 5.05:1, where ACCENT gave 3.33:1
FOCUS = "#9cc3ff"  # keyboard focus: a light accent, apart from the selection's accent
DISABLED_TEXT = "#6b6f76"  # 3.3:1 on BACKGROUND: readable, yet plainly dimmer than MUTED's 6.1:1
GOOD = "#5fbf6f"
WARN = "#e8a33d"
BAD = "#e5645a"


def _url(icon: str) -> str:
    """An icon for the style sheet: forward slashes and quotes, so a Windows path or a
    folder name with spaces reads as one."""
    return f'url("{Path(icon_path(icon)).as_posix()}")'


def font_size(font: QFont, factor: float) -> str:
    """A style sheet font size `factor` times `font`'s, in its unit (pt or px)."""
    if font.pointSizeF() > 0:
        return f"{font.pointSizeF() * factor:.1f}pt"
    return f"{max(8, round(font.pixelSize() * factor))}px"


def style_sheet(font: QFont) -> str:
    """The app's style sheet, its text sized from `font`, the application's font (the
    user's system font size, so "larger text" on the desktop makes the app's larger too).
    Built when the theme is applied: it names the icons' files."""
    box = round(QFontInfo(font).pixelSize() * 14 / 13)  # the checkbox grows with the text
    return f"""
QMainWindow, QDialog {{ background: {BACKGROUND}; }}
QWidget {{ color: {TEXT}; }}
QToolBar {{ background: {PANEL}; border: none; border-bottom: 1px solid {BORDER}; padding: 6px 8px; spacing: 4px; }}
QToolBar QToolButton {{ padding: 5px 9px; border-radius: 6px; color: {TEXT}; }}
QToolBar QToolButton:hover {{ background: {RAISED}; }}
QToolBar QToolButton:pressed {{ background: {BORDER}; }}
QToolBar QToolButton:disabled {{ color: #62666d; }}
QDockWidget {{ color: {MUTED}; font-weight: 600; }}
QDockWidget::title {{ background: {PANEL}; padding: 7px 10px; text-transform: uppercase; }}
QTreeView, QListView, QTableView, QScrollArea, QTextEdit {{
    background: {BACKGROUND}; border: 1px solid transparent; border-radius: 4px; outline: 0; }}
QTreeView:focus, QListView:focus, QTableView:focus, QScrollArea:focus, QTextEdit:focus {{ border-color: {ACCENT}; }}
QTreeView::item:focus {{ border: 1px solid {FOCUS}; }}
QTreeView::item {{ padding: 4px 2px; border-radius: 4px; }}
QTreeView::item:selected, QTableView::item:selected {{ background: #2d4a73; color: white; }}
QHeaderView::section {{ background: {PANEL}; color: {MUTED}; border: none; border-bottom: 1px solid {BORDER}; padding: 5px 8px; }}
QLineEdit {{ background: {RAISED}; border: 1px solid {FIELD_BORDER}; border-radius: 7px; padding: 6px 10px; selection-background-color: {PRIMARY}; }}
QLineEdit:focus {{ border-color: {ACCENT}; }}
QLineEdit[invalid="true"] {{ border-color: {BAD}; }}
QPushButton {{ background: {RAISED}; border: 1px solid {BORDER}; border-radius: 7px; padding: 7px 16px; }}
QPushButton:hover {{ background: #383c42; }}
QPushButton:default, QPushButton[primary="true"] {{ background: {PRIMARY}; border-color: {PRIMARY}; color: white; }}
QPushButton[primary="true"] {{ font-weight: 600; }}
QPushButton:disabled {{ color: {DISABLED_TEXT}; }}
QPushButton:default:disabled, QPushButton[primary="true"]:disabled {{ background: {RAISED}; border-color: {BORDER}; }}
QPushButton:focus {{ border-color: {FOCUS}; }}
QToolButton:focus {{ border: 1px solid {FOCUS}; border-radius: 6px; }}
QProgressBar {{ background: {RAISED}; border: none; border-radius: 5px; height: 10px; text-align: center; color: transparent; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 5px; }}
QStatusBar {{ background: {PANEL}; color: {MUTED}; border-top: 1px solid {BORDER}; }}
QScrollBar:vertical {{ background: transparent; width: 11px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: #4a4e55; border-radius: 4px; min-height: 30px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; width: 0; }}
QScrollBar:horizontal {{ background: transparent; height: 11px; margin: 2px; }}
QScrollBar::handle:horizontal {{ background: #4a4e55; border-radius: 4px; min-width: 30px; }}
QComboBox, QDoubleSpinBox, QSpinBox {{ background: {RAISED}; border: 1px solid {FIELD_BORDER}; border-radius: 6px; padding: 5px 8px; }}
QComboBox:focus, QDoubleSpinBox:focus, QSpinBox:focus {{ border-color: {ACCENT}; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right; width: 16px; border: none; }}
QComboBox::down-arrow {{ image: {_url("step-down")}; width: 10px; height: 6px; }}
QComboBox::down-arrow:disabled {{ image: {_url("step-down-disabled")}; }}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{ width: 18px; border: none; border-radius: 3px; }}
QAbstractSpinBox::up-button:hover, QAbstractSpinBox::down-button:hover {{ background: {BORDER}; }}
QAbstractSpinBox::up-arrow {{ image: {_url("step-up")}; width: 10px; height: 6px; }}
QAbstractSpinBox::down-arrow {{ image: {_url("step-down")}; width: 10px; height: 6px; }}
QAbstractSpinBox::up-arrow:disabled, QAbstractSpinBox::up-arrow:off {{ image: {_url("step-up-disabled")}; }}
QAbstractSpinBox::down-arrow:disabled, QAbstractSpinBox::down-arrow:off {{ image: {_url("step-down-disabled")}; }}
QDoubleSpinBox[invalid="true"] {{ border-color: {BAD}; }}
QCheckBox:focus {{ color: white; text-decoration: underline; }}
QCheckBox {{ spacing: 8px; }}
QCheckBox::indicator {{ width: {box}px; height: {box}px; border: 1px solid {MUTED}; border-radius: 3px; background: {RAISED}; }}
QCheckBox::indicator:hover {{ border-color: {TEXT}; }}
QCheckBox::indicator:checked {{ background: {PRIMARY}; border-color: {PRIMARY}; image: {_url("check")}; }}
QCheckBox::indicator:disabled {{ background: {PANEL}; border-color: {DISABLED_TEXT}; }}
QCheckBox::indicator:checked:disabled {{ background: {BORDER}; border-color: {BORDER}; image: {_url("check-disabled")}; }}
QSplitter::handle {{ background: {BORDER}; }}
QLabel[role="muted"] {{ color: {MUTED}; }}
QLabel[role="heading"] {{ font-size: {font_size(font, 1.3)}; font-weight: 600; }}
QLabel[role="section"] {{ color: {MUTED}; font-size: {font_size(font, 0.85)}; font-weight: 600; letter-spacing: 1px; }}
QLabel[role="error"] {{ color: {BAD}; }}
QFrame[role="card"] {{ background: {PANEL}; border: 1px solid {BORDER}; border-radius: 10px; }}
QFrame#jobBar {{ background: {PANEL}; border-top: 1px solid {BORDER}; }}
QWidget:disabled, QMenu::item:disabled {{ color: {DISABLED_TEXT}; }}
QLineEdit:disabled, QComboBox:disabled, QDoubleSpinBox:disabled, QSpinBox:disabled {{
    background: {PANEL}; border-color: {PANEL}; }}
"""


def apply_dark_theme(app: QApplication) -> None:
    """Fusion style, a dark palette and the app's style sheet."""
    app.setStyle("Fusion")
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: BACKGROUND,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: BACKGROUND,
        QPalette.ColorRole.AlternateBase: PANEL,
        QPalette.ColorRole.ToolTipBase: RAISED,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: RAISED,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.Highlight: PRIMARY,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: MUTED,
        QPalette.ColorRole.Link: ACCENT,
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.PlaceholderText):  # what the style sheet leaves to the palette
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(DISABLED_TEXT))
    app.setPalette(palette)
    font = QFont(app.font())
    if font.pointSizeF() > 0:  # at least 10 pt (13 px at 96 dpi); more when the user's system asks it
        font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)
    app.setStyleSheet(style_sheet(font))


def confidence_colour(score: float | None) -> QColor:
    """Green for confident, amber for unsure, red for doubtful suggestions."""
    if score is None:
        return QColor(MUTED)
    if score >= 0.8:
        return QColor(GOOD)
    if score >= 0.5:
        return QColor(WARN)
    return QColor(BAD)


def scaled_font(font: QFont, factor: float, bold: bool | None = None) -> QFont:
    """A copy of `font` scaled by `factor`, whether it is sized in points or pixels."""
    scaled = QFont(font)
    if font.pointSizeF() > 0:
        scaled.setPointSizeF(max(6.0, font.pointSizeF() * factor))
    elif font.pixelSize() > 0:
        scaled.setPixelSize(max(8, round(font.pixelSize() * factor)))
    if bold is not None:
        scaled.setBold(bold)
    return scaled

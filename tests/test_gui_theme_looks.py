"""What the dark theme draws, read back from the pixels (pytest-qt, offscreen): controls
look disabled when they are, and their colours reach WCAG's contrast ratios."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtGui import QAction, QColor, QImage  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QMenu, QVBoxLayout, QWidget,
)

pytestmark = pytest.mark.gui


def luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4
    return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF())


def contrast(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def pixels(widget: QWidget) -> list[QColor]:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return [image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width())]


def brightest(widget: QWidget) -> QColor:
    """The text's colour, near enough: on the dark theme it is the brightest thing drawn."""
    return max(pixels(widget), key=luminance)


@pytest.fixture
def themed(qapp):
    from app.gui.app import create_application

    return create_application()


def shown(qtbot, *widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    for widget in widgets:
        layout.addWidget(widget)
    qtbot.addWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)
    return holder


def make_field(kind: str) -> QWidget:
    if kind == "QDoubleSpinBox":
        box = QDoubleSpinBox()
        box.setValue(0.79)
        return box
    if kind == "QComboBox":
        combo = QComboBox()
        combo.addItem("DSC_0001.xmp")
        return combo
    return {"QLineEdit": lambda: QLineEdit("Colosseum"), "QCheckBox": lambda: QCheckBox("Write labels into JPEGs"),
            "QLabel": lambda: QLabel("A label text")}[kind]()


@pytest.mark.parametrize("kind", ["QDoubleSpinBox", "QLineEdit", "QComboBox", "QCheckBox", "QLabel"])
def test_a_disabled_control_is_drawn_dimmer_than_an_enabled_one(qtbot, themed, kind: str) -> None:
    """Their text was (227, 228, 230) either way: the style sheet's colour hid the palette's."""
    enabled, disabled = make_field(kind), make_field(kind)
    disabled.setEnabled(False)
    holder = shown(qtbot, enabled, disabled)  # noqa: F841  (kept alive while read)
    bright, dim = brightest(enabled), brightest(disabled)
    assert luminance(dim) < luminance(bright) / 3, (bright.name(), dim.name())
    assert contrast(dim, QColor(themed.palette().window().color())) >= 3.0  # dimmed, still legible


def test_a_disabled_menu_command_is_drawn_dimmer(qtbot, themed) -> None:
    menu = QMenu()
    qtbot.addWidget(menu)
    on, off = QAction("Accept", menu), QAction("Accept", menu)
    off.setEnabled(False)
    rows = []
    for action in (on, off):
        menu.clear()
        menu.addAction(action)
        menu.popup(menu.pos())
        qtbot.waitExposed(menu)
        rows.append(brightest(menu))
        menu.hide()
    assert luminance(rows[1]) < luminance(rows[0]) / 3, [row.name() for row in rows]


def test_the_disabled_palette_is_dimmed_too(themed) -> None:
    """For what the style sheet leaves to the palette (views' items, Fusion's drawing)."""
    from PySide6.QtGui import QPalette

    palette = themed.palette()
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        assert palette.color(QPalette.ColorGroup.Disabled, role) != palette.color(QPalette.ColorGroup.Active, role)


def indicator_pixels(box: QCheckBox) -> list[QColor]:
    """The pixels of the checkbox's box, left of its text."""
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    option = QStyleOptionButton()
    box.initStyleOption(option)
    area = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    image = box.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return [image.pixelColor(x, y) for y in range(area.top(), area.bottom() + 1)
            for x in range(area.left(), area.right() + 1)]


@pytest.mark.parametrize("enabled", [True, False])
def test_an_unchecked_box_has_a_border_seen_on_the_dialog(qtbot, themed, enabled: bool) -> None:
    """It was drawn in (24, 24, 27) on the dialog's (30, 31, 34): 1.08:1, where WCAG 1.4.11
    asks 3:1 of a control's boundary; only a tick showed the state."""
    from PySide6.QtWidgets import QDialog

    dialog = QDialog()
    box = QCheckBox("Include suggested (not yet accepted) labels", dialog)
    box.setEnabled(enabled)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    background = dialog.grab().toImage().pixelColor(dialog.width() - 1, dialog.height() - 1)
    strongest = max(contrast(pixel, background) for pixel in indicator_pixels(box))
    assert strongest >= 3.0, f"{strongest:.2f}:1"


def test_a_checked_box_still_shows_its_tick(qtbot, themed) -> None:
    """A styled indicator draws no tick of the style's own: the style sheet's image must load."""
    unchecked, checked = QCheckBox("Write labels"), QCheckBox("Write labels")
    checked.setChecked(True)
    holder = shown(qtbot, unchecked, checked)  # noqa: F841  (kept alive while read)
    tick = max(luminance(pixel) for pixel in indicator_pixels(checked))
    assert tick > 2 * max(luminance(pixel) for pixel in indicator_pixels(unchecked)) and tick > 0.8


@pytest.fixture
def large_system_font(themed):
    """The desktop's "larger text" (16 pt = 21 px at 96 dpi), set before the app themes itself."""
    from PySide6.QtGui import QFont

    from app.gui.app import create_application

    before = QFont(themed.font())
    larger = QFont(themed.font())
    larger.setPointSizeF(16.0)
    themed.setFont(larger)
    yield create_application()
    themed.setFont(before)
    create_application()


def pixel_size(widget: QWidget) -> int:
    from PySide6.QtGui import QFontInfo

    return QFontInfo(widget.font()).pixelSize()


def test_a_larger_system_font_makes_every_text_larger(qtbot, large_system_font) -> None:
    """Every text was 13 px whatever the system font: the style sheet fixed it."""
    normal, heading, section, field = QLabel("Colosseum"), QLabel("No photo selected"), QLabel("PHOTO"), QLineEdit("x")
    heading.setProperty("role", "heading")
    section.setProperty("role", "section")
    box = QCheckBox("Write labels")
    holder = shown(qtbot, normal, heading, section, field, box)  # noqa: F841
    assert pixel_size(normal) == pixel_size(field) >= 20  # 21 px at 96 dpi (was 13)
    assert pixel_size(heading) > pixel_size(normal) > pixel_size(section) >= 16
    assert len(indicator_pixels(box)) >= 19 * 19  # the checkbox grows with the text (14 × 14 at 13 px)


def test_the_settings_dialog_opens_as_wide_as_its_rows_with_a_large_font(qtbot, large_system_font) -> None:
    """A window opens at 2/3 of the screen's width at most: with 16 pt the rows were cut off."""
    from app.core.settings import AppSettings
    from app.gui.screen_fit import available_size, within_screen
    from app.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.bundle_chooser.is_listed, timeout=20000)
    assert dialog.width() == within_screen(dialog.sizeHint(), available_size(dialog)).width()


def most_common(colours: list[QColor]) -> QColor:
    from collections import Counter

    return QColor(Counter(colour.rgb() for colour in colours).most_common(1)[0][0])


@pytest.mark.parametrize("how", ["primary", "default"])
def test_white_text_on_a_primary_button_reaches_4_5_to_1(qtbot, themed, how: str) -> None:
    """"Add folder…", "Save", "OK", "Write N files": white on #3d8bfd was 3.33:1."""
    from PySide6.QtWidgets import QPushButton

    button = QPushButton("Write 22 files")
    if how == "primary":
        button.setProperty("primary", True)
    else:
        button.setDefault(True)
    holder = shown(qtbot, button)  # noqa: F841
    face = most_common(pixels(button))
    assert luminance(face) < 0.5 and QColor(face).blue() > QColor(face).red()  # blue, under white text
    assert contrast(QColor("white"), face) >= 4.5, f"{contrast(QColor('white'), face):.2f}:1"


def test_the_threshold_boxs_step_buttons_have_arrows(qtbot, themed) -> None:
    """Its up and down buttons were drawn as two empty squares."""
    from PySide6.QtWidgets import QStyle, QStyleOptionSpinBox

    box = QDoubleSpinBox()
    box.setValue(0.5)
    holder = shown(qtbot, box)  # noqa: F841
    option = QStyleOptionSpinBox()
    box.initStyleOption(option)
    image = box.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    for part in (QStyle.SubControl.SC_SpinBoxUp, QStyle.SubControl.SC_SpinBoxDown):
        area = box.style().subControlRect(QStyle.ComplexControl.CC_SpinBox, option, part, box)
        inside = [image.pixelColor(x, y) for y in range(area.top(), area.bottom() + 1)
                  for x in range(area.left(), area.right() + 1)]
        assert max(contrast(pixel, most_common(inside)) for pixel in inside) >= 4.5, part


def system_palette(scheme: str):
    """The palette a light or a dark desktop hands the app before it themes itself."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QStyleFactory

    palette = QStyleFactory.create("Fusion").standardPalette()
    if scheme == "dark":
        for role, colour in ((QPalette.ColorRole.Window, "#202020"), (QPalette.ColorRole.Base, "#181818"),
                             (QPalette.ColorRole.Button, "#2a2a2a"), (QPalette.ColorRole.Text, "#f0f0f0"),
                             (QPalette.ColorRole.WindowText, "#f0f0f0"), (QPalette.ColorRole.Mid, "#404040")):
            palette.setColor(role, QColor(colour))
    return palette


@pytest.fixture(params=["light", "dark"])
def themed_on_a_desktop(request, qapp):
    from app.gui.app import create_application

    qapp.setStyleSheet("")
    qapp.setPalette(system_palette(request.param))
    yield create_application()
    create_application()


@pytest.mark.parametrize("kind", ["QLineEdit", "QComboBox", "QDoubleSpinBox"])
def test_a_text_fields_border_reaches_3_to_1_on_the_window(qtbot, themed_on_a_desktop, kind: str) -> None:
    """The search bar's, the label dialog's and the settings' fields had a border of #3a3d43 on
    the window's #1e1f22: 1.51:1, where WCAG 1.4.11 asks 3:1 of a control's boundary."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog

    dialog = QDialog()
    field = make_field(kind)
    field.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the focus ring is another colour
    QVBoxLayout(dialog).addWidget(field)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    image = dialog.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    background = image.pixelColor(dialog.width() - 1, dialog.height() - 1)
    assert background == themed_on_a_desktop.palette().window().color()
    middle = field.geometry().center().y()
    left_edge = [image.pixelColor(x, middle) for x in range(field.geometry().left(), field.geometry().left() + 2)]
    strongest = max(contrast(pixel, background) for pixel in left_edge)
    assert strongest >= 3.0, f"{[pixel.name() for pixel in left_edge]} on {background.name()}: {strongest:.2f}:1"

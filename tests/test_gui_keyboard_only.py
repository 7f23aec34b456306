"""The app from the keyboard alone: Space and Enter press a focused button (Space opened
the loupe over a running job's Cancel), Esc cancels a job, every toolbar action has a
key and a menu, F1's list scrolls and fits, dialogs fit the screen, and a damaged or
unwritable settings file is neither written over nor passed over in silence."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QKeySequence  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from tests.test_gui_support import added_folder, close_main_window, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def slow_work(progress, cancel, emit):
    from app.core.errors import Cancelled

    for _ in range(400):
        if cancel.cancelled:
            raise Cancelled()
        time.sleep(0.05)


def start_slow_job(qtbot, window) -> None:
    window.activateWindow()
    assert window.jobs.start("Slow job", slow_work)
    qtbot.waitUntil(window.job_bar.cancel_button.isVisible, timeout=3000)


def press_focused(qtbot, button, key) -> None:
    button.setFocus()
    qtbot.waitUntil(button.hasFocus, timeout=3000)
    QTest.keyClick(button, key)
    qtbot.wait(100)


@pytest.mark.parametrize("key", [Qt.Key.Key_Space, Qt.Key.Key_Return])
def test_space_or_enter_on_the_focused_cancel_button_cancels_the_job(qtbot, window, tmp_path, key) -> None:
    added_folder(qtbot, window, tmp_path, count=3)
    start_slow_job(qtbot, window)
    press_focused(qtbot, window.job_bar.cancel_button, key)
    assert not window.loupe.isVisible(), "the key opened the loupe instead of pressing Cancel"
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=5000)


def test_esc_cancels_a_running_job_once_there_is_nothing_else_to_go_back_from(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=3)
    window.grid.setFocus()
    start_slow_job(qtbot, window)
    window.open_loupe(0)
    window.go_back_action.trigger()  # Esc: out of the loupe first, the job goes on
    assert not window.loupe.isVisible() and window.jobs.busy
    QTest.keyClick(window.grid, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=5000)


@pytest.mark.parametrize("key", [Qt.Key.Key_Space, Qt.Key.Key_Enter])
def test_space_or_enter_on_the_detail_panes_reject_button_rejects(qtbot, window, tmp_path, key) -> None:
    added_folder(qtbot, window, tmp_path, count=3)
    window.activateWindow()
    photo_id = window.grid_model.photo_id(0)
    window.index.set_label(photo_id, "Colosseum", source="model", state="suggested", score=0.9)
    window.library_changed()
    qtbot.waitUntil(lambda: not window.results.busy, timeout=20000)
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.waitUntil(lambda: window.detail.record is not None and window.detail.record.id == photo_id, timeout=5000)
    press_focused(qtbot, window.detail.reject_button, key)
    assert not window.loupe.isVisible(), "the key opened the loupe instead of pressing Reject"
    assert window.index.review_states([photo_id])[photo_id][1] == "rejected"


def test_space_in_the_grid_still_opens_the_loupe(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=3)
    window.activateWindow()
    window.grid.setCurrentIndex(window.grid_model.index(0))
    window.grid.setFocus()
    qtbot.waitUntil(window.grid.hasFocus, timeout=3000)
    QTest.keyClick(window.grid, Qt.Key.Key_Space)
    assert window.loupe.isVisible()


def test_reviews_buttons_are_reached_by_tab(qtbot, window, tmp_path) -> None:
    from app.gui.main_window import PAGE_REVIEW

    added_folder(qtbot, window, tmp_path, count=3)
    window.activateWindow()
    window.show_page(PAGE_REVIEW)
    window.review.list.setFocus()
    reached = set()
    for _ in range(30):
        QTest.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        reached.add(window.focusWidget())
    assert {window.review.find_button, window.review.places_button} <= reached
    with qtbot.waitSignal(window.review.find_suggestions_requested, timeout=3000):
        press_focused(qtbot, window.review.find_button, Qt.Key.Key_Return)


def test_every_toolbar_action_has_a_key_and_a_place_in_the_menu_bar(window) -> None:
    in_menus = {action for menu in window.menuBar().actions() for action in menu.menu().actions()}
    for action in window.toolbar.actions():
        if action.isSeparator() or not action.text():
            continue
        assert action in in_menus, action.text()
        assert not action.shortcut().isEmpty(), f"{action.text()} has no key"
    assert window.save_search_action in in_menus and window.loupe_action in in_menus


def test_the_new_keys_clash_with_no_standard_key_nor_another_action(window) -> None:
    native = QKeySequence.SequenceFormat.NativeText
    standard = {key.toString(native) for name in QKeySequence.StandardKey
                for key in QKeySequence.keyBindings(name)}
    for action in (window.undo_action, window.errors_action, window.save_search_action):
        assert action.shortcut().toString(native) not in standard, action.text()
        assert action.shortcut().toString(native) in action.toolTip()
    keys = [action.shortcut().toString(native) for action in window.keyboard_actions() if not action.shortcut().isEmpty()]
    assert len(keys) == len(set(keys))


def test_f1_lists_the_new_keys_and_scrolls_to_its_last_row_from_the_keyboard(qtbot, window) -> None:
    from app.gui.shortcuts_dialog import ShortcutsDialog

    dialog = ShortcutsDialog(window.keyboard_actions(), window)
    qtbot.addWidget(dialog)
    dialog.resize(dialog.width(), 300)  # shorter than its rows, as on a small screen
    dialog.show()
    qtbot.waitExposed(dialog)
    listed = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    assert {"Undo write", "Problems", "Save this search…", "View larger", "Back, or cancel the running job"} <= set(listed)
    bar = dialog.table.verticalScrollBar()
    assert bar.maximum() > 0 and dialog.focusWidget() is dialog.table
    QTest.keyClick(dialog.table, Qt.Key.Key_Down)
    for _ in range(dialog.table.rowCount()):
        QTest.keyClick(dialog.table, Qt.Key.Key_PageDown)
    assert bar.value() == bar.maximum()
    QTest.keyClick(dialog.table, Qt.Key.Key_Home)
    assert bar.value() == 0
    QTest.keyClick(dialog.table, Qt.Key.Key_End)
    assert bar.value() == bar.maximum()
    QTest.keyClick(dialog.table, Qt.Key.Key_PageUp)
    assert bar.value() < bar.maximum()


@pytest.mark.parametrize("which", ["write", "shortcuts"])
def test_dialogs_open_within_the_screen(qtbot, window, which) -> None:
    from app.gui.shortcuts_dialog import ShortcutsDialog
    from app.gui.write_dialog import WritePlanDialog

    available = QGuiApplication.primaryScreen().availableGeometry()  # pytest-qt's offscreen one: 800 × 800
    dialog = (WritePlanDialog([], include_suggested=False, parent=window) if which == "write"
              else ShortcutsDialog(window.keyboard_actions(), window))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # (the offscreen screen's frame is 2 px, which Qt's placing of a dialog takes as one side's)
    assert available.contains(dialog.geometry()), (dialog.geometry(), available)
    assert dialog.frameGeometry().width() <= available.width()
    assert dialog.frameGeometry().height() <= available.height()


def test_within_screen_keeps_a_size_that_fits_and_shrinks_one_that_does_not() -> None:
    from PySide6.QtCore import QSize

    from app.gui.screen_fit import within_screen

    assert within_screen(QSize(900, 560), QSize(1920, 1080)) == QSize(900, 560)
    assert within_screen(QSize(900, 560), QSize(960, 540)) == QSize(883, 496)
    assert within_screen(QSize(900, 560), None) == QSize(900, 560)


def test_a_sort_order_that_cannot_be_kept_is_said_with_the_path_and_why(qtbot, window) -> None:
    from app.core.settings import settings_path

    settings_path().unlink(missing_ok=True)
    settings_path().mkdir(parents=True)  # the disk refuses the file (even for root)
    window.search_bar.order.setCurrentIndex(1)  # Oldest first
    message = window.statusBar().currentMessage()
    assert "not kept" in message and str(settings_path()) in message, repr(message)


def test_closing_the_app_keeps_a_damaged_settings_file_and_says_where(qtbot, tmp_path) -> None:
    from app.core.settings import settings_path
    from app.gui.app import create_application, open_main_window
    from tests.test_settings_kept import USERS_FILE, kept_copies, write_damaged_file

    write_damaged_file()
    create_application()
    win = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(win)
    win.show()
    win.search_bar.order.setCurrentIndex(1)  # a change saved at once, then the layout at close
    win.close()
    close_main_window(win)
    [kept] = kept_copies()
    assert kept.read_text(encoding="utf-8") == USERS_FILE
    [(_path, _stage, message)] = [p for p in win.errors_panel.problems() if p[1] == "settings"]
    assert kept.name in message
    assert settings_path().is_file()  # the defaults, and the order chosen, for the next start


def test_the_search_fields_buttons_have_names(window) -> None:
    from PySide6.QtWidgets import QToolButton

    window.search_bar.field.setText("rome")
    for button in window.search_bar.field.findChildren(QToolButton):
        assert button.toolTip() and (button.accessibleName() or button.text()), button.defaultAction().objectName()

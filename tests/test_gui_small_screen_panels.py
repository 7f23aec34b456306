"""The app's window on an 800 px screen: the panels give way, come back when it widens, and keep the user's layout."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.test_gui_support import close_main_window, suggested_photos, wait_for_results, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


# -- the window on a small screen ------------------------------------------------------------
def within_width(widget, area) -> bool:
    """The widget lies across `area` without running past either side of it."""
    left = widget.mapTo(area, widget.rect().topLeft()).x()
    return widget.isVisible() and widget.width() > 0 and left >= 0 and left + widget.width() <= area.width()


def test_the_window_opens_whole_on_an_800_px_screen(qtbot, window) -> None:
    """first_window_size promises it; the panels and the photos held it 976-984 px wide."""
    from PySide6.QtGui import QGuiApplication

    from app.gui.app import open_main_window
    from app.gui.main_window import first_window_size

    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert screen.width() == 800  # the offscreen platform's screen
    second = open_main_window(window.db_path)
    qtbot.addWidget(second)
    try:
        second.show()
        wait_for_results(qtbot, second)
        assert second.width() == first_window_size(screen.size()).width() <= screen.width()
    finally:
        close_main_window(second)


def test_at_800_px_the_panels_give_way_and_nothing_runs_over(qtbot, window, tmp_path) -> None:
    from app.gui.job_runner import JobProgress
    from app.gui.main_window import PAGE_REVIEW

    suggested_photos(qtbot, window, tmp_path, count=4)
    window.resize(800, 600)
    qtbot.wait(100)
    assert window.width() == 800 and window.minimumSizeHint().width() <= 800
    assert window.library_dock.isVisible() and window.detail_dock.isVisible()
    assert window.library_dock.width() < 170 and window.detail_dock.width() < 300  # their old minimums
    bar = window.search_bar
    for widget in (bar.field, bar.count_label, bar.order):
        assert within_width(widget, window.centralWidget())
    assert bar.field.geometry().right() < bar.count_label.geometry().left()
    assert bar.count_label.geometry().right() < bar.order.geometry().left()
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.waitUntil(lambda: window.detail.record is not None, timeout=5000)
    for button in (window.detail.accept_button, window.detail.reject_button, window.detail.relabel_button,
                   window.detail.similar_button):
        assert within_width(button, window.detail.viewport())
    window.show_page(PAGE_REVIEW)
    wait_for_results(qtbot, window)
    qtbot.wait(50)
    for button in (window.review.places_button, window.review.find_button):
        assert within_width(button, window.review)
    window.job_bar.begin("Tagging the library's folders")
    window.job_bar.update_progress(JobProgress(done=12_345, total=100_000, message="", rate=35.2, eta_s=7_560.0))
    qtbot.wait(50)
    try:
        assert window.minimumSizeHint().width() <= 800 and window.width() == 800
        for widget in (window.job_bar.title, window.job_bar.bar, window.job_bar.detail, window.job_bar.cancel_button):
            assert within_width(widget, window.job_bar)
    finally:
        window.job_bar.end()


def drag(qtbot, widget, start, moves) -> None:
    """Press the left button at `start`, move through `moves`, let go at the last (a
    panel's edge moves on a timer: each step is given its turn of the event loop)."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    steps = [(QEvent.Type.MouseMove, start, none, none), (QEvent.Type.MouseButtonPress, start, left, left)]
    steps += [(QEvent.Type.MouseMove, point, none, left) for point in moves]
    steps.append((QEvent.Type.MouseButtonRelease, moves[-1], left, none))
    for kind, point, button, buttons in steps:
        QApplication.sendEvent(widget, QMouseEvent(kind, QPointF(point), QPointF(widget.mapToGlobal(point)), button,
                                                   buttons, Qt.KeyboardModifier.NoModifier))
        qtbot.wait(20)


def test_the_panels_come_back_when_the_window_widens_as_wide_as_the_user_left_them(qtbot, window) -> None:
    """Narrowed once, they stayed at their minimums however wide the window grew again."""
    from PySide6.QtCore import QPoint

    opening = (250, 360)  # the library panel's and the detail pane's widths on a screen with room
    window.resize(1280, 800)
    qtbot.wait(50)
    assert [window.library_dock.width(), window.detail_dock.width()] == list(opening)
    window.resize(800, 600)
    qtbot.wait(50)
    assert window.library_dock.width() < opening[0] and window.detail_dock.width() < opening[1]
    window.resize(1280, 800)
    qtbot.wait(50)
    assert [window.library_dock.width(), window.detail_dock.width()] == list(opening)
    # the user drags the detail pane's edge 80 px to the right: that width is the one kept
    edge = QPoint(window.detail_dock.geometry().left() - 3, window.detail_dock.geometry().center().y())
    drag(qtbot, window, edge, [edge + QPoint(40, 0), edge + QPoint(80, 0)])
    dragged = window.detail_dock.width()
    assert dragged < opening[1]
    window.resize(800, 600)
    qtbot.wait(50)
    window.resize(1280, 800)
    qtbot.wait(50)
    assert window.detail_dock.width() == dragged and window.library_dock.width() == opening[0]


def drag_library_edge(qtbot, win, by: int) -> int:
    """The user drags the library panel's right edge `by` px to the right; its width then."""
    from PySide6.QtCore import QPoint

    edge = QPoint(win.library_dock.geometry().right() + 3, win.library_dock.geometry().center().y())
    drag(qtbot, win, edge, [edge + QPoint(by // 2, 0), edge + QPoint(by, 0)])
    return win.library_dock.width()


def test_a_layout_saved_on_a_wide_screen_comes_back_when_the_window_widens(qtbot, window) -> None:
    """Opened on an 800 px screen, the restored panels were squeezed and those squeezed
    widths taken as the user's (and saved at exit): the library panel left at 500 px stayed
    at its minimum however wide the window grew."""
    from app.gui.app import open_main_window

    window.resize(1280, 800)
    qtbot.wait(50)
    saved = (drag_library_edge(qtbot, window, 250), window.detail_dock.width())
    assert saved[0] > 400
    window.save_window_state()
    for _ in range(2):  # opened on the small screen, closed there, opened again
        second = open_main_window(window.db_path)
        qtbot.addWidget(second)
        try:
            second.show()
            qtbot.wait(100)
            assert second.width() <= 800 and second.library_dock.width() < saved[0]  # squeezed to the screen
            second.save_window_state()  # what it keeps is the user's layout, not the squeezed one
            window.settings = second.settings
        finally:
            close_main_window(second)
    third = open_main_window(window.db_path)
    qtbot.addWidget(third)
    try:
        third.show()
        qtbot.wait(100)
        third.resize(1280, 800)
        qtbot.wait(100)
        assert (third.library_dock.width(), third.detail_dock.width()) == saved
    finally:
        close_main_window(third)


def test_a_resize_takes_from_the_panels_only_what_the_window_lost(qtbot, window) -> None:
    """Each resize gave the photos 540 px first: a library panel the user had widened (the
    photos narrower than that) was narrowed when the window grew by 20 px, and by 130 px
    when it shrank by 20."""
    window.resize(1280, 800)
    qtbot.wait(50)
    library = drag_library_edge(qtbot, window, 250)
    detail, photos = window.detail_dock.width(), window.centralWidget().width()
    assert photos < 540  # the user's choice: narrower photos, a wider panel
    window.resize(1300, 800)
    qtbot.wait(50)
    assert (window.library_dock.width(), window.detail_dock.width()) == (library, detail)
    window.resize(1260, 800)  # 20 px narrower than the user left it: the panels give up those 20 px
    qtbot.wait(50)
    assert window.library_dock.width() + window.detail_dock.width() == library + detail - 20
    assert window.centralWidget().width() == photos
    window.resize(800, 600)
    qtbot.wait(50)
    minimums = (window.library_dock.minimumSizeHint().width(), window.detail_dock.minimumSizeHint().width())
    assert window.library_dock.width() > minimums[0] and window.detail_dock.width() > minimums[1]
    assert window.centralWidget().width() == photos  # the panels give way before the photos do
    window.resize(1280, 800)
    qtbot.wait(50)
    assert (window.library_dock.width(), window.detail_dock.width()) == (library, detail)

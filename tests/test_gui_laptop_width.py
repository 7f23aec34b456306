"""The window on a laptop's screen (1,024 × 640 with the library and detail panels
open): search errors, the detail pane, an empty search and the review header must be
read whole there, without the window growing wider than the screen."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_gui import added_folder, wait_for_results  # noqa: E402
from tests.test_gui_support import close_main_window  # noqa: E402

pytestmark = pytest.mark.gui

LAPTOP = (1024, 640)


@pytest.fixture
def laptop_window(qtbot, tmp_path):
    from app.gui.app import create_application, open_main_window

    create_application()
    win = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(win)
    win.resize(*LAPTOP)
    win.show()
    qtbot.waitExposed(win)
    wait_for_results(qtbot, win)
    yield win
    close_main_window(win)


def reads_whole(label) -> bool:
    """The label is on screen with room for all its (wrapped) text."""
    return (label.isVisible() and label.width() > 0
            and label.height() >= label.heightForWidth(label.width()) > 0
            and all(label.fontMetrics().horizontalAdvance(word) <= label.width() for word in label.text().split()))


@pytest.mark.parametrize("query", ["date:20xx", "camera:", 'label:"Eiffel'])
def test_a_search_error_is_read_whole_at_1024_px_without_widening_the_window(qtbot, laptop_window, tmp_path,
                                                                              query) -> None:
    window = laptop_window
    added_folder(qtbot, window, tmp_path, count=3)
    window.search_bar.set_text(query)
    wait_for_results(qtbot, window)
    error = window.search_bar.error_label
    qtbot.waitUntil(lambda: error.isVisible())
    qtbot.waitUntil(lambda: reads_whole(error))  # beside the field it had no width at all
    assert query in error.text() and error.toolTip() == error.text()
    assert window.width() == LAPTOP[0] and window.minimumSizeHint().width() <= LAPTOP[0]
    window.search_bar.set_text("")
    wait_for_results(qtbot, window)
    assert not error.isVisible()

"""The window on a laptop's screen (1,024 × 640 with the library and detail panels
open): search errors, the detail pane, an empty search, the review header and rows and
the loupe's caption must be read whole there, without the window growing wider than
the screen."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QItemSelectionModel  # noqa: E402

from app.gui.photo_model import RecordRole  # noqa: E402

from tests.test_gui_support import added_folder, close_main_window, wait_for_results  # noqa: E402

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


def inside(widget, area) -> bool:
    """The widget lies within the area's width (a scroll area's viewport, say)."""
    left = widget.mapTo(area, widget.rect().topLeft()).x()
    return left >= 0 and left + widget.width() <= area.width()


def test_the_detail_pane_follows_its_width_at_1024_px(qtbot, laptop_window, tmp_path) -> None:
    """Its content was ~305 px in a ~290 px view: Label…, the confidence and the
    preview's right edge were cut (and there is no horizontal scroll bar)."""
    from tests.test_gui_support import suggest

    window = laptop_window
    added_folder(qtbot, window, tmp_path, count=3)
    suggest(window.index, window.grid_model.photo_id(0), "Notre-Dame de la Garde", 0.85)
    window.photos_changed([window.grid_model.photo_id(0)])
    window.grid.selectionModel().setCurrentIndex(window.grid_model.index(0),
                                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)
    detail = window.detail
    qtbot.waitUntil(detail.preview.has_image, timeout=20000)
    qtbot.waitUntil(lambda: "confidence" in detail.state_line.text())
    view = detail.viewport()
    qtbot.waitUntil(lambda: detail.widget().width() <= view.width())
    for widget in (detail.preview, detail.title, detail.state_line, detail.accept_button, detail.reject_button,
                   detail.relabel_button, detail.similar_button):
        assert inside(widget, view), widget.objectName() or type(widget).__name__
    assert reads_whole(detail.state_line)  # "85% confidence" wraps instead of running off the edge
    assert detail.preview.pixmap().width() <= detail.preview.width()


def test_buttons_wrap_onto_more_rows_in_a_narrow_pane(qtbot) -> None:
    from PySide6.QtWidgets import QPushButton

    from app.gui.button_row import ButtonRow

    buttons = [QPushButton(text) for text in ("Accept", "Reject", "Label…")]
    row = ButtonRow(buttons)
    qtbot.addWidget(row)
    widest = max(button.sizeHint().width() for button in buttons)
    assert row.minimumSizeHint().width() <= widest  # it never holds its panel wider
    row.resize(3 * widest + 40, 40)
    row.show()
    qtbot.waitUntil(lambda: row.columns == 3)
    row.resize(widest + 20, 40)
    qtbot.waitUntil(lambda: row.columns == 1)
    row.resize(widest + 20, row.sizeHint().height())
    qtbot.waitUntil(lambda: all(inside(button, row) for button in buttons))
    assert len({button.y() for button in buttons}) == 3  # one a row


def test_a_search_that_finds_nothing_says_so_in_the_grids_place_and_how_to_get_back(qtbot, laptop_window,
                                                                                     tmp_path) -> None:
    """It showed an empty dark area and a small "0 photos"."""
    window = laptop_window
    added_folder(qtbot, window, tmp_path, count=3)
    note = window.grid.empty_note
    assert not note.isVisible()
    window.search_bar.set_text("Machu Picchu")
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 0
    assert note.isVisible() and inside(note, window.grid.viewport())
    assert note.text().startswith("No photos match “Machu Picchu”")
    assert "Clear the search" in note.text()
    assert reads_whole(note)
    middle = window.grid.viewport().rect().center()
    assert note.geometry().top() < middle.y() < note.geometry().bottom()  # centred, not in a corner
    window.search_bar.set_text("")
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 3 and not note.isVisible()


def test_tagging_one_selected_photo_says_1_photo(qtbot, laptop_window, tmp_path, monkeypatch) -> None:
    window = laptop_window
    added_folder(qtbot, window, tmp_path, count=3)
    titles: list[str] = []
    monkeypatch.setattr(window.jobs, "tag", lambda targets, title: titles.append(title) or True)
    window.grid.selectionModel().setCurrentIndex(window.grid_model.index(0),
                                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert window.tag_selection()
    window.grid.selectAll()
    assert window.tag_selection()
    assert titles == ["Tagging 1 photo", "Tagging 3 photos"]


@pytest.mark.parametrize("size", [LAPTOP, (1280, 800)])
def test_the_review_heading_and_its_key_hints_are_read_whole(qtbot, laptop_window, tmp_path, size) -> None:
    """At 1,024 px the buttons beside them cut the heading to "Review sugges…"."""
    from tests.test_gui_support import suggest

    window = laptop_window
    window.resize(*size)
    added_folder(qtbot, window, tmp_path, count=3)
    suggest(window.index, window.grid_model.photo_id(0), "Colosseum", 0.85)
    window.show_page(2)
    wait_for_results(qtbot, window)
    review = window.review
    qtbot.waitUntil(lambda: review.heading.full_text() == "Review suggestions  (1)")
    qtbot.waitUntil(lambda: review.heading.text() == review.heading.full_text())
    assert review.hint.text() == review.hint.full_text()
    review.show_found(12)
    qtbot.waitUntil(lambda: review.heading.text() == review.heading.full_text())
    for widget in (review.heading, review.hint, review.places_button, review.find_button, review.found_label):
        assert inside(widget, review), widget.text()
    assert window.width() == size[0]


def test_problems_opening_on_their_own_leave_the_photos_most_of_the_window(qtbot, laptop_window, tmp_path) -> None:
    """A scan's problems opened the panel at a third of a laptop's height: one row of
    photos was left. It opens as a strip (the user can drag it taller)."""
    win = laptop_window
    added_folder(qtbot, win, tmp_path, count=6)
    grid_before = win.grid.viewport().height()
    for number in range(12):
        win.errors_panel.add_problem(str(tmp_path / f"broken_{number}.jpg"), "scan", "truncated JPEG")
    qtbot.waitUntil(lambda: win.errors_dock.isVisible() and win.errors_dock.height() > 0, timeout=5000)
    qtbot.wait(50)
    assert win.errors_dock.height() <= LAPTOP[1] // 5 + 10
    assert win.errors_panel.viewport().height() >= 2 * win.errors_panel.verticalHeader().defaultSectionSize()
    assert win.grid.viewport().height() >= grid_before - LAPTOP[1] // 5 - 10


def shows_whole(label) -> bool:
    """A one-line label that is not cut with "…" (the key hint may show its keys alone),
    or a wrapping one with room for all its lines."""
    from app.gui.elided_label import ElidedLabel
    from app.gui.loupe_view import SHORT_HINT

    if isinstance(label, ElidedLabel):
        return label.text() in (label.full_text(), SHORT_HINT) \
            and label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    return reads_whole(label)


@pytest.mark.parametrize("size", [LAPTOP, (1280, 800)])
def test_the_loupe_caption_shows_the_date_and_the_lines_beside_it_whole(qtbot, laptop_window, tmp_path,
                                                                        size) -> None:
    """At 1,024 px the file name and the date shared one line: "IMG_0003.jpg · 2020-11…"."""
    from PySide6.QtWidgets import QLabel

    from app.gui.detail_pane import format_taken_at
    from tests.test_gui_support import suggest

    window = laptop_window
    window.resize(*size)
    added_folder(qtbot, window, tmp_path, count=3)
    photo_id = window.grid_model.photo_id(0)
    suggest(window.index, photo_id, "Notre-Dame de la Garde", 0.85)
    window.photos_changed([photo_id])
    window.grid.selectionModel().setCurrentIndex(window.grid_model.index(0),
                                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)
    loupe = window.loupe
    assert window.open_loupe()
    qtbot.waitUntil(lambda: loupe.record_id == photo_id)
    taken = format_taken_at(window.index.get(photo_id).taken_at)
    captions = [label for label in loupe.findChildren(QLabel) if label.text()]
    qtbot.waitUntil(lambda: all(shows_whole(label) for label in captions))
    assert any(label.text() == taken for label in captions)  # the date on a line of its own
    assert all(label.toolTip() for label in captions)
    for label in captions:
        assert inside(label, loupe), label.text()
        assert label.geometry().bottom() < loupe.height(), label.text()
    assert window.width() == size[0]


@pytest.mark.parametrize("size", [LAPTOP, (1280, 800)])
def test_the_review_rows_show_label_confidence_file_and_date_whole(qtbot, laptop_window, tmp_path, size) -> None:
    """At 1,024 px the row's text column was cut to "Notre-Dame de…" and "2020-11-03 10:02 ·…"."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem

    from app.core.library import display_name
    from tests.test_gui_support import suggest

    class Recording(QPainter):
        """Notes each text drawn, with the width it was given."""

        def __init__(self, device) -> None:
            super().__init__(device)
            self.texts: list[tuple[str, float, float]] = []

        def drawText(self, rect, flags, text) -> None:  # noqa: N802 (Qt's name)
            self.texts.append((text, QRectF(rect).width(), self.fontMetrics().horizontalAdvance(text)))
            super().drawText(rect, flags, text)

    window = laptop_window
    window.resize(*size)
    added_folder(qtbot, window, tmp_path, count=3)
    labels = {"Notre-Dame de la Garde": 0.42, "Sagrada Família": 0.66, "Colosseum": 0.85}
    ids = [window.grid_model.photo_id(row) for row in range(3)]
    for photo_id, (label, score) in zip(ids, labels.items()):
        suggest(window.index, photo_id, label, score)
    window.photos_changed(ids)
    window.show_page(2)
    wait_for_results(qtbot, window)
    review = window.review
    qtbot.waitUntil(lambda: review.list.model().rowCount() == 3)
    qtbot.waitUntil(lambda: review.list.visualRect(review.list.model().index(0, 0)).width() > 0)
    for row in range(3):
        index = review.list.model().index(row, 0)
        record = index.data(RecordRole)
        option = QStyleOptionViewItem()
        option.initFrom(review.list)
        option.rect = review.list.visualRect(index)
        assert option.rect.right() <= review.list.viewport().width()
        image = QImage(option.rect.right() + 1, option.rect.bottom() + 1, QImage.Format.Format_ARGB32)
        painter = Recording(image)
        review.list.itemDelegate().paint(painter, option, index)
        painter.end()
        texts = {text: (width, advance) for text, width, advance in painter.texts}
        when = record.taken_at[:16].replace("T", " ")
        assert record.label in texts and display_name(record.path) in texts
        assert f"{labels[record.label] * 100:.0f}%" in texts
        assert any(text.startswith(when) for text in texts), texts
        for text, (width, advance) in texts.items():
            assert "…" not in text and advance <= width, text

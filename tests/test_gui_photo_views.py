"""How the app shows a photo: grid tiles, the detail pane, the loupe, odd file names, lazy loading of a big library."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from app.core.index import Prediction  # noqa: E402
from tests.test_gui_support import (  # noqa: E402,F401
    added_folder,
    close_main_window,
    insert_synthetic_photos,
    make_photo_folder,
    show_the_one_missing_photo,
    suggest,
    wait_for_job,
    wait_for_results,
    window,
)

pytestmark = pytest.mark.gui


def test_the_detail_pane_shows_predictions_and_metadata(qtbot, window, tmp_path) -> None:
    def texts():
        return [window.detail.predictions_box.itemAt(i).widget().text()
                for i in range(window.detail.predictions_box.count())]

    assert texts() == ["Select a photo to see what the model thinks of it."]  # not "tag this photo"
    added_folder(qtbot, window, tmp_path, count=2)
    photo_id = window.grid_model.photo_id(0)
    suggest(window.index, photo_id, "Petra", 0.75)
    window.photos_changed([photo_id])
    window.grid.setCurrentIndex(window.grid_model.index(0))
    assert window.detail.title.text() == "Petra"
    assert window.detail.fields["Camera"].text() == "Nikon D90"
    bars = [window.detail.predictions_box.itemAt(i).widget() for i in range(window.detail.predictions_box.count())]
    assert [(bar.label, round(bar.score, 2)) for bar in bars] == [("Petra", 0.75), ("Other place", 0.25)]
    qtbot.waitUntil(window.detail.preview.has_image, timeout=10000)
    # `suggest` re-scored the label after a place was taught: the pane says why the numbers differ
    window.index.set_label(photo_id, None, source="model", state="suggested", score=0.52, model_id="test-model")
    window.photos_changed([photo_id])
    window.grid.setCurrentIndex(window.grid_model.index(1))
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.waitUntil(lambda: window.detail.title.text() == "No landmark")
    assert "best guess Petra, 52%" in window.detail.state_line.text()  # the guess named, its stored score
    items = [window.detail.predictions_box.itemAt(i).widget() for i in range(window.detail.predictions_box.count())]
    assert "Scores when tagged" in items[-1].text() and "52%" in items[-1].text()
    # a blank frame: the tagger gave every landmark 0 (model.image_detail); no bars, a reason
    window.index.set_predictions(photo_id, "test-model", [Prediction("petra", "Petra", 0.0)], float("inf"))
    window.photos_changed([photo_id])
    assert texts() == ["Too little detail to recognise anything (a blank, dark or overexposed frame, or noise)."]
    assert window.detail.state_line.text().endswith("blank frame") and "%" not in window.detail.state_line.text()


@pytest.mark.slow
def test_the_loupe_shows_the_photo_large_and_the_label_keys_act_on_it_alone(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=4)
    ids = [window.grid_model.photo_id(row) for row in range(3)]
    for photo_id, label in zip(ids, ("Petra", "Alhambra", "Alcatraz")):
        suggest(window.index, photo_id, label, 0.7)
    window.photos_changed(ids)
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.grid_model.index(0))
    window.grid.selectAll()  # a selection of several photos; the loupe acts on the one it shows
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    assert window.loupe.isVisible() and window.loupe.geometry() == window.stack.rect()
    assert window.selected_ids() == [ids[0]]
    assert window.loupe.title.text() == "Petra"
    assert window.loupe.state_line.text() == window.detail.state_line.text() == "suggested  ·  by model  ·  70% confidence"
    qtbot.waitUntil(window.loupe.has_image, timeout=10000)
    assert window.loupe.image.width() > window.detail.preview.width()
    qtbot.keyClick(window.loupe, Qt.Key.Key_Right)
    assert window.loupe.title.text() == "Alhambra" and window.selected_ids() == [ids[1]]
    qtbot.keyClick(window.loupe, Qt.Key.Key_Left)
    qtbot.keyClick(window.loupe, Qt.Key.Key_Left)  # stops at the first photo
    assert window.loupe.title.text() == "Petra"
    qtbot.keyClick(window.loupe, Qt.Key.Key_A)  # the window's Accept, on the photo shown only
    assert [window.index.get(i).state for i in ids] == ["accepted", "suggested", "suggested"]
    assert window.loupe.isVisible() and window.loupe.title.text() == "Alhambra"  # moved on, as in the grid
    qtbot.keyClick(window.loupe, Qt.Key.Key_Escape)
    assert not window.loupe.isVisible()
    assert window.grid.currentIndex().row() == 1  # the grid is where the loupe left it
    # a double click opens it on that photo; typing a search closes it
    window.grid.doubleClicked.emit(window.grid_model.index(2))
    assert window.loupe.isVisible() and window.loupe.title.text() == "Alcatraz"
    qtbot.keyClicks(window.search_bar.field, "label:Petra has:date")  # Space types a space there
    assert window.search_bar.text() == "label:Petra has:date"
    qtbot.waitUntil(lambda: not window.loupe.isVisible(), timeout=5000)


def test_the_loupe_caption_cuts_a_long_landmark_name_on_a_laptop_instead_of_running_it_under_the_key_hint(
        qtbot, window, tmp_path) -> None:
    from PySide6.QtWidgets import QLabel

    from app.gui.loupe_view import HINT, SHORT_HINT

    long_name = "Basilica Cattedrale Metropolitana di Santa Maria Assunta e San Giovanni Battista (Duomo di Urbino)"
    added_folder(qtbot, window, tmp_path, count=2)
    ids = [window.grid_model.photo_id(row) for row in range(2)]
    suggest(window.index, ids[0], long_name, 0.7)
    suggest(window.index, ids[1], "Petra", 0.7)
    window.photos_changed(ids)
    window.resize(1024, 700)
    window.grid.setCurrentIndex(window.grid_model.index(0))
    assert window.open_loupe()
    qtbot.waitUntil(lambda: window.loupe.record_id == ids[0])
    loupe = window.loupe
    left, right = [loupe.title, loupe.state_line], [loupe.file_line, loupe.date_line, loupe.hint]
    hint = loupe.hint
    assert set(loupe.findChildren(QLabel)) >= set(left + right)
    for label in (loupe.title, loupe.file_line, hint):  # each shows what fits, cut with "…", not clipped mid-letter
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    assert max(label.geometry().right() for label in left) < min(label.geometry().left() for label in right)
    assert window.loupe.title.text().startswith("Basilica") and window.loupe.title.text().endswith("…")
    assert window.loupe.title.toolTip() == long_name
    assert window.loupe.title.width() >= window.loupe.width() // 2  # the label comes first: most of the row
    assert hint.text() == SHORT_HINT and hint.toolTip() == HINT  # the keys whole, not "A acc…"
    window.resize(1600, 900)
    qtbot.keyClick(window.loupe, Qt.Key.Key_Right)  # a short label: room again for the whole key hint
    qtbot.waitUntil(lambda: window.loupe.record_id == ids[1])
    assert window.loupe.title.text() == "Petra" and hint.text() == HINT


def test_the_loupe_over_the_review_list_moves_on_and_closes_after_the_last_suggestion(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=2)
    ids = [window.grid_model.photo_id(row) for row in range(2)]
    for photo_id, score in zip(ids, (0.4, 0.8)):
        suggest(window.index, photo_id, "Petra", score)
    window.review_action.trigger()
    wait_for_results(qtbot, window)
    assert window.open_loupe()
    assert window.loupe.record_id == ids[0]  # the least confident first
    qtbot.keyClick(window.loupe, Qt.Key.Key_R)
    assert window.index.get(ids[0]).state == "rejected"
    assert window.loupe.isVisible() and window.loupe.record_id == ids[1]
    qtbot.keyClick(window.loupe, Qt.Key.Key_A)
    wait_for_results(qtbot, window)
    assert window.index.get(ids[1]).state == "accepted"
    assert not window.loupe.isVisible()  # nothing left to show


def test_the_model_is_lazy_with_100000_photos(qtbot, tmp_path) -> None:
    from app.gui.app import create_application, open_main_window

    insert_synthetic_photos(tmp_path / "big.db", 100_000)
    create_application()
    win = open_main_window(tmp_path / "big.db")
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    wait_for_results(qtbot, win)
    qtbot.wait(200)
    try:
        assert win.grid_model.rowCount() == 100_000
        assert win.library_tree.topLevelItem(0).text(1) == "100,000"
        assert 0 < win.grid_model.records_fetched < 500
        assert 0 < win.thumbnails.requests_started < 200
        win.grid.scrollToBottom()
        qtbot.wait(200)
        assert win.grid_model.records_fetched < 1000
        assert win.thumbnails.requests_started < 400
        assert win.grid_model.record(99_999).id is not None
        win.thumbnails.wait_for_done(5000)  # the generated photos have no files: their thumbnails fail,
        qtbot.wait(200)  # and each failure repaints its tile, which threw the grid back to row ~484
        last = win.grid.visualRect(win.grid_model.index(99_999))
        assert win.grid.viewport().rect().intersects(last), f"scroll value {win.grid.verticalScrollBar().value()}"
    finally:
        close_main_window(win)


def test_a_non_utf8_file_name_is_shown_not_dropped(qtbot, window, tmp_path) -> None:
    import os
    import shutil

    folder = tmp_path / "photos"
    make_photo_folder(folder, 1)
    source = next(folder.rglob("*.jpg"))
    odd = os.path.join(os.fsencode(folder), b"caf\xe9.jpg")
    shutil.copyfile(source, odd)
    source.unlink()
    window.add_folder(folder)
    wait_for_job(qtbot, window)
    assert window.grid_model.rowCount() == 1
    window.grid.setCurrentIndex(window.grid_model.index(0))
    assert window.detail.fields["Files"].text().startswith("caf\ufffd.jpg")
    first = window.grid_model.index(0)
    window.grid_model.data(first, Qt.ItemDataRole.UserRole + 2)
    qtbot.waitUntil(lambda: window.grid_model.data(first, Qt.ItemDataRole.UserRole + 2) is not None, timeout=10000)


def test_a_no_landmark_tile_shows_no_confidence_badge():
    from app.core.index.records import PhotoRecord
    from app.gui.tile_delegate import confidence_badge

    assert confidence_badge(PhotoRecord(1, "/p/a.jpg", label="Colosseum", score=0.934, state="suggested")) == "93%"
    # the best guess that fell short would read as "69 % sure there is no landmark"
    assert confidence_badge(PhotoRecord(2, "/p/b.jpg", label=None, score=0.69, state="suggested")) is None
    assert confidence_badge(PhotoRecord(3, "/p/c.jpg", score=None, state="unlabelled")) is None


def test_a_tile_gives_the_landmark_name_its_whole_width(qtbot, window, tmp_path) -> None:
    """The percentage shared the label's line: at the default tile size "Palais
    Longchamp" read "Palais Lon…". It sits on the picture's corner now."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFontMetrics

    from app.core.index.records import PhotoRecord
    from app.gui.tile_delegate import PADDING, confidence_badge_rect, label_width

    delegate = window.grid.itemDelegate()
    strip_width = delegate.thumbnail_size + 2 * PADDING - 6 - 16  # the tile less its margins
    metrics = QFontMetrics(window.grid.font())
    for name in ("Palais Longchamp", "Forbidden City", "Machu Picchu", "Great Wall"):
        record = PhotoRecord(1, "/p/a.jpg", label=name, score=1.0, state="suggested")
        assert label_width(strip_width, record) >= metrics.horizontalAdvance(name), name
    picture = QRectF(10, 10, 160, 106)
    assert picture.contains(confidence_badge_rect(picture, metrics, "100%"))
    added_folder(qtbot, window, tmp_path, count=3)
    for record in window.index.search(""):  # painted with its badge, no error
        suggest(window.index, record.id, "Palais Longchamp", 0.97)
    window.library_changed()
    wait_for_results(qtbot, window)
    assert not window.grid.grab().isNull()


def test_the_detail_pane_says_why_there_is_no_preview(qtbot, window, tmp_path) -> None:
    """Its messages were cleared as soon as they were set (an empty box instead of
    "Select a photo" or "No preview: …"); a photo whose file is gone says so."""
    folder = added_folder(qtbot, window, tmp_path, count=3)
    assert window.detail.preview.text() == "Select a photo"
    gone = sorted(folder.rglob("*.jpg"))[0]
    gone.unlink()
    # before a scan notices: said in words, not as "[Errno 2] No such file or directory"
    gone_id = window.index.photo_ids(f'path:"{gone.resolve()}"')[0]
    row = next(row for row in range(window.grid_model.rowCount()) if window.grid_model.photo_id(row) == gone_id)
    window.grid.setCurrentIndex(window.grid_model.index(row))
    qtbot.waitUntil(lambda: window.detail.preview.text().startswith("No preview\nFile missing"), timeout=10000)
    assert "Errno" not in window.detail.preview.text()
    show_the_one_missing_photo(qtbot, window)
    assert window.detail.preview.text().startswith("File missing")
    assert not window.detail.preview.has_image()

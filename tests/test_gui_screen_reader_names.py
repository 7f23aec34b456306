"""What a screen reader hears: grid tiles of "no landmark" photos were read as empty
items and the other tiles as their label alone (no file, state or score); the search
field, the grid, the library tree, the review list, the detail pane and the Problems
table had no name."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QAccessible  # noqa: E402
from PySide6.QtWidgets import QListView  # noqa: E402

from app.core.index.records import PhotoRecord  # noqa: E402
from tests.test_gui_support import added_folder, window  # noqa: E402,F401

pytestmark = pytest.mark.gui

RECORDS = {
    1: PhotoRecord(id=1, path="/trips/Nikon_D60.jpg", label=None, score=0.41, state="suggested"),
    2: PhotoRecord(id=2, path="/trips/Nikon_D3100.jpg", label="Haleakala National Park", score=0.834,
                   state="accepted", has_raw=True, taken_at="2019-06-01T14:22:05", camera="Nikon D3100"),
    3: PhotoRecord(id=3, path="/trips/new.jpg"),
    4: PhotoRecord(id=4, path="/trips/gone.jpg", label="Petra", score=0.5, state="rejected", missing=True),
}
SPOKEN = {
    1: ("Nikon_D60.jpg, no landmark, suggested", "best guess 41 percent"),
    2: ("Nikon_D3100.jpg, Haleakala National Park, accepted, 83 percent confidence",
        "with a RAW file, taken 2019-06-01 14:22, camera Nikon D3100"),
    3: ("new.jpg, not tagged", ""),
    4: ("gone.jpg, Petra, rejected, 50 percent confidence, file missing", ""),
}


@pytest.fixture
def model(qtbot):
    from app.gui.photo_model import PhotoListModel
    from app.gui.thumbnail_loader import ThumbnailLoader

    thumbnails = ThumbnailLoader(160)
    photos = PhotoListModel(RECORDS.__getitem__, thumbnails)
    photos.set_ids(list(RECORDS))
    yield photos
    thumbnails.wait_for_done(3000)


def test_each_photo_row_gives_its_file_label_state_and_score_in_words(model) -> None:
    for row, photo_id in enumerate(RECORDS):
        index = model.index(row)
        name, description = SPOKEN[photo_id]
        assert index.data(Qt.ItemDataRole.AccessibleTextRole) == name
        assert index.data(Qt.ItemDataRole.AccessibleDescriptionRole) == description


def test_a_screen_reader_reads_the_rows_of_a_list_of_photos_so(qtbot, model) -> None:
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.show()
    qtbot.waitExposed(view)
    items = QAccessible.queryAccessibleInterface(view)
    read = [items.child(row).text(QAccessible.Text.Name) for row in range(items.childCount())]
    assert read == [SPOKEN[photo_id][0] for photo_id in RECORDS]
    assert items.child(1).text(QAccessible.Text.Description) == SPOKEN[2][1]


def test_the_windows_views_and_search_field_have_names(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=3)
    named = {window.search_bar.field: "Search photos", window.grid: "Photos", window.library_tree: "Library",
             window.errors_panel: "Problems", window.review.list: "Suggestions to review",
             window.detail: "Photo details"}
    for widget, name in named.items():
        assert QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name) == name
    first_tile = QAccessible.queryAccessibleInterface(window.grid).child(0).text(QAccessible.Text.Name)
    assert first_tile == Path(window.grid_model.record(0).path).name + ", not tagged"

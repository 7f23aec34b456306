"""Files renamed onto each other's names while the app is open (a batch renamer closing
the gap after a deleted frame, two names swapped): once the folder is read again the
index moves each photo's labels with its picture (app/core/renamed_over.py). The window
must follow: every label is shown over its own picture — grid tiles, detail pane, loupe —
and the pane names the file the photo is at now, even when the app had decoded a
picture at a name just before the folder was read again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QItemSelectionModel  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402

from app.core.index import PhotoIndex  # noqa: E402
from app.core.scanner import scan  # noqa: E402
from app.gui.photo_model import ThumbnailRole  # noqa: E402
from tests.test_gui_support import wait_for_job, wait_for_results, window  # noqa: E402,F401
from tests.test_index_support import write_jpeg  # noqa: E402

pytestmark = pytest.mark.gui

PICTURES = {"RED": (220, 20, 20), "GREEN": (20, 220, 20), "BLUE": (20, 20, 220), "YELLOW": (220, 220, 20)}


def rome(folder: Path) -> Path:
    """DSC_0001-0004.JPG: red, green, blue, yellow, a second apart, each with its own times."""
    for number, colour in enumerate(PICTURES.values(), start=1):
        path = write_jpeg(folder / f"DSC_000{number}.JPG", color=colour, size=(40 + number, 30),
                          taken=f"2020:11:03 14:05:0{number}")
        at = time.time() - 1000 + number
        os.utime(path, (at, at))
    return folder


def rename_all(folder: Path, moves: list[tuple[str, str]]) -> None:
    """As a batch renamer does: through temporary names, keeping each file's times."""
    for old, _ in moves:
        os.rename(folder / old, folder / f"{old}.moving")
    for old, new in moves:
        os.rename(folder / f"{old}.moving", folder / new)


def close_the_gap(folder: Path) -> None:
    (folder / "DSC_0001.JPG").unlink()
    rename_all(folder, [("DSC_0002.JPG", "DSC_0001.JPG"), ("DSC_0003.JPG", "DSC_0002.JPG"),
                        ("DSC_0004.JPG", "DSC_0003.JPG")])


def swap_first_two(folder: Path) -> None:
    rename_all(folder, [("DSC_0001.JPG", "DSC_0002.JPG"), ("DSC_0002.JPG", "DSC_0001.JPG")])


def colour_of(image: QImage) -> str:
    pixel = QColor(image.pixel(image.width() // 2, image.height() // 2))
    got = (pixel.red(), pixel.green(), pixel.blue())
    return min(PICTURES, key=lambda name: sum(abs(a - b) for a, b in zip(PICTURES[name], got)))


def labelled_library(window, folder: Path) -> None:  # noqa: F811
    """Each photo labelled with its picture's colour, read into the window's index."""
    with PhotoIndex.open(window.db_path) as index:
        scan(index, [folder])
        for record in index.search(""):
            colour = list(PICTURES)[int(Path(record.path).stem[-1]) - 1]
            index.set_label(record.id, colour, source="user", state="accepted")


def select(window, name: str) -> int:  # noqa: F811
    model = window.grid_model
    for row in range(model.rowCount()):
        if Path(model.record(row).path).name == name:
            window.grid.selectionModel().setCurrentIndex(model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
            return model.photo_id(row)
    raise AssertionError(f"{name} is not in the grid")


def read_again(qtbot, window, folder: Path) -> None:  # noqa: F811
    assert window.add_folder(folder)
    wait_for_job(qtbot, window)


def test_grid_tiles_painted_before_the_folder_is_read_again_show_each_label_over_its_own_picture(
        qtbot, window, tmp_path) -> None:  # noqa: F811
    """The app opens on a library whose files were renumbered since (it checks its folders
    at start, in a worker, while the grid already shows the photos): the tiles painted
    meanwhile show the pictures now at the old names. Once the folder is read, the labels
    moved to their pictures; a tile must not keep the picture of another photo."""
    folder = rome(tmp_path / "Rome")
    labelled_library(window, folder)
    swap_first_two(folder)
    window.library_changed()  # the grid of the index as it was, as at start
    wait_for_results(qtbot, window)
    model = window.grid_model
    for row in range(model.rowCount()):
        qtbot.waitUntil(lambda: model.data(model.index(row), ThumbnailRole) is not None, timeout=10000)

    assert window.check_library_folders()  # what the app does when it opens
    wait_for_job(qtbot, window)
    assert window.statusBar().currentMessage().startswith("Library folders checked: 4 photos, 2 moved")

    shown = {}
    for row in range(model.rowCount()):
        qtbot.waitUntil(lambda: model.data(model.index(row), ThumbnailRole) is not None, timeout=10000)
        shown[model.record(row).label] = colour_of(model.data(model.index(row), ThumbnailRole).toImage())
    assert shown == {name: name for name in PICTURES}  # was: GREEN over the red picture, RED over the green


def test_the_detail_pane_and_loupe_show_the_photos_own_picture_after_the_gap_is_closed(qtbot, window, tmp_path) -> None:  # noqa: F811
    """The user looked at DSC_0003 after the renamer ran (the yellow frame is there now,
    still labelled blue); reading the folder gives DSC_0003's photo — blue — its new name
    DSC_0002. The pane and the loupe, still on that photo, must show the blue picture,
    not the yellow one decoded before."""
    folder = rome(tmp_path / "Rome")
    labelled_library(window, folder)
    window.library_changed()
    wait_for_results(qtbot, window)
    close_the_gap(folder)
    photo = select(window, "DSC_0003.JPG")
    assert window.open_loupe()
    qtbot.waitUntil(lambda: window.detail.preview.image is not None, timeout=5000)

    read_again(qtbot, window, folder)
    qtbot.wait(300)  # a preview asked for again arrives from the worker

    record = window.detail.record
    assert (record.id, record.label, Path(record.path).name) == (photo, "BLUE", "DSC_0002.JPG")
    qtbot.waitUntil(lambda: window.detail.preview.image is not None, timeout=5000)
    assert colour_of(window.detail.preview.image) == "BLUE"  # was YELLOW: the picture at its old name


def test_the_detail_pane_follows_a_photo_whose_name_was_swapped(qtbot, window, tmp_path) -> None:  # noqa: F811
    """The pane shows DSC_0001 (red); DSC_0001 and DSC_0002 swap names. After the folder is
    read again the pane's photo — the red one — is DSC_0002: the pane must say so (it kept
    naming DSC_0001, the green picture's file now)."""
    folder = rome(tmp_path / "Rome")
    labelled_library(window, folder)
    window.library_changed()
    wait_for_results(qtbot, window)
    photo = select(window, "DSC_0001.JPG")
    qtbot.waitUntil(lambda: window.detail.preview.image is not None, timeout=5000)
    swap_first_two(folder)

    read_again(qtbot, window, folder)

    assert window.selected_ids() == [photo]
    record = window.detail.record
    assert (record.id, record.label) == (photo, "RED")
    assert Path(record.path).name == "DSC_0002.JPG"  # was DSC_0001.JPG: the pane kept its old record
    assert window.detail.fields["Files"].text() == "DSC_0002.JPG"

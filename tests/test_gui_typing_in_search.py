"""Keys typed in the search field are typing: the window's keys that change photos, files
or the running job (Esc cancelled a tag job, Ctrl+Shift+Backspace undid the last write in
the photo files) do not act from there, and Undo write asks first, naming its batch."""

from __future__ import annotations

import re
import time

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from tests.test_gui_support import added_folder, wait_for_results, window  # noqa: E402,F401
from tests.test_write_batch_size import _journal_columns_read  # noqa: E402

pytestmark = pytest.mark.gui

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
ACTING = ("accept", "reject", "relabel", "undo_review", "teach", "tag_folder", "tag_selection", "undo")


def slow_work(progress, cancel, emit):
    from app.core.errors import Cancelled

    for _ in range(400):
        if cancel.cancelled:
            raise Cancelled()
        time.sleep(0.05)


def typing_in_search(qtbot, window, text: str):
    window.activateWindow()
    field = window.search_bar.field
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=3000)
    QTest.keyClicks(field, text)
    return field


def written_photo(qtbot, window, tmp_path):
    """A photo labelled and written with the CLI: a write batch for Undo write."""
    from app.cli.main import main

    folder = added_folder(qtbot, window, tmp_path, count=3)
    photo = sorted(folder.glob("IMG_*.jpg"))[0]
    assert main(["--db", str(window.db_path), "label", str(photo), "Colosseum"]) == 0
    assert main(["--db", str(window.db_path), "write"]) == 0
    window.library_changed()
    wait_for_results(qtbot, window)
    assert window.undo_action.isEnabled()
    return photo


def test_esc_in_the_search_field_leaves_the_field_and_the_job_runs_on(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=3)
    field = typing_in_search(qtbot, window, "colos")
    assert window.jobs.start("Tagging", slow_work)
    qtbot.waitUntil(lambda: window.jobs.busy, timeout=3000)

    QTest.keyClick(field, Qt.Key.Key_Escape)
    qtbot.wait(300)

    assert window.jobs.busy, "Esc in the search field cancelled the job"
    assert window.grid.hasFocus() and field.text() == "colos"
    QTest.keyClick(window.grid, Qt.Key.Key_Escape)  # from the photos Esc still cancels it
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=5000)


def test_ctrl_shift_backspace_in_the_search_field_deletes_a_word_not_the_last_write(
        qtbot, window, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    photo = written_photo(qtbot, window, tmp_path)
    written = photo.read_bytes()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args) or QMessageBox.StandardButton.Yes)
    field = typing_in_search(qtbot, window, "colosseum rome")

    QTest.keyClick(field, Qt.Key.Key_Backspace, CTRL_SHIFT)
    qtbot.wait(200)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=20000)

    assert photo.read_bytes() == written and not asked, "a key typed in the search field undid the last write"
    assert field.text() == "colosseum "


def test_no_key_of_an_action_that_changes_photos_acts_from_the_search_field(qtbot, window, tmp_path,
                                                                            monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    written_photo(qtbot, window, tmp_path)
    window.grid.setCurrentIndex(window.grid_model.index(0))
    started = []
    monkeypatch.setattr(window.jobs, "start", lambda title, *args, **kwargs: started.append(title) or False)
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.No)
    field = typing_in_search(qtbot, window, "img")
    assert not window.errors_dock.isVisible()
    QTest.keyClick(field, Qt.Key.Key_F8)  # the window's keys do reach it from the field
    assert window.errors_dock.isVisible()

    acted = []
    for action in [getattr(window, f"{name}_action") for name in ACTING]:  # Esc: the first test
        assert action.isEnabled(), action.text()
        action.triggered.connect(lambda _=False, text=action.text(): acted.append(text))
        key = action.shortcut()[0]
        field.setFocus()
        QTest.keyClick(field, key.key(), key.keyboardModifiers())
    qtbot.wait(100)
    assert acted == [] and started == []


def test_undo_write_asks_first_naming_the_write_and_its_photos(qtbot, window, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    photo = written_photo(qtbot, window, tmp_path)
    written = photo.read_bytes()
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *_: asked.append(text) or QMessageBox.StandardButton.No)
    window.grid.setFocus()
    read = _journal_columns_read(window.index.conn, window.undo_action.trigger)
    qtbot.wait(200)
    assert not window.jobs.busy and photo.read_bytes() == written
    [question] = asked
    # the write by when it was made (the user never saw a batch number); one file a photo: not counted twice
    assert re.match(r"Take back the labels written to 1 photo (today|on \d+ \w+) at \d\d:\d\d\? ", question), question
    # counted in the index: the original bytes the write saved are not loaded on the GUI thread
    assert read and not read & {"before", "after"}, read

    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=20000)
    assert photo.read_bytes() != written


def photo_actions(window) -> list:
    return [window.accept_action, window.reject_action, window.relabel_action, window.undo_review_action,
            window.loupe_action, window.similar_action, window.open_file_action, window.show_file_action]


def test_the_menus_photo_actions_are_greyed_until_there_is_a_photo_to_act_on(qtbot, window, tmp_path) -> None:
    assert [action.text() for action in photo_actions(window) if action.isEnabled()] == []  # the first-run page
    added_folder(qtbot, window, tmp_path, count=3)
    window.grid.selectionModel().clear()
    assert not window.accept_action.isEnabled() and window.undo_review_action.isEnabled()
    window.grid.setCurrentIndex(window.grid_model.index(0))
    assert all(action.isEnabled() for action in photo_actions(window))
    window.search_bar.set_text("nothing-matches-this")
    wait_for_results(qtbot, window)
    assert not window.open_file_action.isEnabled()

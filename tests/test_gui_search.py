"""Searching in the app: the search field, pasted paths, malformed queries, saved searches and the shortcuts."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_gui_support import added_folder, suggest, wait_for_results, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_a_search_is_saved_under_a_name_listed_in_the_library_panel_and_deleted_there(
        qtbot, window, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    from app.core.settings import load_settings
    from app.gui.library_tree import SAVED_TITLE, SavedRole

    added_folder(qtbot, window, tmp_path, count=12)
    assert not window.search_bar.save_action.isVisible()  # nothing typed, nothing to save
    window.search_bar.set_text("trip OR IMG_0001")
    assert window.search_bar.save_action.isVisible()
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Trip and one more", True))
    window.search_bar.save_action.trigger()
    assert load_settings().saved_searches == (("Trip and one more", "trip OR IMG_0001"),)  # kept for next time
    tree = window.library_tree
    (heading,) = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                  if tree.topLevelItem(i).text(0) == SAVED_TITLE]
    saved = heading.child(0)
    assert saved.data(0, SavedRole) == "Trip and one more"
    window.search_bar.set_text("")
    tree.setCurrentItem(saved)
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 5, timeout=20000)  # the 4 in trip/, and IMG_0001
    window.library_changed()  # a rebuild keeps it chosen
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 5 and tree.selectedItems()[0].data(0, SavedRole) == "Trip and one more"
    window.search_bar.set_text("score>>1")  # a malformed search cannot be saved
    assert not window.save_search("score>>1") and "cannot be saved" in window.statusBar().currentMessage()
    tree.menu_for(tree.selectedItems()[0]).actions()[0].trigger()  # Delete saved search
    assert load_settings().saved_searches == ()
    assert all(tree.topLevelItem(i).text(0) != SAVED_TITLE for i in range(tree.topLevelItemCount()))


def test_search_narrows_the_grid_and_shows_the_count(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=12)
    suggest(window.index, window.grid_model.photo_id(0), "Colosseum", 0.9)
    suggest(window.index, window.grid_model.photo_id(1), "Colosseum", 0.4)
    qtbot.keyClicks(window.search_bar.field, "Colosseum")
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 2, timeout=20000)
    assert window.search_bar.count_label.text() == "2 photos"
    window.search_bar.set_text("label:Colosseum score>0.8")
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 1


def test_a_path_pasted_into_the_search_finds_that_photo(qtbot, window, tmp_path) -> None:
    """File managers copy whole paths (Windows quotes them, drags give file:// addresses):
    as free words they matched nothing."""
    folder = added_folder(qtbot, window, tmp_path, count=6)
    photo = sorted(folder.rglob("*.jpg"))[2].resolve()
    for pasted in (str(photo), f'"{photo}"', f"'{photo}'", photo.as_uri()):
        window.search_bar.set_text(pasted)
        wait_for_results(qtbot, window)
        assert window.grid_model.rowCount() == 1, pasted
        assert window.index.get(window.grid_model.photo_id(0)).path == str(photo)
    window.search_bar.set_text(f'-"{photo}"')  # a "-" before it: every photo but that one
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 5
    window.search_bar.set_text(str(photo.parent))
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == len(list(photo.parent.rglob("*.jpg")))  # and its subfolders
    window.search_bar.set_text('"' + str(tmp_path / "no such file.jpg") + '"')  # not a path there: a phrase
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 0 and not window.search_bar.error_label.isVisible()


def test_a_malformed_query_is_shown_inline_and_keeps_the_last_valid_results(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=5)
    window.search_bar.set_text("score>>high")
    wait_for_results(qtbot, window)
    assert window.search_bar.error_label.isVisible()
    assert window.search_bar.error_label.text()
    assert window.grid_model.rowCount() == 5  # the last valid search's photos, said as its
    assert window.search_bar.count_label.text() == "5 photos (last valid search)"  # not "searching…"
    window.search_bar.set_text("state:" + "nothing-like-a-state-" * 12)  # an error quoting a long word
    wait_for_results(qtbot, window)
    assert "nothing-like-a-state-" * 12 in window.search_bar.error_label.full_text()
    assert window.minimumSizeHint().width() <= 1024  # it held the window 1,700 px wide
    window.search_bar.set_text("")
    wait_for_results(qtbot, window)
    assert not window.search_bar.error_label.isVisible()


def test_ctrl_f_goes_to_the_search_field_and_f1_lists_every_shortcut(qtbot, window, tmp_path) -> None:
    from PySide6.QtGui import QKeySequence

    from app.gui.shortcuts_dialog import ShortcutsDialog, shortcut_rows

    added_folder(qtbot, window, tmp_path, count=3)
    window.search_bar.set_text("colosseum")
    window.grid.setFocus()
    window.find_action.trigger()
    assert window.search_bar.field.hasFocus() and window.search_bar.field.selectedText() == "colosseum"
    rows = dict(shortcut_rows(window.actions()))
    native = QKeySequence.SequenceFormat.NativeText
    assert rows["Accept"] == "A" and rows["Teach…"] == "T"
    assert rows["Search"] == QKeySequence(QKeySequence.StandardKey.Find).toString(native)
    assert rows["Keyboard shortcuts"] == "F1"
    dialog = ShortcutsDialog(window.actions(), window)
    qtbot.addWidget(dialog)
    listed = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    assert "Write labels…" in listed and "Move through the photos" in listed

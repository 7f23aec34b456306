"""Saved searches in the app: saving one keeps those saved before (in the order saved),
deleting one keeps the others, and only a search typed can be saved."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from tests.test_gui_support import window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def saved_in_panel(window) -> list[tuple[str, str]]:  # noqa: F811
    from app.gui.library_tree import SAVED_TITLE, QueryRole, SavedRole

    tree = window.library_tree
    headings = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    (heading,) = [item for item in headings if item.text(0) == SAVED_TITLE] or [None]
    if heading is None:
        return []
    children = [heading.child(i) for i in range(heading.childCount())]
    return [(item.data(0, SavedRole), item.data(0, QueryRole)) for item in children]


def test_saving_a_search_keeps_the_others_and_deleting_one_keeps_the_rest(
        qtbot, window, monkeypatch) -> None:  # noqa: F811
    from PySide6.QtWidgets import QInputDialog

    from app.core.settings import load_settings

    names = iter(["Rome trip", "Paris trip", "Nice trip", "Rome trip"])
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: (next(names), True))
    for query in ("folder:Rome", "folder:Paris", "folder:Nice"):
        window.search_bar.set_text(query)
        window.search_bar.save_action.trigger()
    three = [("Rome trip", "folder:Rome"), ("Paris trip", "folder:Paris"), ("Nice trip", "folder:Nice")]
    assert list(load_settings().saved_searches) == three
    assert saved_in_panel(window) == three

    window.search_bar.set_text("folder:Roma")  # saved again under a name in use: that one changes
    window.search_bar.save_action.trigger()
    assert dict(load_settings().saved_searches) == {
        "Rome trip": "folder:Roma", "Paris trip": "folder:Paris", "Nice trip": "folder:Nice"}
    assert len(load_settings().saved_searches) == 3

    assert window.delete_saved_search("Paris trip")
    assert dict(load_settings().saved_searches) == {"Rome trip": "folder:Roma", "Nice trip": "folder:Nice"}
    assert sorted(saved_in_panel(window)) == [("Nice trip", "folder:Nice"), ("Rome trip", "folder:Roma")]


def test_only_spaces_typed_offer_no_search_to_save(qtbot, window, monkeypatch) -> None:  # noqa: F811
    from PySide6.QtWidgets import QInputDialog

    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: (asked.append(args) or "blank", True))
    field, save = window.search_bar.field, window.search_bar.save_action
    field.setText("   ")
    assert not save.isVisible()
    window.save_search_action.trigger()  # Ctrl+D: no name asked for a search that is not there
    assert not asked and window.statusBar().currentMessage() == "Type a search first, then save it."
    field.setText("colosseum")
    assert save.isVisible()
    field.setText(" \t ")
    assert not save.isVisible()


def test_the_count_beside_the_search_says_photo_for_one_alone(qtbot, window) -> None:  # noqa: F811
    shown = []
    for count in (0, 1, 2):
        window.search_bar.show_count(count)
        shown.append(window.search_bar.count_label.text())
    assert shown == ["0 photos", "1 photo", "2 photos"]

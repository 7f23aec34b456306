"""Ctrl+Z right after Teach… (T) said "Nothing to take back: Ctrl+Z undoes accepts (A),
rejects (R) and labels (L)" (a teaching tester): a mistaken teach stayed, and the photos
kept the new name. It is taken back now as an L is, through the review journal."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from app.core import teaching_store as store  # noqa: E402
from tests.test_gui_teaching import answer_label, select, taught_window, wait_for_job  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_ctrl_z_after_t_gives_the_photos_their_labels_and_places_back(qtbot, taught_window, tiny_bundle,
                                                                      monkeypatch) -> None:
    from app.core.teaching import teach

    win, ids = taught_window
    teach(win.index, "Our cabin", ids["cabin"][:1], bundle=tiny_bundle)  # what the first photo taught before
    win.index.set_label(ids["cabin"][1], "Colosseum", source="model", state="suggested", landmark_id="colosseum",
                        score=0.7, model_id=tiny_bundle.id)
    before = [(r.label, r.state, r.source, r.score) for r in map(win.index.get, ids["cabin"][:2])]
    win.refresh_results()
    wait_for_job(qtbot, win)
    answer_label(monkeypatch, "Petra at night")
    select(win, ids["cabin"][:2])
    win.grid.setFocus()
    qtbot.keyClick(win.grid, Qt.Key.Key_T)
    wait_for_job(qtbot, win)
    assert {win.index.get(i).label for i in ids["cabin"][:2]} == {"Petra at night"}

    assert win.undo_review()
    wait_for_job(qtbot, win)

    assert win.statusBar().currentMessage() == "Took back the teaching of “Petra at night”: 2 photos as before it"
    assert [(r.label, r.state, r.source, r.score) for r in map(win.index.get, ids["cabin"][:2])] == before
    assert store.taught_labels(win.index.conn) == {"Our cabin": 1}
    assert not win.undo_review()
    assert "labels (L) and Teach… (T)" in win.statusBar().currentMessage()

"""The app's L and R on the only photo teaching a place: its suggestions stayed in Review
(and the Library panel) though the place was no longer taught. They are withdrawn, and
the status bar says so."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from model.predictor import TAUGHT_ID_PREFIX  # noqa: E402
from tests.test_gui_teaching import answer_label, select, taught_window, wait_for_job  # noqa: E402,F401

pytestmark = pytest.mark.gui


@pytest.fixture
def cabin_window(taught_window, tiny_bundle, qtbot):
    """The first cabin photo alone teaches "Our cabin", which suggested itself for the second."""
    from app.core.teaching import teach

    win, ids = taught_window
    teach(win.index, "Our cabin", ids["cabin"][:1], bundle=tiny_bundle)
    win.index.set_label(ids["cabin"][1], "Our cabin", source="taught", state="suggested",
                        landmark_id=TAUGHT_ID_PREFIX + "Our cabin", score=0.8, model_id=tiny_bundle.id)
    win.refresh_results()
    wait_for_job(qtbot, win)
    return win, ids


@pytest.mark.parametrize("key", [Qt.Key.Key_L, Qt.Key.Key_R])
def test_l_or_r_on_the_only_taught_photo_withdraws_the_places_suggestions(
        qtbot, cabin_window, monkeypatch, key) -> None:
    win, ids = cabin_window
    answer_label(monkeypatch, "Lake hut")
    select(win, [ids["cabin"][0]])
    win.grid.setFocus()
    qtbot.keyClick(win.grid, key)
    wait_for_job(qtbot, win)
    qtbot.waitUntil(lambda: "“Our cabin” is no longer taught: its 1 suggestion withdrawn"
                    in win.statusBar().currentMessage(), timeout=10000)
    record = win.index.get(ids["cabin"][1])
    assert (record.label, record.state) == (None, "suggested")
    assert win.index.count('label:"Our cabin" state:suggested') == 0


def test_teach_says_how_many_suggestions_the_place_it_emptied_withdrew() -> None:
    from app.core.teaching import TeachSummary
    from app.core.teaching_untaught import Untaught
    from app.gui.job_controller import teach_text

    row = (7, "Piazza Grande", TAUGHT_ID_PREFIX + "Piazza Grande", 0.8, "taught", "suggested", "m1")
    summary = TeachSummary(label="Arezzo streets", taught=1, untaught=[Untaught("Piazza Grande", (row,))])
    text = teach_text(summary, {"Piazza Grande": 1}, {"Arezzo streets": 1})
    assert ("“Piazza Grande” is no longer taught: its photo teaches “Arezzo streets” now (a photo teaches one "
            "place), its 1 suggestion withdrawn") in text

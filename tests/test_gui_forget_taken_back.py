"""Forget… in Taught places could not be taken back: Ctrl+Z right after it said "Nothing
to take back", and the place was gone with its suggestions. It is taken back now as a
Teach… is, through the review journal."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from app.core import teaching_store as store  # noqa: E402
from app.gui.key_names import key_name  # noqa: E402
from model.predictor import TAUGHT_ID_PREFIX  # noqa: E402
from tests.test_gui_teaching import taught_window, wait_for_job  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_ctrl_z_after_forget_teaches_the_place_again_with_its_suggestions(qtbot, taught_window, tiny_bundle,
                                                                         monkeypatch) -> None:  # noqa: F811
    from app.core.teaching import teach
    from app.gui.taught_places import TaughtPlacesDialog

    win, ids = taught_window
    teach(win.index, "Our cabin", ids["cabin"][:2], bundle=tiny_bundle)
    suggested = ids["cabin"][2]
    win.index.set_label(suggested, "Our cabin", source="taught", state="suggested",
                        landmark_id=TAUGHT_ID_PREFIX + "Our cabin", score=0.8, model_id=tiny_bundle.id)
    watched = ids["cabin"][:3]
    before = [(r.label, r.state, r.source, r.landmark_id, r.score) for r in map(win.index.get, watched)]
    refs = store.ref_rows_of_photos(win.index.conn, watched)
    dialog = win.taught_places_dialog()
    qtbot.addWidget(dialog)
    monkeypatch.setattr(TaughtPlacesDialog, "confirm_forget", lambda self, label: True)
    qtbot.mouseClick(dialog.forget_button, Qt.MouseButton.LeftButton)
    assert store.taught_labels(win.index.conn) == {}
    assert win.index.get(suggested).label is None  # its suggestion withdrawn
    assert win.statusBar().currentMessage().endswith(f"; {key_name('Ctrl+Z')} takes it back.")
    win.jobs.job_stopped.disconnect(dialog.reload_after_job)

    assert win.undo_review()
    wait_for_job(qtbot, win)
    assert win.statusBar().currentMessage() == ("Took back forgetting “Our cabin”: 3 photos as before it; "
                                                "“Our cabin” is taught again, from 2 photos")
    assert [(r.label, r.state, r.source, r.landmark_id, r.score) for r in map(win.index.get, watched)] == before
    assert [row[1:] for row in store.ref_rows_of_photos(win.index.conn, watched)] == [row[1:] for row in refs]
    assert store.taught_labels(win.index.conn) == {"Our cabin": 2}

"""What the status bar says after L (set a label) and R (reject): what happened to the
photo, whether the app learnt from it and why not, and which place a photo stopped
teaching — one line, in a photographer's words."""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core import teaching_store as store  # noqa: E402
from tests import test_gui_teaching  # noqa: E402
from tests.test_gui_teaching import answer_label, select, wait_for_job  # noqa: E402

taught_window = test_gui_teaching.taught_window  # the fixture: a window whose photos can teach

pytestmark = pytest.mark.gui


def status(win) -> str:
    return win.statusBar().currentMessage()


def file_name(win, photo_id: int) -> str:
    from app.core.library import display_name

    return display_name(win.index.get(photo_id).path)


def press(qtbot, win, key: Qt.Key) -> None:
    """A key pressed in the grid as the user presses it: in the active window. A, R and L
    are window shortcuts, which Qt answers only there, and a window becomes active only
    when the event loop gets to it; a key sent before does nothing."""
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=10000)
    win.grid.setFocus()
    qtbot.keyClick(win.grid, key)


def label_with_l(qtbot, win, monkeypatch, photo_ids, label: str) -> None:
    answer_label(monkeypatch, label)
    select(win, photo_ids)
    press(qtbot, win, Qt.Key.Key_L)
    wait_for_job(qtbot, win)
    # the job's follow-up says what was learnt after its "done": wait for it, not for a time
    qtbot.waitUntil(lambda: not status(win).endswith(("learning from it…", ": done")), timeout=10000)


def test_a_label_set_with_l_says_what_was_learnt_and_what_is_no_longer_suggested(
        qtbot, taught_window, monkeypatch) -> None:
    win, ids = taught_window
    photo_id = ids["cabin"][0]
    win.index.set_label(photo_id, "Colosseum", source="model", state="suggested", score=0.7)
    label_with_l(qtbot, win, monkeypatch, [photo_id], "Our cabin")
    assert status(win) == (f"Labelled {file_name(win, photo_id)} “Our cabin” — learnt; "
                           "“Colosseum” won't be suggested for it again.")
    several = ids["bakery"][:2]
    for other in several:
        win.index.set_label(other, "Taj Mahal", source="model", state="suggested", score=0.6)
    win.photos_changed(several)  # as a tag job shows its labels: L replaces the label shown
    label_with_l(qtbot, win, monkeypatch, several, "Bakery")
    assert status(win) == "Labelled 2 photos “Bakery” — learnt; “Taj Mahal” won't be suggested for them again."


def test_l_given_a_known_place_in_another_case_names_the_kept_spelling_and_the_photo_alike_in_every_line(
        qtbot, taught_window, monkeypatch) -> None:
    from tests.test_review_labelled_meanwhile import while_another_job_runs

    win, ids = taught_window
    known, photo_id, busy = ids["cabin"][:3]
    win.index.set_label(known, "Colosseum", source="user", state="accepted")
    said = []
    show = win.show_message
    monkeypatch.setattr(win, "show_message", lambda text, *args: said.append(text) or show(text, *args))
    label_with_l(qtbot, win, monkeypatch, [photo_id], "  colosseum ")
    assert win.index.get(photo_id).label == "Colosseum"
    assert said[0] == f"Labelled {file_name(win, photo_id)} “Colosseum”; learning from it…"
    assert status(win) == f"Labelled {file_name(win, photo_id)} “Colosseum” — learnt."
    select(win, [busy])  # set while another job runs: the known place too, not a second one
    assert while_another_job_runs(qtbot, win, win.relabel_selected) == (
        f"Labelled {file_name(win, busy)} “Colosseum” (not taught: “Checking folders” is running)")
    assert win.index.get(busy).label == "Colosseum"


@pytest.mark.parametrize("problem, why", [
    ("missing", "the model file is missing"),
    ("not a model", "the model file is not a Landmark Tagger model"),
])
def test_a_label_set_with_l_without_a_usable_model_says_it_was_not_learnt_and_why(
        qtbot, taught_window, tmp_path, monkeypatch, problem, why) -> None:
    win, ids = taught_window
    bundle = tmp_path / "mine.ltbundle"
    if problem == "not a model":
        bundle.write_bytes(b"\xff\xd8\xff\xe0 a JPEG renamed")
    win.settings = replace(win.settings, model_bundle=str(bundle))
    photo_id = ids["cabin"][0]
    win.index.set_label(photo_id, "Colosseum", source="model", state="suggested", score=0.7)
    label_with_l(qtbot, win, monkeypatch, [photo_id], "Cabin porch")
    record = win.index.get(photo_id)
    assert (record.label, record.state) == ("Cabin porch", "accepted")
    assert store.taught_labels(win.index.conn) == {}
    assert status(win) == (f"Labelled {file_name(win, photo_id)} “Cabin porch”; not learnt: {why} — "
                           "choose one in Settings; “Colosseum” won't be suggested for it again.")


def test_rejecting_a_photo_that_taught_a_place_says_it_no_longer_teaches_it(
        qtbot, taught_window, tiny_bundle, monkeypatch) -> None:
    from app.core.teaching import taught_labels, teach

    win, ids = taught_window
    teach(win.index, "Lake cabin", ids["cabin"][:3], bundle=tiny_bundle)
    win.photos_changed(ids["cabin"][:3])  # as Teach… shows its labels: R rejects the label shown
    select(win, ids["cabin"][:1])
    press(qtbot, win, Qt.Key.Key_R)
    assert taught_labels(win.index) == {"Lake cabin": 2}
    assert status(win) == "Rejected 1 photo; it no longer teaches “Lake cabin”."
    select(win, ids["cabin"][1:3] + ids["bakery"][:1])
    win.index.set_label(ids["bakery"][0], "Colosseum", source="model", state="suggested", score=0.7)
    win.photos_changed(ids["bakery"][:1])  # as a tag job shows its labels: R rejects the label shown
    press(qtbot, win, Qt.Key.Key_R)  # chosen with a suggestion, the two accepted ones are left
    assert taught_labels(win.index) == {"Lake cabin": 2}  # and go on teaching, as said
    assert status(win) == ("Rejected 1 photo; 2 accepted photos left as they are "
                           "(choose them alone to reject them)")
    select(win, ids["cabin"][1:3])
    press(qtbot, win, Qt.Key.Key_R)
    assert taught_labels(win.index) == {}
    assert status(win) == "Rejected 2 photos; they no longer teach “Lake cabin”."


def test_a_label_set_with_l_on_a_photo_that_cannot_be_read_says_it_was_not_learnt(
        qtbot, taught_window, monkeypatch) -> None:
    from pathlib import Path

    win, ids = taught_window
    photo_id = ids["other"][1]  # never tagged: teaching has to read its file
    Path(win.index.get(photo_id).path).write_bytes(b"not a JPEG any more")
    label_with_l(qtbot, win, monkeypatch, [photo_id], "Our cabin")
    assert win.index.get(photo_id).label == "Our cabin"
    assert status(win) == (f"Labelled {file_name(win, photo_id)} “Our cabin”; not learnt: the photo could not "
                           "be used (see Problems).")

"""Teaching flows walked through as a photographer would (Teach… twice on one photo, a
blank frame among the taught photos, Ctrl+Z of a reject of a taught photo, the numbers
in "Find suggestions"): what the app does and what its messages say."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from tests.test_gui_teaching import answer_label, select, taught_window, wait_for_job  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_ctrl_z_of_a_reject_of_a_taught_photo_makes_it_teach_its_place_again(
        qtbot, taught_window, tiny_bundle) -> None:
    """A reject drops what the photo taught; taking the reject back gave back its label
    only, so the place silently lost a reference."""
    from app.core.teaching import taught_labels, teach

    win, ids = taught_window
    teach(win.index, "Our cabin", ids["cabin"][:3], bundle=tiny_bundle)
    win.refresh_results()
    wait_for_job(qtbot, win)
    select(win, [ids["cabin"][0]])
    win.grid.setFocus()
    qtbot.keyClick(win.grid, Qt.Key.Key_R)
    assert taught_labels(win.index) == {"Our cabin": 2}
    qtbot.keyClick(win.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_for_job(qtbot, win)
    record = win.index.get(ids["cabin"][0])
    assert (record.label, record.state) == ("Our cabin", "accepted")
    assert taught_labels(win.index) == {"Our cabin": 3}
    qtbot.waitUntil(lambda: "1 photo teaches “Our cabin” again" in win.statusBar().currentMessage(), timeout=5000)
    assert win.statusBar().currentMessage().startswith("Took back the reject: 1 photo accepted again")


def test_ctrl_z_of_a_reject_of_an_accepted_suggestion_teaches_nothing(qtbot, taught_window, tiny_bundle) -> None:
    from app.core.teaching import taught_labels, teach

    win, ids = taught_window
    teach(win.index, "Our cabin", ids["cabin"][:2], bundle=tiny_bundle)
    win.index.set_label(ids["cabin"][2], "Our cabin", source="model", state="accepted", score=0.9)
    win.refresh_results()
    wait_for_job(qtbot, win)
    select(win, [ids["cabin"][2]])
    win.grid.setFocus()
    qtbot.keyClick(win.grid, Qt.Key.Key_R)
    qtbot.keyClick(win.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_for_job(qtbot, win)
    assert win.index.get(ids["cabin"][2]).state == "accepted"
    assert taught_labels(win.index) == {"Our cabin": 2}  # it never taught: it does not now
    assert win.statusBar().currentMessage() == "Took back the reject: 1 photo accepted again"


def test_teaching_a_photo_under_a_second_name_says_the_first_place_is_no_longer_taught(
        qtbot, taught_window, monkeypatch) -> None:
    """A photo teaches one place: the second Teach… silently took the first place away."""
    win, ids = taught_window
    photo_id = ids["cabin"][0]
    answer_label(monkeypatch, "Piazza Grande")
    select(win, [photo_id])
    win.grid.setFocus()
    qtbot.keyClick(win.grid, Qt.Key.Key_T)
    wait_for_job(qtbot, win)
    qtbot.waitUntil(lambda: win.statusBar().currentMessage().startswith("Taught “Piazza Grande” from 1 photo"),
                    timeout=5000)
    assert "Find suggestions" in win.statusBar().currentMessage()  # what to do next
    answer_label(monkeypatch, "Arezzo streets")
    select(win, [photo_id])
    qtbot.keyClick(win.grid, Qt.Key.Key_T)
    wait_for_job(qtbot, win)
    qtbot.waitUntil(lambda: "“Piazza Grande” is no longer taught: its photo teaches “Arezzo streets” now"
                    in win.statusBar().currentMessage(), timeout=5000)


def test_teach_says_which_photo_could_not_be_used_and_why(qtbot, taught_window, tiny_bundle, monkeypatch) -> None:
    """"taught 'X' from 1 photo, 1 failed" named neither the photo nor the reason."""
    win, ids = taught_window
    untagged = ids["other"][1]  # no embedding: teaching decodes it
    path = win.index.get(untagged).path
    with open(path, "wb") as broken:
        broken.write(b"not a photo any more")
    answer_label(monkeypatch, "Our cabin")
    select(win, [ids["cabin"][0], untagged])
    win.grid.setFocus()
    qtbot.keyClick(win.grid, Qt.Key.Key_T)
    wait_for_job(qtbot, win)
    name = path.rsplit("/", 1)[-1]
    qtbot.waitUntil(lambda: win.statusBar().currentMessage().startswith(
        f"Taught “Our cabin” from 1 photo; {name} could not be used: "), timeout=5000)
    assert f"{path}:" not in win.statusBar().currentMessage()  # the name once, not the whole path again
    answer_label(monkeypatch, "Sky")
    select(win, [untagged])
    qtbot.keyClick(win.grid, Qt.Key.Key_T)
    wait_for_job(qtbot, win)
    qtbot.waitUntil(lambda: win.statusBar().currentMessage().startswith(
        f"Nothing taught as “Sky”: {name} could not be used: "), timeout=5000)


def test_the_best_score_under_the_threshold_never_reads_as_the_threshold(qtbot, taught_window) -> None:
    """At threshold 0.40, "4 photos came close (best 0.40)" read as if 0.40 was not enough."""
    from app.core.teaching_suggest import SuggestReport

    win, _ = taught_window
    win.suggestions_found(0, SuggestReport(threshold=0.4, close=4, best_close=0.3996, taught=2, scored=40))
    message = win.statusBar().currentMessage()
    assert "above the threshold (0.40)" in message and "4 photos came close (best 0.39)" in message
    win.suggestions_found(0, SuggestReport(threshold=0.79, close=3, best_close=0.41, taught=2, scored=40))
    assert "3 photos came close (best 0.41)" in win.statusBar().currentMessage()


def test_forgetting_a_place_says_so_and_names_its_suggestions_left_to_review(
        qtbot, taught_window, tiny_bundle, monkeypatch) -> None:
    """Forget… in Taught places said nothing in the window, and the place's suggestions
    stayed in Review; they leave it now, and the status bar says so."""
    from app.core.teaching import teach
    from app.gui.key_names import key_name
    from app.gui.taught_places import TaughtPlacesDialog

    win, ids = taught_window
    teach(win.index, "Our cabin", ids["cabin"][:2], bundle=tiny_bundle)
    win.index.set_label(ids["cabin"][2], "Our cabin", source="model", state="suggested", score=0.8)
    dialog = win.taught_places_dialog()
    qtbot.addWidget(dialog)
    monkeypatch.setattr(TaughtPlacesDialog, "confirm_forget", lambda self, label: True)
    shown, show = [], win.show_message
    monkeypatch.setattr(win, "show_message", lambda text, *a, **k: (shown.append(text), show(text, *a, **k))[1])
    qtbot.mouseClick(dialog.forget_button, Qt.MouseButton.LeftButton)
    win.jobs.job_stopped.disconnect(dialog.reload_after_job)
    assert win.statusBar().currentMessage() == (
        "Forgot “Our cabin” (taught from 2 photos); its photos keep their labels; 1 suggestion of it left Review; "
        f"{key_name('Ctrl+Z')} takes it back.")
    assert win.index.get(ids["cabin"][2]).label is None
    # every message quotes the place the app's way, none the core's "forgot 'Our cabin'" (as Teach's did: 6d5542f)
    assert shown and not [text for text in shown if "'Our cabin'" in text], shown

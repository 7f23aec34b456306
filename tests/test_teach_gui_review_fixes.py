"""Teaching and review flows a tester found wrong (each test failed before its fix):
forgetting a taught place named like one of the model's landmarks, the "held by the
model" hint when other photos came close, and Ctrl+Z of a run of accepts or rejects."""

from __future__ import annotations

from importlib.util import find_spec

import pytest

from app.core.index import Prediction
from app.core.teaching import forget, teach
from tests.test_cli_teach import run_cli
from tests.test_teaching import library  # noqa: F401  (fixture)

HAS_QTBOT = find_spec("pytestqt") is not None  # the app's tests need pytest-qt; the others run without it
if HAS_QTBOT:
    from tests.test_gui_support import window  # noqa: F401  (fixture)
    from tests.test_gui_teaching import taught_window  # noqa: F401  (fixture)
needs_qtbot = pytest.mark.skipif(not HAS_QTBOT, reason="needs pytest-qt")


def model_suggestions(index, photo_ids, bundle, landmark, score=0.95) -> None:
    """What a tag run leaves: the model's landmark on top of the stored top-5, suggested."""
    for photo_id in photo_ids:
        top = [Prediction(landmark.landmark_id, landmark.name, score), Prediction("x", "Elsewhere", 0.01)]
        index.set_predictions(photo_id, bundle.id, top, threshold=0.5)


# -- Forgetting a taught place keeps the model's own suggestions of a landmark of its name --

def test_forgetting_a_place_named_like_a_model_landmark_withdraws_only_what_teaching_made(
        library, tiny_bundle):  # noqa: F811
    """A photo corrected to "Colosseum" teaches "Colosseum"; forgetting that place turned
    every model suggestion of the Colosseum into "no landmark". Only what teaching made
    goes now; the model's own keep their label and the tag run's score."""
    from model.predictor import TAUGHT_ID_PREFIX

    index, paths, ids = library
    colosseum = tiny_bundle.labels[1]
    model_suggestions(index, ids["known"], tiny_bundle, colosseum)
    lowered = ids["known"][0]  # a suggest run lowered its score by what was taught
    index.set_label(lowered, colosseum.name, source="model", state="suggested", landmark_id=colosseum.landmark_id,
                    score=0.7, model_id=tiny_bundle.id)
    by_teaching = ids["bakery"][0]  # a suggestion the taught place made; the model says Colosseum too
    model_suggestions(index, [by_teaching], tiny_bundle, colosseum, score=0.6)
    index.set_label(by_teaching, colosseum.name, source="taught", state="suggested",
                    landmark_id=TAUGHT_ID_PREFIX + colosseum.name, score=0.9, model_id=tiny_bundle.id)
    teach(index, colosseum.name, paths["cabin"][:1], bundle=tiny_bundle)

    done = forget(index, colosseum.name)

    assert (done.photos, done.withdrawn, done.kept) == (1, 1, len(ids["known"]))
    for photo_id in ids["known"]:
        record = index.get(photo_id)
        assert (record.label, record.state, record.score) == (colosseum.name, "suggested", pytest.approx(0.95))
    assert index.get(by_teaching).label is None and index.get(by_teaching).score == pytest.approx(0.6)
    # the next tag run decides it from the model's own answer: the model's landmark, not the place
    index.apply_threshold([by_teaching], tiny_bundle.id, 0.5)
    assert index.get(by_teaching).label == colosseum.name
    assert index.get(ids["cabin"][0]).label == colosseum.name  # the photo that taught it keeps its label


def test_teach_forget_says_which_suggestions_it_withdrew_and_which_stay(
        capsys, library, tiny_bundle):  # noqa: F811
    """`teach --forget` said nothing of the suggestions it changed."""
    index, paths, ids = library
    colosseum = tiny_bundle.labels[1]
    model_suggestions(index, ids["known"], tiny_bundle, colosseum)
    teach(index, colosseum.name, paths["cabin"][:1], bundle=tiny_bundle)
    db = str(index.path)
    code, lines, err = run_cli(capsys, "--db", db, "teach", "--forget", "--json", colosseum.name)
    assert code == 0 and lines == [{"label": colosseum.name, "forgotten": 1, "withdrawn": 0,
                                    "kept": len(ids["known"])}]
    assert f"{len(ids['known'])} suggestions of the model's own 'Colosseum' kept" in err
    assert "withdrawn" not in err
    assert {index.get(photo_id).label for photo_id in ids["known"]} == {colosseum.name}


# -- The "held by the model" hint wins over "teach more photos" --------------------------

def held_and_close_report():
    """What suggest reported on 41 real photos after teaching "My Rome trip" from 3 of
    8 Colosseum photos: the other 5 held by the model, 5 unrelated photos far under."""
    from app.core.teaching_suggest import HeldPlace, SuggestReport

    return SuggestReport(threshold=0.7884, close=5, best_close=0.0322, taught=3, tagged=41, scored=38,
                         close_scores=[0.0322, 0.0070, 0.0042, 0.0019, 0.0105],
                         held=[HeldPlace("My Rome trip", "Colosseum", 5)])


def test_suggest_names_the_held_photos_even_when_others_came_close() -> None:
    from app.core.teaching_suggest import close_hint

    hint = close_hint(held_and_close_report())
    assert hint.startswith("5 photos are recognised confidently as “Colosseum”"), hint
    assert "label them with `landmark-tagger label`" in hint
    # 0.03 against 0.79 did not "come close", nor does a threshold of 0.00 help (as the app says it)
    assert hint.endswith("; the other photos scored 0.03 at best, far under the threshold (0.79)"), hint
    assert "came close" not in hint and "--threshold" not in hint and "teaching more" not in hint


def test_find_suggestions_names_the_held_photos_even_when_others_came_close() -> None:
    pytest.importorskip("PySide6")
    from app.gui.teach_actions import TeachActions

    message = TeachActions._suggestions_message(0, held_and_close_report())
    assert message.startswith("No new suggestions: 5 photos are recognised confidently as “Colosseum”"), message
    assert "label them (L)" in message and "came close" not in message
    assert message.endswith("; the other photos scored 0.03 at best, far under the threshold (0.79).")
    assert "teach more" not in message


# -- The app: Forget… and Ctrl+Z -------------------------------------------------------------

@pytest.mark.gui
@needs_qtbot
def test_forget_in_taught_places_keeps_the_models_suggestions_of_a_landmark_of_its_name(
        qtbot, taught_window, tiny_bundle, monkeypatch) -> None:  # noqa: F811
    """L "Colosseum" on a wrongly tagged photo teaches "Colosseum"; Forget… in Taught places
    took the model's own Colosseum suggestions out of Review and counted them as the
    place's."""
    from PySide6.QtCore import Qt

    from app.gui.key_names import key_name
    from app.gui.taught_places import TaughtPlacesDialog
    from tests.test_gui_teaching import answer_label, select, wait_for_job

    win, ids = taught_window
    colosseum = tiny_bundle.labels[1]
    model_suggestions(win.index, ids["known"][:3], tiny_bundle, colosseum)
    answer_label(monkeypatch, colosseum.name)
    win.refresh_results()
    wait_for_job(qtbot, win)
    select(win, [ids["cabin"][0]])
    win.grid.setFocus()
    qtbot.keyClick(win.grid, Qt.Key.Key_L)
    wait_for_job(qtbot, win)
    dialog = win.taught_places_dialog()
    qtbot.addWidget(dialog)
    assert dialog.current_label() == colosseum.name
    monkeypatch.setattr(TaughtPlacesDialog, "confirm_forget", lambda self, label: True)
    qtbot.mouseClick(dialog.forget_button, Qt.MouseButton.LeftButton)
    win.jobs.job_stopped.disconnect(dialog.reload_after_job)

    assert [win.index.get(photo_id).label for photo_id in ids["known"][:3]] == [colosseum.name] * 3
    assert win.statusBar().currentMessage() == (
        "Forgot “Colosseum” (taught from 1 photo); its photos keep their labels; "
        f"the model's own 3 suggestions of “Colosseum” stay; {key_name('Ctrl+Z')} takes it back.")


@pytest.mark.gui
@needs_qtbot
def test_ctrl_z_of_a_run_of_rejects_shows_the_first_photo_of_the_run(qtbot, window, tmp_path) -> None:  # noqa: F811
    """Rows selected with Shift+Down and rejected, then Ctrl+Z: the current photo was the
    one with the lowest id (here the last of the run), not the first in the list."""
    from PySide6.QtCore import Qt

    from tests.test_gui_support import added_folder, suggest, wait_for_results

    added_folder(qtbot, window, tmp_path, count=6)
    ids = [window.grid_model.photo_id(row) for row in range(3)]
    # Review lists the least confident first: the reverse of the photo ids' order
    scores = {photo_id: score for photo_id, score in zip(sorted(ids), [0.9, 0.6, 0.3])}
    for photo_id, score in scores.items():
        suggest(window.index, photo_id, "Alhambra", score)
    shown = sorted(scores, key=scores.get)
    window.review_action.trigger()
    wait_for_results(qtbot, window)
    view = window.review.list
    assert window.review_model.photo_id(view.currentIndex().row()) == shown[0]
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)  # the first two
    qtbot.keyClick(view, Qt.Key.Key_R)
    assert {window.index.get(photo_id).state for photo_id in shown[:2]} == {"rejected"}
    wait_for_results(qtbot, window)
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.review_model.ids() == shown, timeout=10000)
    wait_for_results(qtbot, window)
    assert window.review_model.photo_id(view.currentIndex().row()) == shown[0]

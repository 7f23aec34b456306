"""Teaching in the desktop app (issue 8): Teach… on a selection, a user label teaches,
Similar photos, and Find suggestions in the review view — against the tiny bundle,
with embeddings stored as tagging would, clustered by place."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QItemSelectionModel, Qt  # noqa: E402

from app.core import teaching_store as store  # noqa: E402
from tests.test_gui_support import close_main_window  # noqa: E402
from tests.test_teaching import group_vectors, make_photos  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def taught_window(qtbot, tmp_path, tiny_bundle):
    """(window, photo ids by group): the folder is added, every photo but other_1 has an
    embedding by the tiny bundle, near its group's direction."""
    from app.gui.app import create_application, open_main_window

    create_application()
    win = open_main_window(tmp_path / "index.db")
    win.settings = replace(win.settings, model_bundle=str(tiny_bundle.path), threshold=0.5)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    paths = make_photos(tmp_path / "photos")
    assert win.add_folder(tmp_path / "photos")
    wait_for_job(qtbot, win)
    ids = {group: [photo_id_of(win.index, path) for path in group_paths] for group, group_paths in paths.items()}
    directions = group_vectors(tiny_bundle)
    rng = np.random.default_rng(1)
    with win.index.transaction() as conn:
        for group, photo_ids in ids.items():
            for photo_id in photo_ids:
                if photo_id == ids["other"][1]:
                    continue  # never tagged: no embedding
                v = directions[group] + 0.15 * rng.normal(size=tiny_bundle.embedding_size)
                store.store_embedding(conn, photo_id, tiny_bundle.id, (v / np.linalg.norm(v)).astype(np.float32))
    yield win, ids
    close_main_window(win)


def photo_id_of(index, path) -> int:
    return index.photo_ids(f'"{path.stem}"')[0]


def wait_for_job(qtbot, win, timeout_ms=60000) -> None:
    qtbot.waitUntil(lambda: not win.jobs.busy and not win.results.busy, timeout=timeout_ms)


def select(win, photo_ids) -> None:
    model, selection = win.grid_model, win.grid.selectionModel()
    rows = [model.ids().index(photo_id) for photo_id in photo_ids]
    selection.setCurrentIndex(model.index(rows[0]), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    for row in rows[1:]:
        selection.select(model.index(row), QItemSelectionModel.SelectionFlag.Select)


def answer_label(monkeypatch, text: str) -> list:
    """The label dialog answers `text`; returns the dialogs it was asked in."""
    from app.gui.label_dialog import LabelDialog

    asked = []

    def answer(dialog: LabelDialog) -> int:
        asked.append(dialog)
        dialog.field.setText(text)
        return LabelDialog.DialogCode.Accepted

    monkeypatch.setattr(LabelDialog, "exec", answer)
    return asked


def test_teach_on_a_selection_stores_references_and_sets_the_users_label(
        qtbot, taught_window, tiny_bundle, monkeypatch) -> None:
    win, ids = taught_window
    asked = answer_label(monkeypatch, "Our cabin")
    shown, show = [], win.show_message
    monkeypatch.setattr(win, "show_message", lambda text, *a, **k: (shown.append(text), show(text, *a, **k))[1])
    select(win, ids["cabin"][:2])
    win.grid.setFocus()
    qtbot.keyClick(win.grid, Qt.Key.Key_T)
    wait_for_job(qtbot, win)
    assert len(asked) == 1 and asked[0].teaching
    refs = store.refs_of_model(win.index.conn, tiny_bundle.id)
    assert sorted((r.label, r.photo_id) for r in refs) == [("Our cabin", i) for i in sorted(ids["cabin"][:2])]
    for photo_id in ids["cabin"][:2]:
        record = win.index.get(photo_id)
        assert (record.label, record.source, record.state) == ("Our cabin", "user", "accepted")
    qtbot.waitUntil(lambda: win.statusBar().currentMessage().startswith("Taught “Our cabin” from 2 photos"),
                    timeout=5000)
    # the job's end said the core's "taught 'Our cabin'" before: the app quotes names one way
    assert shown and not [text for text in shown if "'Our cabin'" in text]


def test_a_label_set_with_l_rejects_the_old_label_and_teaches_the_new_one(
        qtbot, taught_window, tiny_bundle, monkeypatch) -> None:
    win, ids = taught_window
    photo_id = ids["cabin"][0]
    win.index.set_label(photo_id, "Colosseum", source="model", state="suggested", score=0.7)
    answer_label(monkeypatch, "Our cabin")
    select(win, [photo_id])
    qtbot.keyClick(win.grid, Qt.Key.Key_L)
    wait_for_job(qtbot, win)
    assert (photo_id, "Colosseum") in store.rejected(win.index.conn)
    refs = store.refs_of_model(win.index.conn, tiny_bundle.id)
    assert [(r.label, r.photo_id) for r in refs] == [("Our cabin", photo_id)]
    record = win.index.get(photo_id)
    assert (record.label, record.source, record.state) == ("Our cabin", "user", "accepted")


def test_similar_photos_show_the_closest_first_and_lead_back(qtbot, taught_window) -> None:
    from app.core.teaching_similar import similar

    win, ids = taught_window
    wait_for_job(qtbot, win)
    everyone = win.grid_model.rowCount()
    select(win, [ids["bakery"][0]])
    qtbot.waitUntil(lambda: win.detail.record is not None and win.detail.record.id == ids["bakery"][0])
    qtbot.mouseClick(win.detail.similar_button, Qt.MouseButton.LeftButton)
    wait_for_job(qtbot, win)
    shown = win.grid_model.ids()
    assert shown == [photo_id for photo_id, _ in similar(win.index, ids["bakery"][0], k=20)]
    assert set(shown[:4]) == set(ids["bakery"][1:])  # the same place first
    assert ids["bakery"][0] not in shown and len(shown) == everyone - 2  # not itself, not the untagged one
    assert win.grid.currentIndex().row() == 0  # the most similar is shown, not whatever took the old row
    assert win.detail.record.id == shown[0]
    assert win.similar_banner.isVisible()
    assert win.similar_banner.text.text() == f"Similar to bakery_0.jpg — {len(shown)} photos"

    qtbot.mouseClick(win.similar_banner.back_button, Qt.MouseButton.LeftButton)
    wait_for_job(qtbot, win)
    assert win.grid_model.rowCount() == everyone and not win.similar_banner.isVisible()


def test_similar_photos_of_an_untagged_photo_say_to_tag_it_first(qtbot, taught_window) -> None:
    win, ids = taught_window
    assert win.show_similar(ids["other"][1])
    wait_for_job(qtbot, win)
    assert win.grid_model.rowCount() == 0
    assert "tag this photo first" in win.similar_banner.text.text()


def test_similar_photos_of_a_blank_frame_say_there_is_nothing_to_compare(qtbot, taught_window) -> None:
    from app.core.index import Prediction

    win, ids = taught_window
    blank = ids["other"][1]  # tagged as a blank frame: every score 0, no vector (model.image_detail)
    win.index.set_predictions(blank, "test-model", [Prediction("petra", "Petra", 0.0)], float("inf"))
    messages = []
    win.show_message = messages.append
    assert not win.show_similar(blank)
    assert "blank frame" in messages[-1] and not win.similar_banner.isVisible()


def test_find_suggestions_turns_photos_like_the_taught_ones_into_suggestions(
        qtbot, taught_window, monkeypatch) -> None:
    from app.gui.main_window import PAGE_REVIEW

    win, ids = taught_window
    for place, group in (("Our cabin", "cabin"), ("Bakery", "bakery")):
        answer_label(monkeypatch, place)
        select(win, ids[group][:2])
        assert win.teach_selected()
        wait_for_job(qtbot, win)
    win.review_action.trigger()
    wait_for_job(qtbot, win)
    assert win.stack.currentIndex() == PAGE_REVIEW and win.review_model.rowCount() == 0
    qtbot.mouseClick(win.review.find_button, Qt.MouseButton.LeftButton)
    wait_for_job(qtbot, win)
    expected = {photo_id: "Our cabin" for photo_id in ids["cabin"][2:]}
    expected.update({photo_id: "Bakery" for photo_id in ids["bakery"][2:]})
    qtbot.waitUntil(lambda: set(expected) <= set(win.review_model.ids()), timeout=10000)
    shown = win.review_model.ids()
    for photo_id, place in expected.items():
        record = win.index.get(photo_id)
        assert (record.label, record.source, record.state) == (place, "taught", "suggested")
    assert not set(shown) & set(ids["known"])  # the model's own landmark is left alone
    scores = [win.review_model.record(row).score for row in range(len(shown))]
    assert scores == sorted(scores)  # least confident first
    qtbot.waitUntil(lambda: win.review.found_label.text() == f"{len(shown)} new", timeout=5000)
    assert f"{len(shown)} new suggestions" in win.statusBar().currentMessage()


def test_taught_places_list_shows_a_places_photos_and_forgets_it(qtbot, taught_window, tiny_bundle,
                                                                 monkeypatch) -> None:
    from app.core.teaching import taught_labels, teach
    from app.gui.taught_places import TaughtPlacesDialog

    win, ids = taught_window
    teach(win.index, "Our cabin", ids["cabin"][:2], bundle=tiny_bundle)
    dialog = TaughtPlacesDialog(win.index, win)
    qtbot.addWidget(dialog)
    assert [dialog.places.item(row).text() for row in range(dialog.places.count())] == ["Our cabin   ·   2 photos"]
    dialog.show_requested.connect(win.show_label)
    qtbot.mouseClick(dialog.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sorted(win.grid_model.ids()) == sorted(ids["cabin"][:2]), timeout=10000)
    assert win.search_bar.text() == 'label:"Our cabin"'  # not in the library panel yet: a search
    win.library_changed()
    qtbot.waitUntil(lambda: win.library_tree.has_landmark("Our cabin"), timeout=10000)
    win.search_bar.set_text("cabin")
    qtbot.mouseClick(dialog.show_button, Qt.MouseButton.LeftButton)
    assert win.library_tree.selected_landmark() == "Our cabin" and win.search_bar.text() == ""
    qtbot.waitUntil(lambda: sorted(win.grid_model.ids()) == sorted(ids["cabin"][:2]), timeout=10000)

    monkeypatch.setattr(TaughtPlacesDialog, "confirm_forget", lambda self, label: True)
    qtbot.mouseClick(dialog.forget_button, Qt.MouseButton.LeftButton)
    assert taught_labels(win.index) == {}
    assert dialog.places.count() == 0 and not dialog.forget_button.isEnabled()
    assert win.index.get(ids["cabin"][0]).label == "Our cabin"  # its photos keep their labels


def test_a_label_set_while_a_job_runs_is_set_at_once_without_teaching(
        qtbot, taught_window, tiny_bundle, monkeypatch) -> None:
    win, ids = taught_window
    photo_id = ids["cabin"][0]
    answer_label(monkeypatch, "Our cabin")
    select(win, [photo_id])
    monkeypatch.setattr(win.jobs.runner, "_name", "Tagging library")  # a job holds the worker
    qtbot.keyClick(win.grid, Qt.Key.Key_L)
    record = win.index.get(photo_id)
    assert (record.label, record.source, record.state) == ("Our cabin", "user", "accepted")
    assert store.refs_of_model(win.index.conn, tiny_bundle.id) == []
    assert "not taught" in win.statusBar().currentMessage()


def test_no_new_suggestions_says_how_many_photos_came_close(qtbot, taught_window) -> None:
    from app.core.teaching_suggest import SuggestReport

    win, _ = taught_window
    win.suggestions_found(0, SuggestReport(threshold=0.79, close=3, best_close=0.41, taught=2, scored=40))
    message = win.statusBar().currentMessage()
    assert "above the threshold (0.79)" in message and "3 photos came close (best 0.41)" in message
    win.suggestions_found(0, SuggestReport(threshold=0.79, close=3, best_close=0.05, taught=2, scored=40))
    assert win.statusBar().currentMessage() == (  # 0.05 did not "come close"; lowering the threshold is no answer
        "No new suggestions: the best match scored 0.05, far under the threshold (0.79); "
        "teach more photos of your places (T).")
    win.suggestions_found(0, SuggestReport(threshold=0.79, taught=2, scored=40))
    assert win.statusBar().currentMessage() == "No new suggestions: teach more photos of your places (T)."
    win.suggestions_found(0, SuggestReport(threshold=0.79, taught=2, tagged=0, scored=0))
    assert "tag your folders first" in win.statusBar().currentMessage()
    win.suggestions_found(0, SuggestReport(threshold=0.79, taught=2, tagged=2, scored=0))
    assert "one you taught or labelled" in win.statusBar().currentMessage()
    win.suggestions_found(0, SuggestReport(threshold=0.79, taught=2, tagged=2, scored=0, untagged=3))
    assert win.statusBar().currentMessage() == "3 photos here not tagged yet: tag them to compare them with what you taught."
    win.suggestions_found(4, SuggestReport(threshold=0.79, taught=2, tagged=9, scored=7, untagged=1))
    assert win.statusBar().currentMessage() == (
        "4 new suggestions from what you taught (1 photo not tagged yet: tag it to look through it too.)")
    win.suggestions_found(0, SuggestReport(threshold=0.79))
    assert "Nothing is taught yet" in win.statusBar().currentMessage()


def test_a_place_is_renamed_from_the_library_panel_and_from_taught_places(qtbot, taught_window, tiny_bundle,
                                                                          monkeypatch) -> None:
    from app.core.teaching import taught_labels, teach

    win, ids = taught_window
    teach(win.index, "Our cabbin", ids["cabin"][:2], bundle=tiny_bundle)
    win.index.set_label(ids["known"][0], "Colosseum", source="model", state="suggested", score=0.9)
    win.library_changed()
    qtbot.waitUntil(lambda: win.library_tree.has_landmark("Our cabbin"), timeout=10000)
    tree = win.library_tree
    tree.select_landmark("Our cabbin")
    qtbot.waitUntil(lambda: sorted(win.grid_model.ids()) == sorted(ids["cabin"][:2]), timeout=10000)
    asked = answer_label(monkeypatch, "Our cabin")
    menu = tree.menu_for(tree._find_landmark("Our cabbin"))
    (rename,) = [action for action in menu.actions() if action.text() == "Rename…"]
    messages: list[str] = []
    win.statusBar().messageChanged.connect(messages.append)
    rename.trigger()
    wait_for_job(qtbot, win)  # in the worker: a name on tens of thousands of photos takes seconds
    assert asked and asked[0].windowTitle() == "Rename a place"
    # the job's end leaves the words to its follow-up, which quotes places the app's way (guitest-2)
    assert "Renaming “Our cabbin”: done" in messages
    assert [m for m in messages if "'Our cabbin'" in m or "renamed" in m] == []
    assert taught_labels(win.index) == {"Our cabin": 2}
    assert {win.index.get(i).label for i in ids["cabin"][:2]} == {"Our cabin"}
    assert win.statusBar().currentMessage().startswith("Renamed “Our cabbin” to “Our cabin”: 2 photos relabelled")
    qtbot.waitUntil(lambda: tree.has_landmark("Our cabin") and not tree.has_landmark("Our cabbin"), timeout=10000)
    assert tree.selected_landmark() == "Our cabin"  # still chosen, under its new name
    qtbot.waitUntil(lambda: sorted(win.grid_model.ids()) == sorted(ids["cabin"][:2]), timeout=10000)
    assert win.current_query() == 'label:"Our cabin" -state:rejected'
    # the model's own landmark keeps its name, and says why: Rename… is greyed out, and refused
    (rename,) = tree.menu_for(tree._find_landmark("Colosseum")).actions()
    assert not rename.isEnabled() and "comes with the model" in rename.toolTip()
    assert not win.rename_place("Colosseum")
    assert len(asked) == 1 and "comes with the model" in win.statusBar().currentMessage()
    assert win.index.get(ids["known"][0]).label == "Colosseum"
    # Taught places… renames too (a name in use merges the two)
    teach(win.index, "Bakery", ids["bakery"][:2], bundle=tiny_bundle)
    dialog = win.taught_places_dialog()
    qtbot.addWidget(dialog)
    dialog.places.setCurrentRow(0)  # Bakery
    answer_label(monkeypatch, "our cabin")
    from PySide6.QtWidgets import QMessageBox

    asked_merge = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *_: asked_merge.append(text)
                        or QMessageBox.StandardButton.No)
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)  # a merge is asked first: no
    assert asked_merge and "Merge “Bakery” into it?" in asked_merge[0]
    assert taught_labels(win.index) == {"Our cabin": 2, "Bakery": 2}
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    wait_for_job(qtbot, win)
    assert taught_labels(win.index) == {"Our cabin": 4}
    assert "copied at" in win.statusBar().currentMessage()  # a merge keeps the index as it was
    assert [dialog.places.item(row).text() for row in range(dialog.places.count())] == ["Our cabin   ·   4 photos"]

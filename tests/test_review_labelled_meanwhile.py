"""A, R, Ctrl+Z and L against another program changing the same index (`landmark-tagger
label` in a terminal, a script) in the moment between the app's look at a photo's label
and its change: the look and the change are one transaction
(PhotoIndex.set_state_if_unchanged; for L, learn_from_corrections with `expected`), so a
photo labelled again in that moment is left as it is and named, as one labelled before
the look is. The tests change the label from a second connection right after the app has
looked (a hook on its review_states), never by timing. And L while another job runs
labels the photos together (PhotoIndex.set_labels, given the same `expected`) with the
same effects on each photo as one at a time. A photo whose folder a terminal took out of
the library after the look is left and named the same way, the others labelled."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.index.forget import forget_folder
from app.core.index.labels import StateChange
from tests.test_metadata_support import add_photo, make_jpeg


def four_photos_relabelled_after_the_look(index: PhotoIndex, tmp_path: Path, relabel) -> tuple[list[int], dict]:
    """Four photos, suggested as "Colosseum" but the third (no label), and their (label,
    state) as the app looked at them; then `relabel(other, ids)` on a second connection,
    as a terminal changes them after that look."""
    given = [("Colosseum", "suggested"), ("Colosseum", "suggested"), (None, "unlabelled"), ("Colosseum", "suggested")]
    ids = [add_photo(index, [make_jpeg(tmp_path / f"DSC_{n:04d}.JPG", seed=n)], label, state)
           for n, (label, state) in enumerate(given)]
    looked = index.review_states(ids)
    with PhotoIndex.open(index.path) as other:
        relabel(other, ids)
    return ids, looked


def test_set_state_if_unchanged_leaves_each_photo_no_longer_as_expected(tmp_path) -> None:
    def relabel(other: PhotoIndex, ids: list[int]) -> None:
        other.set_label(ids[1], "Our cabin", source="user", state="accepted")
        other.set_label(ids[2], "Petra", source="model", state="suggested")
        other.set_state([ids[3]], "accepted")

    with PhotoIndex.open(tmp_path / "index.db") as index:
        ids, looked = four_photos_relabelled_after_the_look(index, tmp_path, relabel)

        change = index.set_state_if_unchanged(ids, "rejected", looked)

        assert change.changed == 1
        assert change.left == {ids[1]: ("Our cabin", "accepted"), ids[2]: ("Petra", "suggested"),
                               ids[3]: ("Colosseum", "accepted")}
        assert index.review_states(ids) == {ids[0]: ("Colosseum", "rejected"), **change.left}
        rejections = index.conn.execute("SELECT photo_id, label FROM rejections").fetchall()
        assert rejections == [(ids[0], "Colosseum")]


def test_learn_from_corrections_leaves_each_photo_no_longer_as_expected(tmp_path) -> None:
    from app.core.teaching import learn_from_corrections

    def relabel(other: PhotoIndex, ids: list[int]) -> None:
        other.set_label(ids[1], "Our cabin", source="user", state="accepted")
        other.set_label(ids[2], "Colosseum", source="model", state="suggested")

    with PhotoIndex.open(tmp_path / "index.db") as index:
        ids, looked = four_photos_relabelled_after_the_look(index, tmp_path, relabel)

        corrections = learn_from_corrections(index, ids, "Petra", model=tmp_path / "no-such.ltbundle",
                                             expected=looked)

        assert [correction.labelled_since for correction in corrections] == [
            None, ("Our cabin", "accepted"), ("Colosseum", "suggested"), None]
        assert [correction.rejected for correction in corrections] == ["Colosseum", None, None, "Colosseum"]
        assert index.review_states(ids) == {ids[0]: ("Petra", "accepted"), ids[1]: ("Our cabin", "accepted"),
                                            ids[2]: ("Colosseum", "suggested"), ids[3]: ("Petra", "accepted")}
        rejections = sorted(index.conn.execute("SELECT photo_id, label FROM rejections").fetchall())
        assert rejections == [(ids[0], "Colosseum"), (ids[3], "Colosseum")]


def a_folder_forgotten_after_the_look(index: PhotoIndex, tmp_path: Path) -> list[int]:
    """Two photos of a library folder of their own, Trip (one suggested as "Colosseum",
    one with no label), which need a look of their own before `forget_trip` takes it
    out of the library from a second connection, as `landmark-tagger forget` does."""
    trip = tmp_path / "Trip"
    trip.mkdir()
    index.add_root(trip)
    return [add_photo(index, [make_jpeg(trip / f"IMG_{n}.JPG", seed=10 + n)], label, state)
            for n, (label, state) in enumerate([("Colosseum", "suggested"), (None, "unlabelled")])]


def forget_trip(index: PhotoIndex, tmp_path: Path) -> None:
    with PhotoIndex.open(index.path) as other:
        forget_folder(other, tmp_path / "Trip")


def test_set_labels_labels_only_the_photos_still_as_expected(tmp_path) -> None:
    def relabel(other: PhotoIndex, ids: list[int]) -> None:
        other.set_label(ids[1], "Our cabin", source="user", state="accepted")
        other.set_label(ids[2], "Petra", source="model", state="suggested")

    with PhotoIndex.open(tmp_path / "index.db") as index:
        gone = a_folder_forgotten_after_the_look(index, tmp_path)
        ids, looked = four_photos_relabelled_after_the_look(index, tmp_path, relabel)
        looked.update(index.review_states(gone))
        forget_trip(index, tmp_path)

        change = index.set_labels([*ids, *gone], "Bakery", expected=looked)

        assert change.changed == [ids[0], ids[3]]
        assert change.left == {ids[1]: ("Our cabin", "accepted"), ids[2]: ("Petra", "suggested"),
                               gone[0]: (None, "forgotten"), gone[1]: (None, "forgotten")}
        assert index.review_states(ids) == {ids[0]: ("Bakery", "accepted"), ids[1]: ("Our cabin", "accepted"),
                                            ids[2]: ("Petra", "suggested"), ids[3]: ("Bakery", "accepted")}
        rejections = index.conn.execute("SELECT photo_id, label FROM rejections").fetchall()
        assert rejections == []  # set_labels rejects nothing; L's job does (learn_from_corrections)


def test_set_state_if_unchanged_names_a_photo_taken_out_of_the_library_since(tmp_path) -> None:
    with PhotoIndex.open(tmp_path / "index.db") as index:
        gone = a_folder_forgotten_after_the_look(index, tmp_path)
        looked = index.review_states(gone)
        forget_trip(index, tmp_path)

        change = index.set_state_if_unchanged(gone, "rejected", looked)

        assert change == StateChange(0, {gone[0]: (None, "forgotten"), gone[1]: (None, "forgotten")})


def test_learn_from_corrections_leaves_photos_taken_out_of_the_library_since(tmp_path) -> None:
    from app.core.teaching import learn_from_corrections

    with PhotoIndex.open(tmp_path / "index.db") as index:
        gone = a_folder_forgotten_after_the_look(index, tmp_path)
        ids, looked = four_photos_relabelled_after_the_look(index, tmp_path, lambda other, ids: None)
        looked.update(index.review_states(gone))
        forget_trip(index, tmp_path)

        corrections = learn_from_corrections(index, [*ids, *gone], "Petra", model=tmp_path / "no-such.ltbundle",
                                             expected=looked)

        assert [correction.labelled_since for correction in corrections] == [None] * 4 + [(None, "forgotten")] * 2
        assert index.review_states(ids) == {photo_id: ("Petra", "accepted") for photo_id in ids}


def test_learn_from_corrections_leaves_a_photo_taken_out_of_the_library_while_it_decodes(
        tmp_path, tiny_bundle, monkeypatch) -> None:
    from app.core import teaching
    from app.core.teaching_embedder import PhotoEmbedder

    with PhotoIndex.open(tmp_path / "index.db") as index:
        ids, looked = four_photos_relabelled_after_the_look(index, tmp_path, lambda other, ids: None)
        gone = a_folder_forgotten_after_the_look(index, tmp_path)
        looked.update(index.review_states(gone))
        prepare = PhotoEmbedder.prepare

        def forget_while_decoding(embedder: PhotoEmbedder, photo_id: int) -> None:
            if photo_id == ids[0]:  # the first photo decoded: Trip's come later
                forget_trip(index, tmp_path)
            prepare(embedder, photo_id)

        monkeypatch.setattr(PhotoEmbedder, "prepare", forget_while_decoding)

        corrections = teaching.learn_from_corrections(index, [*ids, *gone], "Petra", bundle=tiny_bundle,
                                                      expected=looked)

        assert [correction.labelled_since for correction in corrections] == [None] * 4 + [(None, "forgotten")] * 2
        assert [correction.taught for correction in corrections] == [True] * 4 + [False] * 2
        assert index.review_states(ids) == {photo_id: ("Petra", "accepted") for photo_id in ids}
        taught = {row[0] for row in index.conn.execute("SELECT photo_id FROM taught_refs")}
        assert taught == set(ids)


# -- the app ---------------------------------------------------------------------------------
pytest.importorskip("pytestqt")
from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, wait_for_job, wait_for_results  # noqa: E402
from tests.test_gui_outside_changes import in_a_terminal, review_list_of, status  # noqa: E402

window = test_gui_support.window  # the suite's window fixture: 1,200 × 800, closed after the test


def labelled_again_after_the_look(monkeypatch, win, photo_id: int, change) -> None:
    """`change(other)` from a second connection right after the app first reads this
    photo's label and state: in the moment between its look and its change."""
    pending = [change]

    def looking_then_changing(look):
        def look_then_change(photo_ids):
            found = look(photo_ids)
            if pending and photo_id in photo_ids:
                in_a_terminal(win, pending.pop())
            return found
        return look_then_change

    # the app looks through review_states_now (320dc06: one statement for 30,000 photos)
    for name in ("review_states", "review_states_now"):
        monkeypatch.setattr(win.index, name, looking_then_changing(getattr(win.index, name)))


@pytest.mark.gui
def test_r_leaves_a_photo_labelled_in_a_terminal_after_the_app_looked(qtbot, window, tmp_path, monkeypatch) -> None:
    shown = review_list_of(qtbot, window, tmp_path, 3)[0]
    labelled_again_after_the_look(monkeypatch, window, shown, lambda other: other.set_label(
        shown, "Our cabin", source="user", state="accepted"))

    window.reject_selected()  # R on the photo shown as "Colosseum, suggested"

    assert window.index.review_states([shown]) == {shown: ("Our cabin", "accepted")}
    assert not window.index.conn.execute("SELECT 1 FROM rejections WHERE photo_id = ?", (shown,)).fetchall()
    assert status(window) == "Not rejected: the photo was labelled again since (now “Our cabin”, accepted)"
    assert window.detail.record.label == "Our cabin"  # shown as it is now
    assert not window.review_undo  # nothing for Ctrl+Z to take back
    wait_for_results(qtbot, window)


@pytest.mark.gui
def test_a_of_many_photos_in_the_worker_leaves_one_labelled_in_a_terminal_since_it_was_shown(
        qtbot, window, tmp_path, monkeypatch) -> None:
    """Thousands of photos are looked at in the job worker, in the change's transaction
    (app.gui.choice_work): no terminal can come between the look and the change there,
    but a label set since the row was shown is still left and named."""
    from app.gui import label_actions

    monkeypatch.setattr(label_actions, "BULK_IN_WORKER", 1)  # these few photos go to the job worker
    ids = review_list_of(qtbot, window, tmp_path, 3)
    window.review.list.selectAll()
    in_a_terminal(window, lambda other: other.set_label(ids[2], "Petra", source="model", state="suggested",
                                                        score=0.7))  # the app has not refreshed

    window.accept_selected()
    wait_for_job(qtbot, window)

    assert [window.index.get(i).state for i in ids] == ["accepted", "accepted", "suggested"]
    assert window.index.get(ids[2]).label == "Petra"
    assert status(window) == "Accepted 2 photos; 1 photo not accepted, labelled again since (now “Petra”, suggested)"
    assert [photo_id for photo_id, _, _ in window.review_undo[-1].before] == ids[:2]


@pytest.mark.gui
def test_ctrl_z_leaves_a_photo_labelled_in_a_terminal_after_the_app_looked(qtbot, window, tmp_path,
                                                                           monkeypatch) -> None:
    shown = review_list_of(qtbot, window, tmp_path, 2)[0]
    window.reject_selected()
    wait_for_results(qtbot, window)
    labelled_again_after_the_look(monkeypatch, window, shown, lambda other: other.set_label(
        shown, "Our cabin", source="user", state="accepted"))

    assert window.undo_review() is False

    assert window.index.review_states([shown]) == {shown: ("Our cabin", "accepted")}  # not made "suggested"
    assert status(window) == "Nothing to take back: those photos were labelled again since."
    wait_for_results(qtbot, window)


def l_answers(monkeypatch, label: str) -> None:
    """The label dialog L opens is answered with `label`."""
    from app.gui.label_dialog import LabelDialog

    def answer(dialog: LabelDialog) -> int:
        dialog.field.setText(label)
        return LabelDialog.DialogCode.Accepted

    monkeypatch.setattr(LabelDialog, "exec", answer)


def l_of_two_photos_the_second_labelled_in_a_terminal_after_the_look(qtbot, win, tmp_path: Path,
                                                                     monkeypatch) -> list[int]:
    """Two photos suggested as "Colosseum", both chosen, L answered "Bakery"; the second is
    labelled "Petra" (suggested) in a terminal right after the app's look."""
    ids = review_list_of(qtbot, win, tmp_path, 2)
    win.review.list.selectAll()
    l_answers(monkeypatch, "Bakery")
    labelled_again_after_the_look(monkeypatch, win, ids[1], lambda other: other.set_label(
        ids[1], "Petra", source="model", state="suggested", score=0.7))
    return ids


def while_another_job_runs(qtbot, win, action) -> str:
    """`action()` while a job ("Checking folders") runs; the status bar's message then."""
    running = threading.Event()
    assert win.jobs.start("Checking folders", lambda progress, cancel, emit_item: running.wait(30))
    try:
        action()
        return status(win)
    finally:
        running.set()
        wait_for_job(qtbot, win)


@pytest.mark.gui
def test_l_leaves_a_photo_labelled_in_a_terminal_after_the_app_looked(qtbot, window, tmp_path, monkeypatch) -> None:
    shown = review_list_of(qtbot, window, tmp_path, 2)[0]
    l_answers(monkeypatch, "Bakery")
    labelled_again_after_the_look(monkeypatch, window, shown, lambda other: other.set_label(
        shown, "Our cabin", source="user", state="accepted"))

    window.relabel_selected()  # L on the photo shown as "Colosseum, suggested"
    wait_for_job(qtbot, window)

    assert window.index.review_states([shown]) == {shown: ("Our cabin", "accepted")}
    assert not window.index.conn.execute("SELECT 1 FROM rejections WHERE photo_id = ?", (shown,)).fetchall()
    assert status(window) == "Not changed: the photo was labelled again since (now “Our cabin”, accepted)"


@pytest.mark.gui
def test_l_of_two_photos_labels_the_one_not_labelled_in_a_terminal_after_the_app_looked(
        qtbot, window, tmp_path, monkeypatch) -> None:
    ids = l_of_two_photos_the_second_labelled_in_a_terminal_after_the_look(qtbot, window, tmp_path, monkeypatch)

    window.relabel_selected()
    wait_for_job(qtbot, window)

    assert window.index.review_states(ids) == {ids[0]: ("Bakery", "accepted"), ids[1]: ("Petra", "suggested")}
    rejections = window.index.conn.execute("SELECT photo_id, label FROM rejections").fetchall()
    assert rejections == [(ids[0], "Colosseum")]
    said = status(window)
    assert said.startswith(f"Labelled {Path(window.index.get(ids[0]).path).name} “Bakery”"), said
    assert said.endswith("; 1 photo not changed, labelled again since (now “Petra”, suggested).")


@pytest.mark.gui
def test_l_while_another_job_runs_labels_the_photos_together(qtbot, window, tmp_path, monkeypatch) -> None:
    added_folder(qtbot, window, tmp_path, count=6)
    ids = window.grid_model.ids()
    window.index.set_label(ids[0], "Our cabin", source="user", state="rejected")  # rejected before: no longer
    window.photos_changed([ids[0]])
    window.grid.selectAll()
    from app.core.index import labels as label_store

    together, one_by_one = [], []
    set_labels, set_label = label_store.store_labels_if_unchanged, window.index.set_label
    # set_labels's statements, journalled for Ctrl+Z in the same transaction (journalled_labels)
    monkeypatch.setattr(label_store, "store_labels_if_unchanged",
                        lambda conn, ids, *a, **k: together.append(list(ids)) or set_labels(conn, ids, *a, **k))
    monkeypatch.setattr(window.index, "set_label", lambda *a, **k: one_by_one.append(a[0]) or set_label(*a, **k))

    l_answers(monkeypatch, "Our cabin")
    said = while_another_job_runs(qtbot, window, window.relabel_selected)

    assert (together, one_by_one) == ([ids], [])
    assert {(r.label, r.source, r.state) for r in window.index.search("")} == {("Our cabin", "user", "accepted")}
    assert sorted(window.index.photo_ids("cabin")) == sorted(ids)  # searchable by its words
    assert not window.index.conn.execute("SELECT 1 FROM rejections").fetchall()  # as set_label drops it
    assert said == "Labelled 6 photos “Our cabin” (not taught: “Checking folders” is running)"


@pytest.mark.gui
def test_l_leaves_a_photo_whose_folder_was_taken_out_of_the_library_after_the_app_looked(
        qtbot, window, tmp_path, monkeypatch) -> None:
    shown = review_list_of(qtbot, window, tmp_path, 1)[0]
    l_answers(monkeypatch, "Bakery")
    labelled_again_after_the_look(monkeypatch, window, shown, lambda other: forget_folder(other, tmp_path / "photos"))

    window.relabel_selected()  # L on the photo shown as "Colosseum, suggested"
    wait_for_job(qtbot, window)

    assert window.index.photo_ids("") == []
    assert status(window) == "Not changed: the photo was taken out of the library since"


@pytest.mark.gui
def test_l_while_another_job_runs_leaves_a_photo_labelled_in_a_terminal_after_the_app_looked(
        qtbot, window, tmp_path, monkeypatch) -> None:
    ids = l_of_two_photos_the_second_labelled_in_a_terminal_after_the_look(qtbot, window, tmp_path, monkeypatch)
    said = while_another_job_runs(qtbot, window, window.relabel_selected)  # compared in set_labels' transaction

    assert window.index.review_states(ids) == {ids[0]: ("Bakery", "accepted"), ids[1]: ("Petra", "suggested")}
    assert said == (f"Labelled {Path(window.index.get(ids[0]).path).name} “Bakery” (not taught: “Checking folders” is "
                    "running); "
                    "1 photo not changed, labelled again since (now “Petra”, suggested)")


@pytest.mark.gui
@pytest.mark.parametrize("action, verb", [("relabel_selected", "changed"), ("reject_selected", "rejected"),
                                          ("accept_selected", "accepted")], ids=["L", "R", "A"])
def test_a_key_on_a_photo_whose_folder_was_taken_out_of_the_library_before_it_was_pressed(
        qtbot, window, tmp_path, monkeypatch, action, verb) -> None:
    review_list_of(qtbot, window, tmp_path, 1)
    l_answers(monkeypatch, "Bakery")
    in_a_terminal(window, lambda other: forget_folder(other, tmp_path / "photos"))  # the app has not refreshed

    getattr(window, action)()  # on the photo still shown as "Colosseum, suggested"
    wait_for_job(qtbot, window)
    wait_for_results(qtbot, window)

    assert window.index.photo_ids("") == []
    assert status(window) == f"Not {verb}: the photo was taken out of the library since"
    assert window.review_model.ids() == []  # the view shows the library as it is now


@pytest.mark.gui
@pytest.mark.parametrize("when, said", [
    ("before", "taken out of the library since"),
    ("after the look", "taken out of the library since"),
    ("with one labelled again", "labelled again or taken out of the library since"),
], ids=["forgotten before Ctrl+Z", "forgotten after its look", "and labelled again"])
def test_ctrl_z_names_photos_taken_out_of_the_library_since(qtbot, window, tmp_path, monkeypatch,
                                                            when, said) -> None:
    shown = review_list_of(qtbot, window, tmp_path, 1)[0]
    trip = a_folder_forgotten_after_the_look(window.index, tmp_path)[0]  # a second library folder
    window.library_changed()
    wait_for_results(qtbot, window)
    window.review.list.selectAll()
    window.reject_selected()  # R on both: Ctrl+Z would make them "suggested" again
    wait_for_results(qtbot, window)

    def forget_both(other: PhotoIndex) -> None:
        for folder in ("photos", "Trip"):
            forget_folder(other, tmp_path / folder)

    if when == "after the look":
        labelled_again_after_the_look(monkeypatch, window, trip, forget_both)
    elif when == "before":
        in_a_terminal(window, forget_both)
    else:
        in_a_terminal(window, lambda other: other.set_label(shown, "Our cabin", source="user", state="accepted"))
        forget_trip(window.index, tmp_path)

    assert window.undo_review() is False

    assert window.index.not_in_index([trip]) == [trip]
    assert status(window) == f"Nothing to take back: those photos were {said}."
    wait_for_results(qtbot, window)


@pytest.mark.gui
def test_l_job_names_at_its_end_a_photo_labelled_in_a_terminal_while_its_dialog_was_open(
        qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui.label_dialog import LabelDialog

    ids = review_list_of(qtbot, window, tmp_path, 2)
    window.review.list.selectAll()

    def answer_after_a_terminal_labels_the_second(dialog: LabelDialog) -> int:
        in_a_terminal(window, lambda other: other.set_label(ids[1], "Petra", source="model", state="suggested",
                                                            score=0.7))
        dialog.field.setText("Bakery")
        return LabelDialog.DialogCode.Accepted

    monkeypatch.setattr(LabelDialog, "exec", answer_after_a_terminal_labels_the_second)

    window.relabel_selected()
    wait_for_job(qtbot, window)

    assert window.index.review_states(ids) == {ids[0]: ("Bakery", "accepted"), ids[1]: ("Petra", "suggested")}
    said = status(window)
    assert said.startswith(f"Labelled {Path(window.index.get(ids[0]).path).name} “Bakery”"), said
    assert said.endswith("; 1 photo not changed, labelled again since (now “Petra”, suggested)."), said

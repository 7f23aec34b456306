"""The app's A and R were not in the review journal (review6 F6): killed during the Ctrl+Z
of a bulk Accept, the step went with the app, and `undo --review` in a terminal took back an
older, unrelated `label` instead (exit 0), leaving the accepts that nothing could take back.
They are journalled now in the change's transaction, named as the app's; the app's Ctrl+Z
of one takes its command out of the journal in its own transaction."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from app.cli.main import main  # noqa: E402
from app.core.index import PhotoIndex, review_journal  # noqa: E402
from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import wait_for_job  # noqa: E402
from tests.test_gui_outside_changes import review_list_of, status  # noqa: E402

window = test_gui_support.window  # the suite's window fixture: 1,200 × 800, closed after the test

pytestmark = pytest.mark.gui


@pytest.fixture(params=[False, True], ids=["on the GUI thread", "in the job worker"])
def in_worker(request, monkeypatch) -> bool:
    from app.gui import label_actions

    if request.param:
        monkeypatch.setattr(label_actions, "BULK_IN_WORKER", 1)  # these few photos are "thousands"
    return request.param


def labelled_in_a_terminal(win, photo_id: int, capsys) -> None:
    """An older, unrelated command: `label PATH Bakery` in a terminal."""
    assert main(["--db", str(win.index.path), "label", win.index.get(photo_id).path, "Bakery"]) == 0
    capsys.readouterr()


def press_on_the_rest(qtbot, win, key: str) -> None:
    """A or R on every photo still in the review list."""
    win.review.list.selectAll()
    getattr(win, f"{key}_selected")()
    wait_for_job(qtbot, win)


def undo_review(win, capsys) -> str:
    main(["--db", str(win.index.path), "undo", "--review"])
    return capsys.readouterr().err


def states(win, ids) -> list[tuple]:
    return [(win.index.get(i).label, win.index.get(i).state) for i in ids]


@pytest.mark.parametrize("key, state", [("accept", "accepted"), ("reject", "rejected")])
def test_undo_review_takes_back_the_apps_a_or_r(qtbot, window, tmp_path, capsys, in_worker, key, state) -> None:
    ids = review_list_of(qtbot, window, tmp_path, 3)
    labelled_in_a_terminal(window, ids[0], capsys)
    window.review.list.setCurrentIndex(window.review_model.index(0))
    press_on_the_rest(qtbot, window, key)
    rest = [i for i in ids if i != ids[0]]
    assert states(window, rest) == [("Colosseum", state)] * 2

    said = undo_review(window, capsys)

    assert f"took back `the app's {key[0].upper()}: {key} of 2 photos`: 2 photos as before it" in said
    assert states(window, rest) == [("Colosseum", "suggested")] * 2
    assert states(window, [ids[0]]) == [("Bakery", "accepted")]  # the older label stays


def test_a_bulk_a_is_taken_back_by_undo_review_after_the_app_is_gone(qtbot, window, tmp_path, capsys,
                                                                     monkeypatch) -> None:
    from app.gui import label_actions

    monkeypatch.setattr(label_actions, "BULK_IN_WORKER", 1)
    ids = review_list_of(qtbot, window, tmp_path, 4)
    labelled_in_a_terminal(window, ids[0], capsys)
    press_on_the_rest(qtbot, window, "accept")
    window.review_undo.clear()  # the app killed: its Ctrl+Z steps are gone with it

    said = undo_review(window, capsys)

    assert "took back `the app's A: accept of 3 photos`: 3 photos as before it" in said
    assert states(window, ids[1:]) == [("Colosseum", "suggested")] * 3
    assert states(window, [ids[0]]) == [("Bakery", "accepted")]


def test_after_the_apps_ctrl_z_of_an_a_undo_review_takes_back_the_command_before_it(
        qtbot, window, tmp_path, capsys, in_worker) -> None:
    ids = review_list_of(qtbot, window, tmp_path, 3)
    labelled_in_a_terminal(window, ids[0], capsys)
    press_on_the_rest(qtbot, window, "accept")
    assert window.undo_review()
    wait_for_job(qtbot, window)
    assert status(window).startswith("Took back the accept: 2 photos suggested again")

    said = undo_review(window, capsys)

    assert "took back `label " in said and "Bakery`: 1 photo as before it" in said
    assert states(window, ids) == [("Colosseum", "suggested")] * 3


def test_a_photo_labelled_again_before_the_a_is_not_journalled(tmp_path) -> None:
    """The photos the A left (labelled again since the app looked) are not in its command,
    and an A that changed nothing journals nothing: `undo --review` never names it."""
    from app.core.teaching_untaught import set_states_withdrawing
    from tests.test_gui_support import insert_synthetic_photos

    db = tmp_path / "index.db"
    insert_synthetic_photos(db, 3)
    with PhotoIndex.open(db) as index:
        index.set_labels([1, 2, 3], "Petra", source="model", state="suggested")
        looked = index.review_states([1, 2, 3])
        index.set_label(2, "Bakery", source="user", state="accepted")  # by another program since

        change = set_states_withdrawing(index, [1, 2, 3], "accepted", looked, journal="the app's A: accept of 3 photos")
        nothing = set_states_withdrawing(index, [1, 3], "accepted", index.review_states([1, 3]), journal="again")

        assert (change.changed, list(change.left)) == (2, [2])
        assert change.journalled is not None and change.journalled.photos == 2
        assert nothing.journalled is None
        assert review_journal.last_command(index.conn) == change.journalled


def test_a_cancelled_ctrl_z_of_a_bulk_a_leaves_its_command_in_the_journal(qtbot, window, tmp_path, capsys,
                                                                         monkeypatch) -> None:
    """Cancelled (or killed), the take-back rolls back whole: the photos stay accepted and
    `undo --review` still takes the A back."""
    from app.gui import label_actions

    monkeypatch.setattr(label_actions, "BULK_IN_WORKER", 1)
    ids = review_list_of(qtbot, window, tmp_path, 3)
    press_on_the_rest(qtbot, window, "accept")
    original = PhotoIndex.set_state_if_unchanged

    def cancelled(*args, **kwargs):
        result = original(*args, **kwargs)
        window.jobs.runner.cancel()
        return result

    monkeypatch.setattr(PhotoIndex, "set_state_if_unchanged", cancelled)
    assert window.undo_review()
    wait_for_job(qtbot, window)
    monkeypatch.setattr(PhotoIndex, "set_state_if_unchanged", original)
    assert states(window, ids) == [("Colosseum", "accepted")] * 3

    assert "took back `the app's A: accept of 3 photos`" in undo_review(window, capsys)
    assert states(window, ids) == [("Colosseum", "suggested")] * 3

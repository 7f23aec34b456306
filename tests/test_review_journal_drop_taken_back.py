"""The app's Ctrl+Z of an A took its journal entry out by id, words and time (review11 F2),
all of which come again: two windows on one index, `undo --review` between, and the second
window's A of one photo got the first one's id, words and second; the first window's Ctrl+Z,
which set nothing back, dropped it, and `undo --review` could no longer take it back.
The entry now goes only when its photos and their state after it are the step's, and only
when the Ctrl+Z set a photo back."""

from __future__ import annotations

import pytest

from app.core.index import PhotoIndex, review_journal
from app.core.teaching_untaught import set_states_withdrawing
from tests.test_review_gaps import _library

ONE_ACCEPT = "the app's A: accept of 1 photo"


@pytest.fixture
def one_second(monkeypatch) -> None:
    """Every command journalled within the same second (the journal's time has no finer grain)."""
    monkeypatch.setattr(review_journal, "now_iso", lambda: "2026-12-05T14:33:05")


def accept(index, photo_id: int):
    """The app's A of one photo, journalled as the app names it; the journal's command."""
    before = index.review_states([photo_id])
    return set_states_withdrawing(index, [photo_id], "accepted", before, journal=ONE_ACCEPT).journalled


def two_windows_second_a_reuses_the_id(tmp_path):
    """Window 1 accepts Petra, `undo --review` takes it back, window 2 accepts the "no
    landmark" photo: its command gets window 1's id, words and time."""
    db, _, (_, petra, nothing, _) = _library(tmp_path)
    first, second = PhotoIndex.open(db), PhotoIndex.open(db)
    first_a = accept(first, petra)
    with PhotoIndex.open(db) as terminal:
        assert review_journal.take_back_last(terminal).command == first_a
    second_a = accept(second, nothing)
    assert (second_a.id, second_a.command, second_a.at) == (first_a.id, first_a.command, first_a.at)
    return db, first, second, first_a, (petra, nothing)


def test_a_ctrl_z_that_set_nothing_back_leaves_the_other_windows_a(tmp_path, one_second) -> None:
    db, first, second, first_a, (petra, nothing) = two_windows_second_a_reuses_the_id(tmp_path)
    with first.transaction() as conn:  # window 1's Ctrl+Z, as review_undo does it on the GUI thread
        expected = {petra: ("Petra", "accepted")}
        left = first.set_state_if_unchanged([petra], "suggested", expected).left
        assert left == {petra: ("Petra", "suggested")}
        assert not review_journal.drop_taken_back(conn, first_a, [petra], "accepted", set_back=0)
    first.close(), second.close()
    with PhotoIndex.open(db) as terminal:
        taken = review_journal.take_back_last(terminal)
        assert taken is not None and taken.restored == [nothing]
        assert terminal.review_states([nothing]) == {nothing: (None, "suggested")}


def test_an_entry_of_other_photos_stays_even_when_the_ctrl_z_set_photos_back(tmp_path, one_second) -> None:
    """Petra accepted again in between by a program that journals nothing: window 1's Ctrl+Z
    sets her back, but the entry of that id is window 2's, of another photo."""
    db, first, second, first_a, (petra, nothing) = two_windows_second_a_reuses_the_id(tmp_path)
    with first.transaction() as conn:
        conn.execute("UPDATE labels SET state = 'accepted' WHERE photo_id = ?", (petra,))
    with first.transaction() as conn:
        change = first.set_state_if_unchanged([petra], "suggested", {petra: ("Petra", "accepted")})
        assert change.changed == 1
        assert not review_journal.drop_taken_back(conn, first_a, [petra], "accepted", set_back=change.changed)
    first.close(), second.close()
    with PhotoIndex.open(db) as terminal:
        assert review_journal.take_back_last(terminal).restored == [nothing]


def test_the_steps_own_entry_leaves_the_journal(tmp_path, one_second) -> None:
    db, _, (colosseum, petra, _, _) = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        older = accept(index, petra)
        with index.transaction() as conn:
            conn.execute("UPDATE labels SET state = 'suggested' WHERE photo_id = ?", (petra,))
        newer = accept(index, petra)
        assert newer.id != older.id
        with index.transaction() as conn:
            assert not review_journal.drop_taken_back(conn, newer, [petra, colosseum], "accepted", set_back=1)
            assert not review_journal.drop_taken_back(conn, newer, [petra], "rejected", set_back=1)
            assert review_journal.drop_taken_back(conn, newer, [petra], "accepted", set_back=1)
        assert review_journal.last_command(index.conn) == older


def test_the_job_workers_ctrl_z_leaves_the_other_windows_a(tmp_path, one_second) -> None:
    pytest.importorskip("PySide6")
    from app.gui import review_work

    db, first, second, first_a, (petra, nothing) = two_windows_second_a_reuses_the_id(tmp_path)
    first.close(), second.close()
    work = review_work.state_work(db, {"suggested": [petra]}, {petra: ("Petra", "accepted")}, taken_back=first_a)
    change = work(None, None, None)
    assert change.left == {petra: ("Petra", "suggested")}
    with PhotoIndex.open(db) as terminal:
        assert review_journal.take_back_last(terminal).restored == [nothing]


def test_ctrl_z_adds_no_photos_of_the_other_windows_a(tmp_path, one_second) -> None:
    """Ctrl+Z takes an A or R back on the photos its entry holds besides its own (a card's RAW
    split off since, photos_added_to_step), but not from another window's A given its id."""
    db, first, second, first_a, (petra, nothing) = two_windows_second_a_reuses_the_id(tmp_path)
    assert review_journal.photos_added_to_step(first, first_a, [petra]) == []
    with first.transaction() as conn:  # as a split copies the pair's rows to its RAW
        conn.execute("INSERT INTO review_changes (command_id, photo_id, label, state, after_label, after_state) "
                     "VALUES (?, ?, 'Petra', 'suggested', 'Petra', 'accepted')", (first_a.id, petra))
    assert review_journal.photos_added_to_step(first, first_a, [petra]) == [(nothing, None, "suggested")]
    first.close(), second.close()

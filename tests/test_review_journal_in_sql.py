"""accept and reject journal the photos they change in SQL, in their own transaction (the
labels were read into Python twice more for the journal): the same rows as before, and
the newest KEPT_COMMANDS commands kept."""

from __future__ import annotations

from app.core.index import PhotoIndex, review_journal
from tests.test_review_gaps import _library


def _journal(index) -> list[tuple]:
    return index.conn.execute("SELECT c.verb, r.photo_id, r.label, r.source, r.state, r.after_label, r.after_state "
                              "FROM review_changes r JOIN review_commands c ON c.id = r.command_id "
                              "ORDER BY c.id, r.photo_id").fetchall()


def test_a_change_of_state_journals_each_photo_it_changed_as_it_was(tmp_path) -> None:
    db, _, (colosseum, petra, nothing, untagged) = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        ids = [colosseum, petra, nothing, untagged, petra, 10_000]  # twice, and an id no photo has
        assert review_journal.change_states(index, ids, "accepted", "accept", "accept ''") == 2
        source = index.get(petra).source
        # Colosseum already accepted, the untagged photo holds no label, the unknown id no photo
        assert _journal(index) == [("accept", petra, "Petra", source, "suggested", "Petra", "accepted"),
                                   ("accept", nothing, None, source, "suggested", None, "accepted")]
        assert review_journal.change_states(index, [colosseum, petra], "accepted", "accept", "accept again") == 0
        assert review_journal.last_command(index.conn).command == "accept ''"  # nothing changed: not journalled
        taken_back = review_journal.take_back_last(index)
        assert sorted(taken_back.restored) == sorted([petra, nothing])
        assert index.review_states([petra, nothing]) == {petra: ("Petra", "suggested"), nothing: (None, "suggested")}


def test_the_newest_commands_are_kept(tmp_path) -> None:
    db, _, (colosseum, petra, nothing, untagged) = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        for n in range(review_journal.KEPT_COMMANDS + 3):
            state = "rejected" if n % 2 == 0 else "accepted"
            assert review_journal.change_states(index, [colosseum, petra], state, "review", f"review {n}") >= 1
        kept = [row[0] for row in index.conn.execute("SELECT command FROM review_commands ORDER BY id")]
        assert kept == [f"review {n}" for n in range(3, review_journal.KEPT_COMMANDS + 3)]
        commands_of_rows = {row[0] for row in index.conn.execute("SELECT command_id FROM review_changes")}
        assert commands_of_rows == {row[0] for row in index.conn.execute("SELECT id FROM review_commands")}


def test_the_journal_keeps_at_most_kept_rows_photos_but_always_the_newest_commands(tmp_path, monkeypatch) -> None:
    """100 commands are kept (as deep as the app's Ctrl+Z, since its A and R are journalled
    too), but a few bulk commands must not grow the index without bound: the oldest whole
    commands past KEPT_ROWS photos go, never the newest KEPT_ALWAYS."""
    db, _, (colosseum, petra, nothing, untagged) = _library(tmp_path)
    monkeypatch.setattr(review_journal, "KEPT_ROWS", 5)
    monkeypatch.setattr(review_journal, "KEPT_ALWAYS", 2)
    with PhotoIndex.open(db) as index:
        for n in range(4):  # two photos each: 8 rows, over the 5 kept
            state = "rejected" if n % 2 == 0 else "accepted"
            assert review_journal.change_states(index, [colosseum, petra], state, "review", f"review {n}") == 2
        kept = [row[0] for row in index.conn.execute("SELECT command FROM review_commands ORDER BY id")]
        assert kept == ["review 2", "review 3"]  # 4 rows: the oldest whole commands went
        monkeypatch.setattr(review_journal, "KEPT_ROWS", 1)
        assert review_journal.change_states(index, [colosseum, petra], "rejected", "review", "review 4") == 2
        kept = [row[0] for row in index.conn.execute("SELECT command FROM review_commands ORDER BY id")]
        assert kept == ["review 3", "review 4"]  # over the budget, but the newest two stay
    assert review_journal.KEPT_COMMANDS >= 100  # the app's Ctrl+Z reaches 100 steps back


def test_fewer_commands_than_kept_always_all_stay_however_many_photos_they_hold(tmp_path, monkeypatch) -> None:
    """Over the photos' budget with fewer than KEPT_ALWAYS commands (one bulk accept of a
    million photos, then one more): nothing is dropped, the newest least of all."""
    db, _, (colosseum, petra, nothing, untagged) = _library(tmp_path)
    monkeypatch.setattr(review_journal, "KEPT_ROWS", 1)
    with PhotoIndex.open(db) as index:
        for n in range(3):
            state = "rejected" if n % 2 == 0 else "accepted"
            assert review_journal.change_states(index, [colosseum, petra], state, "review", f"review {n}") == 2
        kept = [row[0] for row in index.conn.execute("SELECT command FROM review_commands ORDER BY id")]
        assert kept == ["review 0", "review 1", "review 2"]
        assert review_journal.take_back_last(index).restored  # the newest one is there to take back

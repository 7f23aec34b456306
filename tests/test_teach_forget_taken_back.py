"""`teach --forget PLACE` (and the app's Forget… in Taught places) could not be taken
back: `undo --review` and Ctrl+Z took back a teach (a0329b3) but not a forget, so a place
forgotten by mistake had to be taught again photo by photo, and the suggestions it had
made were gone. Forgetting is journalled now, in its own transaction: taking it back
gives the place its very references again (vector and date), the taught photos their
labels as they were, and its suggestions back as they were."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.teaching import taught_labels
from tests.test_teach_taken_back import _forgotten, _labels, _refs
from tests.test_untaught_place_withdraws_suggestions import cabin_suggested  # noqa: F401 (a fixture)


def test_undo_review_takes_a_forget_back_whole(cabin_suggested, capsys) -> None:  # noqa: F811
    db, photos, ids, options = cabin_suggested
    before, refs = _labels(db, ids), _refs(db)
    assert main(["--db", str(db), "teach", "--forget", "Our cabin"]) == 0
    err = capsys.readouterr().err
    assert f"`landmark-tagger --db {db} undo --review` takes it back" in err
    assert _refs(db) == [] and [label for label, _ in _forgotten(db)] == ["Our cabin"]
    assert _labels(db, ids)[1][:2] == (None, "suggested")  # its suggestion withdrawn

    assert main(["--db", str(db), "undo", "--review"]) == 0
    err = capsys.readouterr().err
    assert "undo: took back `teach --forget 'Our cabin'`: 2 photos as before it" in err
    assert "'Our cabin' is taught again, from 1 photo" in err
    assert _labels(db, ids) == before  # the taught photo, the cabin's suggestion (source, landmark, score)
    assert _refs(db) == refs  # the very reference, vector and date
    assert _forgotten(db) == []
    with PhotoIndex.open(db) as index:
        assert taught_labels(index) == {"Our cabin": 1}


def test_a_place_forgotten_before_stays_forgotten_as_it_was(cabin_suggested, capsys) -> None:  # noqa: F811
    """Forgotten twice (its photos kept the label, so the second one records it again):
    taking the second back leaves it forgotten, at its first date."""
    db, _, ids, _ = cabin_suggested
    assert main(["--db", str(db), "teach", "--forget", "Our cabin"]) == 0
    first = _forgotten(db)
    with PhotoIndex.open(db) as index:  # a suggestion of it made since, withdrawn by the second forget
        index.set_label(ids[2], "Our cabin", source="taught", state="suggested", score=0.7)
    assert main(["--db", str(db), "teach", "--forget", "Our cabin"]) == 1
    assert main(["--db", str(db), "undo", "--review"]) == 0
    assert _forgotten(db) == first
    assert _labels(db, ids[2:])[0][:3] == ("Our cabin", "suggested", "taught")


def test_a_forget_whose_journal_fails_forgets_nothing(cabin_suggested, monkeypatch) -> None:  # noqa: F811
    from app.core.index import review_journal
    from app.core.teaching import forget

    db, _, ids, _ = cabin_suggested
    before, refs = _labels(db, ids), _refs(db)

    def fails(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(review_journal, "record", fails)
    with PhotoIndex.open(db) as index, pytest.raises(OSError):
        forget(index, "Our cabin", journal="teach --forget …")
    assert (_labels(db, ids), _refs(db), _forgotten(db)) == (before, refs, [])

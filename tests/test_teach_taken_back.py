"""A mistaken teach could not be taken back (a teaching tester): `teach "Petra at night"
PHOTO` then `undo --review` said "no accept, reject or label to take back", the app's
Ctrl+Z right after T the same, and `teach --forget` left the photo "Petra at night",
accepted. A teach is now journalled like a label, in the transaction that teaches: taking
it back gives each photo its label and state, and the place it taught, as before it, the
suggestions it withdrew come back, and a place it taught again after it was forgotten is
forgotten again."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.teaching import taught_labels
from model.predictor import TAUGHT_ID_PREFIX
from tests.test_untaught_place_withdraws_suggestions import cabin_suggested  # noqa: F401 (a fixture)


def _labels(db, ids) -> list[tuple]:
    with PhotoIndex.open(db) as index:
        return [(r.label, r.state, r.source, r.landmark_id, r.score) for r in map(index.get, ids)]


def _refs(db) -> list[tuple]:
    with PhotoIndex.open(db) as index:
        return index.conn.execute("SELECT label, photo_id, model_id, vector, created_at FROM taught_refs "
                                  "ORDER BY label, photo_id, model_id").fetchall()


def _forgotten(db) -> list[tuple]:
    with PhotoIndex.open(db) as index:
        return index.conn.execute("SELECT label, forgotten_at FROM forgotten_places").fetchall()


def test_undo_review_takes_a_teach_back_whole(cabin_suggested, capsys) -> None:  # noqa: F811
    """The model's Petra and the cabin's only photo taught as "Petra at night": both get
    their label back, the cabin photo teaches "Our cabin" again (its very reference) and
    the cabin's suggestion the teach withdrew is back."""
    db, photos, ids, options = cabin_suggested
    before, refs = _labels(db, ids), _refs(db)
    assert main(["--db", str(db), "teach", "Petra at night", photos[2], photos[0], "--new", *options]) == 0
    err = capsys.readouterr().err
    assert f"`landmark-tagger --db {db} undo --review` takes it back" in err
    assert _labels(db, ids)[1][:2] == (None, "suggested")  # withdrawn with "Our cabin"

    assert main(["--db", str(db), "undo", "--review"]) == 0
    err = capsys.readouterr().err
    assert "undo: took back `teach --new 'Petra at night' " in err and ": 3 photos as before it" in err
    assert _labels(db, ids) == before  # the model's Petra (source, landmark, score), the cabin's suggestion
    assert _refs(db) == refs  # the cabin photo's reference itself, vector and date
    with PhotoIndex.open(db) as index:
        assert taught_labels(index) == {"Our cabin": 1}
        assert index.get(ids[1]).landmark_id == TAUGHT_ID_PREFIX + "Our cabin"


def test_a_place_taught_again_after_forget_is_forgotten_again(cabin_suggested, capsys) -> None:  # noqa: F811
    """Teaching a forgotten name by mistake and taking it back leaves the place forgotten:
    else the photos still labelled so (forget keeps their label) would teach it at the next tag."""
    db, photos, ids, options = cabin_suggested
    assert main(["--db", str(db), "teach", "--forget", "Our cabin"]) == 0
    forgotten = _forgotten(db)
    assert [label for label, _ in forgotten] == ["Our cabin"]
    assert main(["--db", str(db), "teach", "Our cabin", photos[2], *options]) == 0
    assert _forgotten(db) == []  # taught again

    assert main(["--db", str(db), "undo", "--review"]) == 0
    assert _forgotten(db) == forgotten
    assert _labels(db, ids[2:])[0][:3] == ("Petra", "suggested", "model")
    with PhotoIndex.open(db) as index:
        assert taught_labels(index) == {}


def test_teaching_a_photo_its_own_place_again_and_taking_it_back_keeps_what_it_taught(
        cabin_suggested, capsys) -> None:  # noqa: F811
    db, photos, ids, options = cabin_suggested
    refs = _refs(db)
    assert main(["--db", str(db), "teach", "Our cabin", photos[0], *options]) == 0
    assert main(["--db", str(db), "undo", "--review"]) == 0
    assert ": 1 photo as before it" in capsys.readouterr().err
    assert _refs(db) == refs


def test_a_teach_whose_journal_fails_teaches_nothing(cabin_suggested, tiny_bundle, monkeypatch) -> None:  # noqa: F811
    """The journal is written in the teach's transaction: a teach cut short there (a kill,
    a full disk) leaves no photo taught that could not be taken back."""
    from app.core.index import review_journal
    from app.core.teaching import teach

    db, photos, ids, _ = cabin_suggested
    before, refs = _labels(db, ids), _refs(db)

    def fails(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(review_journal, "record", fails)
    with PhotoIndex.open(db) as index, pytest.raises(OSError):
        teach(index, "Petra at night", [ids[2], ids[0]], bundle=tiny_bundle, journal="teach …")
    assert (_labels(db, ids), _refs(db)) == (before, refs)


def test_teach_unjournalled_when_no_command_is_given(cabin_suggested, tiny_bundle) -> None:  # noqa: F811
    """`tag` teaching labels read back from the files is no command of the user's: nothing to take back."""
    from app.core.index import review_journal
    from app.core.teaching import teach

    db, _, ids, _ = cabin_suggested
    with PhotoIndex.open(db) as index:
        last = review_journal.last_command(index.conn)
        assert teach(index, "Lake hut", [ids[2]], bundle=tiny_bundle).journalled is None
        assert review_journal.last_command(index.conn) == last

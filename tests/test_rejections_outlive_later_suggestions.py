"""A rejection outlives the suggestions that replace it for a while: the threshold moved
down and back, or another model's landmark and the first model back (apply_threshold,
or `tag --retag`), do not put a photo the user rejected back into review with "no
landmark" or the landmark they rejected. `rejections` remembers a rejected "no landmark"
too (labels.NO_LANDMARK_REJECTED), as it remembers a rejected name."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.index.labels import NO_LANDMARK_REJECTED
from tests.test_model_switch_review_fixes import other_bundle, trip  # noqa: F401 (fixtures)

UNREACHABLE = "0.999999"  # no landmark of the tiny models reaches it: "no landmark"


def tag(db: Path, trip: Path, model, threshold: str, *extra: str) -> None:
    assert main(["--db", str(db), "tag", str(trip), "--model", str(model), "--workers", "0",
                 "--threshold", threshold, *extra]) == 0


def label_of(db: Path) -> tuple[str | None, str]:
    with PhotoIndex.open(db) as index:
        record = index.search("")[0]
        return record.label, record.state


def suggested(db: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["--db", str(db), "search", "state:suggested"]) == 0
    return capsys.readouterr().err


def test_a_rejected_no_landmark_comes_back_rejected_after_the_threshold_went_down_and_up(
        tmp_path, trip, tiny_bundle, capsys):
    db = tmp_path / "index.db"
    tag(db, trip, tiny_bundle.path, UNREACHABLE)
    assert main(["--db", str(db), "reject", str(trip / "a.jpg")]) == 0
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("SELECT label FROM rejections").fetchall() == [(NO_LANDMARK_REJECTED,)]
    tag(db, trip, tiny_bundle.path, "0")  # a landmark now: a fair new suggestion
    landmark, state = label_of(db)
    assert landmark is not None and state == "suggested"
    tag(db, trip, tiny_bundle.path, UNREACHABLE)  # back: "no landmark" again, which the user rejected
    assert label_of(db) == (None, "rejected")
    assert "0 photos" in suggested(db, capsys)
    tag(db, trip, tiny_bundle.path, UNREACHABLE, "--retag")
    assert label_of(db) == (None, "rejected")


@pytest.mark.parametrize("retag", [False, True], ids=["stored top-5", "retag"])
def test_a_rejected_landmark_comes_back_rejected_after_another_models_suggestion(
        tmp_path, trip, tiny_bundle, other_bundle, capsys, retag):
    db = tmp_path / "index.db"
    tag(db, trip, tiny_bundle.path, "0")
    rejected, _ = label_of(db)
    assert main(["--db", str(db), "reject", str(trip / "a.jpg")]) == 0
    tag(db, trip, other_bundle, "0")  # another model's landmark: a fair new suggestion
    other, state = label_of(db)
    assert other != rejected and state == "suggested"
    # the first model back with nothing confident but the rejected landmark: the rejection stays
    tag(db, trip, tiny_bundle.path, UNREACHABLE, *(["--retag"] if retag else []))
    assert label_of(db) == (rejected, "rejected")
    assert "0 photos" in suggested(db, capsys)


def written_then_rejected(db: Path, trip: Path, tiny_bundle, other_bundle) -> str:
    """The tiny model's landmark accepted and written, then rejected; the other model's
    landmark suggested since. Returns the landmark written."""
    from app.core.metadata.jpeg_fields import read_fields

    tag(db, trip, tiny_bundle.path, "0")
    written, _ = label_of(db)
    assert main(["--db", str(db), "accept", str(trip / "a.jpg")]) == 0
    assert main(["--db", str(db), "write"]) == 0
    assert read_fields((trip / "a.jpg").read_bytes()).subject == [written]
    assert main(["--db", str(db), "reject", str(trip / "a.jpg")]) == 0
    tag(db, trip, other_bundle, "0")
    return written


@pytest.mark.parametrize("then", ["first model back", "other rejected too"])
def test_a_written_keyword_the_user_rejected_comes_out_whatever_was_suggested_since(
        tmp_path, trip, tiny_bundle, other_bundle, then):
    """`write` takes our keyword out of the file when the photo returns to its rejection
    (the first model back with "no landmark" only), and when the user rejects the other
    model's landmark too: the label shown rejected is not the one written then, but the
    one written was rejected all the same."""
    from app.core.metadata.jpeg_fields import read_fields

    db = tmp_path / "index.db"
    written = written_then_rejected(db, trip, tiny_bundle, other_bundle)
    if then == "first model back":
        tag(db, trip, tiny_bundle.path, UNREACHABLE)
        assert label_of(db) == (written, "rejected")
    else:
        assert main(["--db", str(db), "reject", str(trip / "a.jpg")]) == 0
        assert label_of(db)[0] != written
    assert main(["--db", str(db), "write"]) == 0
    assert not read_fields((trip / "a.jpg").read_bytes()).subject


def test_a_reject_taken_back_after_a_suggestion_replaced_it_is_not_given_back(tmp_path, trip, tiny_bundle, capsys):
    """`undo --review` of the reject leaves the label row a lower threshold gave since as it
    is, but the user withdrew the rejection: the model's "no landmark" is back in review."""
    db = tmp_path / "index.db"
    tag(db, trip, tiny_bundle.path, UNREACHABLE)
    assert main(["--db", str(db), "reject", str(trip / "a.jpg")]) == 0
    tag(db, trip, tiny_bundle.path, "0")
    landmark, state = label_of(db)
    assert landmark is not None and state == "suggested"
    capsys.readouterr()
    main(["--db", str(db), "undo", "--review"])  # non-zero: no photo as before it
    assert "1 photo left as it is" in capsys.readouterr().err
    assert label_of(db) == (landmark, "suggested")
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("SELECT * FROM rejections").fetchall() == []
    tag(db, trip, tiny_bundle.path, UNREACHABLE)
    assert label_of(db) == (None, "suggested")
    assert "1 photo" in suggested(db, capsys)

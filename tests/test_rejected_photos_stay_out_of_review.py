"""A photo whose suggestion the user rejected does not come back to review as "no
landmark" when it is tagged again (`tag --retag`, another model) and the model says
nothing confident: the rejection stays. A landmark the model now gives that was not
rejected is a fair new suggestion, decoded again or decided from the stored top-5."""

from __future__ import annotations

from pathlib import Path

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.tagging import TagOptions, tag
from tests.test_model_switch_review_fixes import other_bundle, trip  # noqa: F401 (fixtures)


def options(model, threshold: float, retag: bool = False) -> TagOptions:
    return TagOptions(model=Path(model), threshold=threshold, workers=0, batch_size=2, threads=1, retag=retag)


def test_a_rejected_no_landmark_stays_rejected_after_a_retag(tmp_path, trip, tiny_bundle, capsys):
    db = str(tmp_path / "index.db")
    tagging = ["--model", str(tiny_bundle.path), "--workers", "0", "--threshold", "0.999999"]
    assert main(["--db", db, "tag", str(trip), *tagging]) == 0
    assert main(["--db", db, "reject", str(trip / "a.jpg")]) == 0
    assert main(["--db", db, "tag", str(trip), "--retag", *tagging]) == 0
    capsys.readouterr()
    assert main(["--db", db, "search", "state:suggested"]) == 0
    assert "0 photos" in capsys.readouterr().err
    with PhotoIndex.open(tmp_path / "index.db") as index:
        record = index.search("")[0]
        assert (record.label, record.state) == (None, "rejected")


def test_a_rejected_landmark_stays_rejected_when_another_model_is_unsure(tmp_path, trip, tiny_bundle, other_bundle):
    with PhotoIndex.open(tmp_path / "index.db") as index:
        tag(index, [trip], options(tiny_bundle.path, 0.0))
        photo_id = index.search("")[0].id
        rejected = index.get(photo_id).label
        index.set_state([photo_id], "rejected")
        tag(index, [trip], options(other_bundle, 1.0 - 1e-9))  # nothing reaches it
        assert (index.get(photo_id).label, index.get(photo_id).state) == (rejected, "rejected")
        assert index.count("state:suggested") == 0
        # the same model at a threshold its top-1 (another landmark) reaches: a fair new suggestion
        tag(index, [trip], options(other_bundle, 0.0))
        record = index.get(photo_id)
        assert record.state == "suggested" and record.label not in (None, rejected)
        assert record.label == index.predictions(photo_id, record.model_id)[0].label


def test_a_rejected_no_landmark_gets_a_landmark_the_lower_threshold_gives(tmp_path, trip, tiny_bundle):
    """Decided again from the stored top-5 (no decoding): as a retag at that threshold."""
    with PhotoIndex.open(tmp_path / "index.db") as index:
        tag(index, [trip], options(tiny_bundle.path, 1.0 - 1e-9))
        photo_id = index.search("")[0].id
        index.set_state([photo_id], "rejected")  # "no landmark" is wrong
        tag(index, [trip], options(tiny_bundle.path, 1.0 - 1e-9))
        assert index.get(photo_id).state == "rejected"
        summary = tag(index, [trip], options(tiny_bundle.path, 0.0))
        top = index.predictions(photo_id, tiny_bundle.id)[0]
        assert summary.relabelled == [photo_id]
        assert (index.get(photo_id).label, index.get(photo_id).state) == (top.label, "suggested")

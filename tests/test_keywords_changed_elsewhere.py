"""A landmark keyword our write put into a photo that the user then took out in another
program (Lightroom) is their decision: the next scan makes the label follow the file
(rejected where it was removed, the new landmark where they replaced it) and the next
`write` does not put ours back; a file whose metadata was stripped whole is held."""

from __future__ import annotations

from pathlib import Path

from app.core.index import review_journal
from app.core.metadata import plan_writes
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields
from app.core.scanner import scan
from tests import test_write_keyword_policy as keyword_policy
from tests.test_cli_core import run_cli
from tests.test_metadata_support import make_jpeg
from tests.test_roundtrip_other_tools import saved_later

index = keyword_policy.index  # the fixture: an index of its own in tmp_path
write_all = keyword_policy.write_all


def _written(tmp_path: Path, index, source: str = "model") -> tuple[Path, int]:
    """A JPEG scanned, labelled "Colosseum" (the model's, accepted; or the user's) and written."""
    folder = tmp_path / "Rome"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0004.JPG")
    scan(index, [folder])
    photo_id = index.search("")[0].id
    index.set_label(photo_id, "Colosseum", source=source, state="accepted",
                    landmark_id="colosseum" if source == "model" else None, score=0.99 if source == "model" else None)
    assert write_all(index).written == 1
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Colosseum"]
    return photo, photo_id


def _edited(photo: Path, subject: list[str] | None, hierarchical: list[str] | None) -> None:
    """What Lightroom saves after the user edited the photo's keywords."""
    fields = read_fields(photo.read_bytes())
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(
        subject, hierarchical, fields.iptc, fields.xp, fields.digikam, fields.microsoft, fields.taught)))
    saved_later(photo)


def _state(index, photo_id: int) -> tuple[str | None, str]:
    record = next(photo for photo in index.search("") if photo.id == photo_id)
    return record.label, record.state


def test_a_keyword_of_ours_removed_in_lightroom_rejects_the_label_and_is_not_written_back(tmp_path, index):
    photo, photo_id = _written(tmp_path, index)
    _edited(photo, ["Rome trip"], ["Places|Rome"])
    summary = scan(index, [photo.parent])
    assert summary.changed == 1
    assert _state(index, photo_id) == ("Colosseum", "rejected")
    assert [change["how"] for change in summary.keywords_changed_elsewhere] == ["removed"]
    assert "1 landmark keyword was changed or removed in another program since our write" in summary.line()
    assert f"search id:{photo_id}" in summary.line()
    assert [item for item in plan_writes(index) if item.changes_anything] == []
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical == ["Places|Rome"]
    # the rejection is remembered: the model's Colosseum is not suggested for it again
    assert index.conn.execute("SELECT 1 FROM rejections WHERE photo_id = ? AND label = 'Colosseum'",
                              (photo_id,)).fetchone() is not None


def test_a_removal_read_by_the_scan_is_taken_back_by_undo_review(tmp_path, index):
    photo, photo_id = _written(tmp_path, index, source="user")
    _edited(photo, None, None)  # the keyword fields gone, the packet (and EXIF) still there
    scan(index, [photo.parent])
    assert _state(index, photo_id) == ("Colosseum", "rejected")
    assert review_journal.take_back_last(index) is not None
    assert _state(index, photo_id) == ("Colosseum", "accepted")


def test_a_keyword_of_ours_replaced_in_lightroom_becomes_the_label(tmp_path, index):
    photo, photo_id = _written(tmp_path, index)
    _edited(photo, ["Rome trip", "Roman Forum"], ["Places|Rome", "Landmarks|Roman Forum"])
    summary = scan(index, [photo.parent])
    assert _state(index, photo_id) == ("Roman Forum", "accepted")
    assert summary.keywords_changed_elsewhere[0]["label"] == "Roman Forum"
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert "Landmarks|Colosseum" not in fields.hierarchical and "Colosseum" not in fields.subject
    assert "Landmarks|Roman Forum" in fields.hierarchical


def test_a_file_whose_metadata_was_stripped_is_held_by_write(tmp_path, index, capsys):
    photo, photo_id = _written(tmp_path, index)
    from PIL import Image

    with Image.open(photo) as image:
        image.load()
        image.save(photo, quality=90)  # saved without EXIF, XMP or IPTC
    saved_later(photo)
    summary = scan(index, [photo.parent])
    assert _state(index, photo_id) == ("Colosseum", "accepted")
    assert [change["how"] for change in summary.keywords_changed_elsewhere] == ["stripped"]
    assert "changed or removed in another program" not in summary.line()
    [item] = plan_writes(index)
    assert item.held and "metadata was removed since our write" in item.problem
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical is None
    code, _, err = run_cli(capsys, "--db", str(tmp_path / "index.db"), "label", "--release-held", f'path:"{photo}"',
                           "Colosseum")
    assert code == 0  # the way out the note names, in the same second as the write, says what it did
    assert f'label: {photo}: no longer left alone: the next `write` writes "Colosseum" into it again' in err
    assert write_all(index).written == 1
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Colosseum"]


def test_a_file_still_holding_our_keyword_keeps_its_label(tmp_path, index):
    photo, photo_id = _written(tmp_path, index)
    _edited(photo, ["Colosseum", "Rome trip"], ["Landmarks|Colosseum", "Places|Rome"])
    summary = scan(index, [photo.parent])
    assert summary.changed == 1 and summary.keywords_changed_elsewhere == []
    assert _state(index, photo_id) == ("Colosseum", "accepted")


def test_a_keyword_read_back_and_never_written_by_us_counts_only_in_the_file_it_was_read_from(tmp_path, index):
    folder = tmp_path / "Rome"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0004.JPG")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(["Colosseum"], ["Landmarks|Colosseum"])))
    assert scan(index, [folder]).labels_read == 1  # recorded as read back from this file
    photo_id = index.search("")[0].id
    _edited(photo, ["Rome trip"], None)
    scan(index, [folder])
    assert _state(index, photo_id) == ("Colosseum", "rejected")


def test_a_keyword_read_back_and_removed_is_said_changed_since_the_scan_read_it_not_since_our_write(tmp_path, index):
    """review 8 F4: no write of ours ever ran on this library."""
    folder = tmp_path / "Rome"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0004.JPG")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(["Colosseum"], ["Landmarks|Colosseum"])))
    scan(index, [folder])
    _edited(photo, ["Rome trip"], None)
    line = scan(index, [folder]).line()
    assert "1 landmark keyword was changed or removed in another program since the scan that read it:" in line
    assert "our write" not in line


def test_a_keyword_changed_elsewhere_after_the_user_rejected_the_label_leaves_the_rejection_as_it_is(
        tmp_path, index, capsys):
    """mutation M37: the photo rejected (`reject`), its keyword then replaced in Lightroom before any `write`:
    the scan must not turn the rejected photo's label into the new keyword's, nor journal a decision that
    `undo --review` would take back in place of the user's `reject`."""
    db = str(tmp_path / "index.db")
    replaced, replaced_id = _written(tmp_path, index)
    assert run_cli(capsys, "--db", db, "reject", f"id:{replaced_id} state:accepted")[0] == 0
    _edited(replaced, ["Roman Forum"], ["Landmarks|Roman Forum"])

    summary = scan(index, [replaced.parent])

    assert summary.keywords_changed_elsewhere == []
    assert _state(index, replaced_id) == ("Colosseum", "rejected")


def test_a_keyword_removed_elsewhere_after_the_user_rejected_the_label_leaves_the_reject_to_undo(
        tmp_path, index, capsys):
    db = str(tmp_path / "index.db")
    photo, photo_id = _written(tmp_path, index)
    assert run_cli(capsys, "--db", db, "reject", f"id:{photo_id} state:accepted")[0] == 0
    _edited(photo, ["Rome trip"], ["Places|Rome"])

    summary = scan(index, [photo.parent])
    code, _, err = run_cli(capsys, "--db", db, "undo", "--review")

    assert summary.keywords_changed_elsewhere == [] and "changed or removed in another program" not in summary.line()
    assert code == 0 and f"took back `reject 'id:{photo_id} state:accepted'`" in err
    assert _state(index, photo_id) == ("Colosseum", "accepted")


def test_a_keyword_removed_elsewhere_from_a_photo_forgotten_and_scanned_again_rejects_it(tmp_path, index):
    """mutation M40: our write's journal entry of the file is the forgotten photo's (its id negated); the photo
    scanned again has its label read back from the file, and the keyword then taken out in Lightroom is the
    user's decision, as for any photo: rejected, and `write` does not put Colosseum back."""
    from app.core.index.forget import forget_folder

    photo, _ = _written(tmp_path, index)
    assert forget_folder(index, photo.parent).photos == 1
    scan(index, [photo.parent])
    [again] = index.search("")
    assert (again.label, again.state) == ("Colosseum", "accepted")
    _edited(photo, ["Rome trip"], ["Places|Rome"])

    summary = scan(index, [photo.parent])

    assert [change["how"] for change in summary.keywords_changed_elsewhere] == ["removed"]
    assert _state(index, again.id) == ("Colosseum", "rejected")
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical == ["Places|Rome"]

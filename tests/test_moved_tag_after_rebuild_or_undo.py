"""Our Colosseum tag that Lightroom moved to `Places|Rome|Colosseum`, seen by an index that
did not journal the write that put it there, stays ours (review15 F3, F4):
- the index lost and rebuilt by a scan: its first write (Pantheon) finds the tag moved and our
  landmarkTagger:Teaches naming Colosseum; Colosseum labelled back then got a second
  `Landmarks|Colosseum`, and Lightroom's tidy of it rejected the label;
- `undo` of our write: it took the plain "Colosseum" and Teaches out and left the path (a
  half-removed tag), so the next write doubled the path and put it back after every tidy.
  The undo now leaves the tag whole where the user put it and says so, as a relabel does;
  a tree the user built before our first write, and a friend `People|Petra`, stay as ever;
  the plain keyword stays too where it was the only one our write put in its field.
End to end: our CLI writes, exiftool edits as Lightroom saves."""

from __future__ import annotations

from pathlib import Path

from app.core.metadata.jpeg_fields import read_fields
from tests.test_landmark_kept_in_users_tree import KEPT_NOTE, MOVED, _one_photo, _said
from tests.test_metadata_support import require_exiftool
from tests.test_users_tag_named_like_landmark import _cli, _exiftool, _label

TIDY = ("-XMP-lr:HierarchicalSubject=Places|Rome|Colosseum",)  # Lightroom's save of the tree as the user keeps it


def _tidied_and_scanned_keeps_colosseum(capsys, db: Path, photo: Path) -> None:
    """A Lightroom save of the user's tree is read by the scan as no removal of ours: the
    label stays accepted and taught, and the next write changes nothing."""
    _exiftool(photo, *TIDY)
    out = _said(capsys, db, "scan", str(photo.parent))
    assert "1 changed" in out  # the scan did read the saved file
    assert "changed or removed" not in out
    assert "Colosseum  accepted" in _cli(capsys, db, "search", "")
    assert "0 files would change" in _said(capsys, db, "write", "--dry-run")


def test_a_label_written_back_after_an_index_rebuild_finds_our_moved_tag(tmp_path, capsys):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum")
    _exiftool(photo, *MOVED)
    db.unlink()  # the index lost; rebuilt from the files
    _cli(capsys, db, "scan", str(photo.parent))
    _label(capsys, db, photo, "Pantheon")
    _cli(capsys, db, "write")  # this index's first write: the tree and our Teaches (Colosseum) in its before-state
    _label(capsys, db, photo, "Colosseum")

    _cli(capsys, db, "write")

    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["Places|Rome|Colosseum"]  # no second Landmarks|Colosseum
    assert (fields.subject, fields.taught) == (["Colosseum", "Rome", "Places"], ["Colosseum"])
    _tidied_and_scanned_keeps_colosseum(capsys, db, photo)


def test_undo_leaves_our_tag_the_user_moved_into_their_tree_whole_and_says_so(tmp_path, capsys):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum")
    _exiftool(photo, *MOVED)
    _cli(capsys, db, "scan", str(photo.parent))

    out = _said(capsys, db, "undo")

    assert f"1 left alone; note: IMG_1.JPG: {KEPT_NOTE}" in out
    fields = read_fields(photo.read_bytes())
    assert (fields.hierarchical, fields.subject, fields.iptc, fields.taught) == (
        ["Places|Rome|Colosseum"], ["Colosseum", "Rome", "Places"], ["Colosseum", "Rome", "Places"], ["Colosseum"])
    assert "1 unchanged" in _said(capsys, db, "write")  # no second path
    assert read_fields(photo.read_bytes()).hierarchical == ["Places|Rome|Colosseum"]
    _tidied_and_scanned_keeps_colosseum(capsys, db, photo)


def test_undo_keeps_the_plain_keyword_of_our_tag_moved_alone_into_the_users_tree(tmp_path, capsys):
    """Lightroom moved our keyword and nothing else: the undo's fields held no dc:subject
    (our write created it), so "Colosseum" went and the path stayed alone (docs11 F1)."""
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum")
    _exiftool(photo, *TIDY)
    _cli(capsys, db, "scan", str(photo.parent))

    out = _said(capsys, db, "undo")

    assert f"0 files restored, 0 failed, 1 left alone; note: IMG_1.JPG: {KEPT_NOTE}" in out
    fields = read_fields(photo.read_bytes())
    assert (fields.hierarchical, fields.subject, fields.taught) == (
        ["Places|Rome|Colosseum"], ["Colosseum"], ["Colosseum"])
    assert "1 unchanged" in _said(capsys, db, "write")
    _tidied_and_scanned_keeps_colosseum(capsys, db, photo)


def test_undo_takes_ours_out_beside_a_tree_and_a_friend_the_user_had_before_our_write(tmp_path, capsys):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum", "-XMP-lr:HierarchicalSubject=Places|Rome|Colosseum",
                       "-XMP-lr:HierarchicalSubject=People|Petra", "-XMP-dc:Subject=Colosseum",
                       "-XMP-dc:Subject=Petra")
    assert read_fields(photo.read_bytes()).hierarchical == [
        "Places|Rome|Colosseum", "People|Petra", "Landmarks|Colosseum"]
    _exiftool(photo, "-XMP-dc:Subject+=Rome")  # Lightroom: a keyword added since, so undo takes out ours alone
    _cli(capsys, db, "scan", str(photo.parent))

    out = _said(capsys, db, "undo")

    assert "1 file restored" in out and "kept" not in out
    fields = read_fields(photo.read_bytes())  # the user's own as they were, and the keyword added since
    assert (fields.hierarchical, fields.subject, fields.taught) == (
        ["Places|Rome|Colosseum", "People|Petra"], ["Colosseum", "Petra", "Rome"], None)

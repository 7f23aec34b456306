"""Our Colosseum tag that Lightroom moved to `Places|Rome|Colosseum`, seen by an index that
did not journal the write that put it there, stays ours (review15 F3, F4):
- the index lost and rebuilt by a scan: its first write (Pantheon) finds the tag moved and our
  landmarkTagger:Teaches naming Colosseum; Colosseum labelled back then got a second
  `Landmarks|Colosseum`, and Lightroom's tidy of it rejected the label;
- `undo` of our write: it took the plain "Colosseum" and Teaches out and left the path (a
  half-removed tag), so the next write doubled the path and put it back after every tidy.
  The undo now leaves the tag whole where the user put it and says so, as a relabel does;
  a tree the user built before our first write, and a friend `People|Petra`, stay as ever;
  the plain keyword stays too where it was the only one our write put in its field;
- a friend `People|Petra` the file held before our first write, our `Landmarks|Petra` beside
  it deleted, then the index rebuilt, leaves the file as a moved tag would (review1 F1): a
  relabel keeps the path without advising its removal, and undo of a write that found a
  path there (friend or moved tag) restores our Teaches field with the rest.
End to end: our CLI writes, exiftool edits as Lightroom saves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


def _rebuilt_and_labelled_back(capsys, tmp_path: Path, label: str, other: str, *tags: str) -> tuple[Path, Path]:
    """`label` written beside the user's `tags`, a Lightroom save leaving the file just
    `tags` with our Teaches, the index lost and rebuilt by a scan, `other` written (this
    index's first write), then the photo labelled `label` again: the database and the photo."""
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, label, *tags)
    _exiftool(photo, *tags)
    db.unlink()
    _cli(capsys, db, "scan", str(photo.parent))
    _label(capsys, db, photo, other)
    _cli(capsys, db, "write")
    _label(capsys, db, photo, label)
    return db, photo


def _rebuilt_and_written_back(capsys, tmp_path: Path, label: str, other: str, *tags: str) -> tuple[Path, Path]:
    """_rebuilt_and_labelled_back, and `label` written back."""
    db, photo = _rebuilt_and_labelled_back(capsys, tmp_path, label, other, *tags)
    _cli(capsys, db, "write")
    return db, photo


@pytest.mark.parametrize("label, other, tags, theirs", [
    ("Petra", "Treasury", ("-XMP-lr:HierarchicalSubject=People|Petra", "-XMP-dc:Subject=Petra"), "People|Petra"),
    ("Colosseum", "Pantheon", MOVED, "Places|Rome|Colosseum"),
])
def test_a_label_written_back_after_an_index_rebuild_says_it_adds_no_path_of_ours(
        tmp_path, capsys, label, other, tags, theirs):
    """The path of the user's tree naming the label may be our tag moved there or a friend
    of the same name: the write adds no `Landmarks|…` beside it either way, and the dry run
    and the write say so (review3 F4: both said nothing, the index naming Petra while the
    file held only the friend's tag)."""
    require_exiftool()
    db, photo = _rebuilt_and_labelled_back(capsys, tmp_path, label, other, *tags)
    note = (f"no Landmarks|{label} added: your tag tree holds {theirs}, taken for the landmark as our tag "
            f"may have been moved there; if it is not the landmark, add Landmarks|{label} yourself")

    assert f"(note: {note})" in _said(capsys, db, "write", "--dry-run")
    assert [note] == [json.loads(line)["note"] for line in
                      _cli(capsys, db, "write", "--dry-run", "--json").splitlines() if line.startswith("{")]
    out = _said(capsys, db, "write")

    assert f"1 file written, 0 failed; note: IMG_1.JPG: {note}" in out
    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == [theirs] and fields.taught == [label]


def test_a_relabel_after_an_index_rebuild_never_advises_removing_a_friend_of_the_same_name(tmp_path, capsys):
    """Our Landmarks|Petra deleted beside a friend People|Petra the file held before our
    first write, then the index rebuilt (review1 F1): the file is as it would be had
    Lightroom moved our tag there, so the relabel keeps the path but advises nothing."""
    require_exiftool()
    db, photo = _rebuilt_and_written_back(capsys, tmp_path, "Petra", "Treasury",
                                          "-XMP-lr:HierarchicalSubject=People|Petra", "-XMP-dc:Subject=Petra")
    _label(capsys, db, photo, "Treasury")

    out = _said(capsys, db, "write")

    assert 'note: IMG_1.JPG: "Petra" kept: it sits in your tag tree People|Petra' in out
    assert "remove it there" not in out
    fields = read_fields(photo.read_bytes())
    assert (fields.hierarchical, fields.subject, fields.taught) == (
        ["People|Petra", "Landmarks|Treasury"], ["Petra", "Treasury"], ["Treasury"])


@pytest.mark.parametrize("label, other, tags, restored", [
    ("Petra", "Treasury", ("-XMP-lr:HierarchicalSubject=People|Petra", "-XMP-dc:Subject=Petra"),
     (["People|Petra", "Landmarks|Treasury"], ["Petra", "Jordan", "Treasury"])),
    ("Colosseum", "Pantheon", MOVED,
     (["Places|Rome|Colosseum", "Landmarks|Pantheon"], ["Colosseum", "Rome", "Places", "Jordan", "Pantheon"])),
])
def test_undo_after_an_index_rebuild_restores_the_teaches_field_beside_a_path_there_before(
        tmp_path, capsys, label, other, tags, restored):
    """The label written back finds the path there already (a friend's, or our tag moved
    before the rebuild): undo of that write leaves the path as it found it and puts our
    Teaches field back with the older label's path, all restored; it said "1 file
    restored" with a "kept" note and left Teaches naming the label (review1 F1)."""
    require_exiftool()
    db, photo = _rebuilt_and_written_back(capsys, tmp_path, label, other, *tags)
    _exiftool(photo, "-XMP-dc:Subject+=Jordan")  # a Lightroom edit since: undo takes out ours alone
    _cli(capsys, db, "scan", str(photo.parent))

    out = _said(capsys, db, "undo")

    assert "1 file restored" in out and "kept" not in out
    fields = read_fields(photo.read_bytes())
    assert (fields.hierarchical, fields.subject, fields.taught) == (*restored, [other])


@pytest.mark.parametrize("friend", [
    ("-XMP-lr:HierarchicalSubject+=People|Petra",),  # Lightroom: our plain "Petra" now the friend's too
    ("-XMP-lr:HierarchicalSubject+=People|Petra", "-XMP-dc:Subject+=Petra"),  # a second copy written for it
])
def test_undo_takes_ours_from_beside_a_path_tagged_since_and_keeps_that_path_whole(tmp_path, capsys, friend):
    """A photo with no keywords before our write of Petra, `People|Petra` tagged beside our
    `Landmarks|Petra` since (a friend, or a copy of our landmark: the file cannot tell): the
    undo took every plain "Petra" out, as dc:subject did not exist before our write, leaving
    the path without it (life F1). 9bc3451 then kept our Teaches and advised removing the
    path, as for a move: a friend's tag to delete, and our write not taken back. Now our
    path and Teaches go, the path stays with its plain keyword, named with no advice."""
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Petra")
    assert read_fields(photo.read_bytes()).subject == ["Petra"]  # created by our write
    _exiftool(photo, *friend)
    _cli(capsys, db, "scan", str(photo.parent))

    out = _said(capsys, db, "undo")

    assert "1 file restored, 0 failed" in out
    assert '"Petra" kept: it sits in your tag tree People|Petra' in out and "remove it there" not in out
    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["People|Petra"] and fields.taught is None
    assert fields.subject and set(fields.subject) == {"Petra"}

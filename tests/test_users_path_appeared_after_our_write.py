"""A path of the user's tree ending in our landmark that appeared after our write (review4):
- a copy beside ours (digiKam's "assign tag": `Places|Rome|Colosseum` added, our
  `Landmarks|Colosseum` kept) is the user's: a relabel or reject keeps it and says so (it
  said nothing, and the file went on naming the Colosseum after the user said "Pantheon"),
  with no advice to remove it, for the same bytes are a friend tagged beside ours; an undo
  takes our write back, our path and Teaches, and keeps the copy with its plain keyword;
- a friend `People|Petra` tagged beside ours, then ours moved to `Places|Jordan|Petra`: the
  file cannot tell which came as ours went, so a relabel's or undo's note names both, in one
  order whatever the keywords' order, and advises removing neither (it named the first path
  of the field, the friend's, and told the user to remove it);
- where our journal saw the friend beside ours (written before our write of Petra), the
  moved path alone is named, with the advice.
End to end: our CLI writes, exiftool edits as Lightroom and digiKam save."""

from __future__ import annotations

import pytest

from app.core.metadata.jpeg_fields import read_fields
from tests.test_landmark_kept_in_users_tree import (KEPT_NOTE, _one_photo, _petra_written_after_a_friend_tagged_later,
                                                    _said)
from tests.test_metadata_support import require_exiftool
from tests.test_users_tag_named_like_landmark import _cli, _exiftool, _label

ADVICE = "; remove it there if the photo is not of it"
BOTH_NAMED = '"Petra" kept: it sits in your tag tree People|Petra and Places|Jordan|Petra'
MOVED_BESIDE_FRIEND = {  # Lightroom's move of our Landmarks|Petra, the friend's path first or last
    "friend first": ("-XMP-lr:HierarchicalSubject=People|Petra", "-XMP-lr:HierarchicalSubject=Places|Jordan|Petra"),
    "friend last": ("-XMP-lr:HierarchicalSubject-=Landmarks|Petra", "-XMP-lr:HierarchicalSubject+=Places|Jordan|Petra"),
}


@pytest.mark.parametrize("change", ["relabel", "reject"])
def test_a_copy_of_our_tag_in_the_users_tree_is_kept_and_said_with_no_advice(tmp_path, capsys, change):
    """9bc3451 advised removing the copy: the same bytes as a friend tagged beside ours."""
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum")
    _exiftool(photo, "-XMP-lr:HierarchicalSubject+=Places|Rome|Colosseum")  # digiKam: assigned, ours kept
    _cli(capsys, db, "scan", str(photo.parent))
    if change == "relabel":
        _label(capsys, db, photo, "Pantheon")
    else:
        _cli(capsys, db, "reject", str(photo))

    out = _said(capsys, db, "write")

    assert KEPT_NOTE in out and ADVICE not in out
    fields = read_fields(photo.read_bytes())  # ours gone, the copy with its plain keyword
    assert fields.hierarchical == ["Places|Rome|Colosseum", *(["Landmarks|Pantheon"] if change == "relabel" else [])]
    assert fields.subject == ["Colosseum", *(["Pantheon"] if change == "relabel" else [])]


def test_undo_takes_our_write_from_beside_a_copy_and_keeps_the_copy(tmp_path, capsys):
    """9bc3451 kept our Teaches naming Colosseum and advised removing the copy."""
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum")
    assert read_fields(photo.read_bytes()).taught == ["Colosseum"]
    _exiftool(photo, "-XMP-lr:HierarchicalSubject+=Places|Rome|Colosseum")  # digiKam: assigned, ours kept
    _cli(capsys, db, "scan", str(photo.parent))

    out = _said(capsys, db, "undo")

    assert "1 file restored, 0 failed" in out and KEPT_NOTE in out and ADVICE not in out
    fields = read_fields(photo.read_bytes())
    assert (fields.hierarchical, fields.subject, fields.taught) == (["Places|Rome|Colosseum"], ["Colosseum"], None)


def _friend_tagged_then_ours_moved(tmp_path, capsys, db, order: str):
    """Petra written on a JPEG with no keywords; a friend `People|Petra` tagged beside ours
    and scanned; then our path moved by Lightroom to `Places|Jordan|Petra` and scanned."""
    photo = _one_photo(tmp_path, capsys, db, "Petra")
    _exiftool(photo, "-XMP-lr:HierarchicalSubject+=People|Petra")
    _cli(capsys, db, "scan", str(photo.parent))
    _exiftool(photo, *MOVED_BESIDE_FRIEND[order])
    assert sorted(read_fields(photo.read_bytes()).hierarchical) == ["People|Petra", "Places|Jordan|Petra"]
    _cli(capsys, db, "scan", str(photo.parent))
    return photo


@pytest.mark.parametrize("order", sorted(MOVED_BESIDE_FRIEND))
def test_a_relabel_of_our_tag_moved_beside_a_friend_names_both_and_advises_nothing(tmp_path, capsys, order):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _friend_tagged_then_ours_moved(tmp_path, capsys, db, order)
    _label(capsys, db, photo, "Treasury")

    out = _said(capsys, db, "write")

    assert BOTH_NAMED in out and ADVICE not in out
    fields = read_fields(photo.read_bytes())
    assert sorted(fields.hierarchical) == ["Landmarks|Treasury", "People|Petra", "Places|Jordan|Petra"]
    assert sorted(fields.subject) == ["Petra", "Treasury"]


@pytest.mark.parametrize("order", sorted(MOVED_BESIDE_FRIEND))
def test_undo_of_our_tag_moved_beside_a_friend_names_both_and_advises_nothing(tmp_path, capsys, order):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _friend_tagged_then_ours_moved(tmp_path, capsys, db, order)

    out = _said(capsys, db, "undo")

    assert "1 left alone" in out and BOTH_NAMED in out and ADVICE not in out
    fields = read_fields(photo.read_bytes())
    assert (sorted(fields.hierarchical), fields.subject) == (["People|Petra", "Places|Jordan|Petra"], ["Petra"])


def test_our_tag_moved_beside_a_friend_our_journal_saw_is_named_alone(tmp_path, capsys):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _petra_written_after_a_friend_tagged_later(tmp_path, capsys, db)  # the friend in the write's before-state
    _exiftool(photo, *MOVED_BESIDE_FRIEND["friend first"])
    _cli(capsys, db, "scan", str(photo.parent))
    _label(capsys, db, photo, "Pantheon")

    assert '"Petra" kept: it sits in your tag tree Places|Jordan|Petra' + ADVICE in _said(capsys, db, "write")

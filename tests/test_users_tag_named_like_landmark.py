"""A tag of the user's that ends in the landmark's name is not our landmark unless it was ours
before: a friend `People|Petra` (Lightroom, digiKam) made the first `write` of the landmark
Petra report 'unchanged ("Petra" already there)' and write neither `Landmarks|Petra` nor the
taught field. Only our own tag moved into the user's tree (our journal, a read back, or our
taught field says it was in the file) leaves the hierarchy alone; the plain keyword and the
taught field still follow their own rules then. End to end: our CLI writes, exiftool edits
as Lightroom and digiKam save."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.core.metadata.jpeg_fields import read_fields
from tests.test_cli_core import run_cli
from tests.test_metadata_support import make_jpeg, require_exiftool
from tests.test_roundtrip_other_tools import saved_later

LAYOUTS = {
    "Lightroom": ["-XMP-lr:HierarchicalSubject=People|Petra", "-XMP-dc:Subject=Petra", "-IPTC:Keywords=Petra"],
    "digiKam": ["-XMP-digiKam:TagsList=People/Petra", "-XMP-lr:HierarchicalSubject=People|Petra",
                "-XMP-dc:Subject=Petra"],
}


def _exiftool(photo: Path, *assignments: str) -> None:
    """Another program's save (exiftool writes the fields as it does), a minute later."""
    subprocess.run([require_exiftool(), "-q", "-overwrite_original", *assignments, str(photo)], check=True)
    saved_later(photo)


def _cli(capsys, db: Path, *argv: str) -> str:
    code, out, err = run_cli(capsys, "--db", str(db), *argv)
    assert code == 0, err
    return out


def _label(capsys, db: Path, photo: Path, label: str) -> None:
    _cli(capsys, db, "label", f'path:"{photo}"', label)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_first_write_beside_a_friend_of_the_same_name_writes_the_landmark(tmp_path, capsys, layout):
    require_exiftool()
    folder = tmp_path / "Jordan"
    folder.mkdir()
    friend, plain = make_jpeg(folder / "IMG_1.JPG"), make_jpeg(folder / "IMG_2.JPG", seed=1)
    _exiftool(friend, *LAYOUTS[layout])
    db = tmp_path / "index.db"
    _cli(capsys, db, "scan", str(folder))
    for photo in (friend, plain):
        _label(capsys, db, photo, "Petra")

    out = _cli(capsys, db, "write")

    assert "already there" not in out
    fields, control = read_fields(friend.read_bytes()), read_fields(plain.read_bytes())
    assert fields.hierarchical == ["People|Petra", "Landmarks|Petra"]
    assert fields.digikam == (["People/Petra", "Landmarks/Petra"] if layout == "digiKam" else None)
    assert fields.subject == ["Petra"]  # the plain keyword is one, the friend's and the landmark's
    assert fields.taught == control.taught is not None  # as any first write of the label gives it
    if layout == "Lightroom":
        assert fields.iptc == ["Petra"]


MOVED_IN_LIGHTROOM = ("-XMP-lr:HierarchicalSubject=Places|Rome|Colosseum", "-XMP-dc:Subject=Rome")
NO_TAUGHT_FIELD = "-XMP-landmarkTagger:all="  # as a version of ours before the field left the file


def _written(tmp_path: Path, capsys, db: Path) -> Path:
    """A JPEG labelled Colosseum and written by our CLI (into `Landmarks|Colosseum`)."""
    folder = tmp_path / "Rome"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0004.JPG")
    _cli(capsys, db, "scan", str(folder))
    _label(capsys, db, photo, "Colosseum")
    _cli(capsys, db, "write")
    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["Landmarks|Colosseum"] and fields.taught == ["Colosseum"]
    return photo


def _write_leaves_the_tree_and_writes_the_rest(capsys, db: Path, photo: Path) -> None:
    """Our tag moved in Lightroom to `Places|Rome|Colosseum`, "Colosseum" taken out of
    dc:subject: the write adds no `Landmarks|Colosseum` beside it, and puts back the plain
    keyword (the keyword policy) and our taught field (rewritten anyway: taught_field.py)."""
    _cli(capsys, db, "scan", str(photo.parent))
    assert "Colosseum" in _cli(capsys, db, "search", "label:Colosseum")
    _cli(capsys, db, "write")
    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["Places|Rome|Colosseum"]
    assert fields.subject == ["Rome", "Colosseum"]
    assert fields.taught == ["Colosseum"]


@pytest.mark.parametrize("taught_field", ["kept", "taken out"])
def test_our_tag_moved_by_the_user_is_left_in_their_tree_the_rest_still_written(tmp_path, capsys, taught_field):
    """Our journal says the tag was ours (with or without our field in the file)."""
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _written(tmp_path, capsys, db)
    _exiftool(photo, *MOVED_IN_LIGHTROOM, *([NO_TAUGHT_FIELD] if taught_field == "taken out" else []))
    _write_leaves_the_tree_and_writes_the_rest(capsys, db, photo)


def test_a_tag_read_back_then_moved_counts_as_ours_in_an_index_built_anew(tmp_path, capsys):
    """Another index (or a version before our taught field) wrote the tag; this one read it
    back, then the user moved it: the read back's record says it was ours."""
    require_exiftool()
    photo = _written(tmp_path, capsys, tmp_path / "first.db")
    _exiftool(photo, NO_TAUGHT_FIELD)
    anew = tmp_path / "anew.db"
    _cli(capsys, anew, "scan", str(photo.parent))  # reads the label back from `Landmarks|Colosseum`
    assert "Colosseum" in _cli(capsys, anew, "search", "label:Colosseum")
    _label(capsys, anew, photo, "Colosseum")  # (the user's again, so it teaches as in the other tests)
    _exiftool(photo, *MOVED_IN_LIGHTROOM)

    _write_leaves_the_tree_and_writes_the_rest(capsys, anew, photo)


def test_our_taught_field_in_the_file_says_a_moved_tag_was_ours(tmp_path, capsys):
    """The tag moved before this index was built: no label is read back from the user's
    tree, the user labels the photo again, and our field in the file (Lightroom and
    digiKam keep it) says the moved tag is ours."""
    require_exiftool()
    photo = _written(tmp_path, capsys, tmp_path / "first.db")
    _exiftool(photo, *MOVED_IN_LIGHTROOM)
    anew = tmp_path / "anew.db"
    _cli(capsys, anew, "scan", str(photo.parent))
    assert "Colosseum" not in _cli(capsys, anew, "search", "label:Colosseum")
    _label(capsys, anew, photo, "Colosseum")

    _write_leaves_the_tree_and_writes_the_rest(capsys, anew, photo)

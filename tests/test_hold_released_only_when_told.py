"""review6: a file `write` holds (its XMP taken out since our write, or an older copy put back)
stays held whatever later happens to the photo's label, until the user releases it in so
many words (`--release-held`, the app's "Write them again"). Before, a `rename` (F1) or a
`teach` (F5) ended the hold silently (it was tied to the written label's name), a shell glob
or an id list released every held file (F3), and `undo --review` of a forgotten photo's
release held the file again without naming it (F4). The app's select-all: test_gui_undo_label."""

from __future__ import annotations

from PIL import Image

from app.core.index.forget import forget_folder
from app.core.metadata.jpeg_fields import read_fields
from app.core.scanner import scan
from tests import test_hold_release_undo as release
from tests.test_cli_core import run_cli
from tests.test_hold_release_by_accept import _held
from tests.test_keywords_changed_elsewhere import _written, write_all
from tests.test_roundtrip_other_tools import saved_later

index = release.index  # the fixture: an index of its own in tmp_path

LEFT_HELD = "1 held file left alone: add --release-held to write it again"


def _still_held_after_a_write(index, photo) -> None:
    assert _held(index, photo) == [True]
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical is None  # the other program's edit kept


def _stripped(photo) -> None:
    with Image.open(photo) as image:
        image.load()
        image.save(photo, quality=90)  # saved without EXIF, XMP or IPTC
    saved_later(photo)


def test_a_rename_or_a_merge_of_the_landmark_leaves_the_held_file_held(tmp_path, index, capsys):
    """F1: `rename` gave every photo the new name, and the hold of the old one vanished."""
    photo, other = release._held_beside_an_older_label(tmp_path, index, capsys)
    db = str(tmp_path / "index.db")
    [photo_id] = [row.id for row in index.search("") if row.path == str(photo)]
    index.set_labels([photo_id], "Bocca Spot", source="user", state="accepted")
    _still_held_after_a_write(index, photo)  # whatever the label now
    assert run_cli(capsys, "--db", db, "accept", "--release-held", str(photo))[0] == 0
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Bocca Spot"]
    _stripped(photo)  # our write of "Bocca Spot" taken out
    scan(index, [photo.parent])
    assert _held(index, photo) == [True]

    code, _, err = run_cli(capsys, "--db", db, "rename", "Bocca Spot", "Bocca della Verita")
    assert code == 0, err
    assert release._label_of(index, photo) == ("Bocca della Verita", "accepted")
    _still_held_after_a_write(index, photo)

    assert run_cli(capsys, "--db", db, "rename", "Bocca della Verita", "Petra")[0] == 0  # a merge into another
    assert release._label_of(index, photo) == ("Petra", "accepted")
    _still_held_after_a_write(index, photo)
    assert read_fields(other.read_bytes()).hierarchical == ["Landmarks|Petra"]  # the other photo written

    code, _, err = run_cli(capsys, "--db", db, "accept", "--release-held", "Petra")
    assert code == 0 and f'accept: {photo}: no longer left alone: the next `write` writes "Petra" into it again' in err
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Petra"]


def test_files_typed_as_a_shell_glob_and_an_id_list_leave_the_held_file_held(tmp_path, index, capsys):
    """F3: `accept Rome/*.JPG` and the README's `accept id:1,2,3` released every held file."""
    photo, other = release._held_beside_an_older_label(tmp_path, index, capsys)
    db = str(tmp_path / "index.db")
    ids = ",".join(str(row.id) for row in index.search(""))

    for command in (["accept", str(photo), str(other)], ["accept", f"id:{ids}"], ["accept", str(photo)],
                    ["label", str(photo), str(other), "Colosseum"]):
        code, _, err = run_cli(capsys, "--db", db, *command)
        assert code == 0 and f"{command[0]}: {LEFT_HELD}" in err and "no longer left alone" not in err, err
        _still_held_after_a_write(index, photo)


def test_teach_of_a_folder_leaves_the_held_file_held(tmp_path, index, capsys, tiny_bundle):
    """F5: `teach NAME FOLDER` gave the held photo another landmark and ended its hold silently."""
    photo, _ = release._held_beside_an_older_label(tmp_path, index, capsys)
    db = str(tmp_path / "index.db")

    code, _, err = run_cli(capsys, "--db", db, "teach", "--model", str(tiny_bundle.path), "Bocca Spot",
                           str(photo.parent))

    assert code == 0, err
    assert release._label_of(index, photo) == ("Bocca Spot", "accepted")
    _still_held_after_a_write(index, photo)


def test_undo_review_of_a_forgotten_photos_release_names_the_file_held_again(tmp_path, index, capsys):
    """F4: the file was held again, but the undo named it only for a photo never forgotten."""
    photo, _ = _written(tmp_path, index, "user")
    assert forget_folder(index, photo.parent).photos == 1
    scan(index, [photo.parent])  # Colosseum read back from the file
    _stripped(photo)
    scan(index, [photo.parent])
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "accept", "--release-held", str(photo))[0] == 0
    assert _held(index, photo) == [False]

    code, _, err = run_cli(capsys, "--db", db, "undo", "--review")

    assert code == 0 and f"{photo}: left alone again by `write`" in err, err
    _still_held_after_a_write(index, photo)

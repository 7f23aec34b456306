"""review 10 F2, F3: the release of a held photo (the hold note's `label --release-held`, the app's L on it)
is part of the journalled label command. Before, it was outside the review journal: the
`undo --review` right after it took back an older, unrelated command, Ctrl+Z said "Nothing
to take back", the hold was lost for good, the app's L did not say the file would be
written again, and `label` said "0 of 1 matching photo changed" under "no longer left alone"."""

from __future__ import annotations

from pathlib import Path


from app.core.metadata import plan_writes
from app.core.metadata.jpeg_fields import read_fields
from app.core.scanner import scan
from tests import test_keywords_changed_elsewhere as elsewhere
from tests.test_keywords_changed_elsewhere import write_all
from tests.test_cli_core import run_cli
from tests.test_metadata_support import make_jpeg
from tests.test_roundtrip_other_tools import saved_later

index = elsewhere.index  # the fixture: an index of its own in tmp_path


def _held_beside_an_older_label(tmp_path: Path, index, capsys) -> tuple[Path, Path]:
    """A photo written "Colosseum" (the user's label) whose XMP another program then took out (held by `write`),
    and another photo of the folder given "Petra" by an older `label`; (held, other)."""
    from PIL import Image

    photo, _ = elsewhere._written(tmp_path, index, "user")
    other = make_jpeg(photo.parent / "DSC_0005.JPG")
    scan(index, [photo.parent])
    assert run_cli(capsys, "--db", str(tmp_path / "index.db"), "label", f'path:"{other}"', "Petra")[0] == 0
    with Image.open(photo) as image:
        image.load()
        image.save(photo, quality=90)  # saved without EXIF, XMP or IPTC
    saved_later(photo)
    scan(index, [photo.parent])
    assert [item.held for item in plan_writes(index) if item.target == photo] == [True]
    capsys.readouterr()
    return photo, other


def _label_of(index, path: Path) -> tuple[str | None, str]:
    [row] = [row for row in index.search("") if Path(row.path) == path]
    return row.label, row.state


def test_undo_review_after_the_release_holds_the_file_again_and_leaves_the_older_label(tmp_path, index, capsys):
    """The user's label given again changes no label: the release alone is the command."""
    photo, other = _held_beside_an_older_label(tmp_path, index, capsys)
    db = str(tmp_path / "index.db")

    code, _, err = run_cli(capsys, "--db", db, "label", "--release-held", f'path:"{photo}"', "Colosseum")

    assert code == 0
    assert (f"label: 0 of 1 matching photo changed, 1 file released for the next `write`; "
            f"`landmark-tagger --db {db} undo --review` takes it back") in err  # F3: no bare "0 changed"
    assert [item.held for item in plan_writes(index) if item.target == photo] == [False]

    code, _, err = run_cli(capsys, "--db", db, "undo", "--review")

    assert code == 0
    assert f"took back `label --release-held 'path:\"{photo}\"' Colosseum`: 0 photos as before it; " \
           f"{photo}: left alone again by `write`" in err
    assert _label_of(index, photo) == ("Colosseum", "accepted")
    assert _label_of(index, other) == ("Petra", "accepted")  # the older command is not taken back
    assert [item.held for item in plan_writes(index) if item.target == photo] == [True]
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical is None  # held again: not written
    # the way out works again, and the next undo takes back the older label
    assert run_cli(capsys, "--db", db, "label", "--release-held", f'path:"{photo}"', "Colosseum")[0] == 0
    assert write_all(index).written == 1
    assert run_cli(capsys, "--db", db, "undo", "--review")[0] == 0  # the write happened: the release is spent
    assert run_cli(capsys, "--db", db, "undo", "--review")[0] == 0
    assert _label_of(index, other) != ("Petra", "accepted")


def test_taking_back_a_later_label_leaves_the_release_the_first_one_gave(tmp_path, index, capsys):
    """review 12 F2: the first `label` released the hold; a second one relabelled the photo. Taking the
    second back gives the first label back, still released: not held again, and not said so."""
    photo, _ = _held_beside_an_older_label(tmp_path, index, capsys)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "label", "--release-held", f'path:"{photo}"', "Petra")[0] == 0
    assert run_cli(capsys, "--db", db, "label", f'path:"{photo}"', "Colosseum")[0] == 0
    capsys.readouterr()

    code, _, err = run_cli(capsys, "--db", db, "undo", "--review")

    assert code == 0 and "left alone again" not in err
    assert _label_of(index, photo) == ("Petra", "accepted")
    assert [item.held for item in plan_writes(index) if item.target == photo] == [False]


def test_taking_back_a_release_after_the_file_was_written_says_nothing_of_a_hold(tmp_path, index, capsys):
    """review 12 F2: label (the release), write, undo --review: the file was written since, so there is no
    hold to come back, and the undo does not say the file is left alone again."""
    photo, _ = _held_beside_an_older_label(tmp_path, index, capsys)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "label", "--release-held", f'path:"{photo}"', "Colosseum")[0] == 0
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical  # written
    capsys.readouterr()

    code, _, err = run_cli(capsys, "--db", db, "undo", "--review")

    assert code == 0 and "left alone again" not in err


def test_taking_back_a_release_after_our_keyword_was_put_back_elsewhere_says_nothing_of_a_hold(tmp_path, index,
                                                                                                capsys):
    """mutation M34: accept --release-held, the user then puts Landmarks|Colosseum back in another program,
    undo --review: the file holds what we wrote, `write` does not hold it, so the undo must not say it does."""
    from app.core.metadata.jpeg_fields import apply_fields
    from app.core.metadata.keywords import KeywordFields

    photo, _ = _held_beside_an_older_label(tmp_path, index, capsys)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "accept", "--release-held", f'path:"{photo}"')[0] == 0
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(
        subject=["Colosseum"], hierarchical=["Landmarks|Colosseum"]), str(photo)))
    saved_later(photo)
    capsys.readouterr()

    code, _, err = run_cli(capsys, "--db", db, "undo", "--review")

    assert code == 0 and "took back `accept --release-held" in err and "left alone again" not in err
    assert [item.held for item in plan_writes(index) if item.target == photo] == [False]

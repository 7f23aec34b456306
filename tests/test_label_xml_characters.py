"""A label name holding a character XMP (XML) cannot hold is refused when it is given,
not when `write` fails on it with "XMP is not well-formed XML" (which read as if the
photo were damaged): U+FFFE, U+FFFF and lone surrogates (one is what a byte that is not
UTF-8 in a command's argument becomes), besides the control characters refused before.
What `label` takes, `write` writes and a scan reads back (read_back.is_label_text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import UsageError
from app.core.index import PhotoIndex
from app.core.journalled_labels import set_labels_journalled
from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.read_back import is_label_text, landmark_of
from app.core.scanner import scan
from app.core.teaching import check_label
from tests.test_metadata_support import add_photo, make_jpeg

REFUSED = [
    ("Tower\uffff", "U\\+FFFF, a noncharacter that XMP cannot hold"),
    ("Tower\ufffe", "U\\+FFFE, a noncharacter that XMP cannot hold"),
    ("Tower\udcff", "the byte 0xFF, which is not UTF-8"),  # b"Tower\xff" as Python reads argv
    ("Tower\ud83c", "U\\+D83C, half of a UTF-16 surrogate pair alone"),
    ("Tower\x07", "a control character \\(U\\+0007\\)"),
]
# Characters XML 1.0 holds though rare: other noncharacters, the last planes, joiners.
TAKEN = ["Tower\ufdd0", "Tower\U0001ffff", "Tower\U0010fffd", "Tower\u200c", "Tower\ufffd"]


@pytest.mark.parametrize(("name", "named"), REFUSED)
def test_a_name_xmp_cannot_hold_is_refused_naming_the_character(name: str, named: str) -> None:
    with pytest.raises(UsageError, match=f"the label .* holds {named}"):
        check_label(name)
    assert not is_label_text(name)
    assert landmark_of([f"Landmarks|{name}"]) is None


@pytest.mark.parametrize("name", TAKEN)
def test_a_name_xml_holds_is_taken_and_read_back(name: str) -> None:
    assert check_label(name) == name
    assert is_label_text(name)
    assert landmark_of([f"Landmarks|{name}"]) == name


@pytest.mark.parametrize("name", TAKEN[:2])
def test_what_label_takes_write_writes_and_a_new_index_reads_back(tmp_path: Path, name: str) -> None:
    make_jpeg(tmp_path / "a.jpg")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [tmp_path])
        index.set_label(index.search("")[0].id, check_label(name), source="user", state="accepted")
        summary = write_labels(index, plan_writes(index), WriteOptions())
        assert (summary.written, summary.errors) == (1, [])
    with PhotoIndex.open(tmp_path / "fresh.db") as fresh:
        assert scan(fresh, [tmp_path]).labels_read == 1
        assert fresh.search("")[0].label == name


@pytest.mark.parametrize("name", ["Tower\uffff", b"Tower\xff".decode("utf-8", "surrogateescape")])
def test_label_refuses_it_and_leaves_the_photo_and_the_next_write_alone(tmp_path: Path, capsys, name: str) -> None:
    from app.cli.main import main

    db = tmp_path / "index.db"
    photo = make_jpeg(tmp_path / "a.jpg")
    with PhotoIndex.open(db) as index:
        add_photo(index, [photo], "Tower", state="accepted")
    assert main(["--db", str(db), "write"]) == 0
    written = photo.read_bytes()
    capsys.readouterr()
    assert main(["--db", str(db), "label", "a.jpg", name, "--new"]) == 2
    assert "holds " in capsys.readouterr().err
    with PhotoIndex.open(db) as index:
        assert index.search("")[0].label == "Tower"
    assert main(["--db", str(db), "write"]) == 0
    assert photo.read_bytes() == written


def test_the_apps_l_while_another_job_runs_refuses_it_too(tmp_path: Path) -> None:
    """set_labels_journalled labels without teaching (the model is busy): the same rule."""
    photo = make_jpeg(tmp_path / "a.jpg")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo_id = add_photo(index, [photo], "Tower", state="accepted")
        expected = {photo_id: ("Tower", "accepted")}
        with pytest.raises(UsageError, match="U\\+FFFF"):
            set_labels_journalled(index, [photo_id], "Tower\uffff", command="L", expected=expected)
        assert index.get(photo_id).label == "Tower"


def test_a_name_an_older_version_stored_can_be_renamed_and_forgotten(tmp_path: Path, capsys) -> None:
    """Older versions took such names: rename and teach --forget are the way out, so they
    take the old name as stored (only a new name must be writable)."""
    from app.cli.main import main

    db = tmp_path / "index.db"
    photo = make_jpeg(tmp_path / "a.jpg")
    with PhotoIndex.open(db) as index:
        add_photo(index, [photo], "Tower\uffff", state="accepted")  # as an older version stored it
    assert main(["--db", str(db), "teach", "--forget", "Tower\uffff"]) == 1  # nothing taught: said, not refused
    assert "nothing was taught as 'Tower\uffff'" in capsys.readouterr().err
    assert main(["--db", str(db), "rename", "Tower\uffff", "Tower\ufffe"]) == 2  # the new name is still checked
    assert main(["--db", str(db), "rename", "Tower\uffff", "Tower"]) == 0
    with PhotoIndex.open(db) as index:
        assert index.search("")[0].label == "Tower"
    assert main(["--db", str(db), "write"]) == 0

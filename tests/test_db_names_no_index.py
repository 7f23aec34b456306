"""`--db` naming a file that is no index (a photo, by a slip): the command refuses in one
line, nothing is made beside the file (no empty `NAME.backups/` in a trip folder), and a
file without SQLite's header is said to be no SQLite file, without the advice to move it
aside and rebuild that fits a damaged index."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_index_disk_trouble import run_cli
from tests.test_index_support import write_jpeg


@pytest.mark.parametrize("command", [["label", "", "Petra"], ["accept", ""]])
def test_a_photo_named_as_the_index_is_said_to_be_no_sqlite_file_and_nothing_is_made(
        tmp_path: Path, capsys, command) -> None:
    photo = write_jpeg(tmp_path / "trip" / "DSCN0010.jpg")
    before = photo.read_bytes()
    code, out, err = run_cli(capsys, "--db", str(photo), *command)
    assert code == 2 and out == ""
    assert err == (f"landmark-tagger: error: {photo} is not a landmark-tagger index (it is not an SQLite file); "
                   "check the index named (--db, $LANDMARK_TAGGER_DB)\n")
    assert [path.name for path in photo.parent.iterdir()] == ["DSCN0010.jpg"]
    assert photo.read_bytes() == before


def test_a_damaged_sqlite_file_keeps_its_advice_and_gets_no_empty_folder(tmp_path: Path, capsys) -> None:
    stub = tmp_path / "index.db"
    stub.write_bytes(b"SQLite format 3\x00")
    code, _, err = run_cli(capsys, "--db", str(stub), "label", "", "Petra")
    assert code == 2 and "is damaged or is not a landmark-tagger index" in err and "move it aside" in err
    assert [path.name for path in tmp_path.iterdir()] == ["index.db"]

"""A new user's first hour with the README's commands: each step either does what was
asked or says what to do, never a bare zero. The helpers build a scanned trip for the
other first-hour tests (tests/test_cli_label_new_files.py)."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from app.cli.main import main

COLOURS = ((200, 10, 10), (10, 200, 10), (10, 10, 200), (200, 200, 10))


def photo(path, shade: int = 0):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), COLOURS[shade % len(COLOURS)]).save(path)
    return path


def scanned_trip(tmp_path, capsys, photos: int = 2):
    """~/Pictures/Rome with `photos` JPEGs, scanned; returns (db, Rome folder)."""
    rome = tmp_path / "Pictures" / "Rome"
    for number in range(1, photos + 1):
        photo(rome / f"DSC_000{number}.JPG", number)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(rome.parent)]) == 0
    capsys.readouterr()
    return db, rome


def labelled(db: str, capsys, label: str) -> list[str]:
    """The file names of the photos labelled `label`."""
    capsys.readouterr()
    assert main(["--db", db, "search", "--json", f'label:"{label}"']) == 0
    return sorted(json.loads(line)["path"].rsplit("/", 1)[-1] for line in capsys.readouterr().out.splitlines())


# --- write before anything is tagged ------------------------------------------------------

@pytest.mark.parametrize("options", [[], ["--dry-run"]])
def test_write_before_tag_says_what_to_do(tmp_path, capsys, options):
    """Right after `scan` it said "write: 0 files written, 0 failed" and nothing more."""
    db, _ = scanned_trip(tmp_path, capsys)
    assert main(["--db", db, "write", *options]) == 0
    err = capsys.readouterr().err
    assert "no photo has an accepted label to write" in err and f"`landmark-tagger --db {db} tag FOLDER`" in err, err
    assert "--include-suggested" in err, err


def test_write_include_suggested_before_tag_says_to_tag(tmp_path, capsys):
    db, _ = scanned_trip(tmp_path, capsys)
    assert main(["--db", db, "write", "--include-suggested", "Rome"]) == 0
    err = capsys.readouterr().err
    assert "no matching photo has a label to write" in err and f"`landmark-tagger --db {db} tag FOLDER`" in err, err


def test_write_of_photos_already_written_adds_no_advice(tmp_path, capsys, tiny_bundle):
    db, _ = scanned_trip(tmp_path, capsys)
    assert main(["--db", db, "label", "--model", str(tiny_bundle.path), "", "Colosseum"]) == 0
    assert main(["--db", db, "write"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "write"]) == 0
    assert "tag FOLDER" not in capsys.readouterr().err


# --- forget --missing right after deleting a photo ----------------------------------------

def test_forget_missing_right_after_deleting_photos_says_to_scan(tmp_path, capsys):
    """README: `forget --missing --yes  # forget the photos you deleted …`. Right after the
    deletion it said "forget: 0 missing photos forgotten": only a scan marks them missing."""
    db, rome = scanned_trip(tmp_path, capsys)
    (rome / "DSC_0002.JPG").unlink()
    for options in (["--yes"], []):
        assert main(["--db", db, "forget", "--missing", *options]) == 0
        err = capsys.readouterr().err
        assert "no missing photo to forget" in err and f"`landmark-tagger --db {db} scan` (run it first" in err, err
    assert main(["--db", db, "scan"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "forget", "--missing", "--yes"]) == 0
    assert "1 missing photo forgotten" in capsys.readouterr().err

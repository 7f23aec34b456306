"""`label FILES… NAME` (README: `label Rome/DSC_00*.JPG Colosseum`) with a photo copied
into the library folder since the last scan: it was left out without a word, the count
claiming every photo done (exit 0). `label` now adds such a file first, as `tag FILE` and
`teach` do; accept and reject, which add no photo, name it."""

from __future__ import annotations

import json

import pytest

from app.cli.main import main
from tests.test_cli_first_hour import labelled, photo, scanned_trip


def test_label_of_a_glob_labels_the_photo_copied_in_since_the_scan(tmp_path, monkeypatch, capsys, tiny_bundle):
    """README: `label Rome/DSC_00*.JPG Colosseum`. A photo copied from the card since the
    scan was left out without a word ("2 of 2 matching photos changed", exit 0); it is
    indexed first now, as `tag FILE` and `teach` do, and labelled with the others."""
    db, rome = scanned_trip(tmp_path, capsys)
    photo(rome / "DSC_0003.JPG", 3)
    (rome / "DSC_0003.xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")  # a glob brings sidecars too
    monkeypatch.chdir(rome.parent)
    code = main(["--db", db, "label", "--model", str(tiny_bundle.path),
                 "Rome/DSC_0001.JPG", "Rome/DSC_0002.JPG", "Rome/DSC_0003.JPG", "Rome/DSC_0003.xmp", "Colosseum"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "3 of 3 matching photos changed" in err, err
    assert labelled(db, capsys, "Colosseum") == ["DSC_0001.JPG", "DSC_0002.JPG", "DSC_0003.JPG"]


def test_label_of_one_file_not_scanned_yet_labels_it(tmp_path, monkeypatch, capsys, tiny_bundle):
    """Alone, it was "no photo matches 'Rome/DSC_0009.JPG' (try it with `landmark-tagger search`)"."""
    db, rome = scanned_trip(tmp_path, capsys, photos=1)
    photo(rome / "DSC_0009.JPG", 2)
    monkeypatch.chdir(rome.parent)
    code = main(["--db", db, "label", "--model", str(tiny_bundle.path), "Rome/DSC_0009.JPG", "Colosseum"])
    assert code == 0, capsys.readouterr().err
    assert labelled(db, capsys, "Colosseum") == ["DSC_0009.JPG"]


def test_label_of_a_photo_outside_the_library_says_its_folder_joined(tmp_path, capsys, tiny_bundle):
    db, _ = scanned_trip(tmp_path, capsys, photos=1)
    elsewhere = photo(tmp_path / "Downloads" / "IMG_1.JPG", 1)
    code = main(["--db", db, "label", "--model", str(tiny_bundle.path), str(elsewhere), "Colosseum"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"added {elsewhere.parent} to the library" in err, err
    assert labelled(db, capsys, "Colosseum") == ["IMG_1.JPG"]


def test_label_names_a_photo_file_it_could_not_add(tmp_path, monkeypatch, capsys, tiny_bundle):
    """A new file the scan cannot read is named, and the exit code is not 0."""
    db, rome = scanned_trip(tmp_path, capsys)
    (rome / "DSC_0003.JPG").write_bytes(b"not a jpeg at all")
    monkeypatch.chdir(rome.parent)
    code = main(["--db", db, "label", "--model", str(tiny_bundle.path),
                 "Rome/DSC_0001.JPG", "Rome/DSC_0003.JPG", "Colosseum", "--json"])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "label: Rome/DSC_0003.JPG:" in err and "1 of 1 matching photo changed" in err, err
    assert json.loads(out)["left_out"] == ["Rome/DSC_0003.JPG"]


@pytest.mark.parametrize("verb", ["accept", "reject"])
def test_accept_and_reject_name_a_photo_file_not_in_the_library(tmp_path, monkeypatch, capsys, verb):
    """accept/reject do not add photos (a new one has no label to review): the file is
    named with the command that adds it, instead of a count that leaves it out."""
    db, rome = scanned_trip(tmp_path, capsys)
    photo(rome / "DSC_0009.JPG", 3)
    monkeypatch.chdir(rome.parent)
    code = main(["--db", db, verb, "Rome/DSC_0001.JPG", "Rome/DSC_0009.JPG"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert f"{verb}: Rome/DSC_0009.JPG: not in the library yet; `landmark-tagger --db {db} tag Rome/DSC_0009.JPG`" in err, err
    code = main(["--db", db, verb, "Rome/DSC_0009.JPG"])
    err = capsys.readouterr().err
    assert code == 1 and "not in the library yet" in err and "search" not in err, err



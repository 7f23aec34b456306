"""A folder moved in the file manager after its scan, then `label FILE NAME` or `teach
NAME FILE` given a photo at its new place, without a scan between: the file brought its
folder in, and each photo became a second row (the old one present still, its files
gone), the labels split between the two. The scan of the new folder now reads the folders
its photos were indexed in, so that they are joined as moved, as a scan of the library does."""

from __future__ import annotations

import json
import shutil

import pytest

from app.cli.main import main
from tests.test_cli_first_hour import labelled, scanned_trip
from tests.test_metadata_support import make_jpeg


def _rows(db: str, capsys) -> list[str]:
    """The paths of every photo the index holds (present and missing)."""
    capsys.readouterr()
    paths = []
    for words in [], ["is:missing"]:
        assert main(["--db", db, "search", "--json", *words]) == 0
        paths += [json.loads(line)["path"] for line in capsys.readouterr().out.splitlines()]
    return sorted(paths)


@pytest.mark.parametrize("inside_library", [True, False])
def test_label_of_a_photo_in_a_moved_folder_keeps_one_photo(tmp_path, monkeypatch, capsys, tiny_bundle,
                                                             inside_library):
    db, rome = scanned_trip(tmp_path, capsys)
    assert main(["--db", db, "label", str(rome / "DSC_0002.JPG"), "Petra"]) == 0
    moved = (rome.parent / "Roma") if inside_library else (tmp_path / "Archive" / "Roma")
    moved.parent.mkdir(exist_ok=True)
    shutil.move(str(rome), str(moved))
    monkeypatch.chdir(moved.parent)
    assert main(["--db", db, "label", "--model", str(tiny_bundle.path), "Roma/DSC_0001.JPG", "Colosseum"]) == 0
    assert _rows(db, capsys) == [str(moved / "DSC_0001.JPG"), str(moved / "DSC_0002.JPG")]
    assert labelled(db, capsys, "Colosseum") == ["DSC_0001.JPG"]
    assert labelled(db, capsys, "Petra") == ["DSC_0002.JPG"]  # the moved photo kept its label
    assert main(["--db", db, "undo", "--review"]) == 0
    assert labelled(db, capsys, "Colosseum") == []
    assert _rows(db, capsys) == [str(moved / "DSC_0001.JPG"), str(moved / "DSC_0002.JPG")]


def test_teach_of_a_photo_in_a_moved_folder_keeps_one_photo(tmp_path, monkeypatch, capsys, tiny_bundle):
    rome = tmp_path / "Pictures" / "Rome"
    rome.mkdir(parents=True)
    make_jpeg(rome / "DSC_0001.JPG")  # a scene, which teach takes (not a blank frame)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(rome.parent)]) == 0
    moved = rome.parent / "Roma"
    shutil.move(str(rome), str(moved))
    assert main(["--db", db, "teach", "--model", str(tiny_bundle.path), "Colosseum",
                 str(moved / "DSC_0001.JPG")]) == 0
    assert _rows(db, capsys) == [str(moved / "DSC_0001.JPG")]
    assert labelled(db, capsys, "Colosseum") == ["DSC_0001.JPG"]


def test_a_copy_beside_its_original_is_a_photo_of_its_own(tmp_path, capsys, tiny_bundle):
    db, rome = scanned_trip(tmp_path, capsys, photos=1)
    copy = tmp_path / "Archive" / "DSC_0001.JPG"
    copy.parent.mkdir()
    shutil.copy2(rome / "DSC_0001.JPG", copy)
    assert main(["--db", db, "label", "--model", str(tiny_bundle.path), str(copy), "Colosseum"]) == 0
    assert _rows(db, capsys) == [str(copy), str(rome / "DSC_0001.JPG")]
    assert labelled(db, capsys, "Colosseum") == ["DSC_0001.JPG"]
    capsys.readouterr()
    assert main(["--db", db, "search", "--json", 'label:Colosseum']) == 0
    assert [json.loads(line)["path"] for line in capsys.readouterr().out.splitlines()] == [str(copy)]

"""`scan PATH` (and `tag PATH`) of a library folder that was moved said only "folder not
found; check the path", while `stats` names `relocate`: a library folder of the index is
said as one, with the relocate command that follows it."""

from __future__ import annotations

import numpy as np
from PIL import Image

from app.cli.main import main


def _library(tmp_path):
    library = tmp_path / "lib"
    library.mkdir()
    pixels = np.random.default_rng(7).integers(0, 255, size=(40, 56, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(library / "DSC_0001.JPG")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(library)]) == 0
    return library, db


def test_scan_of_a_moved_library_folder_names_relocate(tmp_path, capsys) -> None:
    library, db = _library(tmp_path)
    library.rename(tmp_path / "lib_moved")
    capsys.readouterr()
    assert main(["--db", db, "scan", str(library)]) == 2
    err = capsys.readouterr().err
    assert f"{library}: library folder not found (is the drive mounted? if the folder moved: " in err
    assert f"`landmark-tagger --db {db} relocate {library} NEW_PLACE`" in err


def test_a_moved_library_folder_among_others_and_a_plain_missing_folder(tmp_path, capsys, monkeypatch) -> None:
    library, db = _library(tmp_path)
    library.rename(tmp_path / "lib_moved")
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.chdir(tmp_path)  # typed relative, as the shell gives it
    capsys.readouterr()
    assert main(["--db", db, "scan", "lib", str(other)]) == 1
    err = capsys.readouterr().err
    assert "error: lib: library folder not found" in err and f"relocate {library} NEW_PLACE" in err
    assert main(["--db", db, "scan", "nowhere"]) == 2  # no library folder: said as before
    err = capsys.readouterr().err
    assert "nowhere: folder not found; check the path" in err and "relocate" not in err


def test_tag_of_a_moved_library_folder_names_relocate(tmp_path, capsys) -> None:
    library, db = _library(tmp_path)
    library.rename(tmp_path / "lib_moved")
    capsys.readouterr()
    assert main(["--db", db, "tag", str(library)]) == 2
    assert f"relocate {library} NEW_PLACE" in capsys.readouterr().err

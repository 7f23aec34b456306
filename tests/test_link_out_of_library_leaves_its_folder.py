"""A link walked from a library folder (library/d -> X/Drive) keeps X/Drive under its
path only while a library folder still holds the link: once `forget library` took the
link out of the library, a later `scan X` indexes X/Drive's photos under X, rather than
leaving them to a link the library no longer walks (and so indexing none of them)."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from app.core.index import PhotoIndex
from tests.test_cli_core import run_cli

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt",
                                reason="symbolic links need privileges on Windows")


def _photo(path, shade: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (40 * shade, 90, 160)).save(path)


def _found(db: str, query: str = "") -> list[str]:
    with PhotoIndex.open(db) as index:
        return sorted(record.path for record in index.search(query))


def test_a_folder_linked_from_a_forgotten_library_folder_is_indexed_under_its_own_path(tmp_path, capsys) -> None:
    x, library, db = tmp_path / "X", tmp_path / "library", str(tmp_path / "index.db")
    _photo(x / "Drive" / "D1.JPG", 1)
    _photo(x / "Drive" / "sub" / "D2.JPG", 2)
    _photo(x / "X1.JPG", 3)
    _photo(library / "L1.JPG", 4)
    (library / "d").symlink_to(x / "Drive", target_is_directory=True)
    assert run_cli(capsys, "--db", db, "scan", str(library))[0] == 0
    assert _found(db) == sorted(str(p) for p in (library / "L1.JPG", library / "d" / "D1.JPG",
                                                 library / "d" / "sub" / "D2.JPG"))
    code, out, err = run_cli(capsys, "--db", db, "forget", str(library), "--yes")
    assert code == 0 and _found(db) == [], err
    code, out, err = run_cli(capsys, "--db", db, "scan", str(x))
    assert code == 0 and "3 photos, 3 new" in err and "left there" not in err, err
    drive = sorted(str(p) for p in (x / "Drive" / "D1.JPG", x / "Drive" / "sub" / "D2.JPG"))
    assert _found(db) == sorted(drive + [str(x / "X1.JPG")])
    assert _found(db, f'folder:"{x / "Drive"}"') == drive
    code, out, err = run_cli(capsys, "--db", db, "scan")  # a rescan keeps them there
    assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing" in err, err
    assert _found(db) == sorted(drive + [str(x / "X1.JPG")])

"""A folder link in a library folder whose target is gone (lib/Trip -> a card's DCIM, the
card unplugged) left its photos missing, and `forget --missing --yes` dropped their
labels and taught references, though a library folder not found counts as a drive not
connected. A folder link that points nowhere is the same one level down: its photos are
kept, said in one line; removing the link is the way to say they are gone."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX folder links")


def _labels(db: str) -> dict[str, str | None]:
    with PhotoIndex.open(db) as index:
        return {Path(r.path).name: r.label for query in ("", "is:missing") for r in index.search(query)}


def test_photos_behind_a_folder_link_that_points_nowhere_keep_their_labels(tmp_path, capsys) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card" / "DCIM"
    photo(card / "IMG_0001.jpg", 1)
    photo(lib / "home.jpg", 2)
    link = lib / "Trip"
    link.symlink_to(card, target_is_directory=True)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(lib))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(link / "IMG_0001.jpg"), "Petra", "--new")[0] == 0
    (tmp_path / "card").rename(tmp_path / "drawer")  # unplugged: the link dangles
    assert "1 missing" in run_cli(capsys, "--db", db, "scan", str(lib))[2]

    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")

    summary = json.loads(out)
    assert code == 0 and (summary["missing"], summary["behind_dead_links"]) == (0, 1), out
    assert summary["dead_links"] == [str(link)], out
    assert f"kept 1 missing photo behind the folder link {link}, which points nowhere" in err, err
    assert _labels(db) == {"IMG_0001.jpg": "Petra", "home.jpg": None}
    link.unlink()  # the way to say they are gone
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["missing"] == 1 and _labels(db) == {"home.jpg": None}, err


@pytest.mark.parametrize("ignores_case", [True, False])
def test_a_file_back_under_another_letter_case_stays_where_the_disk_ignores_case(
        tmp_path, monkeypatch, ignores_case) -> None:
    """macOS and Windows open DSC_0001.jpg as DSC_0001.JPG: the photo is back there, not
    gone; a case-sensitive disk holds another name (path_case's answer, simulated)."""
    from app.core.index.forget import forget_missing
    from app.core.path_case import DiskNames
    from tests.test_renumbering_support import scan

    lib = tmp_path / "lib"
    photo(lib / "DSC_0001.JPG", 1)
    photo(lib / "keep.jpg", 2)
    with PhotoIndex.open(":memory:") as index:
        scan(index, [lib])
        (photo_id,) = index.photo_ids("DSC_0001")
        index.set_label(photo_id, "Petra")
        (lib / "DSC_0001.JPG").rename(tmp_path / "away.jpg")
        assert scan(index, [lib]).missing == 1
        (tmp_path / "away.jpg").rename(lib / "DSC_0001.jpg")  # back, its name's case changed
        monkeypatch.setattr(DiskNames, "ignores_case", lambda self, folder: ignores_case)
        gone = forget_missing(index)
        assert (gone.photos, gone.back_on_disk) == ((0, 1) if ignores_case else (1, 0))
        labelled = [r.path for q in ("", "is:missing") for r in index.search(q) if r.label == "Petra"]
        assert labelled == ([str(lib / "DSC_0001.JPG")] if ignores_case else [])


def test_photos_two_folders_below_a_folder_link_that_points_nowhere_keep_their_labels(tmp_path, capsys) -> None:
    """lib/card -> a card's root, the photos in card/DCIM/100NIKON: the folders not found
    are the two below the link, so the walk up to the dead link is what keeps them."""
    lib, card = tmp_path / "lib", tmp_path / "CARD"
    photo(card / "DCIM" / "100NIKON" / "DSC_0001.JPG", 1)
    photo(lib / "home.jpg", 2)
    link = lib / "card"
    link.symlink_to(card, target_is_directory=True)
    shot = link / "DCIM" / "100NIKON" / "DSC_0001.JPG"
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(lib))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(shot), "Petra", "--new")[0] == 0
    card.rename(tmp_path / "drawer")  # unplugged: the link dangles
    assert "1 missing" in run_cli(capsys, "--db", db, "scan", str(lib))[2]

    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")

    summary = json.loads(out)
    assert code == 0 and (summary["missing"], summary["behind_dead_links"]) == (0, 1), out
    assert summary["dead_links"] == [str(link)], out
    assert _labels(db) == {"DSC_0001.JPG": "Petra", "home.jpg": None}


def test_a_file_back_whose_name_the_disk_lists_decomposed_is_back(tmp_path, monkeypatch) -> None:
    """macOS may list "Côte" as C-o-´-t-e (NFD) while the index holds it composed (NFC):
    the same name, back on disk, not gone; the letter case rule is kept out of it."""
    import unicodedata

    from app.core.index.forget import forget_missing
    from app.core.path_case import DiskNames
    from tests.test_renumbering_support import scan

    composed = unicodedata.normalize("NFC", "Côte.jpg")
    lib = tmp_path / "lib"
    photo(lib / composed, 1)
    photo(lib / "keep.jpg", 2)
    with PhotoIndex.open(":memory:") as index:
        scan(index, [lib])
        (photo_id,) = index.photo_ids("Côte")
        index.set_label(photo_id, "Nice")
        (lib / composed).rename(tmp_path / "away.jpg")
        assert scan(index, [lib]).missing == 1
        (tmp_path / "away.jpg").rename(lib / unicodedata.normalize("NFD", composed))  # back, listed decomposed
        monkeypatch.setattr(DiskNames, "ignores_case", lambda self, folder: False)
        gone = forget_missing(index)
        assert (gone.photos, gone.back_on_disk) == (0, 1)
        labelled = [r.path for q in ("", "is:missing") for r in index.search(q) if r.label == "Nice"]
        assert labelled == [str(lib / composed)]

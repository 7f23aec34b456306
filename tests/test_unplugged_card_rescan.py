"""A library folder that is the mount point of a card not connected is left empty (its
folder unchanged since the index saw the card's photos there). A rescan of the library
(`scan`, `tag`, the app's check and Tag library) walked it and marked the card's photos
missing; it now skips it as a drive not connected, as it does a folder not found, and
leaves its photos as they were. A folder emptied by deleting its photos (it changed
since) is rescanned: its photos are marked missing as before."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.library import present_library_folders
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo
from tests.test_emptied_library_folder import NAMES, unplug


def _card_and_pictures(tmp_path, capsys) -> tuple[str, Path, Path]:
    """(db, CARD, Pictures): two library folders with two photos each, scanned, CARD's labelled."""
    card, pictures = tmp_path / "CARD", tmp_path / "Pictures"
    for folder, shade in ((card, 1), (pictures, 3)):
        for number, name in enumerate(NAMES):
            photo(folder / name, shade + number)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(card), str(pictures))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(card), "Colosseum")[0] == 0
    return db, card, pictures


def _missing(db: str) -> list[str]:
    with PhotoIndex.open(db) as index:
        return sorted(record.path for record in index.search("is:missing"))


def test_a_rescan_skips_the_empty_mount_point_of_a_card_not_connected(tmp_path, capsys):
    db, card, pictures = _card_and_pictures(tmp_path, capsys)
    drawer = tmp_path / "drawer"
    unplug(card, drawer)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert f"{card}: not found (drive not connected?)" in err and "0 missing" in err, err
    assert code == 1  # as for a library folder not found
    assert _missing(db) == []
    with PhotoIndex.open(db) as index:
        assert present_library_folders(index) == ([pictures], [card])  # tag and the app skip it so
        assert len(index.photo_ids("label:Colosseum")) == 2
    code, out, err = run_cli(capsys, "--db", db, "stats")
    assert "not found: drive not connected?" in out + err, (out, err)
    for name in NAMES:
        (drawer / name).rename(card / name)  # plugged back
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing, 0 errors" in err, err
    with PhotoIndex.open(db) as index:
        assert present_library_folders(index) == ([card, pictures], [])


def test_a_folder_emptied_by_deleting_its_photos_is_rescanned_and_they_are_missing(tmp_path, capsys):
    db, card, pictures = _card_and_pictures(tmp_path, capsys)
    for name in NAMES:
        (card / name).unlink()  # culled: the folder changed after the scan saw them
    with PhotoIndex.open(db) as index:
        assert present_library_folders(index) == ([card, pictures], [])
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "2 missing" in err and "not connected" not in err, err
    assert _missing(db) == [str(card / name) for name in NAMES]


def test_an_empty_folder_the_index_holds_no_photo_in_is_scanned(tmp_path, capsys):
    """Nothing of the library's to keep there: a folder just added, no drive to ask for."""
    empty = tmp_path / "Empty"
    empty.mkdir()
    os.utime(empty, (0, 0))
    db = str(tmp_path / "index.db")
    code, out, err = run_cli(capsys, "--db", db, "scan", str(empty))
    assert code == 0 and "not connected" not in err, err
    with PhotoIndex.open(db) as index:
        assert present_library_folders(index) == ([empty], [])

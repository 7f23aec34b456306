"""Taking a folder out of the library (app.core.index.forget and `landmark-tagger
forget`): the index forgets its photos and everything about them, the files stay,
folders another library folder covers stay."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from app.cli.main import main
from app.core import scanner
from app.core import teaching_store as store
from app.core.errors import UsageError
from app.core.index import PhotoIndex, Prediction
from app.core.index.backup import backups
from app.core.index.forget import folder_contents, forget_folder
from app.core.scanner import scan
from tests.test_emptied_library_folder import Mounts
from tests.test_index_support import write_jpeg


def _library(tmp_path: Path) -> tuple[Path, Path, Path]:
    trip, home = tmp_path / "Trip", tmp_path / "Home"
    for number in range(3):
        write_jpeg(trip / "day1" / f"DSC_{number:04d}.JPG", color=(number * 40, 80, 120))
    write_jpeg(trip / "day2" / "DSC_0100.JPG")
    (trip / "day2" / "DSC_0101.JPG").write_bytes(b"")  # unreadable: a problem, no photo
    write_jpeg(home / "IMG_0001.JPG")
    return trip, home, tmp_path / "index.db"


def _photo(index: PhotoIndex, name: str) -> int:
    return next(p.id for p in index.search("") if Path(p.path).name == name)


def test_forgetting_a_folder_takes_its_photos_out_of_the_index_and_leaves_the_files(tmp_path: Path) -> None:
    trip, home, db = _library(tmp_path)
    before = {path: path.read_bytes() for path in tmp_path.rglob("*.JPG")}
    with PhotoIndex.open(db) as index:
        scan(index, [home])
        scan(index, [trip])  # the newest photos: their ids are the ones SQLite gives out again
        first, kept = _photo(index, "DSC_0000.JPG"), _photo(index, "IMG_0001.JPG")
        trip_ids = set(index.photo_ids("folder:Trip"))
        index.set_label(first, "Pont du Gard", source="user", state="accepted")
        index.set_predictions(_photo(index, "DSC_0001.JPG"), "m", [Prediction("x", "Petra", 0.9)], threshold=0.5)
        index.set_state([_photo(index, "DSC_0001.JPG")], "rejected")
        with index.transaction() as conn:
            store.add_ref(conn, "Our cabin", first, "m", np.ones(4, np.float32))
            store.add_ref(conn, "Our cabin", kept, "m", np.ones(4, np.float32))
        assert folder_contents(index, trip).line() == "4 photos, 2 with a label or review of yours, 1 taught reference"
        assert index.count("") == 5  # folder_contents changed nothing
        forgotten = forget_folder(index, trip)
        assert (forgotten.photos, forgotten.yours, forgotten.taught) == (4, 2, 1)
        assert [Path(p.path).name for p in index.search("")] == ["IMG_0001.JPG"]
        assert index.roots() == [home.resolve()]
        assert index.count("Pont") == 0 and index.stats()["files"] == 1 and index.errors() == []
        assert store.taught_pairs(index.conn) == [("Our cabin", kept)]
        copies = backups(db)  # taken right before: the one step that drops labels can be gone back on
        assert len(copies) == 1
        with PhotoIndex.open(copies[0]) as before_forgetting:
            assert before_forgetting.get(first).label == "Pont du Gard"
        for table in ("files", "labels", "predictions", "tagged", "embeddings", "rejections", "photos_fts"):
            column = "rowid" if table == "photos_fts" else "photo_id"
            assert index.conn.execute(f"SELECT count(*) FROM {table} WHERE {column} <> ?", (kept,)).fetchone()[0] == 0
        # the photos' ids come back for new photos: nothing of the old ones may cling to them
        write_jpeg(home / "IMG_0002.JPG")
        scan(index, [home])
        newcomer = _photo(index, "IMG_0002.JPG")
        assert newcomer in trip_ids  # an id of a forgotten photo, given out again
        assert index.get(newcomer).label is None and index.predictions(newcomer) == [] and store.taught_pairs(index.conn) == [("Our cabin", kept)]
    assert {path: path.read_bytes() for path in before} == before


def test_a_folder_scanned_inside_a_library_folder_stays_part_of_it(tmp_path: Path) -> None:
    """A sub-folder scanned on its own is read, not added: forgetting the library folder
    takes its photos too, and the sub-folder cannot be forgotten alone."""
    trip, home, db = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        scan(index, [trip, trip / "day1"])  # day1 also given on its own
        assert index.roots() == [trip.resolve()]
        with pytest.raises(UsageError, match="inside the library folder .*Trip; only a whole library folder"):
            forget_folder(index, trip / "day1")
        with pytest.raises(UsageError, match="inside the library folder .*Trip; only a whole library folder"):
            folder_contents(index, trip / "day2")
        with pytest.raises(UsageError, match="is not a folder of the library"):
            folder_contents(index, home)
        scan(index, [trip / "day2"])
        assert index.roots() == [trip.resolve()]
        assert forget_folder(index, trip).photos == 4
        assert index.count("") == 0 and index.roots() == []


def test_the_forget_command_says_what_would_go_and_needs_yes(tmp_path: Path, capsys) -> None:
    trip, home, db = _library(tmp_path)
    assert main(["--db", str(db), "scan", str(trip), str(home)]) == 1  # the empty file
    capsys.readouterr()
    assert main(["--db", str(db), "forget", str(trip), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == {"folder": str(trip.resolve()), "photos": 4, "yours": 0, "taught": 0, "forgotten": False,
                               "library_folder": True}
    assert "would forget" in err and "add --yes" in err
    assert main(["--db", str(db), "search", "--count"]) == 0 and capsys.readouterr().out.strip() == "5"
    assert main(["--db", str(db), "forget", str(trip), "--yes"]) == 0
    err = capsys.readouterr().err
    assert "left the library (4 photos forgotten; the files are untouched" in err
    assert f"`landmark-tagger --db {db} scan {trip.resolve()}` adds it again" in err  # a plain `scan` would not
    assert f"the index as it was is copied at {backups(db)[-1]})" in err
    assert main(["--db", str(db), "search", "--count"]) == 0 and capsys.readouterr().out.strip() == "1"
    assert main(["--db", str(db), "forget", str(trip / "day1")]) == 2
    assert "is not a folder of the library" in capsys.readouterr().err


def test_forgetting_a_folder_inside_a_library_folder_says_what_can_be_done(tmp_path: Path, capsys) -> None:
    trip, home, db = _library(tmp_path)
    assert main(["--db", str(db), "scan", str(trip)]) == 1  # the empty file
    capsys.readouterr()
    assert main(["--db", str(db), "forget", str(trip / "day1"), "--yes"]) == 2
    err = capsys.readouterr().err
    assert f"{(trip / 'day1').resolve()} is inside the library folder {trip.resolve()}" in err
    assert f"its photos stay while {trip.resolve()} is in the library" in err
    assert f'a search leaves them out with -folder:"{(trip / "day1").resolve()}"' in err
    assert main(["--db", str(db), "search", "--count"]) == 0 and capsys.readouterr().out.strip() == "4"


def test_photos_deleted_from_the_library_are_forgotten_on_request_but_not_those_of_an_absent_drive(
        tmp_path: Path, capsys, monkeypatch) -> None:
    from app.core.index.forget import forget_missing, missing_photos

    trip, home, db = _library(tmp_path)
    write_jpeg(home / "IMG_0001.JPG", color=(1, 2, 3))  # not a copy of DSC_0100 (its loss would read as a move)
    card = tmp_path / "Card"
    write_jpeg(card / "DSC_0900.JPG", color=(10, 200, 10))
    write_jpeg(card / "DSC_0901.JPG", color=(200, 10, 10))
    Mounts(monkeypatch).mount(home)  # Home's drive, mounted on it (os.path.ismount says so) while it is scanned
    with PhotoIndex.open(db) as index:
        scan(index, [trip, home, card])
        index.set_label(_photo(index, "DSC_0000.JPG"), "Pont du Gard", source="user", state="accepted")
        with index.transaction() as conn:
            store.add_ref(conn, "Pont du Gard", _photo(index, "DSC_0000.JPG"), "m", np.ones(4, np.float32))
    (trip / "day1" / "DSC_0000.JPG").unlink()  # culled after the trip
    (trip / "day1" / "DSC_0001.JPG").unlink()
    (home / "IMG_0001.JPG").rename(tmp_path / "IMG_0001.JPG")  # Home's drive not connected: its mount
    monkeypatch.setattr(os.path, "ismount", lambda path: False)  # point is left, an empty plain folder
    (card / "DSC_0900.JPG").unlink()
    with PhotoIndex.open(db) as index:
        scan(index, [trip, home, card])  # skips Home's empty mount point: IMG_0001 is not missing
        assert index.count("is:missing") == 3
        with monkeypatch.context() as older:  # as a version that walked the mount point marked it
            older.setattr(scanner, "drive_not_connected", lambda index, folder, mounts=None: False)
            older.setattr(scanner, "record_mount_point", lambda index, folder, *measured: None)  # (recorded nothing)
            scan(index, [trip, home, card])
        assert index.count("is:missing") == 4
    for photo in card.iterdir():
        photo.rename(tmp_path / photo.name)
    card.rmdir()  # the card is not connected now: what it holds is not known
    with PhotoIndex.open(db) as index:
        preview = missing_photos(index)
        assert (preview.photos, preview.yours, preview.taught) == (2, 1, 1)
        assert set(preview.skipped_folders) == {str(home.resolve()), str(card.resolve())}
        assert index.count("is:missing") == 4  # the preview changed nothing
    assert main(["--db", str(db), "forget", "--missing", "--yes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["missing"] == 2
    with PhotoIndex.open(db) as index:
        names = sorted(Path(p.path).name for p in index.search("is:missing"))
        assert names == ["DSC_0900.JPG", "IMG_0001.JPG"]  # kept: they may be on a drive not connected
        assert store.taught_pairs(index.conn) == [] and index.count("") == 3  # DSC_0002, DSC_0100, DSC_0901
        assert forget_missing(index).photos == 0
    assert main(["--db", str(db), "forget"]) == 2  # neither a folder nor --missing
    assert main(["--db", str(db), "forget", str(trip), "--missing"]) == 2

"""`forget FOLDER` of a folder inside a library folder forgot photos whose files a
renaming tool had renamed in place, or whose folder was moved within the library, with
their labels (review5-1): it checked only the paths the index recorded. It now forgets
only photos a scan looked for and did not find, and asks for that scan first; the scan
then follows the photos with their labels."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo
from tests.test_index_support import missing_photos, photos_labelled

SCAN_FIRST = "scan first (`landmark-tagger --db {db} scan`): it finds photos renamed or moved since, with their labels"


def _library_with_a_trip(tmp_path, capsys) -> tuple[str, Path, Path]:
    """(db, lib, lib/Trip): a library folder with a photo of its own and a Trip folder of
    two photos labelled Petra, scanned."""
    lib, trip = tmp_path / "lib", tmp_path / "lib" / "Trip"
    photo(lib / "home.jpg", 0)
    for shade in (1, 2):
        photo(trip / f"IMG_{shade}.jpg", shade)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(lib))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(trip), "Petra")[0] == 0
    return db, lib, trip


def _refused_to_scan_first(capsys, db: str, trip: Path) -> str:
    code, out, err = run_cli(capsys, "--db", db, "forget", str(trip), "--yes")
    assert code == 2 and SCAN_FIRST.format(db=shlex.quote(db)) in err, err
    assert f"then `landmark-tagger --db {shlex.quote(db)} forget {trip}` forgets those still gone" in err, err
    assert photos_labelled(db, "Petra") == 2
    return err


def test_photos_renamed_in_place_are_not_forgotten_and_a_scan_keeps_their_labels(tmp_path, capsys):
    db, lib, trip = _library_with_a_trip(tmp_path, capsys)
    for shade in (1, 2):  # a renaming tool: same folder, same bytes
        (trip / f"IMG_{shade}.jpg").rename(trip / f"Petra_2019_{shade}.jpg")
    err = _refused_to_scan_first(capsys, db, trip)
    assert "2 photos of it are gone from where the index has them" in err, err
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert "2 moved" in err and photos_labelled(db, "Petra") == 2, err
    code, out, err = run_cli(capsys, "--db", db, "forget", str(trip), "--yes")
    assert code == 2 and "2 files of its photos are there" in err and photos_labelled(db, "Petra") == 2, err


def test_a_folder_moved_within_the_library_is_not_forgotten_and_a_scan_keeps_its_labels(tmp_path, capsys):
    db, lib, trip = _library_with_a_trip(tmp_path, capsys)
    (lib / "2019").mkdir()
    trip.rename(lib / "2019" / "Trip")
    _refused_to_scan_first(capsys, db, trip)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert "2 moved" in err and photos_labelled(db, "Petra") == 2, err
    code, out, err = run_cli(capsys, "--db", db, "forget", str(trip), "--yes")  # nothing of the index there now
    assert code == 2 and photos_labelled(db, "Petra") == 2, err


def test_photos_put_back_renamed_after_a_scan_marked_them_missing_are_not_forgotten(tmp_path, capsys):
    """Missing to the last scan, but the folder holds photo files the index does not know."""
    db, lib, trip = _library_with_a_trip(tmp_path, capsys)
    away = tmp_path / "away"
    shutil.move(str(trip), str(away))
    trip.mkdir()
    assert run_cli(capsys, "--db", db, "scan")[0] == 0 and len(missing_photos(db)) == 2
    for shade in (1, 2):
        (away / f"IMG_{shade}.jpg").rename(trip / f"Petra_2019_{shade}.jpg")
    err = _refused_to_scan_first(capsys, db, trip)
    assert f"{trip} holds 2 photo files the index does not know ({trip / 'Petra_2019_1.jpg'};" in err, err
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert "2 moved" in err and missing_photos(db) == [] and photos_labelled(db, "Petra") == 2, err


def test_photos_a_scan_did_not_find_are_forgotten_saying_what_goes_and_the_way_back(tmp_path, capsys):
    db, lib, trip = _library_with_a_trip(tmp_path, capsys)
    shutil.rmtree(trip)
    assert run_cli(capsys, "--db", db, "scan")[0] == 0 and len(missing_photos(db)) == 2
    code, out, err = run_cli(capsys, "--db", db, "forget", str(trip))
    assert code == 0 and f"would forget {trip}: 2 photos, 2 with a label or review of yours" in err, err
    assert "a scan looked for them in the library and did not find them" in err, err
    assert f"`landmark-tagger --db {shlex.quote(db)} restore-index COPY` goes back to it" in err, err
    code, out, err = run_cli(capsys, "--db", db, "forget", str(trip), "--yes", "--json")
    assert code == 0 and json.loads(out)["photos"] == 2 and photos_labelled(db, "Petra") == 0, err
    assert "the index as it was is copied at " in err and "restore-index" in err, err

"""A library folder that is the mount point of a card not connected is left empty (a
card was mounted on it when the index saw the card's photos there, and is not now). A
rescan of the library (`scan`, `tag`, the app's check and Tag library) walked it and
marked the card's photos missing; it now skips it as a drive not connected, as it does
a folder not found, and leaves its photos as they were. A folder emptied by deleting its
photos (no card mounted on it when they were seen, whatever its time says) is rescanned:
its photos are marked missing as before. An index no scan recorded that in keeps the
older rule, the folder's time (changed since the scan: emptied by the user)."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.library import present_library_folders
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo
from tests.test_emptied_library_folder import (NAMES, Mounts, delete_photos_leaving_its_time, mounts,  # noqa: F401
                                                plug_back, unplug)


def _card_and_pictures(tmp_path, capsys, mounts: Mounts | None = None) -> tuple[str, Path, Path]:
    """(db, CARD, Pictures): two library folders with two photos each (a card mounted on
    CARD, with `mounts`), scanned, CARD's labelled."""
    card, pictures = tmp_path / "CARD", tmp_path / "Pictures"
    for folder, shade in ((card, 1), (pictures, 3)):
        for number, name in enumerate(NAMES):
            photo(folder / name, shade + number)
    if mounts is not None:
        mounts.mount(card)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(card), str(pictures))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(card), "Colosseum")[0] == 0
    return db, card, pictures


def _missing(db: str) -> list[str]:
    with PhotoIndex.open(db) as index:
        return sorted(record.path for record in index.search("is:missing"))


def test_a_rescan_skips_the_empty_mount_point_of_a_card_not_connected(tmp_path, capsys, mounts):
    db, card, pictures = _card_and_pictures(tmp_path, capsys, mounts)
    drawer = tmp_path / "drawer"
    unplug(card, drawer, mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert f"{card}: not found (drive not connected?)" in err and "0 missing" in err, err
    assert f"If you deleted them yourself, take the folder out of the library (`landmark-tagger --db {db} forget {card} --yes`" \
        in err, err  # the way on for a folder that was emptied after all
    assert code == 1  # as for a library folder not found
    assert _missing(db) == []
    with PhotoIndex.open(db) as index:
        assert present_library_folders(index) == ([pictures], [card])  # tag and the app skip it so
        assert len(index.photo_ids("label:Colosseum")) == 2
    code, out, err = run_cli(capsys, "--db", db, "stats")
    assert "not found: drive not connected?" in out + err, (out, err)
    plug_back(card, drawer, mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing, 0 errors" in err, err
    with PhotoIndex.open(db) as index:
        assert present_library_folders(index) == ([card, pictures], [])


def test_a_folder_emptied_by_deleting_its_photos_is_rescanned_and_they_are_missing(tmp_path, capsys):
    """Its time left as it was before the scan (a camera deleting on its FAT card, a NAS
    clock behind): no card was mounted on it, so it was emptied."""
    db, card, pictures = _card_and_pictures(tmp_path, capsys)
    delete_photos_leaving_its_time(card)
    with PhotoIndex.open(db) as index:
        assert present_library_folders(index) == ([card, pictures], [])
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "2 missing" in err and "not connected" not in err, err
    assert _missing(db) == [str(card / name) for name in NAMES]
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes")
    assert code == 0 and _missing(db) == [], (out, err)


def as_scanned_by_an_older_version(db: str) -> None:
    """An index from before migration 35: no record of what was mounted where."""
    with PhotoIndex.open(db) as index, index.transaction() as conn:
        conn.execute("DELETE FROM mount_points_seen")


def test_an_index_without_a_mount_point_record_keeps_the_time_rule(tmp_path, capsys, mounts):
    db, card, pictures = _card_and_pictures(tmp_path, capsys, mounts)
    as_scanned_by_an_older_version(db)
    drawer = tmp_path / "drawer"
    unplug(card, drawer, mounts)
    os.utime(card, (0, 0))  # the mount point's own time, older than the scan of the card
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 1 and f"{card}: not found (drive not connected?)" in err and "0 missing" in err, err
    plug_back(card, drawer, mounts)
    mounts.unmount(card)  # copied into a plain folder: the next scan records that
    as_scanned_by_an_older_version(db)
    assert run_cli(capsys, "--db", db, "scan")[0] == 0
    as_scanned_by_an_older_version(db)
    for name in NAMES:
        (card / name).unlink()  # culled: the folder changed after the scan saw them
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "2 missing" in err and "not connected" not in err, err


def test_a_rescan_records_a_card_mounted_on_a_library_folder_only_when_that_changed(tmp_path, capsys, mounts):
    db, card, pictures = _card_and_pictures(tmp_path, capsys)
    with PhotoIndex.open(db) as index, index.transaction() as conn:
        conn.execute("CREATE TABLE recorded (folder TEXT, mount_point INTEGER)")
        for verb in ("INSERT", "UPDATE"):
            conn.execute(f"CREATE TRIGGER recorded_{verb} AFTER {verb} ON mount_points_seen "
                         "BEGIN INSERT INTO recorded VALUES (new.folder, new.mount_point); END")
        assert sorted(conn.execute("SELECT folder, mount_point FROM mount_points_seen")) == [
            (str(card), 0), (str(pictures), 0)]
    assert run_cli(capsys, "--db", db, "scan")[0] == 0
    mounts.mount(card)  # (a card holding what the folder held, mounted on it since)
    assert run_cli(capsys, "--db", db, "scan")[0] == 0
    assert run_cli(capsys, "--db", db, "scan")[0] == 0
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("SELECT folder, mount_point FROM recorded").fetchall() == [(str(card), 1)]


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

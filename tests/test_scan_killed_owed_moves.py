"""Moves a killed scan did not recognise: the next scan finds them, labels and all, and never joins the wrong copy."""

from __future__ import annotations

import time
from pathlib import Path

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_scan_support import (
    _killed_scan_still_taken_for_running,
    killed_scan,
    labelled_library,
    owed,
    two_labelled_photos,
)


def rescan_finds_it_moved_with_its_label(db: Path, lib: Path, photo_id: int) -> None:
    """The scan the user runs again, to the end: IMG_1, now rome/colosseum.jpg, is the
    same photo with its label, and nothing is left missing."""
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        (moved,) = index.search("colosseum.jpg")
        assert (moved.id, moved.label) == (photo_id, "Colosseum")
        assert index.count("is:missing") == 0


# -- 1. a scan killed before it recognised the moves -----------------------------------------
def test_a_move_survives_a_scan_killed_before_it_was_recognised(tmp_path: Path) -> None:
    lib, db, old, photo_id = labelled_library(tmp_path, with_second=True)
    old.rename(lib / "rome" / "colosseum.jpg")

    killed_scan(db, lib)

    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib])  # the user runs the scan again, to the end
        (moved,) = index.search("colosseum.jpg")
        assert (moved.id, moved.label) == (photo_id, "Colosseum")
        assert index.search("is:missing") == []
        assert (summary.moved, summary.new, summary.missing) == (1, 0, 0)
        assert owed(index) == (0, 0)
        again = scan(index, [lib])
        assert (again.new, again.changed, again.moved, again.missing) == (0, 0, 0, 0)


def test_a_move_into_a_folder_read_before_survives_a_killed_scan(tmp_path: Path) -> None:
    """The new folder read on its own first (the photo is indexed there, holding nothing
    of the user's), then the library scan that finds the old place empty is killed."""
    lib, db, old, photo_id = labelled_library(tmp_path)
    old.rename(lib / "rome" / "colosseum.jpg")
    with PhotoIndex.open(db) as index:
        scan(index, [lib / "rome"])

    killed_scan(db, lib)

    rescan_finds_it_moved_with_its_label(db, lib, photo_id)


def test_moves_survive_two_killed_scans_in_a_row(tmp_path: Path) -> None:
    lib, db, first, second = two_labelled_photos(tmp_path)
    (lib / "rome").mkdir()
    first.rename(lib / "rome" / "colosseum.jpg")
    killed_scan(db, lib)
    (lib / "jordan").mkdir()
    second.rename(lib / "jordan" / "petra.jpg")  # another move before the next (also killed) scan
    killed_scan(db, lib)

    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        assert {Path(p.path).name: p.label for p in index.search()} == {"colosseum.jpg": "Colosseum",
                                                                        "petra.jpg": "Petra"}
        assert index.count("is:missing") == 0 and owed(index) == (0, 0)


def test_a_photo_back_in_the_library_survives_a_killed_scan(tmp_path: Path) -> None:
    """Moved out of the library (missing since an earlier scan), then back at a new place:
    the scan that brings it in as new is killed before it joins the two."""
    lib, db, photo, photo_id = labelled_library(tmp_path, with_second=True)
    photo.rename(tmp_path / "IMG_1.jpg")
    with PhotoIndex.open(db) as index:
        assert scan(index, [lib]).missing == 1
    (tmp_path / "IMG_1.jpg").rename(lib / "rome" / "colosseum.jpg")

    killed_scan(db, lib)

    rescan_finds_it_moved_with_its_label(db, lib, photo_id)


# -- review of these fixes (review_scan.md) ----------------------------------------
def labels_by_name(index: PhotoIndex) -> dict[str, tuple[int, str | None]]:
    return {Path(p.path).name: (p.id, p.label) for p in index.search()}


def test_a_photo_moved_now_is_not_joined_to_a_labelled_copy_a_killed_scan_indexed(tmp_path: Path) -> None:
    """Finding 1: a photo missing in this scan looks for its new place among this scan's
    photos, not among the killed scan's, where a copy the user labelled would lose its label."""
    lib, db, original, original_id = labelled_library(tmp_path, with_second=True)
    (lib / "album").mkdir()
    (lib / "album" / "cover.jpg").write_bytes(original.read_bytes())  # a copy, not a move
    killed_scan(db, lib)
    with PhotoIndex.open(db) as index:
        index.set_label(index.search("cover.jpg")[0].id, "Album cover")
    original.rename(lib / "rome" / "colosseum.jpg")
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        got = labels_by_name(index)
    assert got["colosseum.jpg"] == (original_id, "Colosseum")
    assert got["cover.jpg"][1] == "Album cover"


def test_an_owed_move_to_one_of_two_labelled_copies_is_left_to_the_user(tmp_path: Path) -> None:
    """Finding 1: a photo a killed scan owes is joined to a copy holding a word of the
    user's only when that copy is the one there is; with two, neither is guessed."""
    lib, db, old, old_id = labelled_library(tmp_path)
    (lib / "rome" / "a.jpg").write_bytes(old.read_bytes())
    old.rename(lib / "rome" / "b.jpg")
    killed_scan(db, lib)
    with PhotoIndex.open(db) as index:
        for name, label in (("a.jpg", "Arch of Titus"), ("b.jpg", "Trevi Fountain")):
            index.set_label(index.search(name)[0].id, label)
        scan(index, [lib])
        got = labels_by_name(index)
        assert index.conn.execute("SELECT label FROM labels WHERE photo_id = ?", (old_id,)).fetchone()[0] \
            == "Colosseum"
    assert (got["a.jpg"][1], got["b.jpg"][1]) == ("Arch of Titus", "Trevi Fountain")


def test_the_users_newer_label_on_the_new_place_stays(tmp_path: Path) -> None:
    """Finding 2: after the kill the user labels the moved photo again at its new place;
    the next scan joins the two rows and keeps that newer label, not the old one."""
    lib, db, old, old_id = labelled_library(tmp_path)
    old.rename(lib / "rome" / "trevi.jpg")
    killed_scan(db, lib)
    time.sleep(1.1)  # labels record the time to the second
    with PhotoIndex.open(db) as index:
        index.set_label(index.search("trevi.jpg")[0].id, "Trevi Fountain")
        scan(index, [lib])
        (photo,) = index.search("trevi.jpg")
    assert (photo.id, photo.label) == (old_id, "Trevi Fountain")


def test_forget_missing_keeps_photos_whose_moves_a_scan_still_owes(tmp_path: Path, capsys) -> None:
    """Finding 4: `forget --missing` leaves out the photos a scan that did not finish
    still has to look for, and says so."""
    lib, db, photo_id = _killed_scan_still_taken_for_running(tmp_path)
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
    capsys.readouterr()
    assert main(["--db", str(db), "forget", "--missing", "--yes"]) == 0
    err = capsys.readouterr().err
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("SELECT label FROM labels WHERE photo_id = ?", (photo_id,)).fetchone() \
            == ("Colosseum",)
    assert "kept 1 missing photo: a scan that did not finish still has to look for where they went" in err, err

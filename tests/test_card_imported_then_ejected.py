"""The commonest import: a card mounted on a folder in the library is scanned and a photo
labelled, then copied into another library folder and ejected (the system removes its
mount point, or leaves it empty). Since a recorded mount point gone counts as a card not
connected, its photos stayed on the card's rows and the copies came in unlabelled (found
by a reviewer: "3 new, 0 moved"). A new photo provably one of the card's (the move join's
fingerprint rule) now takes that photo over, as a move; the card's photos not copied stay
not connected, not missing."""

from __future__ import annotations

import shutil
from contextlib import closing
from pathlib import Path

import pytest

from tests.test_cli_core import run_cli
from tests.test_emptied_library_folder import mounts  # noqa: F401
from tests.test_index_support import missing_photos, photos_labelled, unplug_card
from tests.test_unplugged_card_below_library_folder import CARD_PHOTOS, _pictures_with_a_card, _plug_back


@pytest.mark.parametrize("mount_point_removed", [True, False], ids=["removed", "left-empty"])
def test_a_card_copied_into_the_library_then_ejected_has_its_labels_follow_the_copies(
        tmp_path, capsys, mounts, mount_point_removed):
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    assert run_cli(capsys, "--db", db, "label", str(card / CARD_PHOTOS[0]), "Petra")[0] == 0
    trip = pictures / "Trip"
    trip.mkdir()
    for name in CARD_PHOTOS[:2]:  # the third is not imported
        shutil.copy2(card / name, trip / name.rsplit("/", 1)[-1])
    drawer = tmp_path / "drawer"
    unplug_card(card, drawer, mounts)
    if mount_point_removed:
        card.rmdir()  # as udisks does (/media/me/CARD)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert "0 new" in err and "2 moved" in err and "0 missing" in err and "1 error" in err, err
    # the card's line counts what is left on it, said after the joins
    assert err.count(f"{card}: not found (drive not connected?)") == 1, err
    assert "2 photos of it found copied into the library follow their copies; the 1 other photo is left as it was" in err
    assert missing_photos(db) == []  # the photo not copied is on the card, not connected
    code, out, err = run_cli(capsys, "--db", db, "search", "Petra", "--json")
    assert str(trip / "IMG_0001.JPG") in out and str(card) not in out, out
    assert photos_labelled(db, "Petra") == 1 and photos_labelled(db, "Colosseum") == 2
    code, out, err = run_cli(capsys, "--db", db, "search", "--json")
    paths = [line.split('"path": "')[1].split('"')[0] for line in out.splitlines() if '"path": "' in line]
    assert sorted(paths) == sorted([str(pictures / "home.jpg"), str(card / CARD_PHOTOS[2]),
                                    str(trip / "IMG_0001.JPG"), str(trip / "IMG_0002.JPG")]), out
    # plugged in again, the card's copied files come in as photos of their own
    if mount_point_removed:
        card.mkdir()
    _plug_back(card, drawer, mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "2 new" in err and "0 moved" in err and "0 missing" in err, err
    assert photos_labelled(db, "Petra") == 1


def test_a_card_copied_whole_into_the_library_then_ejected_is_no_error(tmp_path, capsys, mounts):
    """Every photo of the card followed its copy: nothing is left on the card, so the scan
    says no "not found (drive not connected?)" line for it (it said one, counted an error
    and exited 1, the line written during the walk, before the joins)."""
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    trip = pictures / "Trip"
    trip.mkdir()
    for name in CARD_PHOTOS:
        shutil.copy2(card / name, trip / name.rsplit("/", 1)[-1])
    unplug_card(card, tmp_path / "drawer", mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "0 new, 0 changed, 3 moved, 0 missing, 0 errors" in err, err
    assert "not found" not in err, err
    assert photos_labelled(db, "Colosseum") == 3 and missing_photos(db) == []


def _copied_into_trip_and_scanned_alone(tmp_path, capsys, mounts) -> tuple[str, Path, Path]:
    """(db, Pictures, its Card): the card ejected and found not connected by a scan, then
    its photos imported into Pictures/Trip (from the card in a reader elsewhere) and that
    folder alone scanned: "3 new"."""
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    drawer = tmp_path / "drawer"
    unplug_card(card, drawer, mounts)
    assert run_cli(capsys, "--db", db, "scan")[0] == 1  # (the card not connected: said so)
    trip = pictures / "Trip"
    trip.mkdir()
    for name in CARD_PHOTOS:
        shutil.copy2(drawer / name, trip / name.rsplit("/", 1)[-1])
    code, out, err = run_cli(capsys, "--db", db, "scan", str(trip))
    assert code == 0 and "3 new" in err, err
    return db, pictures, card


def test_copies_indexed_by_a_scan_of_their_folder_alone_are_joined_by_the_full_scan(tmp_path, capsys, mounts):
    """The copies came in with `scan Trip` (not new to the next full scan): that scan joins
    each to its card photo all the same (review7-1: "0 new, 0 moved", then `forget CARD`
    dropped the labels, saying the scan had not found them); until it has, forget says to scan."""
    db, pictures, card = _copied_into_trip_and_scanned_alone(tmp_path, capsys, mounts)
    code, out, err = run_cli(capsys, "--db", db, "forget", str(card), "--yes")
    assert code == 2 and "3 photos of it have copies in the library" in err, err
    assert f"({pictures / 'Trip' / 'IMG_0001.JPG'}) that a scan can give their labels: scan first" in err, err
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "0 new, 0 changed, 3 moved, 0 missing, 0 errors" in err, err
    code, out, err = run_cli(capsys, "--db", db, "search", "Colosseum", "--json")
    assert out.count(f'"path": "{pictures / "Trip"}') == 3 and str(card) not in out, out
    assert photos_labelled(db, "Colosseum") == 3 and missing_photos(db) == []


def test_a_copy_holding_a_label_of_its_own_is_not_joined_and_forget_names_it(tmp_path, capsys, mounts):
    """The user labelled one copy otherwise before the full scan: joining it would drop one
    of their words (no guess); `forget CARD` then refuses, naming it, until the copy holds
    the card photo's label, and never says the scan did not find the photo."""
    db, pictures, card = _copied_into_trip_and_scanned_alone(tmp_path, capsys, mounts)
    copy = pictures / "Trip" / "IMG_0001.JPG"
    assert run_cli(capsys, "--db", db, "label", str(copy), "Petra")[0] == 0
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert "0 new" in err and "2 moved" in err and "1 error" in err, err
    assert photos_labelled(db, "Petra") == 1 and photos_labelled(db, "Colosseum") == 3
    code, out, err = run_cli(capsys, "--db", db, "forget", str(card), "--yes")
    assert code == 2 and f"1 photo of it with a label, review or taught reference of yours has copies in the " \
                         f"library ({copy}) holding another label" in err, err
    assert photos_labelled(db, "Colosseum") == 3
    assert run_cli(capsys, "--db", db, "label", str(copy), "Colosseum")[0] == 0
    code, out, err = run_cli(capsys, "--db", db, "forget", str(card), "--yes")
    assert code == 0 and "forgotten; it has a copy in the library, which stays with its labels" in err, err
    assert "did not find" not in err, err
    assert photos_labelled(db, "Colosseum") == 3 and missing_photos(db) == []


@pytest.mark.parametrize("mount_point_removed", [True, False], ids=["removed", "left-empty"])
def test_a_pair_whose_jpeg_alone_was_copied_leaves_its_raw_on_the_card_and_write_goes_on(
        tmp_path, capsys, mounts, mount_point_removed):
    """RAW+JPEG shooting, the JPEGs alone imported (review7-4): the joined photo took the
    card's NEF along, on a card not connected; every `write` failed on its sidecar, saying
    to scan a folder no scan could reach. The NEF now stays on the card, a photo of its own
    with the label, which `write` leaves alone with a note (no failure) and `forget CARD` forgets."""
    db, pictures, card, shot = _raw_jpeg_pair_on_a_card(tmp_path, capsys, mounts)
    assert run_cli(capsys, "--db", db, "label", str(shot / "DSC_0001.JPG"), "Petra")[0] == 0
    trip = _jpeg_alone_copied_in_and_card_ejected(pictures, shot, card, tmp_path / "drawer", mounts)
    if mount_point_removed:
        card.rmdir()
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert "0 new" in err and "1 moved" in err and "0 missing" in err, err
    assert "1 photo of it found copied into the library follows its copy; the 1 other photo is left" in err, err
    code, out, err = run_cli(capsys, "--db", db, "search", "Petra", "--json")
    found = sorted(line.split('"path": "')[1].split('"')[0] for line in out.splitlines() if '"path": "' in line)
    assert found == [str(shot / "DSC_0001.NEF"), str(trip / "DSC_0001.JPG")], out
    assert missing_photos(db) == []
    code, out, err = run_cli(capsys, "--db", db, "write")
    assert code == 0 and "1 file written, 0 failed, 1 left alone" in err, err
    assert f"DSC_0001.NEF.xmp: on a card not connected ({card})" in err and "scan" not in err, err
    assert "Landmarks|Petra" in (trip / "DSC_0001.JPG").read_bytes().decode("latin-1")
    code, out, err = run_cli(capsys, "--db", db, "forget", str(card), "--yes")
    assert code == 0, err
    assert photos_labelled(db, "Petra") == 1 and missing_photos(db) == []


def test_a_copy_whose_label_was_read_back_as_the_card_photos_own_is_joined(tmp_path, capsys, mounts):
    """The card photo labelled Petra and written, then the card imported: the copies'
    labels, read back from their files by `scan Trip`, counted as words of the user's, so
    the full scan joined none and the card stayed "not connected". A copy whose only word
    is the card photo's own label, read back, loses nothing by the join: it joins."""
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    assert run_cli(capsys, "--db", db, "label", str(card / CARD_PHOTOS[0]), "Petra")[0] == 0
    assert run_cli(capsys, "--db", db, "write")[0] == 0
    trip = pictures / "Trip"
    trip.mkdir()
    for name in CARD_PHOTOS[:2]:  # the third is not imported
        shutil.copy2(card / name, trip / name.rsplit("/", 1)[-1])
    code, out, err = run_cli(capsys, "--db", db, "scan", str(trip))
    assert code == 0 and "2 new" in err and "2 labels read from the files" in err, err
    unplug_card(card, tmp_path / "drawer", mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert "0 new" in err and "2 moved" in err and "0 missing" in err, err
    assert "2 photos of it found copied into the library follow their copies" in err, err
    code, out, err = run_cli(capsys, "--db", db, "forget", str(card), "--yes")
    assert code == 0 and "1 photo" in err and "holding another label" not in err, err
    assert "forgotten; a scan looked for it in the library and did not find it" in err, err
    assert photos_labelled(db, "Petra") == 1 and photos_labelled(db, "Colosseum") == 1
    code, out, err = run_cli(capsys, "--db", db, "search", "Petra", "--json")
    assert str(trip / "IMG_0001.JPG") in out, out
    assert missing_photos(db) == []


def test_the_raw_left_on_the_card_keeps_the_rejection_when_the_card_is_back(tmp_path, capsys, mounts, tiny_bundle):
    """A pair's suggestion rejected, its JPEG alone imported, the card ejected and scanned
    (review8-1): the RAW split off took the label "rejected" but not the rejection, so with
    the card back `tag` suggested the rejected landmark again. It keeps the rejection now."""
    db, pictures, card, shot = _raw_jpeg_pair_on_a_card(tmp_path, capsys, mounts)
    tag = ("tag", "--model", str(tiny_bundle.path), "--workers", "0")
    assert run_cli(capsys, "--db", db, *tag)[0] == 0
    (suggested,) = _labels_of(db, shot / "DSC_0001.NEF")
    assert suggested[1] == "suggested" and suggested[0], suggested
    assert run_cli(capsys, "--db", db, "reject", str(shot / "DSC_0001.JPG"))[0] == 0
    drawer = tmp_path / "drawer"
    trip = _jpeg_alone_copied_in_and_card_ejected(pictures, shot, card, drawer, mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert "1 moved" in err and "the 1 other photo is left" in err, err
    _plug_back(card, drawer, mounts)
    assert run_cli(capsys, "--db", db, "scan")[0] == 0
    code, out, err = run_cli(capsys, "--db", db, *tag)
    assert code == 0, err
    for picture in (shot / "DSC_0001.NEF", trip / "DSC_0001.JPG"):
        assert _labels_of(db, picture) == [(suggested[0], "rejected", True)], picture


def _raw_jpeg_pair_on_a_card(tmp_path: Path, capsys, mounts) -> tuple[str, Path, Path, Path]:
    """Pictures (home.jpg) with a card mounted below it whose DCIM/100NIKON holds a RAW+JPEG
    pair, DSC_0001.NEF and .JPG, scanned: (db, pictures, card, the pair's folder)."""
    from tests.test_metadata_support import make_jpeg
    from tests.test_raw_pictures_of_one_name import raw

    pictures, card = tmp_path / "Pictures", tmp_path / "Pictures" / "Card"
    make_jpeg(pictures.mkdir() or pictures / "home.jpg", seed=1)
    shot = card / "DCIM" / "100NIKON"
    make_jpeg(shot.mkdir(parents=True) or shot / "DSC_0001.JPG", seed=2)
    raw(shot / "DSC_0001.NEF", make="NIKON CORPORATION", model="NIKON D90", taken="2020:11:05 10:11:12")
    mounts.mount(card)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(pictures))[0] == 0
    return db, pictures, card, shot


def _jpeg_alone_copied_in_and_card_ejected(pictures: Path, shot: Path, card: Path, drawer: Path, mounts) -> Path:
    """The pair's JPEG alone copied into Pictures/Trip, then the card unplugged into `drawer`
    (not scanned yet): the Trip folder."""
    trip = pictures / "Trip"
    trip.mkdir()
    shutil.copy2(shot / "DSC_0001.JPG", trip / "DSC_0001.JPG")
    unplug_card(card, drawer, mounts)
    return trip


def _labels_of(db: str, path: Path) -> list[tuple[str | None, str, bool]]:
    """(label, state, whether `rejections` holds that label) of the photo holding the file at `path`."""
    import sqlite3

    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT l.label, l.state, EXISTS (SELECT 1 FROM rejections r WHERE r.photo_id = l.photo_id "
            "AND r.label = l.label) FROM labels l JOIN files f ON f.photo_id = l.photo_id WHERE f.path = ?",
            (str(path),)).fetchall()


def test_undoing_a_reject_made_before_the_raw_was_split_off_takes_it_back_on_both_halves(
        tmp_path, capsys, mounts, tiny_bundle):
    """The pair's suggestion rejected, then its JPEG alone imported and the card ejected
    (the RAW split off with the label and the rejection, 8d1e356/891e8bf): `undo --review`
    of that reject gives the suggestion back to the RAW too, not to the copy alone."""
    db, pictures, card, shot = _raw_jpeg_pair_on_a_card(tmp_path, capsys, mounts)
    assert run_cli(capsys, "--db", db, "tag", "--model", str(tiny_bundle.path), "--workers", "0")[0] == 0
    (suggested,) = _labels_of(db, shot / "DSC_0001.NEF")
    assert run_cli(capsys, "--db", db, "reject", str(shot / "DSC_0001.JPG"))[0] == 0
    trip = _jpeg_alone_copied_in_and_card_ejected(pictures, shot, card, tmp_path / "drawer", mounts)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert "1 moved" in err and "the 1 other photo is left" in err, err
    code, out, err = run_cli(capsys, "--db", db, "undo", "--review")
    assert code == 0, err
    for picture in (trip / "DSC_0001.JPG", shot / "DSC_0001.NEF"):
        assert _labels_of(db, picture) == [(suggested[0], "suggested", False)], (picture, err)

"""What scans record of the cards mounted on a library's folders (mount_points_seen) goes
with the folder: a library folder taken out of the library (`forget FOLDER`, Remove
from library… in the app) takes its records along, and `relocate OLD NEW` moves them to
NEW when NEW is the same card or folder (a card mounted on both, or on neither) and
drops them otherwise (a copy, another card). A record left behind decided a later,
unrelated folder at the same path: a plain folder the user emptied was taken for an
unplugged card's mount point. A record not moved left the card mounted in a relocated
folder (its NAS share unplugged) for a folder emptied: relocate marked its photos
missing. `Mounts` makes os.path.ismount say a card is mounted on a folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from app.core.index import PhotoIndex
from tests.test_cli_core import run_cli
from tests.test_emptied_library_folder import Mounts, mounts  # noqa: F401
from tests.test_index_support import missing_photos, unplug_card

CARD_PHOTOS = ("DCIM/IMG_0001.JPG", "DCIM/IMG_0002.JPG", "IMG_0003.JPG")
OWN_PHOTOS = ("home1.jpg", "home2.jpg", "home3.jpg", "home4.jpg")


def photo(path: Path, shade: int) -> Path:
    """A JPEG of its own colour (no two photos here are one photo moved)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (20 + 9 * shade, 200 - 7 * shade, 90)).save(path)
    return path


def _pictures_with_a_card(tmp_path: Path, capsys, mounts: Mounts) -> tuple[str, Path, Path]:
    """(db, Pictures, Pictures/Card): a library folder with photos of its own and a card
    mounted on Card holding three, scanned; the card's labelled."""
    pictures = tmp_path / "Pictures"
    card = pictures / "Card"
    for shade, name in enumerate(OWN_PHOTOS):
        photo(pictures / name, shade)
    for shade, name in enumerate(CARD_PHOTOS, len(OWN_PHOTOS)):
        photo(card / name, shade)
    mounts.mount(card)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(pictures))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(card), "Colosseum")[0] == 0
    return db, pictures, card


def _recorded(db: str) -> list[tuple[str, int]]:
    with PhotoIndex.open(db) as index:
        return sorted(index.conn.execute("SELECT folder, mount_point FROM mount_points_seen"))


def _a_plain_folder_relocated_onto(target: Path, tmp_path: Path, capsys, db: str) -> tuple[Path, Path]:
    """A library folder Trip (a photo of its own, and one in a plain sub-folder Card),
    scanned; the user then moves its own photo to `target` and deletes Card's, and
    follows it there with relocate, which leaves `target`/Card an empty plain folder.
    (the photo that was in Card, target/Card)."""
    trip = tmp_path / "Trip"
    photo(trip / "trip.jpg", 20)
    photo(trip / "Card" / "IMG_0100.JPG", 21)
    assert run_cli(capsys, "--db", db, "scan", str(trip))[0] == 0
    target.mkdir(exist_ok=True)
    (target / "Card").mkdir(exist_ok=True)
    (trip / "trip.jpg").rename(target / "trip.jpg")
    (trip / "Card" / "IMG_0100.JPG").unlink()  # deleted: its folder emptied
    (trip / "Card").rmdir()
    trip.rmdir()
    code, out, err = run_cli(capsys, "--db", db, "relocate", str(trip), str(target))
    assert code == 0, err
    return target / "Card" / "IMG_0100.JPG", target / "Card"


@pytest.mark.parametrize("forgotten_by", ["this version", "an older version, which left the records"])
def test_a_folder_taken_out_of_the_library_takes_its_card_records_along(tmp_path, capsys, mounts, forgotten_by):
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    recorded = _recorded(db)
    code, out, err = run_cli(capsys, "--db", db, "forget", str(pictures), "--yes")
    assert code == 0, err
    assert _recorded(db) == []
    if forgotten_by != "this version":  # relocate onto the folder drops them then
        with PhotoIndex.open(db) as index, index.transaction() as conn:
            conn.executemany("INSERT INTO mount_points_seen (folder, mount_point) VALUES (?, ?)", recorded)
    unplug_card(card, tmp_path / "drawer", mounts)  # the share is gone for good; its folder stays, empty

    emptied, folder = _a_plain_folder_relocated_onto(pictures, tmp_path, capsys, db)

    # a plain folder the user emptied (never a mount point in Trip's life): its photo is missing
    assert missing_photos(db) == [str(emptied)]
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "not connected" not in err, err


def test_relocate_drops_the_card_records_of_the_old_place(tmp_path, capsys, mounts):
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    moved = tmp_path / "Archive"
    mounts.unmount(card)  # (the share copied along, a plain folder at the new place)
    pictures.rename(moved)
    code, out, err = run_cli(capsys, "--db", db, "relocate", str(pictures), str(moved))
    assert code == 0, err
    assert [folder for folder, _ in _recorded(db) if folder.startswith(str(pictures))] == []
    pictures.mkdir()  # a new folder at the old place
    emptied, folder = _a_plain_folder_relocated_onto(pictures, tmp_path, capsys, db)
    assert missing_photos(db) == [str(emptied)]


def test_relocate_moves_the_record_of_a_card_unplugged_in_the_folder_it_follows(tmp_path, capsys, mounts):
    """~/Pictures, with a NAS share mounted on Pictures/Card, moved to ~/Archive/Pictures
    while the share is unplugged: its photos are on the share, not deleted."""
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    unplug_card(card, tmp_path / "drawer", mounts)
    new = tmp_path / "Archive" / "Pictures"
    new.parent.mkdir()
    pictures.rename(new)  # its empty mount point with it

    code, out, err = run_cli(capsys, "--db", db, "relocate", str(pictures), str(new))

    assert code == 0 and "4 files found there, 3 on a card not connected: left as they were" in err, err
    assert missing_photos(db) == [], err
    assert _recorded(db) == [(str(new), 0), (str(new / "Card"), 1)]
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["missing"] == 0, (out, err)
    for entry in list((tmp_path / "drawer").iterdir()):  # plugged back, mounted at its new place
        entry.rename(new / "Card" / entry.name)
    mounts.mount(new / "Card")
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing, 0 errors" in err, err
    with PhotoIndex.open(db) as index:
        assert len(index.photo_ids("label:Colosseum")) == len(CARD_PHOTOS)


def test_relocate_onto_a_copy_of_a_card_drops_its_record(tmp_path, capsys, mounts):
    """The card's photos copied to a plain folder and the card put away: the copy is no
    card; the scan that follows relocate records it as the plain folder it is."""
    card = tmp_path / "CARD"
    for shade, name in enumerate(CARD_PHOTOS):
        photo(card / name, shade)
    mounts.mount(card)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(card))[0] == 0
    copy = tmp_path / "Copy"
    unplug_card(card, copy, mounts)
    code, out, err = run_cli(capsys, "--db", db, "relocate", str(card), str(copy))
    assert code == 0, err
    assert _recorded(db) == [(str(copy), 0)]

"""A card or NAS share mounted on a folder inside a library folder (Pictures/Card), unplugged
when the first scan after upgrading from an older version ran (the app's start-up check is
one), had its photos marked missing (found by an upgrade tester): the older index holds no
record of the mounts (mount_points_seen, migration 35) and below a library folder there was
no fallback. Such a folder, the index holding photos there and no record, now goes by the
time rule of a library folder: unchanged since the scan that saw its photos, a card not
connected (skipped, said once, photos kept, also at the next scans until its library folder
has been walked to the end); changed since, emptied by the user (photos missing). Below a
library folder a scan of this version walked, a folder with no record was a plain folder,
and an emptied one has its photos marked missing whatever its time. `Mounts` fakes
os.path.ismount, `MountInfo` Linux's mount table (a bind mount)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.progress import CancelToken
from app.core.scanner import scan
from tests.test_bind_mounts_seen import MountInfo, mountinfo  # noqa: F401
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo
from tests.test_emptied_library_folder import Mounts, mounts  # noqa: F401
from tests.test_index_support import missing_photos, photos_labelled
from tests.test_unplugged_card_rescan import as_scanned_by_an_older_version

CARD_PHOTOS = ("DCIM/100CANON/IMG_0001.JPG", "DCIM/100CANON/IMG_0002.JPG", "IMG_0003.JPG")
NOT_CONNECTED = "not found (drive not connected?): the folder is empty as a card not connected leaves its mount point"


class Card:
    """A card mounted on Pictures/Card, as `how` tells the system's mounts."""

    def __init__(self, tmp_path: Path, request, how: str) -> None:
        self.folder = tmp_path / "Pictures" / "Card"
        self.drawer = tmp_path / "drawer"
        self._table = request.getfixturevalue("mounts" if how == "ismount" else "mountinfo")

    def plug(self) -> None:
        for entry in list(self.drawer.iterdir()) if self.drawer.exists() else []:
            entry.rename(self.folder / entry.name)
        (self._table.mount if isinstance(self._table, Mounts) else self._table.bind)(self.folder)

    def unplug(self, keep_its_time: bool = True) -> None:
        """Its mount point is left, a plain empty folder with its own time (before the scan
        that saw the card's photos: nothing changes it while a card is mounted on it)."""
        self.drawer.mkdir(exist_ok=True)
        for entry in list(self.folder.iterdir()):
            entry.rename(self.drawer / entry.name)
        (self._table.unmount if isinstance(self._table, Mounts) else self._table.unbind)(self.folder)
        if keep_its_time:
            os.utime(self.folder, (0, 0))


@pytest.fixture(params=["ismount", "bind mount"])
def card(tmp_path, request) -> Card:
    return Card(tmp_path, request, request.param)


def _library(tmp_path, capsys, card: Card | None) -> tuple[str, Path, Path]:
    """(db, Pictures, Pictures/Card): a photo of the library folder's own and three on a
    card (mounted, with `card`), scanned and the card's labelled."""
    pictures = tmp_path / "Pictures"
    photo(pictures / "home.jpg", 0)
    for shade, name in enumerate(CARD_PHOTOS, 1):
        photo(pictures / "Card" / name, shade)
    if card is not None:
        card.plug()
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(pictures))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(pictures / "Card"), "Colosseum")[0] == 0
    return db, pictures, pictures / "Card"


def test_a_card_unplugged_at_the_first_scan_after_the_upgrade_keeps_its_photos(tmp_path, capsys, card):
    db, pictures, folder = _library(tmp_path, capsys, card)
    as_scanned_by_an_older_version(db)
    card.unplug()
    for attempt in range(2):  # the start-up check, then the user's own scan: still unplugged
        code, out, err = run_cli(capsys, "--db", db, "scan")
        assert code == 1 and err.count(f"{folder}: {NOT_CONNECTED}") == 1, err
        assert "0 missing" in err and "delete the empty folder and scan again" in err, err
        assert missing_photos(db) == []
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and json.loads(out)["missing"] == 0, (out, err)
    assert photos_labelled(db, "Colosseum") == 3
    card.plug()
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing, 0 errors" in err, err
    card.unplug(keep_its_time=False)  # recorded now: no clock decides, whatever its time says
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 1 and f"{folder}: {NOT_CONNECTED}" in err and "0 missing" in err, err
    assert photos_labelled(db, "Colosseum") == 3


def test_a_first_scan_stopped_before_it_reached_the_card_leaves_the_next_one_its_time_rule(tmp_path, capsys, card):
    """The user closing the app during its start-up check: the library folder's record is
    written once its walk is done, so the next scan still knows no scan of this version
    looked for cards in it."""
    db, pictures, folder = _library(tmp_path, capsys, card)
    as_scanned_by_an_older_version(db)
    card.unplug()
    stop = CancelToken()
    with PhotoIndex.open(db) as index:
        summary = scan(index, [pictures], progress=lambda progress: stop.cancel(), cancel=stop)
    assert summary.status == "cancelled" and summary.cards_not_connected == []  # stopped after Pictures itself
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 1 and f"{folder}: {NOT_CONNECTED}" in err and "0 missing" in err, err
    assert missing_photos(db) == []


def test_a_folder_emptied_since_the_older_version_scanned_it_has_its_photos_missing(tmp_path, capsys):
    db, pictures, folder = _library(tmp_path, capsys, None)  # a plain folder: its time moves as photos go
    as_scanned_by_an_older_version(db)
    for name in CARD_PHOTOS:
        (folder / name).unlink()
    (folder / "DCIM" / "100CANON").rmdir()
    (folder / "DCIM").rmdir()
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "3 missing" in err and "not connected" not in err, err
    assert missing_photos(db) == sorted(str(folder / name) for name in CARD_PHOTOS)


def test_below_a_library_folder_scanned_since_the_upgrade_no_clock_decides(tmp_path, capsys):
    """A plain folder gets no record; emptied with its time left as before the scan (a
    camera deleting on its FAT card) it is still a folder the user emptied."""
    db, pictures, folder = _library(tmp_path, capsys, None)
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    for entry in list(folder.iterdir()):
        entry.rename(shelf / entry.name)
    os.utime(folder, (0, 0))
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "3 missing" in err and "not connected" not in err, err

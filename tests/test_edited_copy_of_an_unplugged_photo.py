"""A photo whose drive is not connected (a card unplugged from its mount point, a folder
link to a disk unmounted) is not moved: a copy of its picture put into another library
folder and edited there (a print copy, a keyword added) is a deliberate copy, a new photo
of its own. Joining the missing original to it by its picture print (as a photo missing
since an earlier scan is joined when its folder comes back under another name) put the
original's labels and journal on the copy, and the original, plugged in again, came back
unlabelled (review5-1)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.core.scanner import scan
from tests.test_emptied_library_folder import mounts  # noqa: F401
from tests.test_index_support import unplug_card
from tests.test_scan_edited_and_moved import edit_in_lightroom, index, photo_at, trip  # noqa: F401


def _labelled_then_copied_while_away(tmp_path: Path, index, unplug, plug_back,
                                     edited: bool = True) -> tuple[Path, Path, int]:
    """(the original, its edited copy in lib/best, the original's photo id): the photo
    labelled, its drive gone for two scans (missing since an earlier one, where the scan
    marks it so), then copied into lib/best and (`edited`) edited there, and scanned."""
    library = tmp_path / "lib"
    original = trip(library / "drive" / "trip")[2]
    scan(index, [library])
    photo_id = photo_at(index, original).id
    index.set_label(photo_id, "Our Cabin")
    copy = library / "best" / "DSC_0002_print.JPG"
    copy.parent.mkdir()
    shutil.copyfile(original, copy)  # (made from the drive before it went: the same bytes)
    copy.rename(tmp_path / "print.JPG")
    unplug()
    scan(index, [library])
    scan(index, [library])
    (tmp_path / "print.JPG").rename(copy)
    if edited:
        edit_in_lightroom(copy, "Print")  # (its picture print joined it; the same bytes, its fingerprint)
    summary = scan(index, [library])
    assert (summary.moved, summary.new) == (0, 1)
    assert photo_at(index, copy).state == "unlabelled"
    plug_back()
    scan(index, [library])
    return original, copy, photo_id


def _words_of(index, path: Path) -> tuple:
    record = photo_at(index, path)
    return record.id, record.label, record.state, record.missing


@pytest.mark.skipif(os.name == "nt", reason="a folder symlink needs privileges on Windows")
@pytest.mark.parametrize("edited", [True, False], ids=["edited", "same-bytes"])
def test_a_photo_behind_a_dead_folder_link_is_not_moved_onto_a_copy(tmp_path, index, edited) -> None:
    disk = tmp_path / "disk"
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "drive").symlink_to(disk, target_is_directory=True)
    (disk / "trip").mkdir(parents=True)
    original, copy, photo_id = _labelled_then_copied_while_away(
        tmp_path, index, lambda: disk.rename(tmp_path / "drawer"), lambda: (tmp_path / "drawer").rename(disk), edited)
    assert _words_of(index, original) == (photo_id, "Our Cabin", "accepted", False)
    assert photo_at(index, copy).id != photo_id and photo_at(index, copy).state == "unlabelled"


def test_a_photo_on_an_unplugged_card_is_not_moved_onto_an_edited_copy(tmp_path, index, mounts) -> None:
    card, drawer = tmp_path / "lib" / "drive", tmp_path / "drawer"
    card.mkdir(parents=True)
    mounts.mount(card)

    def plug_back() -> None:
        for entry in list(drawer.iterdir()):
            entry.rename(card / entry.name)
        mounts.mount(card)

    original, copy, photo_id = _labelled_then_copied_while_away(
        tmp_path, index, lambda: unplug_card(card, drawer, mounts), plug_back)
    assert _words_of(index, original) == (photo_id, "Our Cabin", "accepted", False)
    assert photo_at(index, copy).state == "unlabelled"

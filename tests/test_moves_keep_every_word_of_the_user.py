"""A missing photo is joined to a photo found elsewhere only where no word of the user's is
lost by a guess: not to one of two copies the user labelled apart, not to a copy made
while it was still there, and when joined, the stronger word stays. And the newest photo
of the index, moved out of the library and back, is recognised like any other."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_scan_support import killed_scan, labelled_library


def labels_by_name(index: PhotoIndex) -> dict[str, str | None]:
    return {Path(p.path).name: p.label for p in index.search()}


def ids_by_name(index: PhotoIndex) -> dict[str, int]:
    return {Path(p.path).name: p.id for p in index.search()}


def test_a_photo_moved_and_copied_under_a_killed_scan_is_not_joined_to_one_of_the_labelled_copies(tmp_path):
    """IMG_1 "Colosseum" moved to rome/ and copied there; the killed scan brought both in,
    and the user labelled them apart before scanning again: which copy is IMG_1 is a
    guess, so IMG_1 stays missing with its label for the user to decide."""
    lib, db, old, photo_id = labelled_library(tmp_path, with_second=True)
    old.rename(lib / "rome" / "colosseum.jpg")
    shutil.copy2(lib / "rome" / "colosseum.jpg", lib / "rome" / "copy.jpg")
    killed_scan(db, lib)
    with PhotoIndex.open(db) as index:
        ids = ids_by_name(index)
        index.set_label(ids["colosseum.jpg"], "Trevi Fountain")
        index.set_label(ids["copy.jpg"], "Pantheon")

        summary = scan(index, [lib])

        assert summary.moved == 0
        assert labels_by_name(index) == {"colosseum.jpg": "Trevi Fountain", "copy.jpg": "Pantheon", "IMG_2.jpg": None}
        assert [(p.id, p.label) for p in index.search("is:missing")] == [(photo_id, "Colosseum")]


def test_a_copy_made_while_the_original_was_there_does_not_take_it_over_when_the_original_goes(tmp_path):
    """The killed scan brought in a copy of IMG_1 "Colosseum" (the original still in
    place); the user labelled the copy "Pantheon", then deleted the original. The next
    scan does not take the copy for IMG_1 moved: the original, put back from the trash,
    is IMG_1 with its label again."""
    lib, db, original, photo_id = labelled_library(tmp_path, with_second=True)
    shutil.copy2(original, lib / "rome" / "copy.jpg")
    killed_scan(db, lib)
    with PhotoIndex.open(db) as index:
        index.set_label(ids_by_name(index)["copy.jpg"], "Pantheon")
    trash = tmp_path / "Trash"
    trash.mkdir()
    original.rename(trash / original.name)

    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib])
        assert (summary.moved, summary.missing) == (0, 1)
        assert [(p.id, p.label) for p in index.search("is:missing")] == [(photo_id, "Colosseum")]

        (trash / original.name).rename(original)
        scan(index, [lib])
        assert labels_by_name(index) == {"IMG_1.jpg": "Colosseum", "copy.jpg": "Pantheon", "IMG_2.jpg": None}
        assert ids_by_name(index)["IMG_1.jpg"] == photo_id


@pytest.mark.parametrize("old_word, new_word, kept", [
    (("Colosseum", "user", "accepted"), ("Trevi Fountain", "model", "rejected"), ("Colosseum", "accepted")),
    (("Colosseum", "model", "rejected"), ("Trevi Fountain", "user", "accepted"), ("Trevi Fountain", "accepted")),
])
def test_a_move_a_killed_scan_left_keeps_the_stronger_of_the_two_words(tmp_path, old_word, new_word, kept):
    """IMG_1 moved; the killed scan brought it in as a new photo, which got a word of the
    user's before the next scan joined the two: a label they gave or accepted outweighs
    a rejected suggestion, whichever row held it."""
    lib, db, old, photo_id = labelled_library(tmp_path, with_second=True)
    with PhotoIndex.open(db) as index:
        index.set_label(photo_id, old_word[0], source=old_word[1], state=old_word[2])
    old.rename(lib / "rome" / "colosseum.jpg")
    killed_scan(db, lib)
    with PhotoIndex.open(db) as index:
        index.set_label(ids_by_name(index)["colosseum.jpg"], new_word[0], source=new_word[1], state=new_word[2])

        assert scan(index, [lib]).moved == 1

        (moved,) = index.search("colosseum.jpg")
        assert (moved.id, moved.label, moved.state) == (photo_id, *kept)


@pytest.mark.parametrize("killed", [False, True])
def test_the_newest_photo_moved_out_of_the_library_and_back_keeps_its_label(tmp_path, killed):
    """IMG_1 is the index's newest photo (the highest id, the bound of what earlier scans
    brought in): moved out (missing), then back at another place, it is the same photo."""
    lib, db, photo, photo_id = labelled_library(tmp_path)
    photo.rename(tmp_path / "IMG_1.jpg")
    with PhotoIndex.open(db) as index:
        assert scan(index, [lib]).missing == 1
        assert index.conn.execute("SELECT max(id) FROM photos").fetchone()[0] == photo_id
    (tmp_path / "IMG_1.jpg").rename(lib / "rome" / "colosseum.jpg")
    if killed:
        killed_scan(db, lib)

    with PhotoIndex.open(db) as index:
        assert scan(index, [lib]).moved == 1
        (moved,) = index.search("colosseum.jpg")
        assert (moved.id, moved.label) == (photo_id, "Colosseum")
        assert index.count("is:missing") == 0

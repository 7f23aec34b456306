"""Renamed-over photos with written labels, copies and restored backups: each label stays with its picture."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import read_fields
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_renumbering_support import _labels_by_name, ids_by_name, index, rename_all, rome  # noqa: F401


def write_all(index: PhotoIndex):
    return write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions())


def keywords(path: Path) -> list[str]:
    return list(read_fields(path.read_bytes()).subject or [])


# -- the write journal follows pictures renamed over each other's names ---------------
def test_undo_after_two_written_photos_swapped_names_takes_our_keywords_out(rome, index) -> None:
    """write, then a renamer swaps two names, a scan, then undo: undo says it restored
    both files, but each picture keeps the keyword we wrote (the journal still points
    at the old names, which hold the other picture: detach_photo renamed the file rows
    before adopt_moved_photo's _follow_in_write_journal looked them up)."""
    scan(index, [rome])
    before = ids_by_name(index)
    index.set_label(before["DSC_0001.JPG"], "Colosseum")
    index.set_label(before["DSC_0002.JPG"], "Petra")
    assert write_all(index).written == 2
    rename_all(rome, [("DSC_0001.JPG", "DSC_0002.JPG"), ("DSC_0002.JPG", "DSC_0001.JPG")])
    assert scan(index, [rome]).moved == 2  # the labels followed the pictures

    undone = undo_last_write(index)

    assert (undone.written, undone.failed) == (2, 0)
    assert keywords(rome / "DSC_0001.JPG") == []  # Petra's picture, its keyword written by us
    assert keywords(rome / "DSC_0002.JPG") == []  # the Colosseum's picture


def test_a_new_label_written_after_a_swap_replaces_the_keyword_we_wrote_before(rome, index) -> None:
    """After the swap, the journal says the Colosseum was our keyword in DSC_0001.JPG (now
    Petra's picture): relabelling that picture and writing keeps 'Petra' as if the user
    had typed it, so the picture ends with two landmarks' keywords. A photo renamed to a
    free name (no renaming over) gets ['Taj Mahal'] only."""
    scan(index, [rome])
    before = ids_by_name(index)
    index.set_label(before["DSC_0001.JPG"], "Colosseum")
    index.set_label(before["DSC_0002.JPG"], "Petra")
    write_all(index)
    rename_all(rome, [("DSC_0001.JPG", "DSC_0002.JPG"), ("DSC_0002.JPG", "DSC_0001.JPG")])
    scan(index, [rome])
    index.set_label(before["DSC_0002.JPG"], "Taj Mahal")  # the picture now named DSC_0001.JPG

    write_all(index)

    assert keywords(rome / "DSC_0001.JPG") == ["Taj Mahal"]
    assert keywords(rome / "DSC_0002.JPG") == ["Colosseum"]


# -- a picture still held by the photo it came from is a copy, not a rename -------------
def test_identical_copies_edited_alike_in_two_folders_both_keep_their_labels(tmp_path, index) -> None:
    """A photo and its copy in a Selects folder, both labelled; another program rewrites
    both the same way (a copyright line, geotags, Lightroom's 'save metadata to file').
    The first folder read updates its fingerprint; the copy then 'holds a picture another
    photo held before' and is detached: its label is left on a missing row and the copy
    shows as a new photo without it."""
    library = tmp_path / "Photos"
    write_jpeg(library / "Rome" / "DSC_0001.JPG", color=(200, 10, 10), size=(40, 30))
    (library / "Selects").mkdir()
    shutil.copy2(library / "Rome" / "DSC_0001.JPG", library / "Selects" / "DSC_0001.JPG")
    scan(index, [library])
    for record in index.search(""):
        index.set_label(record.id, "Colosseum")
    for copy in (library / "Rome" / "DSC_0001.JPG", library / "Selects" / "DSC_0001.JPG"):
        write_jpeg(copy, color=(201, 11, 11), size=(40, 30))  # the same edit in both

    summary = scan(index, [library])

    assert (summary.new, summary.missing, summary.changed) == (0, 0, 2)
    assert index.count("is:missing") == 0
    assert sorted(r.label for r in index.search("")) == ["Colosseum", "Colosseum"]


def test_a_photo_restored_from_an_indexed_backup_copy_keeps_its_label(tmp_path, index) -> None:
    """An edit gone wrong, undone by copying the original back from a backup folder that
    is in the library too: the restored picture is the photo's own, yet it is detached
    (its label stays on a missing row that no later scan joins to it) and `forget
    --missing` would then delete the label for good."""
    library = tmp_path / "Photos"
    write_jpeg(library / "Rome" / "DSC_0001.JPG", color=(200, 10, 10), size=(40, 30))
    (library / "Backup").mkdir()
    shutil.copy2(library / "Rome" / "DSC_0001.JPG", library / "Backup" / "DSC_0001.JPG")
    scan(index, [library])
    photo = next(r.id for r in index.search("") if "Rome" in r.path)
    index.set_label(photo, "Colosseum")
    write_jpeg(library / "Rome" / "DSC_0001.JPG", color=(90, 90, 90), size=(40, 30))  # the bad edit
    scan(index, [library])
    assert index.get(photo).label == "Colosseum"  # an edit in place keeps the word
    shutil.copy2(library / "Backup" / "DSC_0001.JPG", library / "Rome" / "DSC_0001.JPG")

    summary = scan(index, [library])

    assert (summary.new, summary.missing) == (0, 0)
    restored = next(r for r in index.search("") if "Rome" in r.path and not r.missing)
    assert restored.id == photo and restored.label == "Colosseum"


# -- a photo restored from a backup while another copy of its picture is missing ---------
def test_a_restored_photo_keeps_its_label_when_a_deleted_copy_of_its_picture_is_missing(tmp_path, index) -> None:
    """Rome/DSC_0001 (Colosseum) with a copy in Backup and an exported copy in Export.
    The export is deleted (a missing row, as the index keeps it until forget --missing),
    Every copy is labelled (the export, once, with another word). Rome's photo is edited badly and then restored from Backup. photos_moved_away's
    missing_photo_held finds the deleted export's row holding the restored picture and
    splits the photo; the move recognition then hands the name to the deleted export's
    row, and the Colosseum stays on a missing row (forget --missing deletes it)."""
    library = tmp_path / "Photos"
    original = write_jpeg(library / "Rome" / "DSC_0001.JPG", color=(200, 10, 10), size=(40, 30))
    for folder in ("Backup", "Export"):
        (library / folder).mkdir()
        shutil.copy2(original, library / folder / "DSC_0001.JPG")
    scan(index, [library])
    photo = next(r.id for r in index.search("") if "Rome" in r.path)
    for record in index.search(""):  # every copy labelled; the export with a word of its own
        index.set_label(record.id, "Roman Forum" if "Export" in record.path else "Colosseum")
    (library / "Export" / "DSC_0001.JPG").unlink()
    write_jpeg(original, color=(90, 90, 90), size=(40, 30))  # the bad edit
    scan(index, [library])
    assert index.get(photo).label == "Colosseum"
    shutil.copy2(library / "Backup" / "DSC_0001.JPG", original)  # restored

    scan(index, [library])

    restored = next(r for r in index.search("") if "Rome" in r.path and not r.missing)
    assert (restored.id, restored.label) == (photo, "Colosseum")
    assert index.get(photo).missing is False


# -- the write journal is looked up by photo without an index -----------------------------
def test_following_the_write_journal_on_a_move_does_not_read_the_whole_journal(index) -> None:
    """_follow_in_write_journal runs `SELECT ... FROM write_journal WHERE photo_id = ?`
    for every photo adopted (every move, every renumbered frame); write_journal has an
    index on batch_id only and keeps every entry not undone, so renumbering or moving N
    photos of a library written once reads the whole journal N times (quadratic)."""
    plan = " ".join(str(row[-1]) for row in index.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id, path FROM write_journal WHERE photo_id = ?", (1,)))
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan


# -- RAW photos renumbered with their sidecars, then undo ----------------------------------
def test_undo_after_raws_renumbered_with_their_sidecars_takes_our_sidecars_out(tmp_path, index, monkeypatch) -> None:
    import app.core.scan_folder_sync as scan_folder_sync
    from app.core.metadata import undo_last_write
    from app.core.photo_info import PhotoInfo

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", lambda path: PhotoInfo(kind="raw", width=60, height=40))
    trip = tmp_path / "Trip"
    trip.mkdir()
    for number in (1, 2, 3):
        (trip / f"DSC_000{number}.NEF").write_bytes(bytes([number]) * (5000 + number))
    scan(index, [trip])
    before = ids_by_name(index)
    index.set_label(before["DSC_0002.NEF"], "Petra")
    index.set_label(before["DSC_0003.NEF"], "Taj Mahal")
    write_all(index)
    sidecars = sorted(p.name for p in trip.iterdir() if p.suffix.lower() == ".xmp")
    assert sidecars
    (trip / "DSC_0001.NEF").unlink()
    moves = [("DSC_0002.NEF", "DSC_0001.NEF"), ("DSC_0003.NEF", "DSC_0002.NEF")]
    moves += [(s, s.replace("DSC_0002", "DSC_0001").replace("DSC_0003", "DSC_0002")) for s in sidecars]
    rename_all(trip, moves)
    assert scan(index, [trip]).moved == 2
    assert _labels_by_name(index) == {"DSC_0001.NEF": "Petra", "DSC_0002.NEF": "Taj Mahal"}

    undone = undo_last_write(index)

    assert undone.failed == 0
    assert sorted(p.name for p in trip.iterdir() if p.suffix.lower() == ".xmp") == []


# -- edits in place beside copies of the picture -------------------------------------------
def test_a_photo_duplicated_then_edited_in_place_keeps_its_label(rome, index) -> None:
    """Finder's Duplicate (or "keep a copy of the original") then an edit of the original
    in another program: the user's photo at its own name keeps its label and its row; the
    copy is a new photo. The split rule took the edited photo for one whose picture moved
    to another name (an inserted frame) and handed its label to the copy."""
    scan(index, [rome])
    before = ids_by_name(index)
    index.set_label(before["DSC_0002.JPG"], "Petra")
    shutil.copy2(rome / "DSC_0002.JPG", rome / "DSC_0002 copy.JPG")
    # the same shot, edited: same capture time and camera, other pixels
    write_jpeg(rome / "DSC_0002.JPG", color=(11, 201, 11), size=(40, 24), taken="2020:11:03 14:05:02")

    scan(index, [rome])

    after = ids_by_name(index)
    assert after["DSC_0002.JPG"] == before["DSC_0002.JPG"]
    assert index.get(after["DSC_0002.JPG"]).label == "Petra"


def test_an_edit_in_place_keeps_its_label_when_a_copy_elsewhere_is_touched(tmp_path, index) -> None:
    """A copy of the photo in another library folder (a 'best of' folder, a backup) whose
    file was only touched (a sync tool reset its time: same contents) is read again in the
    scan that sees the original edited in place. The original is still the user's photo at
    its name; it went missing and its file became a new photo without its label."""
    original = write_jpeg(tmp_path / "Trip" / "DSC_0001.JPG", color=(200, 10, 10))
    copy = tmp_path / "Best of" / "DSC_0001.JPG"
    copy.parent.mkdir()
    shutil.copy2(original, copy)
    scan(index, [tmp_path])
    ids = {r.path: r.id for r in index.search("")}
    index.set_label(ids[str(original)], "Petra")
    index.set_label(ids[str(copy)], "Petra (best of)")
    write_jpeg(original, color=(201, 11, 11), size=(40, 24))  # edited in place in another program
    os.utime(copy, ns=(os.stat(copy).st_atime_ns, os.stat(copy).st_mtime_ns + 5_000_000_000))

    scan(index, [tmp_path])

    after = {r.path: r for r in index.search("")}
    assert after[str(original)].id == ids[str(original)]
    assert after[str(original)].label == "Petra"
    assert after[str(copy)].label == "Petra (best of)"

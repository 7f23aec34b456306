"""Files renamed onto each other's names: a batch renamer closing the gap after a
deleted frame (DSC_0002 → DSC_0001, DSC_0003 → DSC_0002, …), two names swapped, a
photo overwritten by a copy of another. The index went by the name: each label stayed
on the name, now the file of another picture, and `write` put a keyword of one
landmark into a photo of another. Labels, reviews and rejections follow the picture."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import read_fields
from app.core.progress import CancelToken
from app.core.scanner import ScanOptions, _Scan, scan
from tests.test_index_support import write_jpeg

COLOURS = {1: (200, 10, 10), 2: (10, 200, 10), 3: (10, 10, 200), 4: (200, 200, 10)}


@pytest.fixture
def index(tmp_path):
    with PhotoIndex.open(tmp_path / "index.db") as opened:
        yield opened


@pytest.fixture
def rome(tmp_path) -> Path:
    """DSC_0001-0004.JPG, four different pictures."""
    for number, colour in COLOURS.items():
        write_jpeg(tmp_path / "Rome" / f"DSC_000{number}.JPG", color=colour, size=(32 + number, 24),
                   taken=f"2020:11:03 14:05:0{number}")  # frames of one walk, a second apart
    return tmp_path / "Rome"


def ids_by_name(index: PhotoIndex) -> dict[str, int]:
    return {Path(r.path).name: r.id for r in index.search("")}


def word_of(index: PhotoIndex, photo_id: int) -> tuple[str | None, str]:
    record = index.get(photo_id)
    return record.label, record.state


def rename_all(folder: Path, moves: list[tuple[str, str]]) -> None:
    """Rename as a batch renamer does: through a temporary name, keeping each file's times."""
    for old, _ in moves:
        os.rename(folder / old, folder / f"{old}.moving")
    for old, new in moves:
        os.rename(folder / f"{old}.moving", folder / new)


def two_raw_jpeg_pairs(trip: Path, *, timed: bool = False) -> None:
    """DSC_0001 and DSC_0002, each a JPEG beside a NEF stand-in (a few bytes, no real RAW);
    timed: the JPEGs record frames of one walk, a second apart."""
    for number in (1, 2):
        taken = {"taken": f"2020:11:03 14:05:0{number}"} if timed else {}
        write_jpeg(trip / f"DSC_000{number}.JPG", color=COLOURS[number], **taken)
        (trip / f"DSC_000{number}.NEF").write_bytes(bytes([number]) * 5000)


def raw_jpeg_pairs_scanned(tmp_path: Path, index: PhotoIndex, monkeypatch) -> tuple[Path, dict[str, int]]:
    """two_raw_jpeg_pairs in Trip, scanned with the NEF stand-ins taken for RAW files (they
    are none): the folder and the photo ids by file name."""
    import app.core.scan_folder_sync as scan_folder_sync
    from app.core.photo_info import PhotoInfo, read_photo_info

    def read(path):
        if str(path).lower().endswith(".nef"):
            return PhotoInfo(kind="raw", width=6000, height=4000)
        return read_photo_info(path)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", read)
    trip = tmp_path / "Trip"
    two_raw_jpeg_pairs(trip)
    scan(index, [trip])
    return trip, ids_by_name(index)


def write_all(index: PhotoIndex):
    return write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions())


def keywords(path: Path) -> list[str]:
    return list(read_fields(path.read_bytes()).subject or [])


def test_closing_the_gap_after_a_deleted_frame_keeps_each_word_with_its_picture(rome, index) -> None:
    scan(index, [rome])
    before = ids_by_name(index)
    index.set_label(before["DSC_0002.JPG"], "Treasury at Petra")
    index.set_label(before["DSC_0003.JPG"], "Taj Mahal", source="model", state="suggested")
    index.set_state([before["DSC_0003.JPG"]], "accepted")
    index.set_label(before["DSC_0004.JPG"], "Hagia Sophia", source="model", state="suggested")
    index.set_state([before["DSC_0004.JPG"]], "rejected")
    (rome / "DSC_0001.JPG").unlink()
    rename_all(rome, [("DSC_0002.JPG", "DSC_0001.JPG"), ("DSC_0003.JPG", "DSC_0002.JPG"),
                      ("DSC_0004.JPG", "DSC_0003.JPG")])

    summary = scan(index, [rome])

    assert (summary.moved, summary.new, summary.missing) == (3, 0, 1)
    after = ids_by_name(index)
    assert after == {"DSC_0001.JPG": before["DSC_0002.JPG"], "DSC_0002.JPG": before["DSC_0003.JPG"],
                     "DSC_0003.JPG": before["DSC_0004.JPG"]}
    assert word_of(index, after["DSC_0001.JPG"]) == ("Treasury at Petra", "accepted")
    assert word_of(index, after["DSC_0002.JPG"]) == ("Taj Mahal", "accepted")
    assert word_of(index, after["DSC_0003.JPG"])[1] == "rejected"
    deleted = index.get(before["DSC_0001.JPG"])
    assert deleted.missing and Path(deleted.path).name == "DSC_0001.JPG"  # shown where it last was
    assert index.count("") == 3 and index.count("is:missing") == 1
    again = scan(index, [rome])  # and the next scan finds nothing to do
    assert (again.new, again.changed, again.moved, again.missing) == (0, 0, 0, 0)
    assert ids_by_name(index) == after and word_of(index, after["DSC_0001.JPG"]) == ("Treasury at Petra", "accepted")


def test_two_swapped_names_swap_their_words(rome, index) -> None:
    scan(index, [rome])
    before = ids_by_name(index)
    index.set_label(before["DSC_0001.JPG"], "Colosseum")
    index.set_label(before["DSC_0002.JPG"], "Petra")
    rename_all(rome, [("DSC_0001.JPG", "DSC_0002.JPG"), ("DSC_0002.JPG", "DSC_0001.JPG")])

    summary = scan(index, [rome])

    assert (summary.moved, summary.new, summary.missing) == (2, 0, 0)
    after = ids_by_name(index)
    assert index.get(after["DSC_0002.JPG"]).label == "Colosseum"
    assert index.get(after["DSC_0001.JPG"]).label == "Petra"
    assert index.count("is:missing") == 0 and index.count("") == 4


def test_a_photo_edited_in_place_keeps_its_word(rome, index) -> None:
    """Another program rewrote the file (new pixels or metadata): still the same photo."""
    scan(index, [rome])
    before = ids_by_name(index)
    index.set_label(before["DSC_0002.JPG"], "Petra")
    write_jpeg(rome / "DSC_0002.JPG", color=(11, 201, 11), size=(40, 24))

    summary = scan(index, [rome])

    assert (summary.changed, summary.moved, summary.new) == (1, 0, 0)
    assert ids_by_name(index) == before and index.get(before["DSC_0002.JPG"]).label == "Petra"


def test_a_renumbered_jpeg_and_raw_pair_moves_as_one_photo(tmp_path, index, monkeypatch) -> None:
    trip, before = raw_jpeg_pairs_scanned(tmp_path, index, monkeypatch)
    index.set_label(before["DSC_0002.JPG"], "Petra")
    for name in ("DSC_0001.JPG", "DSC_0001.NEF"):
        (trip / name).unlink()
    rename_all(trip, [("DSC_0002.JPG", "DSC_0001.JPG"), ("DSC_0002.NEF", "DSC_0001.NEF")])

    summary = scan(index, [trip])

    assert (summary.moved, summary.missing) == (1, 1)
    moved = index.get(before["DSC_0002.JPG"])
    assert moved.label == "Petra" and sorted(Path(f).name for f in moved.files) == ["DSC_0001.JPG", "DSC_0001.NEF"]
    assert index.count("") == 1


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


# -- a scan killed between giving up names and recognising moves ----------------------

def test_a_scan_killed_after_renumbering_is_put_right_by_the_next_scan(rome, index, monkeypatch) -> None:
    """The folder's batch (detach + new rows) commits, then the process dies before
    _recognise_moves. The next scan finds every file unchanged and nothing new, so it
    never joins the labels to their pictures: Petra's picture stays unlabelled and its
    label sits on a missing row for good."""
    scan(index, [rome])
    before = ids_by_name(index)
    index.set_label(before["DSC_0002.JPG"], "Petra")
    (rome / "DSC_0001.JPG").unlink()
    rename_all(rome, [("DSC_0002.JPG", "DSC_0001.JPG"), ("DSC_0003.JPG", "DSC_0002.JPG"),
                      ("DSC_0004.JPG", "DSC_0003.JPG")])

    class Killed(BaseException):
        pass

    def killed(self):
        raise Killed  # stands for SIGKILL: everything committed so far stays, nothing after runs

    with monkeypatch.context() as patch:
        patch.setattr(_Scan, "_recognise_moves", killed)
        with pytest.raises(Killed):
            scan(index, [rome])

    scan(index, [rome])  # the next scan, as the user runs it

    after = ids_by_name(index)
    assert after["DSC_0001.JPG"] == before["DSC_0002.JPG"]
    assert index.get(after["DSC_0001.JPG"]).label == "Petra"
    assert index.count("is:missing") == 1  # only the deleted frame


# -- a photo that gave up its name is shown by the names it had ------------------------

def test_a_photo_renamed_over_lists_its_files_by_names_the_user_had(rome, index) -> None:
    """detach_photo appends " (renamed over, #N)" to the files' paths; PhotoRecord.files
    is what the detail pane's Files line, its tooltip and `search --json` show, so the
    user reads 'DSC_0002.JPG (renamed over, #2)', a name no file ever had."""
    scan(index, [rome])
    before = ids_by_name(index)
    index.set_label(before["DSC_0001.JPG"], "Petra")
    (rome / "DSC_0001.JPG").unlink()  # the deleted frame, its name then taken by DSC_0002
    rename_all(rome, [("DSC_0002.JPG", "DSC_0001.JPG")])
    scan(index, [rome])

    gone = index.get(before["DSC_0001.JPG"])

    assert gone.missing and gone.label == "Petra"
    assert [Path(name).name for name in gone.files] == ["DSC_0001.JPG"], gone.files


# -- names shifted up to make room for an inserted frame ---------------------------------

@pytest.mark.parametrize("per_transaction", [1, 100])
def test_opening_a_gap_for_an_inserted_frame_keeps_each_word_with_its_picture(rome, index, per_transaction) -> None:
    """DSC_0003 → DSC_0004, DSC_0002 → DSC_0003, DSC_0001 → DSC_0002 (DSC_0004 deleted
    before), and a new picture as DSC_0001: each name read before the one its picture went
    to, in separate writes or in one."""
    scan(index, [rome])
    before = ids_by_name(index)
    for number, label in ((1, "Colosseum"), (2, "Petra"), (3, "Taj Mahal")):
        index.set_label(before[f"DSC_000{number}.JPG"], label)
    (rome / "DSC_0004.JPG").unlink()
    rename_all(rome, [("DSC_0003.JPG", "DSC_0004.JPG"), ("DSC_0002.JPG", "DSC_0003.JPG"),
                      ("DSC_0001.JPG", "DSC_0002.JPG")])
    write_jpeg(rome / "DSC_0001.JPG", color=(90, 90, 90), size=(50, 24), taken="2020:11:03 14:04:59")  # inserted

    summary = scan(index, [rome], options=ScanOptions(groups_per_transaction=per_transaction))

    assert (summary.moved, summary.new, summary.changed) == (3, 1, 0)
    after = ids_by_name(index)
    assert [index.get(after[f"DSC_000{n}.JPG"]).label for n in (1, 2, 3, 4)] == [
        None, "Colosseum", "Petra", "Taj Mahal"]
    assert after["DSC_0002.JPG"] == before["DSC_0001.JPG"]
    again = scan(index, [rome])
    assert (again.new, again.changed, again.moved, again.missing) == (0, 0, 0, 0)


# -- found in review: kills, cancels, unreadable places, restored copies, the journal --------

def _open_gap(rome: Path) -> None:
    """DSC_0004 deleted, 3→4, 2→3, 1→2, a new frame as DSC_0001."""
    (rome / "DSC_0004.JPG").unlink()
    rename_all(rome, [("DSC_0003.JPG", "DSC_0004.JPG"), ("DSC_0002.JPG", "DSC_0003.JPG"),
                      ("DSC_0001.JPG", "DSC_0002.JPG")])
    write_jpeg(rome / "DSC_0001.JPG", color=(90, 90, 90), size=(50, 24), taken="2020:11:03 14:04:59")


def _labels_by_name(index: PhotoIndex) -> dict[str, str | None]:
    return {Path(r.path).name: r.label for r in index.search("")}


# -- the inserted-frame case is not put right after a kill (or cancel) -------------------

def test_a_scan_killed_after_opening_a_gap_is_put_right_by_the_next_scan(rome, index, monkeypatch) -> None:
    """The walk commits DSC_0001 (the inserted frame) as still being the Colosseum photo
    (a changed file, kept); the split that would give the name up runs only after the
    walk, from RenamedOver's in-memory notes. A kill before it (SIGKILL, a crash, a
    power cut) loses those notes: the next scan finds DSC_0001 unchanged and leaves the
    Colosseum on the inserted frame for good, while the Colosseum's picture (now
    DSC_0002) is unlabelled."""
    scan(index, [rome])
    before = ids_by_name(index)
    for number, label in ((1, "Colosseum"), (2, "Petra"), (3, "Taj Mahal")):
        index.set_label(before[f"DSC_000{number}.JPG"], label)
    _open_gap(rome)

    class Killed(BaseException):
        pass

    def killed(self):
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(_Scan, "_recognise_moves", killed)
        with pytest.raises(Killed):
            scan(index, [rome])

    scan(index, [rome])  # the next scan, as the user runs it

    assert _labels_by_name(index) == {"DSC_0001.JPG": None, "DSC_0002.JPG": "Colosseum",
                                      "DSC_0003.JPG": "Petra", "DSC_0004.JPG": "Taj Mahal"}


def test_a_scan_cancelled_while_opening_a_gap_is_put_right_by_the_next_scan(rome, index) -> None:
    """Cancel after the first batch (the inserted frame's stem): DSC_0001 is committed as
    the Colosseum photo with the new picture; the cancelled scan's split finds nothing
    (the Colosseum's picture at DSC_0002 was not read) and no later scan looks again."""
    scan(index, [rome])
    before = ids_by_name(index)
    for number, label in ((1, "Colosseum"), (2, "Petra"), (3, "Taj Mahal")):
        index.set_label(before[f"DSC_000{number}.JPG"], label)
    _open_gap(rome)
    token = CancelToken()

    def progress(update) -> None:
        if update.message and update.message.endswith("Rome"):
            token.cancel()  # the user presses Cancel after the first batch is written

    first = scan(index, [rome], progress=progress, cancel=token, options=ScanOptions(groups_per_transaction=1))
    assert first.status == "cancelled"

    scan(index, [rome])

    assert _labels_by_name(index) == {"DSC_0001.JPG": None, "DSC_0002.JPG": "Colosseum",
                                      "DSC_0003.JPG": "Petra", "DSC_0004.JPG": "Taj Mahal"}


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


# -- a name read while the old place of its picture cannot be read ----------------------

def test_a_renumbered_name_read_while_the_old_place_is_unreadable_is_looked_at_again(tmp_path, index, monkeypatch) -> None:
    """Closing the gap with pictures of one size (uncompressed RAWs; JPEGs padded here):
    while DSC_0002 cannot be opened (a sharing violation, an antivirus lock, a network
    hiccup), DSC_0001 holding Petra's picture 'cannot be told' a rename, so the
    Colosseum photo 'stays as it is' -- and its row takes Petra's fingerprint, size and
    mtime: the next scan, with everything readable, finds DSC_0001 unchanged and the
    Colosseum stays on Petra's picture for good (Petra's word on a missing row)."""
    import app.core.renamed_over as renamed_over_module
    import app.core.scan_folder_sync as scan_folder_sync

    rome = tmp_path / "Rome"
    pictures = {n: write_jpeg(rome / f"DSC_000{n}.JPG", color=COLOURS[n], size=(40, 30), taken=f"2020:11:03 14:05:0{n}")
                for n in (1, 2, 3)}
    longest = max(p.stat().st_size for p in pictures.values())
    for p in pictures.values():
        with open(p, "ab") as handle:
            handle.write(b"\0" * (longest - p.stat().st_size))
    scan(index, [rome])
    before = ids_by_name(index)
    index.set_label(before["DSC_0001.JPG"], "Colosseum")
    index.set_label(before["DSC_0002.JPG"], "Petra")
    (rome / "DSC_0001.JPG").unlink()
    rename_all(rome, [("DSC_0002.JPG", "DSC_0001.JPG"), ("DSC_0003.JPG", "DSC_0002.JPG")])

    def locked(real):
        def fingerprint(path, size=None):
            if str(path).endswith("DSC_0002.JPG"):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, size)
        return fingerprint

    with monkeypatch.context() as patch:
        patch.setattr(renamed_over_module, "fingerprint_file", locked(renamed_over_module.fingerprint_file))
        patch.setattr(scan_folder_sync, "fingerprint_file", locked(scan_folder_sync.fingerprint_file))
        scan(index, [rome])

    scan(index, [rome])  # DSC_0002 readable again
    scan(index, [rome])

    assert _labels_by_name(index) == {"DSC_0001.JPG": "Petra", "DSC_0002.JPG": None}


# -- names that are not UTF-8 -------------------------------------------------------------

def test_closing_the_gap_in_a_folder_named_in_bytes_keeps_each_word_with_its_picture(tmp_path, index) -> None:
    folder = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"R\xf6m")))
    for number, colour in COLOURS.items():
        write_jpeg(folder / f"DSC_000{number}.JPG", color=colour, size=(32 + number, 24),
                   taken=f"2020:11:03 14:05:0{number}")
    scan(index, [folder])
    before = ids_by_name(index)
    index.set_label(before["DSC_0002.JPG"], "Petra")
    index.set_label(before["DSC_0001.JPG"], "Colosseum")
    (folder / "DSC_0001.JPG").unlink()
    rename_all(folder, [("DSC_0002.JPG", "DSC_0001.JPG"), ("DSC_0003.JPG", "DSC_0002.JPG"),
                        ("DSC_0004.JPG", "DSC_0003.JPG")])

    summary = scan(index, [folder])

    assert (summary.moved, summary.missing) == (3, 1)
    assert _labels_by_name(index)["DSC_0001.JPG"] == "Petra"
    gone = index.get(before["DSC_0001.JPG"])
    assert gone.missing and [Path(f).name for f in gone.files] == ["DSC_0001.JPG"], gone.files
    again = scan(index, [folder])
    assert (again.new, again.changed, again.moved, again.missing) == (0, 0, 0, 0)


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

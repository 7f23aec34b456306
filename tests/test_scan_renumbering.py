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
from app.core.scanner import _Scan, scan
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
        write_jpeg(tmp_path / "Rome" / f"DSC_000{number}.JPG", color=colour, size=(32 + number, 24))
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
    import app.core.scanner as scanner_module
    from app.core.photo_info import PhotoInfo, read_photo_info

    def read(path):
        if str(path).lower().endswith(".nef"):
            return PhotoInfo(kind="raw", width=6000, height=4000)
        return read_photo_info(path)

    monkeypatch.setattr(scanner_module, "read_photo_info", read)
    trip = tmp_path / "Trip"
    for number in (1, 2):
        write_jpeg(trip / f"DSC_000{number}.JPG", color=COLOURS[number])
        (trip / f"DSC_000{number}.NEF").write_bytes(bytes([number]) * 5000)
    scan(index, [trip])
    before = ids_by_name(index)
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
    from app.core.scanner import ScanOptions

    scan(index, [rome])
    before = ids_by_name(index)
    for number, label in ((1, "Colosseum"), (2, "Petra"), (3, "Taj Mahal")):
        index.set_label(before[f"DSC_000{number}.JPG"], label)
    (rome / "DSC_0004.JPG").unlink()
    rename_all(rome, [("DSC_0003.JPG", "DSC_0004.JPG"), ("DSC_0002.JPG", "DSC_0003.JPG"),
                      ("DSC_0001.JPG", "DSC_0002.JPG")])
    write_jpeg(rome / "DSC_0001.JPG", color=(90, 90, 90), size=(50, 24))  # the inserted frame

    summary = scan(index, [rome], options=ScanOptions(groups_per_transaction=per_transaction))

    assert (summary.moved, summary.new, summary.changed) == (3, 1, 0)
    after = ids_by_name(index)
    assert [index.get(after[f"DSC_000{n}.JPG"]).label for n in (1, 2, 3, 4)] == [
        None, "Colosseum", "Petra", "Taj Mahal"]
    assert after["DSC_0002.JPG"] == before["DSC_0001.JPG"]
    again = scan(index, [rome])
    assert (again.new, again.changed, again.moved, again.missing) == (0, 0, 0, 0)

"""A scan after files renamed onto each other's names: gaps closed and opened, swapped names, kills and cancels."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.progress import CancelToken
from app.core.scanner import ScanOptions, _Scan, scan
from tests.test_index_support import write_jpeg
from tests.test_renumbering_support import (  # noqa: F401
    COLOURS,
    _labels_by_name,
    ids_by_name,
    index,
    raw_jpeg_pairs_scanned,
    rename_all,
    rome,
)


def word_of(index: PhotoIndex, photo_id: int) -> tuple[str | None, str]:
    record = index.get(photo_id)
    return record.label, record.state


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
    """Another program rewrote the file (new pixels or metadata), keeping its capture time:
    still the same photo (another time too is another frame: test_card_names_reused.py)."""
    scan(index, [rome])
    before = ids_by_name(index)
    index.set_label(before["DSC_0002.JPG"], "Petra")
    write_jpeg(rome / "DSC_0002.JPG", color=(11, 201, 11), size=(40, 24), taken="2020:11:03 14:05:02")

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

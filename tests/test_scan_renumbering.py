"""Files renamed onto each other's names: a batch renamer closing the gap after a
deleted frame (DSC_0002 → DSC_0001, DSC_0003 → DSC_0002, …), two names swapped, a
photo overwritten by a copy of another. The index went by the name: each label stayed
on the name, now the file of another picture, and `write` put a keyword of one
landmark into a photo of another. Labels, reviews and rejections follow the picture."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_index_support import write_jpeg

COLOURS = {1: (200, 10, 10), 2: (10, 200, 10), 3: (10, 10, 200), 4: (200, 200, 10)}


@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


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


def test_a_photo_overwritten_by_a_copy_of_another_starts_afresh(rome, index) -> None:
    """DSC_0003 saved over DSC_0002 with DSC_0003 kept: DSC_0002 is now a new picture (a
    duplicate of DSC_0003), and the picture it was is gone, its word kept while it is missing."""
    scan(index, [rome])
    before = ids_by_name(index)
    index.set_label(before["DSC_0002.JPG"], "Petra")
    index.set_label(before["DSC_0003.JPG"], "Taj Mahal")
    (rome / "DSC_0002.JPG").write_bytes((rome / "DSC_0003.JPG").read_bytes())

    scan(index, [rome])

    after = ids_by_name(index)
    assert after["DSC_0003.JPG"] == before["DSC_0003.JPG"] and index.get(after["DSC_0003.JPG"]).label == "Taj Mahal"
    assert after["DSC_0002.JPG"] != before["DSC_0002.JPG"] and index.get(after["DSC_0002.JPG"]).label is None
    gone = index.get(before["DSC_0002.JPG"])
    assert gone.missing and gone.label == "Petra"
    again = scan(index, [rome])
    assert (again.new, again.changed, again.moved, again.missing) == (0, 0, 0, 0)
    write_jpeg(rome / "Petra.JPG", color=COLOURS[2], size=(34, 24))  # the very picture DSC_0002 was
    assert scan(index, [rome]).moved == 1  # the lost picture found again under another name
    assert index.get(before["DSC_0002.JPG"]).label == "Petra" and not index.get(before["DSC_0002.JPG"]).missing


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

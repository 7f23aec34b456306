"""A card formatted and shot on: the camera numbers from the start again, so a name the
index knows (DSC_0001.JPG) holds another frame, taken on another day or with another camera.
That is a new photo to tag, the old one missing with its labels (of a RAW+JPEG pair, the JPEG
leaves and the RAW keeps them); an edit in place (same capture time, one corrected by whole
hours, or a rotate saved with a clock fixed for a time zone and drift: within 26 hours) stays
the same photo, and so does a file with no date to compare."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.photo_info import PhotoInfo, read_photo_info
from app.core.metadata import plan_writes, undo_last_write, write_labels
from app.core.metadata.plan import WriteOptions
from app.core.scanner import scan
from tests.test_index_support import write_jpeg

FIRST = {"DSC_0001.JPG": ((200, 10, 10), "2020:11:03 14:05:01"), "DSC_0002.JPG": ((10, 200, 10), "2020:11:03 14:05:02")}


@pytest.fixture
def card(tmp_path):
    """A card with two frames, scanned and both labelled Colosseum."""
    folder = tmp_path / "card" / "DCIM" / "100NIKON"
    for name, (colour, taken) in FIRST.items():
        write_jpeg(folder / name, color=colour, size=(40, 30), taken=taken)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        for record in index.search(""):
            index.set_label(record.id, "Colosseum")
        yield index, folder


def test_a_name_reused_by_a_frame_taken_at_another_time_is_a_new_photo_and_the_old_keeps_its_labels(card) -> None:
    index, folder = card
    for number, name in enumerate(FIRST, start=1):
        write_jpeg(folder / name, color=(10, 10, 20 * number), size=(40, 30), taken=f"2020:11:05 09:12:2{number}")

    summary = scan(index, [folder])

    assert (summary.new, summary.changed, summary.missing, summary.other_frames) == (2, 0, 2, 2)
    assert ("2 files now hold other photos (taken at other times): their old labels stay with the old photos, "
            "now missing") in summary.line()
    present = index.search("")
    assert sorted(Path(r.path).name for r in present) == sorted(FIRST)
    assert [r.label for r in present] == [None, None]  # to tag: nothing of Colosseum written into them
    missing = index.search("is:missing")
    assert sorted((Path(r.path).name, r.label) for r in missing) == [(name, "Colosseum") for name in sorted(FIRST)]
    assert plan_writes(index, "", False, WriteOptions()) == []  # no landmark to write into the new frames
    again = scan(index, [folder])
    assert (again.new, again.changed, again.missing, again.other_frames) == (0, 0, 0, 0)


def test_a_name_reused_while_the_card_was_away_a_scan_long_is_a_new_photo_too(card, tmp_path) -> None:
    """The card unplugged (a scan marks its photos missing), formatted and shot on, then
    back: the frame at a known name is no more the missing photo than at a card never
    seen missing; the frame left as it was is found again with its label."""
    index, folder = card
    away = tmp_path / "away"
    shutil.move(str(folder), str(away))
    assert scan(index, [folder.parent]).missing == 2
    write_jpeg(away / "DSC_0001.JPG", color=(10, 10, 20), size=(40, 30), taken="2020:11:05 09:12:21")
    shutil.move(str(away), str(folder))

    summary = scan(index, [folder.parent])

    assert (summary.new, summary.missing, summary.other_frames) == (1, 0, 1)
    assert sorted((Path(r.path).name, r.label) for r in index.search("")) == [
        ("DSC_0001.JPG", None), ("DSC_0002.JPG", "Colosseum")]
    assert [(Path(r.path).name, r.label) for r in index.search("is:missing")] == [("DSC_0001.JPG", "Colosseum")]
    assert plan_writes(index, "DSC_0001", False, WriteOptions()) == []


def test_a_name_reused_by_another_camera_is_a_new_photo_whatever_the_time(card) -> None:
    index, folder = card
    write_jpeg(folder / "DSC_0001.JPG", color=(10, 10, 20), size=(40, 30), taken="2020:11:03 14:09:40",
               model="NIKON Z 6")

    summary = scan(index, [folder])

    assert (summary.new, summary.missing, summary.other_frames) == (1, 1, 1)
    assert [(Path(r.path).name, r.label) for r in index.search("is:missing")] == [("DSC_0001.JPG", "Colosseum")]


@pytest.mark.parametrize("taken", ["2020:11:04 17:12:21", "2020:11:05 14:09:40"],
                         ids=["the next day, 27 h later", "two days later"])
def test_a_name_reused_by_the_same_camera_a_day_or_more_later_is_a_new_photo(card, taken) -> None:
    """One camera, a capture time beyond any time zone fix with drift (26 h): another frame."""
    index, folder = card
    write_jpeg(folder / "DSC_0001.JPG", color=(10, 10, 20), size=(40, 30), taken=taken)

    summary = scan(index, [folder])

    assert (summary.new, summary.missing, summary.other_frames) == (1, 1, 1)
    assert [(Path(r.path).name, r.label) for r in index.search("is:missing")] == [("DSC_0001.JPG", "Colosseum")]


@pytest.mark.parametrize(("taken", "size"), [
    ("2020:11:03 14:05:01", (40, 30)), ("2020:11:03 15:05:01", (40, 30)), (None, (40, 30)),
    ("2020:11:03 14:07:38", (30, 40)), ("2020:11:03 20:07:01", (30, 40)), ("2020:11:04 16:03:01", (30, 40))],
    ids=["same time", "time zone corrected", "no date", "rotated, clock fixed",
         "rotated, time zone and drift fixed", "rotated, across the date line and drift fixed"])
def test_an_edit_in_place_or_a_file_without_a_date_stays_the_same_photo(card, taken, size) -> None:
    """The picture re-encoded (its print differs), the capture time kept, shifted by whole
    hours, or not there to compare: the photo keeps its name and label, as before. So does
    one rotated and its camera clock fixed by +2 min 37 s in the same editing session, or
    fixed for a trip's time zone plus the camera's drift (+6 h 02 min, +25 h 58 min)."""
    index, folder = card
    write_jpeg(folder / "DSC_0001.JPG", color=(90, 90, 90), size=size, taken=taken)

    summary = scan(index, [folder])

    assert (summary.new, summary.changed, summary.missing, summary.other_frames) == (0, 1, 0, 0)
    assert sorted(r.label for r in index.search("")) == ["Colosseum", "Colosseum"]
    assert "other photos" not in summary.line()


def test_undo_of_a_write_never_writes_into_the_new_frame_at_the_name(card) -> None:
    """Colosseum written into DSC_0001.JPG, then the card formatted and shot on: the undo
    finds another picture at the name and leaves it as it is, before and after a scan."""
    index, folder = card
    assert write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions()).written == 2
    write_jpeg(folder / "DSC_0001.JPG", color=(10, 10, 20), size=(40, 30), taken="2020:11:05 09:12:21")
    new_frame = (folder / "DSC_0001.JPG").read_bytes()

    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (1, 1), undone.errors
    assert "DSC_0001.JPG now holds another picture" in undone.errors[0][1]
    assert (folder / "DSC_0001.JPG").read_bytes() == new_frame
    summary = scan(index, [folder])
    assert (summary.new, summary.missing, summary.other_frames) == (1, 1, 1)
    undone = undo_last_write(index)
    assert undone.written == 0
    assert (folder / "DSC_0001.JPG").read_bytes() == new_frame


def _d850_pair(monkeypatch, folder: Path) -> None:
    """DSC_0001.JPG and DSC_0001.NEF of one frame (2020-11-03 14:05:01) in `folder`; a scan
    reads any .NEF as a NIKON D850 RAW, as the NEF stand-in is no real RAW file."""
    import app.core.scan_folder_sync as scan_folder_sync

    nef = PhotoInfo(kind="raw", width=6000, height=4000, taken_at="2020-11-03T14:05:01",
                    camera_make="NIKON CORPORATION", camera_model="NIKON D850")
    monkeypatch.setattr(scan_folder_sync, "read_photo_info",
                        lambda path: nef if str(path).lower().endswith(".nef") else read_photo_info(path))
    write_jpeg(folder / "DSC_0001.JPG", color=(200, 10, 10), taken="2020:11:03 14:05:01")
    (folder / "DSC_0001.NEF").write_bytes(b"\x01" * 5000)


def test_a_pairs_jpeg_replaced_by_another_frame_leaves_the_pair_and_the_raw_keeps_the_label(
        tmp_path, monkeypatch) -> None:
    """DSC_0001.JPG+NEF labelled Colosseum; the JPEG alone replaced by another frame of
    another day (a JPEG-only card's, numbering restarted): it is a new photo, and nothing
    of Colosseum goes into it; the unchanged RAW keeps the label."""
    folder = tmp_path / "Trip"
    _d850_pair(monkeypatch, folder)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        [pair] = index.search("")
        index.set_label(pair.id, "Colosseum")
        write_jpeg(folder / "DSC_0001.JPG", color=(10, 10, 200), taken="2020:11:05 09:12:21")

        summary = scan(index, [folder])

        kept = index.get(pair.id)
        assert kept.label == "Colosseum" and [Path(f).name for f in kept.files] == ["DSC_0001.NEF"]
        [jpeg] = [r for r in index.search("") if r.id != pair.id]
        assert jpeg.label is None and [Path(f).name for f in jpeg.files] == ["DSC_0001.JPG"]
        assert index.search("is:missing") == []
        assert any("DSC_0001.JPG left DSC_0001.NEF's photo: another frame" in note
                   for note in summary.split_notes), summary.split_notes
        assert [p.target.name for p in plan_writes(index, "", False, WriteOptions())] == ["DSC_0001.NEF.xmp"]


def test_a_pairs_jpeg_replaced_while_the_card_was_away_leaves_the_pair_and_the_raw_keeps_the_label(
        tmp_path, monkeypatch) -> None:
    """As above, the pair's folder seen missing by a scan in between: the RAW back as it was
    keeps the photo and its label, the JPEG holding another frame is a new photo."""
    library, away = tmp_path / "lib", tmp_path / "away"
    folder = library / "Trip"
    _d850_pair(monkeypatch, folder)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [library])
        [pair] = index.search("")
        index.set_label(pair.id, "Colosseum")
        shutil.move(str(folder), str(away))
        assert scan(index, [library]).missing == 1
        write_jpeg(away / "DSC_0001.JPG", color=(10, 10, 200), taken="2020:11:05 09:12:21")
        shutil.move(str(away), str(folder))

        scan(index, [library])

        kept = index.get(pair.id)
        assert kept.label == "Colosseum" and [Path(f).name for f in kept.files] == ["DSC_0001.NEF"]
        [jpeg] = [r for r in index.search("") if r.id != pair.id]
        assert jpeg.label is None and [Path(f).name for f in jpeg.files] == ["DSC_0001.JPG"]
        assert index.search("is:missing") == []


def test_a_photo_dated_only_by_its_modify_date_and_edited_days_later_stays_the_same_photo(tmp_path) -> None:
    """A scan or an export without DateTimeOriginal: its only date is the ModifyDate, which
    the editor moves on each save. Its colours fixed three days later, it keeps its name
    and label (a ModifyDate is no capture time to tell frames apart by)."""
    import io

    import piexif
    from PIL import Image

    def modify_dated(path: Path, colour: tuple[int, int, int], modified: str) -> None:
        exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"NIKON CORPORATION", piexif.ImageIFD.Model: b"NIKON D850",
                                    piexif.ImageIFD.DateTime: modified.encode()}, "Exif": {}, "GPS": {}, "1st": {},
                            "thumbnail": None})
        out = io.BytesIO()
        Image.new("RGB", (40, 30), colour).save(out, "JPEG", exif=exif, quality=80)
        path.write_bytes(out.getvalue())

    folder = tmp_path / "Scans"
    folder.mkdir()
    modify_dated(folder / "scan_001.jpg", (200, 10, 10), "2020:11:03 14:05:01")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        [photo] = index.search("")
        index.set_label(photo.id, "Colosseum")
        modify_dated(folder / "scan_001.jpg", (150, 60, 30), "2020:11:06 10:12:07")  # its colours fixed
        assert read_photo_info(folder / "scan_001.jpg").dated_by_modify_date

        summary = scan(index, [folder])

        assert (summary.new, summary.changed, summary.missing, summary.other_frames) == (0, 1, 0, 0)
        assert [(r.id, r.label) for r in index.search("")] == [(photo.id, "Colosseum")]


def test_a_capture_time_corrected_in_the_metadata_alone_stays_the_same_photo(card) -> None:
    """The camera's date set a year wrong (and 2 min 37 s adrift), DateTimeOriginal corrected
    with exiftool, the picture untouched: the same picture print is the same frame, however
    far the time moved."""
    index, folder = card
    colour, _ = FIRST["DSC_0001.JPG"]
    write_jpeg(folder / "DSC_0001.JPG", color=colour, size=(40, 30), taken="2021:11:03 14:07:38")

    summary = scan(index, [folder])

    assert (summary.new, summary.changed, summary.missing, summary.other_frames) == (0, 1, 0, 0)
    assert sorted(r.label for r in index.search("")) == ["Colosseum", "Colosseum"]

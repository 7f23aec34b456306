"""A JPEG-only frame renumbered over a RAW+JPEG pair's JPEG joined the pair (review13 F3
of 4e50801): DSC_0001.JPG+NEF labelled Colosseum, DSC_0002.JPG (no RAW, a later frame of
the same camera) labelled Petra; `rm DSC_0001.JPG; mv DSC_0002.JPG DSC_0001.JPG` kept
DSC_0001.JPG in the Colosseum photo and `write` put "Colosseum" into the Petra picture.
Its own EXIF names another moment than the RAW's header: not the RAW's partner, it
leaves. An edit without EXIF moved over the JPEG it was made from stays
(tests/test_renumbered_pair_put_back.py)."""

from __future__ import annotations

from pathlib import Path

from app.core.photo_info import PhotoInfo, read_photo_info
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_renumbering_support import COLOURS, index, rename_all  # noqa: F401 (index: a fixture)


def ids_by_name(index) -> dict[str, int]:
    """Each present file's photo, by file name."""
    return dict(index.conn.execute("SELECT name, photo_id FROM files WHERE missing = 0").fetchall())


def _nef_read_as(monkeypatch, info: PhotoInfo) -> None:
    import app.core.scan_folder_sync as scan_folder_sync

    def read(path):  # the NEF stand-in is no real RAW file: its header as given
        return info if str(path).lower().endswith(".nef") else read_photo_info(path)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", read)


def _renumber_a_jpeg_only_frame_over_the_pair(trip: Path, index) -> tuple[dict[str, int], object]:
    write_jpeg(trip / "DSC_0001.JPG", color=COLOURS[1], taken="2020:11:03 14:05:01")
    (trip / "DSC_0001.NEF").write_bytes(b"\x01" * 5000)
    write_jpeg(trip / "DSC_0002.JPG", color=COLOURS[2], taken="2020:11:03 14:07:30")  # JPEG only
    scan(index, [trip])
    before = ids_by_name(index)
    assert before["DSC_0001.JPG"] == before["DSC_0001.NEF"] != before["DSC_0002.JPG"]
    index.set_label(before["DSC_0001.JPG"], "Colosseum")
    index.set_label(before["DSC_0002.JPG"], "Petra")
    (trip / "DSC_0001.JPG").unlink()
    rename_all(trip, [("DSC_0002.JPG", "DSC_0001.JPG")])
    return before, scan(index, [trip])


def test_a_jpeg_only_frame_renumbered_over_a_pairs_jpeg_leaves_the_pair(tmp_path, index, monkeypatch) -> None:
    _nef_read_as(monkeypatch, PhotoInfo(kind="raw", width=6000, height=4000, taken_at="2020-11-03T14:05:01",
                                        camera_make="NIKON CORPORATION", camera_model="NIKON D850"))
    trip = tmp_path / "Trip"
    before, summary = _renumber_a_jpeg_only_frame_over_the_pair(trip, index)

    kept = index.get(before["DSC_0001.NEF"])
    assert kept.label == "Colosseum" and [Path(f).name for f in kept.files] == ["DSC_0001.NEF"]
    jpeg = index.get(ids_by_name(index)["DSC_0001.JPG"])
    assert jpeg.label == "Petra" and jpeg.id != kept.id, (jpeg, summary.split_notes)
    assert index.search("is:missing") == []
    assert any("DSC_0001.JPG left DSC_0001.NEF's photo" in note for note in summary.split_notes), summary.split_notes


def test_with_the_raw_header_unread_the_jpeg_stays_as_before(tmp_path, index, monkeypatch) -> None:
    _nef_read_as(monkeypatch, PhotoInfo(kind="raw", width=6000, height=4000))  # no date, no camera
    trip = tmp_path / "Trip"
    before, summary = _renumber_a_jpeg_only_frame_over_the_pair(trip, index)

    assert ids_by_name(index)["DSC_0001.JPG"] == before["DSC_0001.NEF"]
    assert not any("left DSC_0001.NEF's photo" in note for note in summary.split_notes)

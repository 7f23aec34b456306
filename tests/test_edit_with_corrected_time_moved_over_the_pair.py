"""review16 F3 (a regression of 191027b): an edit of a RAW+JPEG pair's JPEG whose capture
time was corrected in the edit alone (+1 h, as Lightroom's Edit Capture Time does without
"write XMP", or `exiftool -AllDates+=1` on the JPEGs), saved beside as DSC_0001-edit.jpg
and moved back over DSC_0001.JPG, left the pair ("DSC_0001.JPG left DSC_0001.NEF's
photo"), so `write` no longer put the pair's "Colosseum" into it. A time apart alone does
not split an edit named after the RAW; another camera does, and so does a time apart in a
file renumbered from another frame's name (tests/test_jpeg_only_frame_renumbered_over_a_pair.py)."""

from __future__ import annotations

import pytest

from app.core.photo_info import PhotoInfo, read_photo_info
from tests.test_index_support import write_jpeg
from tests.test_renumbered_pair_put_back import labelled_pair, labels, run


def _nef_header(monkeypatch) -> None:
    import app.core.scan_folder_sync as scan_folder_sync

    def read(path):  # the NEF stand-in's header: the moment and camera the camera's JPEG records
        if str(path).lower().endswith(".nef"):
            return PhotoInfo(kind="raw", width=6000, height=4000, taken_at="2020-11-03T14:05:01",
                             camera_make="NIKON CORPORATION", camera_model="NIKON D850")
        return read_photo_info(path)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", read)


def _edit_moved_over(tmp_path, capsys, monkeypatch, edit_name: str, **fields) -> tuple[str, str, object]:
    _nef_header(monkeypatch)
    lib, db = labelled_pair(tmp_path, capsys)
    edit = lib / "Trip" / edit_name
    write_jpeg(edit, color=(7, 8, 9), **fields)
    run(capsys, db, "scan", str(lib))
    edit.replace(lib / "Trip" / "DSC_0001.JPG")
    said = run(capsys, db, "scan", str(lib))
    run(capsys, db, "write")
    return said, db, lib


@pytest.mark.parametrize("edit_name", ["DSC_0001-edit.jpg", "DSC_0001 copy.jpg", "dsc_0001_Edit.JPG"])
def test_an_edit_with_its_capture_time_corrected_stays_in_the_pair_when_moved_over(
        tmp_path, capsys, monkeypatch, edit_name) -> None:
    said, db, lib = _edit_moved_over(tmp_path, capsys, monkeypatch, edit_name, taken="2020:11:03 15:05:01")

    assert "left" not in said
    assert labels(capsys, db) == {"Trip/DSC_0001.JPG": "Colosseum"}
    assert b"Colosseum" in (lib / "Trip" / "DSC_0001.JPG").read_bytes()


def test_an_edit_naming_another_camera_moved_over_leaves_the_pair(tmp_path, capsys, monkeypatch) -> None:
    said, db, lib = _edit_moved_over(tmp_path, capsys, monkeypatch, "DSC_0001-edit.jpg",
                                     taken="2020:11:03 14:05:01", make="Canon", model="Canon EOS R5")

    assert "DSC_0001.JPG left DSC_0001.NEF's photo" in said
    assert labels(capsys, db)["Trip/DSC_0001.JPG"] != "Colosseum"

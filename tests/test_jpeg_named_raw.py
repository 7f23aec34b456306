"""A JPEG picture under a RAW name (a renaming or recovery tool's DSC_0001.NEF) is read by
its content: the scan finds its date and camera, tagging decodes it as the JPEG it is,
and its label goes into a sidecar, so the file itself is never rewritten."""

import pytest

from app.core.decode import decode_for_model
from app.core.errors import PhotoReadError
from app.core.photo_info import read_photo_info
from app.core.scanner import scan
from app.core.thumbnails import make_thumbnail
from tests.test_metadata_support import index, make_jpeg, write_all  # noqa: F401 (index: a fixture)


def test_read_decoded_and_shown_as_the_jpeg_it_is(tmp_path):
    photo = make_jpeg(tmp_path / "DSC_0001.NEF")
    info = read_photo_info(photo)
    assert (info.kind, info.taken_at[:10], info.camera_model, info.width) == ("raw", "2020-11-05", "NIKON D90", 96)
    assert decode_for_model(photo, 32).mode == "RGB"
    assert max(make_thumbnail(photo, 48).size) == 48


def test_its_label_goes_into_a_sidecar(tmp_path, index):  # noqa: F811
    photo = make_jpeg(tmp_path / "DSC_0001.NEF")
    before = photo.read_bytes()
    scan(index, [tmp_path])
    photo_id = index.conn.execute("SELECT id FROM photos").fetchone()[0]
    index.set_label(photo_id, "Petra", source="user", state="accepted")
    write_all(index)
    assert photo.read_bytes() == before
    assert b"Petra" in (tmp_path / "DSC_0001.NEF.xmp").read_bytes()


def test_a_cut_jpeg_under_a_raw_name_says_what_it_is(tmp_path):
    photo = make_jpeg(tmp_path / "DSC_0002.NEF")
    photo.write_bytes(photo.read_bytes()[:300])
    with pytest.raises(PhotoReadError, match="a JPEG picture with a RAW name, and truncated or corrupt JPEG"):
        read_photo_info(photo)

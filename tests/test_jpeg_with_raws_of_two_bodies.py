"""A JPEG and two RAW files of one name from two bodies (DSC_0001.JPG and DSC_0001.CR2
of one camera, DSC_0001.CR3 of another) are not one photo: the JPEG pairs with the RAW
that is its picture, or stands alone, and each other body's RAW is a photo of its own,
its label written for it alone (pairing._paired_raw_keys)."""

from __future__ import annotations

from pathlib import Path

from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_metadata_support import make_jpeg
from tests.test_raw_pictures_of_one_name import files_by_photo, keywords, photo_of, raw, write

D90 = dict(make="NIKON CORPORATION", model="NIKON D90", taken="2020:11:05 10:11:12")  # make_jpeg's EXIF
R5 = dict(make="Canon", model="Canon EOS R5", taken="2023:06:01 10:00:00")
R6 = dict(make="Canon", model="Canon EOS R6", taken="2023:06:01 10:00:05")


def test_the_jpeg_pairs_with_its_own_raw_and_the_other_bodys_raw_is_a_photo_with_its_own_label(tmp_path) -> None:
    folder = tmp_path / "trip"
    raw(folder / "DSC_0001.CR2", **D90)
    raw(folder / "DSC_0001.CR3", **R5)
    make_jpeg(folder / "DSC_0001.JPG")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert (scan(index, [folder]).photos) == 2
        assert files_by_photo(index) == [["DSC_0001.CR2", "DSC_0001.JPG"], ["DSC_0001.CR3"]]
        assert index.count("camera:r5") == 1
        index.set_label(photo_of(index, folder / "DSC_0001.CR3").id, "Colosseum")
        assert write(index).written == 1
        assert scan(index, [folder]).line().startswith("2 photos, 0 new, 0 changed")
    assert keywords(folder / "DSC_0001.CR3.xmp") == ["Landmarks|Colosseum"]
    assert not (folder / "DSC_0001.CR2.xmp").exists()  # the JPEG's picture gets no other body's label
    with PhotoIndex.open(tmp_path / "anew.db") as index:  # a new index reads the label back for the CR3 only
        scan(index, [folder])
        assert photo_of(index, folder / "DSC_0001.CR3").label == "Colosseum"
        assert photo_of(index, folder / "DSC_0001.JPG").label is None


def test_a_jpeg_that_is_neither_raws_picture_stands_alone(tmp_path) -> None:
    folder = tmp_path / "trip"
    make_jpeg(folder.mkdir() or folder / "DSC_0001.JPG", exif=False)
    raw(folder / "DSC_0001.CR2", **R5)
    raw(folder / "DSC_0001.CR3", **R6)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert scan(index, [folder]).photos == 3
        assert files_by_photo(index) == [["DSC_0001.CR2"], ["DSC_0001.CR3"], ["DSC_0001.JPG"]]


def test_a_jpeg_with_its_one_raw_and_a_dng_of_it_stay_one_photo(tmp_path) -> None:
    folder = tmp_path / "trip"
    make_jpeg(folder.mkdir() or folder / "DSC_0001.JPG", exif=False)  # no EXIF to compare: the pair is the camera's
    raw(folder / "DSC_0001.NEF", **D90)
    raw(folder / "DSC_0001.DNG", **dict(D90, make="Nikon", model="D90"))
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert scan(index, [folder]).photos == 1
        assert files_by_photo(index) == [["DSC_0001.DNG", "DSC_0001.JPG", "DSC_0001.NEF"]]


def test_another_bodys_raw_added_later_leaves_the_labelled_pair_as_it_is(tmp_path) -> None:
    folder = tmp_path / "trip"
    make_jpeg(folder.mkdir() or folder / "DSC_0001.JPG")
    raw(folder / "DSC_0001.NEF", **D90)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        index.set_label(photo_of(index, folder / "DSC_0001.JPG").id, "Petra")
        raw(folder / "DSC_0001.CR3", **R5)
        assert scan(index, [folder]).new == 1
        assert files_by_photo(index) == [["DSC_0001.CR3"], ["DSC_0001.JPG", "DSC_0001.NEF"]]
        assert photo_of(index, folder / "DSC_0001.NEF").label == "Petra"
        assert photo_of(index, folder / "DSC_0001.CR3").label is None

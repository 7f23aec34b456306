"""A sidecar "Optimize Mac Storage" evicted (only `.DSC_0100.NEF.xmp.icloud` there) is not
read by the scan (reading downloads it), so the label in it is not seen: the scan keeps
the photo and says its sidecar is in iCloud, and `write` starts no sidecar of either
naming beside the stand-in (that would fork the user's sidecar)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.scanner import scan
from tests.test_cloud_placeholders import download, evict
from tests.test_darktable_duplicates_labelled import DARKTABLE_VERSION
from tests.test_metadata_support import make_jpeg
from tests.test_raw_pictures_of_one_name import D850, raw, write

D90 = dict(make="NIKON CORPORATION", model="NIKON D90", taken="2020:11:05 10:11:12")  # make_jpeg's EXIF


def labelled_raw_with_its_sidecar_evicted(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    raw(folder / "DSC_0100.NEF", **D850)
    with PhotoIndex.open(tmp_path / "first.db") as index:
        scan(index, [folder])
        index.set_label(index.search("")[0].id, "Colosseum")
        assert write(index).written == 1
    evict(folder / "DSC_0100.NEF.xmp", tmp_path / "kept.xmp")
    return folder


def _pair_written_with_colosseum(index: PhotoIndex, folder: Path) -> int:
    """DSC_0001.JPG and its NEF made in `folder` and scanned as one photo (its id), labelled
    "Colosseum" and written into both files."""
    make_jpeg(folder.mkdir() or folder / "DSC_0001.JPG")
    raw(folder / "DSC_0001.NEF", **D90)
    scan(index, [folder])
    photo = index.search("")[0].id
    index.set_label(photo, "Colosseum")
    assert write(index).written == 2
    return photo


def test_a_new_index_keeps_the_photo_and_says_its_sidecar_is_in_icloud(tmp_path) -> None:
    folder = labelled_raw_with_its_sidecar_evicted(tmp_path)
    with PhotoIndex.open(tmp_path / "anew.db") as index:
        summary = scan(index, [folder])
        assert summary.photos == 1
        assert summary.sidecars_in_icloud == [str(folder / "DSC_0100.NEF.xmp")]
        assert "1 sidecar in iCloud, not downloaded (DSC_0100.NEF.xmp)" in summary.line()
        assert summary.to_json()["sidecars_in_icloud"] == [str(folder / "DSC_0100.NEF.xmp")]
        assert "sidecar" not in scan(index, [folder]).line()  # said when the photo was read


def test_write_starts_no_sidecar_of_either_naming_beside_the_stand_in(tmp_path) -> None:
    folder = labelled_raw_with_its_sidecar_evicted(tmp_path)
    with PhotoIndex.open(tmp_path / "anew.db") as index:
        scan(index, [folder])
        index.set_label(index.search("")[0].id, "Petra")
        for naming in ("ext", "stem"):
            options = WriteOptions(sidecar_naming=naming)
            [planned] = plan_writes(index, "", False, options)
            assert planned.problem == ("its sidecar DSC_0100.NEF.xmp is in iCloud, not downloaded; "
                                       "download it in Finder first")
            assert write_labels(index, plan_writes(index, "", False, options), options).written == 0
    assert sorted(os.listdir(folder)) == [".DSC_0100.NEF.xmp.icloud", "DSC_0100.NEF"]


def test_write_leaves_a_pair_whose_raws_sidecar_is_in_icloud_alone_as_a_whole(tmp_path) -> None:
    """The scan says `write` leaves the photo alone: its JPEG is not written either, or
    the pair's files would name two places (the JPEG Petra, the NEF's sidecar Colosseum)."""
    folder = tmp_path / "lib"
    with PhotoIndex.open(tmp_path / "first.db") as index:
        _pair_written_with_colosseum(index, folder)
    evict(folder / "DSC_0001.NEF.xmp", tmp_path / "kept.xmp")
    jpeg_before = (folder / "DSC_0001.JPG").read_bytes()
    with PhotoIndex.open(tmp_path / "anew.db") as index:
        assert "`write` leaves its photo alone until downloaded" in scan(index, [folder]).line()
        index.set_label(index.search("")[0].id, "Petra")
        plan = {item.target.name: item.problem for item in plan_writes(index, "", False, WriteOptions())}
        in_icloud = "sidecar DSC_0001.NEF.xmp is in iCloud, not downloaded; download it in Finder first"
        assert plan == {"DSC_0001.JPG": f"its photo's {in_icloud}", "DSC_0001.NEF.xmp": f"its {in_icloud}"}
        assert write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions()).written == 0
    assert (folder / "DSC_0001.JPG").read_bytes() == jpeg_before


@pytest.mark.parametrize("naming", ["ext", "stem"])
def test_write_leaves_a_jpeg_alone_whose_own_sidecar_is_in_icloud(tmp_path, naming) -> None:
    """A JPEG's own sidecar (DSC_0001.JPG.xmp from a `--no-jpeg` write, DSC_0001.xmp as
    Lightroom writes) evicted is no target of the next write, yet embedding the new label
    in the JPEG would leave the sidecar naming the old place: the photo is left alone."""
    folder = tmp_path / "lib"
    make_jpeg(folder.mkdir() or folder / "DSC_0001.JPG")
    sidecar_only = WriteOptions(write_into_jpeg=False, sidecar_naming=naming)
    with PhotoIndex.open(tmp_path / "first.db") as index:
        scan(index, [folder])
        index.set_label(index.search("")[0].id, "Colosseum")
        assert write_labels(index, plan_writes(index, "", False, sidecar_only), sidecar_only).written == 1
    [sidecar] = folder.glob("*.xmp")
    evict(sidecar, tmp_path / "kept.xmp")
    jpeg_before = (folder / "DSC_0001.JPG").read_bytes()
    with PhotoIndex.open(tmp_path / "anew.db") as index:
        assert "`write` leaves its photo alone until downloaded" in scan(index, [folder]).line()
        index.set_label(index.search("")[0].id, "Petra")
        [planned] = plan_writes(index, "", False, WriteOptions())
        assert planned.problem == (f"its photo's sidecar {sidecar.name} is in iCloud, not downloaded; "
                                   "download it in Finder first")
        assert write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions()).written == 0
    assert (folder / "DSC_0001.JPG").read_bytes() == jpeg_before


def test_undo_leaves_a_pair_whose_raws_sidecar_is_in_icloud_alone_until_downloaded(tmp_path) -> None:
    """Undo restored the pair's JPEG (Colosseum again) and not the evicted NEF sidecar
    (Petra): the photo's files named two places. Now neither is touched, the batch stays
    open, and once downloaded the next undo restores both."""
    folder = tmp_path / "lib"
    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo = _pair_written_with_colosseum(index, folder)
        colosseum = {name: (folder / name).read_bytes() for name in ("DSC_0001.JPG", "DSC_0001.NEF.xmp")}
        index.set_label(photo, "Petra")
        assert write(index).written == 2
        jpeg_petra = (folder / "DSC_0001.JPG").read_bytes()
        evict(folder / "DSC_0001.NEF.xmp", tmp_path / "kept.xmp")
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (0, 2)
        assert (folder / "DSC_0001.JPG").read_bytes() == jpeg_petra
        assert dict(undone.errors)[str(folder / "DSC_0001.JPG")].endswith(
            "left as it is with its photo's sidecar DSC_0001.NEF.xmp, which is in iCloud, not downloaded; "
            "download it in Finder first")
        assert "1 file left as it is with a file of the same photo that is in the cloud" in undone.next_step
        assert "that does not close this batch" in undone.next_step
        download(folder / "DSC_0001.NEF.xmp", tmp_path / "kept.xmp")
        undone = undo_last_write(index)
        assert (undone.batch_id, undone.written, undone.failed) == (2, 2, 0)
    assert {name: (folder / name).read_bytes() for name in colosseum} == colosseum


@pytest.mark.parametrize("files", [("DSC_0001.JPG", "DSC_0001.NEF"), ("DSC_0001.NEF",)])
def test_write_leaves_a_photo_alone_whose_darktable_duplicates_sidecar_is_in_icloud(tmp_path, files) -> None:
    """darktable's duplicate DSC_0001_01.NEF.xmp gets each write's label too: evicted, it
    cannot be read nor written, and writing the photo's other files alone left them naming
    the new place and the duplicate, once downloaded, the old. Only its stand-in is there
    (its DerivedFrom unread): the photo waits, whole, until it is downloaded."""
    folder = tmp_path / "lib"
    folder.mkdir()
    if "DSC_0001.JPG" in files:
        make_jpeg(folder / "DSC_0001.JPG")
    raw(folder / "DSC_0001.NEF", **D90)
    (folder / "DSC_0001_01.NEF.xmp").write_text(DARKTABLE_VERSION.format(original="DSC_0001.NEF", version="bw"))
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        photo = index.search("")[0].id
        index.set_label(photo, "Colosseum")
        assert write(index).written == len(files) + 1
        evict(folder / "DSC_0001_01.NEF.xmp", tmp_path / "kept.xmp")
        before = {name: (folder / name).read_bytes() for name in os.listdir(folder)}
        index.set_label(photo, "Petra")
        plan = {item.target.name: item.problem for item in plan_writes(index, "", False, WriteOptions())}
        in_icloud = "sidecar DSC_0001_01.NEF.xmp is in iCloud, not downloaded; download it in Finder first"
        assert plan == {**{name: f"its photo's {in_icloud}" for name in ("DSC_0001.JPG", "DSC_0001.NEF.xmp")
                           if name[:8] + ".JPG" in files or name.endswith(".xmp")},
                        "DSC_0001_01.NEF.xmp": f"its {in_icloud}"}
        assert write(index).written == 0
        assert {name: (folder / name).read_bytes() for name in os.listdir(folder)} == before
        download(folder / "DSC_0001_01.NEF.xmp", tmp_path / "kept.xmp")
        assert write(index).written == len(files) + 1
    petra = [name for name in os.listdir(folder) if name != "DSC_0001.NEF"
             and b"Landmarks|Petra" in (folder / name).read_bytes()]
    assert sorted(petra) == sorted(["DSC_0001.NEF.xmp", "DSC_0001_01.NEF.xmp", *files[:-1]])


def test_write_leaves_a_pair_alone_whose_jpeg_is_in_icloud(tmp_path) -> None:
    """The pair's JPEG evicted cannot be written: its RAW's sidecar is not written either,
    or the two would name two places (as undo leaves such a photo whole)."""
    folder = tmp_path / "lib"
    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo = _pair_written_with_colosseum(index, folder)
        evict(folder / "DSC_0001.JPG", tmp_path / "kept.jpg")
        sidecar_before = (folder / "DSC_0001.NEF.xmp").read_bytes()
        index.set_label(photo, "Petra")
        plan = {item.target.name: item.problem for item in plan_writes(index, "", False, WriteOptions())}
        in_icloud = "in iCloud, not downloaded; download it in Finder first"
        assert plan == {"DSC_0001.JPG": in_icloud, "DSC_0001.NEF.xmp": f"its photo's file DSC_0001.JPG is {in_icloud}"}
        assert write(index).written == 0
        assert (folder / "DSC_0001.NEF.xmp").read_bytes() == sidecar_before
        download(folder / "DSC_0001.JPG", tmp_path / "kept.jpg")
        assert write(index).written == 2
    assert b"Landmarks|Petra" in (folder / "DSC_0001.NEF.xmp").read_bytes()

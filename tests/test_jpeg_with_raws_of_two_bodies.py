"""A JPEG and two RAW files of one name from two bodies (DSC_0001.JPG and DSC_0001.CR2
of one camera, DSC_0001.CR3 of another) are not one photo: the JPEG pairs with the RAW
that is its picture, or stands alone, and each other body's RAW is a photo of its own,
its label written for it alone (pairing._paired_raw_keys)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.index.migrations_latest import migration_41
from app.core.metadata.plan import WriteOptions, plan_writes
from app.core.scanner import scan
from tests.test_metadata_support import make_jpeg
from tests.test_raw_pictures_of_one_name import (files_by_photo, keywords, merged_like_an_older_version, photo_of,
                                                 raw, write)

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


def _arrivals(files: list[str]) -> list[list[list[str]]]:
    """Every order the files can reach the index in: each order of them, split into
    successive scans in every way (all together, two then one, one by one...)."""
    orders: dict[tuple[frozenset[str], ...], list[list[str]]] = {}
    for order in itertools.permutations(files):
        for cuts in itertools.product([False, True], repeat=len(files) - 1):
            scans = [[order[0]]]
            for name, cut in zip(order[1:], cuts):
                scans.append([name]) if cut else scans[-1].append(name)
            orders.setdefault(tuple(frozenset(names) for names in scans), scans)
    return list(orders.values())


def _arrive(index: PhotoIndex, folder: Path, arrival: list[list[str]], makers: dict) -> None:
    """Each scan of `arrival` in turn: its files made into `folder`, then scanned; the JPEG
    labelled "Petra" by the scan it arrives in."""
    for names in arrival:
        for name in names:
            makers[name](folder / name)
        scan(index, [folder])
        if "DSC_0001.JPG" in names:
            index.set_label(photo_of(index, folder / "DSC_0001.JPG").id, "Petra")


@pytest.mark.parametrize("arrival", _arrivals(["DSC_0001.JPG", "DSC_0001.NEF", "DSC_0001.CR3"]),
                         ids=lambda scans: " then ".join("+".join(s) for s in scans))
def test_the_same_files_make_the_same_photos_whatever_order_they_reach_the_index_in(tmp_path, arrival) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    makers = {"DSC_0001.JPG": lambda path: make_jpeg(path), "DSC_0001.NEF": lambda path: raw(path, **D90),
              "DSC_0001.CR3": lambda path: raw(path, **R5)}
    with PhotoIndex.open(tmp_path / "index.db") as index:
        _arrive(index, folder, arrival, makers)
        assert files_by_photo(index) == [["DSC_0001.CR3"], ["DSC_0001.JPG", "DSC_0001.NEF"]]
        assert index.count("camera:r5") == 1
        write(index)
    assert keywords(folder / "DSC_0001.NEF.xmp") == ["Landmarks|Petra"]
    assert not (folder / "DSC_0001.CR3.xmp").exists()  # another body's RAW gets no label of the JPEG's


def _merged_by_an_older_version_then_upgraded(index: PhotoIndex, folder: Path, first: str, then: str) -> None:
    """`first` scanned and labelled "Petra", `then` copied in and merged into its photo as a
    version before 49af29a did, and the label written into both files (as it wrote it);
    then the index upgraded past migration 41, as opening it with this version does."""
    makers = {"DSC_0001.JPG": lambda path: make_jpeg(path), "DSC_0001.CR3": lambda path: raw(path, **R5)}
    makers[first](folder / first)
    scan(index, [folder])
    index.set_label(photo_of(index, folder / first).id, "Petra")
    makers[then](folder / then)
    scan(index, [folder])
    merged_like_an_older_version(index, folder / first, folder / then)
    assert write(index).written == 2
    with index.transaction() as conn:
        migration_41(conn)


def test_a_jpeg_and_another_bodys_raw_an_older_version_merged_are_told_apart_and_its_nef_joins_the_jpeg(
        tmp_path) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        _merged_by_an_older_version_then_upgraded(index, folder, "DSC_0001.JPG", "DSC_0001.CR3")
        raw(folder / "DSC_0001.NEF", **D90)  # the JPEG's own RAW, copied in now
        assert ("DSC_0001.CR3 left DSC_0001.JPG's photo: another camera (Canon EOS R5, not Nikon D90); "
                'its label "Petra" stays with DSC_0001.JPG') in scan(index, [folder]).line()
        assert files_by_photo(index) == [["DSC_0001.CR3"], ["DSC_0001.JPG", "DSC_0001.NEF"]]
        assert photo_of(index, folder / "DSC_0001.JPG").label == "Petra"
        assert (photo_of(index, folder / "DSC_0001.CR3").label, index.count("camera:r5")) == (None, 1)
        assert (f'{folder / "DSC_0001.CR3.xmp"}: keywords "Petra" -> none (no label: our keyword was written for '
                "another photo this file was in then, which it has left; it comes out)") in [
            item.describe() for item in plan_writes(index, "", False, WriteOptions())]
        write(index)
        assert scan(index, [folder]).line().startswith("2 photos, 0 new, 0 changed")
    assert keywords(folder / "DSC_0001.NEF.xmp") == ["Landmarks|Petra"]
    assert not keywords(folder / "DSC_0001.CR3.xmp")  # the merged label comes out of the Canon's sidecar


def test_the_upgrade_leaves_the_label_with_the_raw_a_jpeg_of_another_body_was_merged_into(tmp_path) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        _merged_by_an_older_version_then_upgraded(index, folder, "DSC_0001.CR3", "DSC_0001.JPG")
        summary = scan(index, [folder])
        assert (summary.new, summary.changed) == (1, 1)
        assert summary.split_notes == ["DSC_0001.JPG left DSC_0001.CR3's photo: another camera (Nikon D90, not "
                                       'Canon EOS R5); its label "Petra" stays with DSC_0001.CR3']
        assert files_by_photo(index) == [["DSC_0001.CR3"], ["DSC_0001.JPG"]]
        assert photo_of(index, folder / "DSC_0001.CR3").label == "Petra"
        assert photo_of(index, folder / "DSC_0001.JPG").label is None


def test_the_upgrade_leaves_a_camera_s_own_raw_and_jpeg_one_photo(tmp_path) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    make_jpeg(folder / "DSC_0001.JPG")
    raw(folder / "DSC_0001.NEF", **D90)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        index.set_label(photo_of(index, folder / "DSC_0001.JPG").id, "Petra")
        with index.transaction() as conn:
            migration_41(conn)
        line = scan(index, [folder]).line()
        assert line.startswith("1 photo, 0 new, 0 changed")
        assert "; re-read 1 JPEG+RAW pair once after the upgrade, to tell apart the files of two camera models" in line
        assert files_by_photo(index) == [["DSC_0001.JPG", "DSC_0001.NEF"]]
        assert photo_of(index, folder / "DSC_0001.NEF").label == "Petra"
        assert "re-read" not in scan(index, [folder]).line()  # said once: the marks are gone


@pytest.mark.parametrize("arrival", _arrivals(["DSC_0001.JPG", "DSC_0001.NEF", "DSC_0001.CR3"]),
                         ids=lambda scans: " then ".join("+".join(s) for s in scans))
def test_a_jpeg_without_exif_beside_two_bodies_raws_stands_alone_whatever_order_they_reach_the_index_in(
        tmp_path, arrival) -> None:
    """Nothing in the JPEG says which RAW it was made from: it pairs with neither, and a
    label given to it goes into no RAW's sidecar (one paired with it before the other
    body's RAW came leaves its photo; the label stays with the JPEG)."""
    folder = tmp_path / "trip"
    folder.mkdir()
    makers = {"DSC_0001.JPG": lambda path: make_jpeg(path, exif=False), "DSC_0001.NEF": lambda path: raw(path, **D90),
              "DSC_0001.CR3": lambda path: raw(path, **R5)}
    with PhotoIndex.open(tmp_path / "index.db") as index:
        _arrive(index, folder, arrival, makers)
        assert files_by_photo(index) == [["DSC_0001.CR3"], ["DSC_0001.JPG"], ["DSC_0001.NEF"]]
        assert photo_of(index, folder / "DSC_0001.JPG").label == "Petra"
        assert (photo_of(index, folder / "DSC_0001.NEF").label, index.count("camera:r5")) == (None, 1)
        write(index)
    assert not (folder / "DSC_0001.CR3.xmp").exists()
    assert not (folder / "DSC_0001.NEF.xmp").exists()


# A capture time is something users correct; a camera body is not. Lightroom's "Edit
# Capture Time" writes the new time into the JPEG and into the RAW's sidecar, never into
# the RAW itself.
AN_HOUR_LATER = "2020:11:05 11:11:12"


def _edit_capture_time(jpeg: Path, taken: str = AN_HOUR_LATER) -> None:
    """The JPEG's own DateTimeOriginal rewritten (exiftool -AllDates+=1)."""
    import piexif

    exif = piexif.load(str(jpeg))
    exif["Exif"][piexif.ExifIFD.DateTimeOriginal] = taken.encode()
    piexif.insert(piexif.dump(exif), str(jpeg))


def _date_in_sidecar(sidecar: Path, taken: str = AN_HOUR_LATER) -> None:
    """exif:DateTimeOriginal put into a RAW's XMP sidecar, as Lightroom writes it there."""
    stamp = taken.replace(":", "-", 2).replace(" ", "T")
    attributes = f'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:DateTimeOriginal="{stamp}" rdf:about=""'
    if not sidecar.exists():
        sidecar.write_text('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
                           '02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""/></rdf:RDF></x:xmpmeta>')
    sidecar.write_text(sidecar.read_text().replace('rdf:about=""', attributes, 1))


@pytest.mark.parametrize("edit", ["jpeg and sidecar", "jpeg only", "before the older version indexed it"])
def test_the_upgrade_keeps_a_camera_s_pair_whose_capture_time_was_edited_one_photo_with_its_label(
        tmp_path, edit) -> None:
    folder = tmp_path / "trip"
    jpeg, nef = make_jpeg(folder.mkdir() or folder / "DSC_0001.JPG"), raw(folder / "DSC_0001.NEF", **D90)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        if edit.startswith("before"):
            _edit_capture_time(jpeg)
        scan(index, [folder])
        if edit.startswith("before"):  # the older version paired them whatever their times
            merged_like_an_older_version(index, jpeg, nef)
        index.set_label(photo_of(index, jpeg).id, "Petra")
        assert write(index).written == 2
        if not edit.startswith("before"):
            _edit_capture_time(jpeg)
        if edit == "jpeg and sidecar":
            _date_in_sidecar(folder / "DSC_0001.NEF.xmp")
        with index.transaction() as conn:
            migration_41(conn)
        summary = scan(index, [folder])
        assert files_by_photo(index) == [["DSC_0001.JPG", "DSC_0001.NEF"]]
        assert summary.new == 0 and "left" not in summary.line()
        assert photo_of(index, nef).label == "Petra"
        write(index)
    assert keywords(folder / "DSC_0001.NEF.xmp") == ["Landmarks|Petra"]


def test_the_upgrade_keeps_a_pair_whose_raw_came_first_and_whose_jpeg_time_was_edited(tmp_path) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    nef = raw(folder / "DSC_0001.NEF", **D90)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])  # the RAWs copied first, then the JPEGs
        jpeg = make_jpeg(folder / "DSC_0001.JPG")
        scan(index, [folder])
        index.set_label(photo_of(index, nef).id, "Petra")
        assert write(index).written == 2
        _edit_capture_time(jpeg)
        with index.transaction() as conn:
            migration_41(conn)
        scan(index, [folder])
        assert files_by_photo(index) == [["DSC_0001.JPG", "DSC_0001.NEF"]]
        assert photo_of(index, jpeg).label == "Petra"


@pytest.mark.parametrize("arrival", [["DSC_0001.JPG", "DSC_0001.NEF"], ["DSC_0001.NEF", "DSC_0001.JPG"], []],
                         ids=["jpeg first", "nef first", "together"])
def test_a_raw_is_dated_by_its_sidecar_so_a_pair_whose_time_was_edited_in_both_pairs(tmp_path, arrival) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    makers = {"DSC_0001.JPG": lambda: _edit_capture_time(make_jpeg(folder / "DSC_0001.JPG")),
              "DSC_0001.NEF": lambda: (raw(folder / "DSC_0001.NEF", **D90),
                                       _date_in_sidecar(folder / "DSC_0001.NEF.xmp"))}
    with PhotoIndex.open(tmp_path / "index.db") as index:
        for name in arrival or list(makers):
            makers[name]()
            if arrival:
                scan(index, [folder])
        scan(index, [folder])
        assert files_by_photo(index) == [["DSC_0001.JPG", "DSC_0001.NEF"]]


# A sidecar is a side file: copied from another photo with a preset, or the time edited on
# the RAW alone (Lightroom treating the JPEG as a photo of its own). Its date may excuse
# headers that disagree, never split files whose own headers agree (review8 G1).
OTHER_SIDECAR_DATES = {"copied from another photo": "2011:03:02 09:15:00", "edited on the raw only": AN_HOUR_LATER}


@pytest.mark.parametrize("arrival", [["DSC_0001.JPG", "DSC_0001.NEF"], ["DSC_0001.NEF", "DSC_0001.JPG"], []],
                         ids=["jpeg first", "nef first", "together"])
@pytest.mark.parametrize("sidecar", list(OTHER_SIDECAR_DATES))
def test_a_raw_sidecar_of_another_date_never_splits_a_pair_whose_headers_agree(tmp_path, sidecar, arrival) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    makers = {"DSC_0001.JPG": lambda: make_jpeg(folder / "DSC_0001.JPG"),
              "DSC_0001.NEF": lambda: (raw(folder / "DSC_0001.NEF", **D90),
                                       _date_in_sidecar(folder / "DSC_0001.NEF.xmp", OTHER_SIDECAR_DATES[sidecar]))}
    with PhotoIndex.open(tmp_path / "index.db") as index:
        for name in arrival or list(makers):
            makers[name]()
            if arrival:
                scan(index, [folder])
        assert scan(index, [folder]).photos == 1
        assert files_by_photo(index) == [["DSC_0001.JPG", "DSC_0001.NEF"]]


def _fresh_photos(tmp_path: Path, folder: Path, name: str) -> list[list[str]]:
    with PhotoIndex.open(tmp_path / f"{name}.db") as index:
        scan(index, [folder])
        return files_by_photo(index)


def test_a_sidecar_date_that_comes_changes_or_goes_later_gives_the_photos_a_fresh_index_gives(tmp_path) -> None:
    """review8 G2 (/tmp/r8/later.sh): the pair indexed, then its RAW's sidecar gets another
    date, is set back to the headers' and deleted: at each rescan the index holds the
    photos a new index of the same files makes (one)."""
    folder = tmp_path / "trip"
    make_jpeg(folder.mkdir() or folder / "DSC_0001.JPG")
    raw(folder / "DSC_0001.NEF", **D90)
    sidecar = folder / "DSC_0001.NEF.xmp"
    steps = {"dated an hour later": lambda: _date_in_sidecar(sidecar),
             "set back to the headers' time": lambda: sidecar.write_text(
                 sidecar.read_text().replace("2020-11-05T11:11:12", "2020-11-05T10:11:12")),
             "deleted": sidecar.unlink}
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        for number, (step, change) in enumerate(steps.items()):
            change()
            scan(index, [folder])
            assert files_by_photo(index) == _fresh_photos(tmp_path, folder, f"anew{number}") == [
                ["DSC_0001.JPG", "DSC_0001.NEF"]], step

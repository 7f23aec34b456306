"""A sidecar named by a stem (IMG_0100.xmp) that several photos of one folder share
goes to one photo or to none (app/core/metadata/sidecar_owner.py): the photo it names,
else the RAW of that stem (Lightroom's), else the one our journal shows writing it.
One nobody owns is neither written into nor read back, whatever the index knows."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import fields_of_sidecar, render_sidecar
from app.core.metadata.sidecar_owner import owner_by_files
from app.core.metadata.verify import exiftool_available, exiftool_fields
from app.core.scanner import scan
from tests.test_metadata_fields import DARKTABLE_SIDECAR, LIGHTROOM_SIDECAR
from tests.test_metadata_support import add_photo, make_jpeg


def write(index, query="", naming="ext"):
    options = WriteOptions(sidecar_naming=naming)
    return write_labels(index, plan_writes(index, query, False, options), options)


def photo_at(index, path):
    return index.search(f'path:"{path}"')[0]


def hierarchy(sidecar):
    return fields_of_sidecar(sidecar.read_bytes()).hierarchical


def png_and_tif(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(photos / "IMG_0100.png")
    Image.new("RGB", (40, 30), (200, 10, 10)).save(photos / "IMG_0100.tif")
    return photos


@pytest.fixture
def png_and_tif_written_elsewhere(tmp_path):
    """IMG_0100.png and IMG_0100.tif, two photos; IMG_0100.xmp holds the PNG's "Petra"
    and names no photo: written with --sidecar-naming stem by an earlier version (or by
    hand) from an index since lost."""
    photos = png_and_tif(tmp_path)
    petra = KeywordFields(subject=["Petra"], hierarchical=["Landmarks|Petra"])
    (photos / "IMG_0100.xmp").write_bytes(render_sidecar(None, petra))
    return photos


@pytest.mark.parametrize("naming", ["ext", "stem"])
def test_an_index_built_anew_never_writes_into_a_stem_sidecar_nobody_owns(tmp_path, png_and_tif_written_elsewhere,
                                                                          naming):
    photos = png_and_tif_written_elsewhere
    fresh = PhotoIndex.open(tmp_path / "fresh.db")  # a new computer: no journal of that write
    scan(fresh, [photos])
    fresh.set_label(photo_at(fresh, photos / "IMG_0100.tif").id, "Taj Mahal")

    summary = write(fresh, f'path:"{photos / "IMG_0100.tif"}"', naming)

    assert hierarchy(photos / "IMG_0100.xmp") == ["Landmarks|Petra"]  # the PNG's label stays
    if naming == "ext":
        assert (summary.written, summary.failed) == (1, 0)
        assert hierarchy(photos / "IMG_0100.tif.xmp") == ["Landmarks|Taj Mahal"]
    else:
        assert (summary.written, summary.failed) == (0, 1)
        assert "--sidecar-naming ext" in summary.errors[0][1]
        assert write(fresh, f'path:"{photos / "IMG_0100.tif"}"', "ext").written == 1  # the advice works
        assert hierarchy(photos / "IMG_0100.xmp") == ["Landmarks|Petra"]
    fresh.close()


def test_a_stem_sidecar_nobody_owns_is_read_back_for_no_photo(tmp_path, png_and_tif_written_elsewhere):
    photos = png_and_tif_written_elsewhere
    fresh = PhotoIndex.open(tmp_path / "fresh.db")
    summary = scan(fresh, [photos])
    labels = {name: photo_at(fresh, photos / name).label for name in ("IMG_0100.png", "IMG_0100.tif")}
    fresh.close()
    assert labels == {"IMG_0100.png": None, "IMG_0100.tif": None}  # not "Petra" for a photo never labelled
    assert summary.labels_read == 0


def test_a_stem_sidecar_we_create_names_its_photo_for_an_index_built_anew(tmp_path):
    photos = png_and_tif(tmp_path)
    with PhotoIndex.open(tmp_path / "lost.db") as lost:
        scan(lost, [photos])
        lost.set_label(photo_at(lost, photos / "IMG_0100.png").id, "Petra")
        assert write(lost, naming="stem").written == 1
    with PhotoIndex.open(tmp_path / "fresh.db") as fresh:  # a new computer: no journal of that write
        summary = scan(fresh, [photos])
        labels = {name: photo_at(fresh, photos / name).label for name in ("IMG_0100.png", "IMG_0100.tif")}
        fresh.set_label(photo_at(fresh, photos / "IMG_0100.png").id, "Big Ben")
        assert write(fresh, naming="stem").written == 1  # still the PNG's to write into
    assert labels == {"IMG_0100.png": "Petra", "IMG_0100.tif": None} and summary.labels_read == 1
    assert hierarchy(photos / "IMG_0100.xmp") == ["Landmarks|Big Ben"]


@pytest.mark.skipif(not exiftool_available(), reason="exiftool is not installed")
def test_exiftool_reads_the_photo_a_stem_sidecar_we_create_names(tmp_path):
    photos = png_and_tif(tmp_path)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [photos])
        index.set_label(photo_at(index, photos / "IMG_0100.png").id, "Petra")
        write(index, naming="stem")
        assert exiftool_fields(photos / "IMG_0100.xmp")["XMP-xmpMM:DerivedFrom"] == "IMG_0100.png"
        index.set_label(photo_at(index, photos / "IMG_0100.tif").id, "Taj Mahal")
        assert write(index).written == 1  # ext naming: the TIFF's own sidecar names nothing
        assert "XMP-xmpMM:DerivedFrom" not in exiftool_fields(photos / "IMG_0100.tif.xmp")
        undo_last_write(index)
        undo_last_write(index)
    assert not (photos / "IMG_0100.xmp").exists()  # undo removes the sidecar it created, as before


def test_a_stem_sidecar_another_program_made_is_not_made_to_name_a_photo(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(photos / "IMG_0100.png")
    (photos / "IMG_0100.xmp").write_text(DARKTABLE_SIDECAR)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [photos])
        index.set_label(photo_at(index, photos / "IMG_0100.png").id, "Petra")
        assert write(index, naming="stem").written == 1
    assert hierarchy(photos / "IMG_0100.xmp") == ["Landmarks|Petra"]
    assert b"DerivedFrom" not in (photos / "IMG_0100.xmp").read_bytes()


def test_a_stem_sidecar_naming_its_photo_is_read_back_for_that_photo_only(tmp_path):
    photos = png_and_tif(tmp_path)
    labelled = DARKTABLE_SIDECAR.replace(
        'darktable:history_end="2">',
        'darktable:history_end="2" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmpMM:DerivedFrom="IMG_0100.tif"'
        ' xmlns:lr="http://ns.adobe.com/lightroom/1.0/">'
        "<lr:hierarchicalSubject><rdf:Bag><rdf:li>Landmarks|Petra</rdf:li></rdf:Bag></lr:hierarchicalSubject>",
    )
    (photos / "IMG_0100.xmp").write_text(labelled)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        summary = scan(index, [photos])
        labels = {name: photo_at(index, photos / name).label for name in ("IMG_0100.png", "IMG_0100.tif")}
    assert labels == {"IMG_0100.png": None, "IMG_0100.tif": "Petra"} and summary.labels_read == 1


def test_what_a_stem_sidecar_says_decides_before_the_raw(tmp_path):
    sidecar = tmp_path / "DSC_0001.xmp"
    photos = {"pair": [tmp_path / "DSC_0001.NEF", tmp_path / "DSC_0001.JPG"], "tif": [tmp_path / "DSC_0001.tif"]}
    sidecar.write_text(LIGHTROOM_SIDECAR)
    assert owner_by_files(sidecar, photos) == "pair"  # names nobody: the RAW's (Lightroom's)
    sidecar.write_text(LIGHTROOM_SIDECAR.replace('crs:WhiteBalance="As Shot"', 'crs:RawFileName="dsc_0001.TIF"'))
    assert owner_by_files(sidecar, photos) == "tif"  # what it names, in any letter case
    assert owner_by_files(sidecar, {"png": [tmp_path / "DSC_0001.png"], "jpg": [tmp_path / "DSC_0001.jpg"]}) is None


@pytest.fixture
def lightroom_raw_and_a_tif(tmp_path, shared_data):
    """DSC_0001.NEF + .JPG (one photo) with Lightroom's DSC_0001.xmp, and DSC_0001.tif beside them."""
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "DSC_0001.NEF").write_bytes((shared_data / "camera/raw/Nikon_uncompressed.nef").read_bytes())
    # the NEF is a Coolscan's, undated: a D90's JPEG is another picture, one without EXIF its own
    make_jpeg(folder / "DSC_0001.JPG", exif=False)
    (folder / "DSC_0001.xmp").write_text(LIGHTROOM_SIDECAR)
    Image.new("RGB", (40, 30), (200, 10, 10)).save(folder / "DSC_0001.tif")
    return folder


def test_a_tif_written_first_leaves_the_raws_lightroom_sidecar_to_the_raw(tmp_path, lightroom_raw_and_a_tif):
    folder = lightroom_raw_and_a_tif
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        pair, tif = photo_at(index, folder / "DSC_0001.JPG"), photo_at(index, folder / "DSC_0001.tif")
        assert pair.id != tif.id
        index.set_label(pair.id, "Eiffel Tower")
        index.set_label(tif.id, "Tower Bridge")
        write(index, f'path:"{folder / "DSC_0001.tif"}"')  # the TIFF first
        write(index)
    # what Lightroom shows for the RAW (its plain keywords, created beside it, are digiKam's)
    assert hierarchy(folder / "DSC_0001.xmp") == ["holiday", "Marseille", "Landmarks|Eiffel Tower"]
    assert hierarchy(folder / "DSC_0001.tif.xmp") == ["Landmarks|Tower Bridge"]


def test_the_raw_takes_back_its_stem_sidecar_a_tif_was_written_into(tmp_path, lightroom_raw_and_a_tif):
    """Our journal shows the TIFF writing DSC_0001.xmp (written before the RAW came, or
    by a version that let the first photo planned take it): Lightroom reads that file
    for the RAW, so the RAW's label replaces the TIFF's there."""
    folder = lightroom_raw_and_a_tif
    aside = tmp_path / "aside"
    aside.mkdir()
    for name in ("DSC_0001.NEF", "DSC_0001.JPG"):
        (folder / name).rename(aside / name)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        index.set_label(photo_at(index, folder / "DSC_0001.tif").id, "Tower Bridge")
        assert write(index).written == 1
        assert hierarchy(folder / "DSC_0001.xmp") == ["holiday", "Marseille", "Landmarks|Tower Bridge"]
        for name in ("DSC_0001.NEF", "DSC_0001.JPG"):
            (aside / name).rename(folder / name)
        scan(index, [folder])
        index.set_label(photo_at(index, folder / "DSC_0001.JPG").id, "Eiffel Tower")
        write(index)
    assert hierarchy(folder / "DSC_0001.xmp") == ["holiday", "Marseille", "Landmarks|Eiffel Tower"]
    assert hierarchy(folder / "DSC_0001.tif.xmp") == ["Landmarks|Tower Bridge"]


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_sidecar_linked_to_another_photos_is_refused_naming_the_link(tmp_path):
    a, b = tmp_path / "A.NEF", tmp_path / "B.NEF"
    for raw in (a, b):
        raw.write_bytes(b"not really a raw file, never opened")
    (tmp_path / "A.NEF.xmp").write_text(DARKTABLE_SIDECAR)
    (tmp_path / "B.NEF.xmp").symlink_to("A.NEF.xmp")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        add_photo(index, [a], "Eiffel Tower")
        add_photo(index, [b], "Louvre")
        add_photo(index, [make_jpeg(tmp_path / "C.jpg")], "Petra")
        (refused,) = [item for item in plan_writes(index) if item.problem]
    assert refused.target == tmp_path / "B.NEF.xmp"
    assert refused.problem == (f"B.NEF.xmp is a link to {tmp_path / 'A.NEF.xmp'}, another photo's sidecar, whose "
                               "label goes into it; replace the link with a file of its own")

"""Sidecars on a disk that ignores letter case (macOS, Windows, an exFAT or FAT card,
under FUSE drivers that give each spelling of a name an inode number of its own): one
sidecar is found, planned and written once, whatever spellings find it, and a stem
sidecar is shared by the photos whose stems differ in case only (dsc_8188.xmp of
DSC_8188.NEF and dsc_8188.tif). On a case-sensitive disk those stay separate names.
This sandbox's disk is case-sensitive: simulate_case_insensitive_disk makes tmp_path
answer as such a disk does (`fuse`: an inode number per spelling)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import existing_sidecars, fields_of_sidecar, render_sidecar
from app.core.scanner import scan
from tests.test_metadata_support import add_photo
from tests.test_path_case import simulate_case_insensitive_disk

PETRA = KeywordFields(subject=["Petra"], hierarchical=["Landmarks|Petra"])


@pytest.fixture(params=["apfs", "fuse"])
def case_insensitive_disk(request, tmp_path, monkeypatch):
    """Call it to make tmp_path ignore letter case, as APFS does, or as an exFAT card
    under exfat-fuse does (each spelling its own inode number)."""
    return lambda: simulate_case_insensitive_disk(tmp_path, monkeypatch, inode_per_spelling=request.param == "fuse")


@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


def raw_with_ext_sidecar(tmp_path: Path, sidecar_name: str) -> Path:
    raw = tmp_path / "DCIM" / "DSC_0001.NEF"
    raw.parent.mkdir()
    raw.write_bytes(b"raw")
    (raw.parent / sidecar_name).write_bytes(render_sidecar(None, PETRA))
    return raw


@pytest.mark.parametrize("stored", ["DSC_0001.NEF.xmp", "DSC_0001.NEF.XMP", "dsc_0001.nef.xmp"])
def test_a_sidecar_is_found_once_whatever_spellings_find_it(tmp_path, case_insensitive_disk, stored):
    raw = raw_with_ext_sidecar(tmp_path, stored)
    case_insensitive_disk()
    assert len(existing_sidecars(raw)) == 1


def test_two_sidecars_differing_in_case_stay_two_on_a_case_sensitive_disk(tmp_path):
    raw = raw_with_ext_sidecar(tmp_path, "DSC_0001.NEF.xmp")
    (raw.parent / "DSC_0001.NEF.XMP").write_bytes(render_sidecar(None, PETRA))
    assert [p.name for p in existing_sidecars(raw)] == ["DSC_0001.NEF.xmp", "DSC_0001.NEF.XMP"]


def test_a_raws_sidecar_is_planned_once(tmp_path, index, case_insensitive_disk):
    """Two items for one file were written at once by two threads (the exFAT driver
    died then) and journalled twice."""
    raw = raw_with_ext_sidecar(tmp_path, "DSC_0001.NEF.xmp")
    add_photo(index, [raw], "Colosseum")
    case_insensitive_disk()
    plan = plan_writes(index, "", False, WriteOptions())
    assert [(item.target.name.lower(), item.problem) for item in plan] == [("dsc_0001.nef.xmp", None)]


@pytest.fixture
def png_and_tif_of_another_case(tmp_path) -> tuple[Path, Path]:
    """IMG_0100.png and img_0100.tif: two photos whose stems differ in case only."""
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(folder / "IMG_0100.png")
    Image.new("RGB", (40, 30), (200, 10, 10)).save(folder / "img_0100.tif")
    return folder / "IMG_0100.png", folder / "img_0100.tif"


def test_one_stem_sidecar_two_spellings_would_create_is_written_by_one_photo(
        png_and_tif_of_another_case, index, case_insensitive_disk):
    png, tif = png_and_tif_of_another_case
    add_photo(index, [png], "Taj Mahal")
    add_photo(index, [tif], "Petra")
    case_insensitive_disk()
    plan = plan_writes(index, "", False, WriteOptions(sidecar_naming="stem"))
    assert sorted(item.target.name for item in plan) == ["IMG_0100.xmp", "img_0100.xmp"]  # one file there
    written = [item for item in plan if item.problem is None]
    refused = [item for item in plan if item.problem is not None]
    assert [item.label for item in written] == ["Taj Mahal"]  # the photo indexed first
    assert "ignores letter case" in refused[0].problem and "--sidecar-naming ext" in refused[0].problem


def test_a_stem_sidecar_in_another_case_goes_to_the_raw_when_written(tmp_path, index, case_insensitive_disk):
    raw, tif, sidecar = tmp_path / "DSC_8188.NEF", tmp_path / "dsc_8188.tif", tmp_path / "dsc_8188.xmp"
    raw.write_bytes(b"raw")
    Image.new("RGB", (40, 30), (200, 10, 10)).save(tif)
    sidecar.write_bytes(render_sidecar(None, PETRA))  # the RAW's (Lightroom reads it for DSC_8188.NEF there)
    add_photo(index, [raw], "Petra")
    tif_id = add_photo(index, [tif], "Taj Mahal")
    case_insensitive_disk()
    plan = [item for item in plan_writes(index, "", False, WriteOptions(sidecar_naming="stem"))
            if item.photo_id == tif_id]
    assert [item.target for item in plan] == [sidecar]
    assert "another photo's label goes into dsc_8188.xmp" in plan[0].problem


def test_a_stem_sidecar_in_another_case_stays_the_tifs_alone_on_a_case_sensitive_disk(tmp_path, index):
    raw, tif, sidecar = tmp_path / "DSC_8188.NEF", tmp_path / "dsc_8188.tif", tmp_path / "dsc_8188.xmp"
    raw.write_bytes(b"raw")
    Image.new("RGB", (40, 30), (200, 10, 10)).save(tif)
    sidecar.write_bytes(render_sidecar(None, PETRA))
    add_photo(index, [raw], "Petra")
    tif_id = add_photo(index, [tif], "Taj Mahal")
    plan = [item for item in plan_writes(index, "", False, WriteOptions(sidecar_naming="stem"))
            if item.photo_id == tif_id]
    assert [(item.target, item.problem) for item in plan] == [(sidecar, None)]


def test_the_scan_reads_a_stem_sidecar_two_photos_of_either_case_share_for_neither(
        png_and_tif_of_another_case, index, case_insensitive_disk):
    """img_0100.xmp names no photo and neither is a RAW: it is nobody's, as IMG_0100.xmp
    would be beside IMG_0100.png and IMG_0100.tif."""
    png, tif = png_and_tif_of_another_case
    (tif.parent / "img_0100.xmp").write_bytes(render_sidecar(None, PETRA))
    case_insensitive_disk()
    scan(index, [tif.parent])
    assert index.count() == 2
    assert [photo.label for photo in index.search("")] == [None, None]


def test_on_a_case_sensitive_disk_the_scan_reads_it_for_the_photo_of_its_stem(png_and_tif_of_another_case, index):
    png, tif = png_and_tif_of_another_case
    (tif.parent / "img_0100.xmp").write_bytes(render_sidecar(None, PETRA))
    scan(index, [tif.parent])
    assert {Path(photo.files[0]).name: photo.label for photo in index.search("")} == {
        "IMG_0100.png": None, "img_0100.tif": "Petra"}


HOLIDAY = KeywordFields(subject=["Holiday"], hierarchical=[])


def raw_with_users_sidecar(tmp_path: Path, sidecar_name: str) -> Path:
    """DCIM/DSC_0001.NEF with a sidecar holding the user's "Holiday", named as another
    program named it (Photo Mechanic's .XMP, Lightroom's stem, a lower-case one)."""
    raw = tmp_path / "DCIM" / "DSC_0001.NEF"
    raw.parent.mkdir()
    raw.write_bytes(b"raw")
    (raw.parent / sidecar_name).write_bytes(render_sidecar(None, HOLIDAY))
    return raw


@pytest.mark.parametrize("stored, naming", [("DSC_0001.NEF.XMP", "ext"), ("dsc_0001.nef.xmp", "ext"),
                                            ("DSC_0001.XMP", "ext"), ("dsc_0001.xmp", "stem")])
def test_an_existing_sidecar_is_planned_under_the_name_the_disk_lists(tmp_path, index, case_insensitive_disk,
                                                                       stored, naming):
    """Planned under our spelling (DSC_0001.NEF.xmp, DSC_0001.xmp), the write renamed the
    user's file to it on the card, and the dry run named it so."""
    raw = raw_with_users_sidecar(tmp_path, stored)
    add_photo(index, [raw], "Petra")
    case_insensitive_disk()
    plan = plan_writes(index, "", False, WriteOptions(sidecar_naming=naming))
    assert [(item.target, item.problem) for item in plan] == [(raw.parent / stored, None)]
    assert plan[0].describe().startswith(f"{raw.parent / stored}: keywords")


@pytest.mark.parametrize("stored", ["DSC_0001.NEF.XMP", "dsc_0001.xmp"])
def test_the_write_and_its_undo_keep_the_users_sidecar_name(tmp_path, index, case_insensitive_disk, stored):
    raw = raw_with_users_sidecar(tmp_path, stored)
    original = (raw.parent / stored).read_bytes()
    add_photo(index, [raw], "Petra")
    case_insensitive_disk()
    summary = write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions())
    assert (summary.written, summary.failed) == (1, 0)
    assert sorted(os.listdir(raw.parent)) == sorted(["DSC_0001.NEF", stored])
    assert "Petra" in fields_of_sidecar((raw.parent / stored).read_bytes()).subject
    undo_last_write(index)
    assert sorted(os.listdir(raw.parent)) == sorted(["DSC_0001.NEF", stored])
    assert (raw.parent / stored).read_bytes() == original


def test_a_sidecar_we_create_is_named_by_us(tmp_path, index, case_insensitive_disk):
    raw = tmp_path / "DSC_0001.NEF"
    raw.write_bytes(b"raw")
    add_photo(index, [raw], "Petra")
    case_insensitive_disk()
    plan = plan_writes(index, "", False, WriteOptions())
    assert [(item.target.name, item.problem) for item in plan] == [("DSC_0001.NEF.xmp", None)]


def test_a_raws_own_sidecar_in_capitals_is_written_once_beside_another_photos_stem_sidecar(
        tmp_path, index, case_insensitive_disk):
    """DSC_0001.xmp is dsc_0001.tif's (it names it): the RAW's label goes into its own
    DSC_0001.NEF.XMP, once, not into it a second time under our spelling (refused then
    as "the same file on this disk")."""
    raw = raw_with_users_sidecar(tmp_path, "DSC_0001.NEF.XMP")
    tif = raw.parent / "dsc_0001.tif"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(tif)
    raw.with_suffix(".xmp").write_bytes(render_sidecar(None, HOLIDAY, made_for=tif.name))
    raw_id = add_photo(index, [raw], "Petra")
    add_photo(index, [tif], "Taj Mahal")
    case_insensitive_disk()
    plan = [item for item in plan_writes(index, "", False, WriteOptions()) if item.photo_id == raw_id]
    assert [(item.target.name, item.problem) for item in plan] == [("DSC_0001.NEF.XMP", None)]

"""Stem sidecars and letter case (sidecar_owner): on a case-insensitive disk (macOS,
Windows) `dsc_8188.xmp` is the sidecar Lightroom reads for `DSC_8188.NEF`, so it is
shared with `dsc_8188.tif` as `DSC_8188.xmp` would be, and goes to the RAW. This
sandbox's disk is case-sensitive: `case_insensitive_names` makes path_case's rule (two
spellings name one entry when the disk finds the same file under both) answer as APFS does."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

import app.core.path_case as path_case
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.read_back import landmark_in_sidecars
from app.core.metadata.sidecar import render_sidecar
from app.core.metadata.sidecar_owner import is_stem_sidecar, owner_by_files
from tests.test_metadata_fields import LIGHTROOM_SIDECAR


@pytest.fixture
def case_insensitive_names(monkeypatch):
    """path_case's identity of an entry found as a case-insensitive disk finds it."""

    def identity(path: Path) -> tuple[int, int] | None:
        try:
            stored = next(name for name in os.listdir(path.parent) if path_case.fold(name) == path_case.fold(path.name))
            status = os.lstat(path.parent / stored)
        except (OSError, StopIteration):
            return None
        return status.st_dev, status.st_ino

    monkeypatch.setattr(path_case, "_identity", identity)


@pytest.fixture
def raw_and_a_tif_of_another_case(tmp_path) -> tuple[Path, Path, Path]:
    """(DSC_8188.NEF, dsc_8188.tif, dsc_8188.xmp holding the RAW's label "Big Ben")."""
    raw, tif, sidecar = tmp_path / "DSC_8188.NEF", tmp_path / "dsc_8188.tif", tmp_path / "dsc_8188.xmp"
    raw.write_bytes(b"raw")
    tif.write_bytes(b"tif")
    sidecar.write_bytes(render_sidecar(None, KeywordFields(["Big Ben"], ["Landmarks|Big Ben"])))
    return raw, tif, sidecar


def test_a_stem_sidecar_in_another_case_is_the_raws_on_a_case_insensitive_disk(
        raw_and_a_tif_of_another_case, case_insensitive_names):
    raw, tif, sidecar = raw_and_a_tif_of_another_case
    assert is_stem_sidecar(sidecar, raw) and is_stem_sidecar(sidecar, tif)
    assert landmark_in_sidecars([tif], [[raw], [tif]]) is None  # the RAW's label, not the TIFF's


def test_on_a_case_sensitive_disk_a_stem_in_another_case_is_another_name(raw_and_a_tif_of_another_case):
    raw, tif, sidecar = raw_and_a_tif_of_another_case
    assert not is_stem_sidecar(sidecar, raw)
    assert landmark_in_sidecars([tif], [[raw], [tif]]) == "Big Ben"  # dsc_8188.xmp is the TIFF's alone


def test_a_sidecar_names_its_photo_whatever_the_unicode_form_of_the_name(tmp_path):
    sidecar = tmp_path / "Café.xmp"
    named = unicodedata.normalize("NFC", "CAFÉ.tif")  # as typed on Windows
    sidecar.write_text(LIGHTROOM_SIDECAR.replace('crs:WhiteBalance="As Shot"', f'crs:RawFileName="{named}"'))
    decomposed = unicodedata.normalize("NFD", "Café")  # as macOS stores the names
    photos = {"tif": [tmp_path / f"{decomposed}.tif"], "png": [tmp_path / f"{decomposed}.png"]}
    assert owner_by_files(sidecar, photos) == "tif"

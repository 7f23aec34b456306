"""A RAW without a date of its own takes the date its XMP sidecar gives (Lightroom's Edit
Capture Time and digiKam write it there, leaving the RAW as it is): app/core/scan_details.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.scanner import scan

SIDECAR = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           '<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
           'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
           'exif:DateTimeOriginal="2013-03-03T13:13:13+01:00" photoshop:DateCreated="2013-03-03T13:13:13+01:00"/>'
           '</rdf:RDF></x:xmpmeta>')


def scanned_dates(tmp_path: Path, folder: Path) -> dict[str, str | None]:
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        return {Path(photo.path).name: photo.taken_at for photo in index.search("")}


@pytest.mark.integration
@pytest.mark.parametrize("sidecar_name", ["bm.xmp", "bm.dng.xmp"])
def test_a_raw_without_a_date_takes_the_one_its_xmp_sidecar_gives(tmp_path: Path, shared_data: Path,
                                                                   sidecar_name: str) -> None:
    """Blackmagic.dng has no date: with a sidecar dated 2013-03-03 it stayed undated, out
    of date: searches and the Dates list."""
    folder = tmp_path / "trip"
    folder.mkdir()
    shutil.copyfile(shared_data / "camera" / "raw" / "Blackmagic.dng", folder / "bm.dng")
    (folder / sidecar_name).write_text(SIDECAR, encoding="utf-8")
    assert scanned_dates(tmp_path, folder) == {"bm.dng": "2013-03-03T13:13:13+01:00"}
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert index.count("date:2013-03") == 1


@pytest.mark.integration
def test_a_raws_own_date_wins_over_its_sidecars(tmp_path: Path, shared_data: Path) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    shutil.copyfile(shared_data / "camera" / "raw" / "RAW_KODAK_DC50.KDC", folder / "dc50.kdc")
    (folder / "dc50.xmp").write_text(SIDECAR, encoding="utf-8")
    assert scanned_dates(tmp_path, folder) == {"dc50.kdc": "1997-04-23T08:00:47"}


@pytest.mark.integration
def test_a_sidecar_without_a_date_leaves_the_raw_undated(tmp_path: Path, shared_data: Path) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    shutil.copyfile(shared_data / "camera" / "raw" / "Blackmagic.dng", folder / "bm.dng")
    (folder / "bm.xmp").write_text(SIDECAR.replace("2013-03-03T13:13:13+01:00", "0000-00-00"), encoding="utf-8")
    assert scanned_dates(tmp_path, folder) == {"bm.dng": None}

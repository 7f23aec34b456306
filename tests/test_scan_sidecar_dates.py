"""A RAW without a date of its own, or dated only by its ModifyDate, takes the date its XMP
sidecar gives (Lightroom's Edit Capture Time and digiKam write it there, leaving the RAW as
it is): app/core/scan_details.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.core import scan_folder_sync
from app.core.index import PhotoIndex
from app.core.photo_info import PhotoInfo
from app.core.scanner import scan

SIDECAR = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           '<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
           'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
           'exif:DateTimeOriginal="2013-03-03T13:13:13+01:00" photoshop:DateCreated="2013-03-03T13:13:13+01:00"/>'
           '</rdf:RDF></x:xmpmeta>')


def scanned_dates(tmp_path: Path, folder: Path) -> dict[str, str | None]:
    tmp_path.mkdir(exist_ok=True)
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
def test_a_raws_modify_date_gives_way_to_the_date_its_sidecar_gives(tmp_path: Path, shared_data: Path) -> None:
    """The DC50's KDC holds ModifyDate only (1997-04-23), the last-resort date: the
    date taken a sidecar gives (Lightroom's Edit Capture Time) says more, and won
    only where the RAW had no date at all."""
    folder = tmp_path / "trip"
    folder.mkdir()
    shutil.copyfile(shared_data / "camera" / "raw" / "RAW_KODAK_DC50.KDC", folder / "dc50.kdc")
    assert scanned_dates(tmp_path / "alone", folder) == {"dc50.kdc": "1997-04-23T08:00:47"}
    (folder / "dc50.xmp").write_text(SIDECAR, encoding="utf-8")
    assert scanned_dates(tmp_path, folder) == {"dc50.kdc": "2013-03-03T13:13:13+01:00"}


def test_a_raws_own_date_taken_wins_over_its_sidecars(tmp_path: Path, monkeypatch) -> None:
    """A date the RAW records (DateTimeOriginal, CreateDate, its XMP, IPTC) stays."""
    taken = PhotoInfo(kind="raw", width=6000, height=4000, taken_at="2021-07-14T09:30:00")
    monkeypatch.setattr(scan_folder_sync, "read_photo_info", lambda path: taken)
    folder = tmp_path / "trip"
    folder.mkdir()
    (folder / "DSC_0001.NEF").write_bytes(b"raw" * 1000)
    (folder / "DSC_0001.xmp").write_text(SIDECAR, encoding="utf-8")
    assert scanned_dates(tmp_path, folder) == {"DSC_0001.NEF": "2021-07-14T09:30:00"}


@pytest.mark.integration
def test_a_sidecar_without_a_date_leaves_the_raw_undated(tmp_path: Path, shared_data: Path) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    shutil.copyfile(shared_data / "camera" / "raw" / "Blackmagic.dng", folder / "bm.dng")
    (folder / "bm.xmp").write_text(SIDECAR.replace("2013-03-03T13:13:13+01:00", "0000-00-00"), encoding="utf-8")
    assert scanned_dates(tmp_path, folder) == {"bm.dng": None}

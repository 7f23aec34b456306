"""Which of a photo's dates is the date taken (app/core/capture_time.py): the order
Lightroom, digiKam and exiftool's MWG composite use, a date that names no real moment
giving way to the next one."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
from pathlib import Path

import piexif
import pytest
from PIL import Image

from app.core.metadata.iptc import IPTC_RESOURCE, DataSet, Resource, build_datasets, build_resources
from app.core.photo_info import read_photo_info
from tests.test_photo_info import XMP_DATED


def iptc_block(date: bytes | None, time: bytes | None = None) -> bytes:
    """IPTC IIM datasets holding Date Created (2:55) and Time Created (2:60)."""
    datasets = [DataSet(2, 0, b"\x00\x04")]
    datasets += [DataSet(2, 55, date)] if date is not None else []
    datasets += [DataSet(2, 60, time)] if time is not None else []
    return build_datasets(datasets)


def dated_jpeg(path: Path, *, original: str | None = None, digitized: str | None = None,
               modified: str | None = None, exif_ifd: dict | None = None, xmp: str | None = None,
               iptc: bytes | None = None) -> Path:
    """A small JPEG holding the EXIF dates given (DateTimeOriginal, CreateDate, ModifyDate),
    an XMP packet and an IPTC block."""
    zeroth: dict = {piexif.ImageIFD.Make: b"NIKON", piexif.ImageIFD.Model: b"COOLPIX P6000"}
    exif: dict = dict(exif_ifd or {})
    if original is not None:
        exif[piexif.ExifIFD.DateTimeOriginal] = original.encode()
    if digitized is not None:
        exif[piexif.ExifIFD.DateTimeDigitized] = digitized.encode()  # exiftool: CreateDate
    if modified is not None:
        zeroth[piexif.ImageIFD.DateTime] = modified.encode()  # exiftool: ModifyDate
    out = io.BytesIO()
    extra = {"xmp": xmp.encode()} if xmp is not None else {}
    Image.new("RGB", (32, 24), (120, 80, 40)).save(
        out, "JPEG", exif=piexif.dump({"0th": zeroth, "Exif": exif, "GPS": {}, "1st": {}, "thumbnail": None}),
        **extra)
    data = out.getvalue()
    if iptc is not None:
        payload = build_resources([Resource(IPTC_RESOURCE, b"\x00\x00", iptc)])
        data = data[:2] + b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload + data[2:]
    path.write_bytes(data)
    return path


def xmp_dated(attributes: str) -> str:
    return XMP_DATED.format(attributes=attributes, elements="")


def test_create_date_alone_is_the_date_taken(tmp_path: Path) -> None:
    """A photo with EXIF CreateDate (DateTimeDigitized) and no DateTimeOriginal: Lightroom
    and digiKam show CreateDate; the index stored no date at all."""
    info = read_photo_info(dated_jpeg(tmp_path / "a.jpg", digitized="2018:05:05 10:00:00"))
    assert info.taken_at == "2018-05-05T10:00:00"


def test_create_date_comes_before_modify_date_with_its_own_subseconds_and_offset(tmp_path: Path) -> None:
    """Without DateTimeOriginal the index took ModifyDate, the time of the last edit (10
    days after the photo was taken), with DateTimeOriginal's sub-seconds and offset."""
    info = read_photo_info(dated_jpeg(
        tmp_path / "a.jpg", digitized="2008:10:22 16:44:01", modified="2008:11:01 21:15:09",
        exif_ifd={piexif.ExifIFD.SubSecTimeDigitized: b"25", piexif.ExifIFD.OffsetTimeDigitized: b"+02:00",
                  piexif.ExifIFD.SubSecTimeOriginal: b"99", piexif.ExifIFD.OffsetTimeOriginal: b"-07:00"}))
    assert info.taken_at == "2008-10-22T16:44:01.25+02:00"


def test_date_time_original_comes_first(tmp_path: Path) -> None:
    info = read_photo_info(dated_jpeg(tmp_path / "a.jpg", original="2008:10:22 16:40:00",
                                      digitized="2008:10:22 16:44:01", modified="2008:11:01 21:15:09",
                                      xmp=xmp_dated('photoshop:DateCreated="2001-01-01"'),
                                      iptc=iptc_block(b"20020202")))
    assert info.taken_at == "2008-10-22T16:40:00"


@pytest.mark.parametrize("bad", ["0000:00:00 00:00:00", "    :  :     :  :  ", "2019:02:30 25:61:00"])
def test_a_date_time_original_that_is_no_real_moment_gives_way_to_the_next_date(tmp_path: Path, bad: str) -> None:
    """A zero, blank (EXIF's "unknown") or impossible DateTimeOriginal was taken, then
    refused: the photo was undated though its CreateDate or ModifyDate is valid."""
    with_create = read_photo_info(dated_jpeg(tmp_path / "a.jpg", original=bad, digitized="2008:10:22 16:44:01",
                                             modified="2008:11:01 21:15:09"))
    with_modify = read_photo_info(dated_jpeg(tmp_path / "b.jpg", original=bad, modified="2017:03:03 09:00:00"))
    assert (with_create.taken_at, with_modify.taken_at) == ("2008-10-22T16:44:01", "2017-03-03T09:00:00")


def test_an_impossible_create_date_gives_way_too(tmp_path: Path) -> None:
    info = read_photo_info(dated_jpeg(tmp_path / "a.jpg", digitized="0000:00:00 00:00:00",
                                      modified="2017:03:03 09:00:00"))
    assert info.taken_at == "2017-03-03T09:00:00"


def test_the_xmp_and_iptc_dates_come_before_the_modify_date(tmp_path: Path) -> None:
    """ModifyDate is when the file was last edited: an editor's XMP or IPTC date created
    (a scan dated by hand) says when the picture was taken."""
    xmp = read_photo_info(dated_jpeg(tmp_path / "a.jpg", modified="2021:03:04 05:06:07",
                                     xmp=xmp_dated('photoshop:DateCreated="1975-06-12"')))
    iptc = read_photo_info(dated_jpeg(tmp_path / "b.jpg", modified="2021:03:04 05:06:07",
                                      iptc=iptc_block(b"19750612", b"143000+0100")))
    assert (xmp.taken_at, iptc.taken_at) == ("1975-06-12", "1975-06-12T14:30:00+01:00")


def test_the_xmp_dates_come_before_the_iptc_date(tmp_path: Path) -> None:
    info = read_photo_info(dated_jpeg(tmp_path / "a.jpg", xmp=xmp_dated('xmp:CreateDate="2019-06-12T10:00Z"'),
                                      iptc=iptc_block(b"20140404", b"100000+0200")))
    assert info.taken_at == "2019-06-12T10:00:00+00:00"


@pytest.mark.parametrize(("date", "time", "expected"), [
    (b"20140404", b"100000+0200", "2014-04-04T10:00:00+02:00"),
    (b"20140404", b"100000-0530", "2014-04-04T10:00:00-05:30"),
    (b"20140404", b"100000", "2014-04-04T10:00:00"),
    (b"20140404", None, "2014-04-04"),  # a scan dated by day: no made-up time
    (b"20140404", b"256100+0200", "2014-04-04"),  # no real time: the date still holds
    (b"20140000", b"100000+0200", None),  # IIM's unknown month and day
    (b"00000000", None, None),
    (b"2014", None, None),
])
def test_the_iptc_date_and_time_created(tmp_path: Path, date, time, expected) -> None:
    """A file whose only date is IPTC's (older Photoshop, Picasa, scanning software) was
    undated; exiftool and digiKam read it."""
    assert read_photo_info(dated_jpeg(tmp_path / "a.jpg", iptc=iptc_block(date, time))).taken_at == expected


def test_a_damaged_iptc_block_costs_its_date_only(tmp_path: Path) -> None:
    damaged = iptc_block(None) + b"\x1c\x02\x37\x00\x40" + b"20140404"  # Date Created running past the block
    info = read_photo_info(dated_jpeg(tmp_path / "a.jpg", modified="2017:03:03 09:00:00", iptc=damaged))
    assert (info.kind, info.taken_at, info.camera_model) == ("jpeg", "2017-03-03T09:00:00", "COOLPIX P6000")


@pytest.mark.integration
def test_iptc_date_created_written_by_exiftool_is_the_date_taken(tmp_path: Path, shared_data: Path) -> None:
    """A real camera JPEG stripped of EXIF and XMP, with IPTC Date/Time Created as
    exiftool writes them: exiftool's composite DateTimeOriginal gives 2014-04-04 10:00 +02:00."""
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool is not installed")
    photo = tmp_path / "scan.jpg"
    shutil.copyfile(shared_data / "camera" / "jpeg_gps" / "DSCN0025.jpg", photo)
    photo.chmod(0o644)
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-EXIF:all=", "-XMP:all=",
                    "-IPTC:DateCreated=2014:04:04", "-IPTC:TimeCreated=10:00:00+02:00", str(photo)], check=True)
    assert read_photo_info(photo).taken_at == "2014-04-04T10:00:00+02:00"

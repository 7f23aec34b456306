"""Reading the essentials from headers: synthetic EXIF edge cases and the real
camera files of ../shared/data/camera."""

from __future__ import annotations

import math
from pathlib import Path

import piexif
import pytest
from PIL import Image

from app.core.errors import PhotoReadError
from app.core.fingerprint import fingerprint_file
from app.core.capture_time import exif_timestamp
from app.core.photo_info import file_kind, gps_position, primary_of, read_photo_info
from tests.test_index_support import jpeg_bytes, write_jpeg

LANDMARK_GPS = {
    "FujiFilm_FinePixS2Pro.jpg": (48.858, 2.297),
    "Panasonic_DMC-LX3_(Lumix).jpg": (41.895, 12.483),
    "Samsung_SM-G935L_(Galaxy_S7_Edge).jpg": (48.893, 2.236),
}


def test_exif_fields_are_read(tmp_path: Path) -> None:
    path = write_jpeg(
        tmp_path / "a.jpg", size=(40, 30), taken="2019:04:15 18:30:05", subsec="042", offset="-05:00",
        orientation=6, gps=(-33.8568, 151.2153), lens="NIKKOR 24-70mm f/2.8",
    )
    info = read_photo_info(path)
    assert (info.kind, info.width, info.height, info.orientation) == ("jpeg", 40, 30, 6)
    assert info.taken_at == "2019-04-15T18:30:05.042-05:00"
    assert (info.camera_make, info.camera_model, info.lens) == ("NIKON CORPORATION", "NIKON D850", "NIKKOR 24-70mm f/2.8")
    assert info.gps_lat == pytest.approx(-33.8568, abs=1e-4) and info.gps_lon == pytest.approx(151.2153, abs=1e-4)


@pytest.mark.parametrize(
    "gps_ifd",
    [
        {  # zero denominators mean "no position"
            piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLatitude: ((0, 0), (0, 0), (0, 0)),
            piexif.GPSIFD.GPSLongitudeRef: b"E", piexif.GPSIFD.GPSLongitude: ((0, 0), (0, 0), (0, 0)),
        },
        {  # missing references
            piexif.GPSIFD.GPSLatitude: ((48, 1), (51, 1), (0, 1)),
            piexif.GPSIFD.GPSLongitude: ((2, 1), (17, 1), (0, 1)),
        },
        {piexif.GPSIFD.GPSVersionID: (2, 2, 0, 0)},  # a GPS block without a position
    ],
    ids=["zero-denominators", "missing-refs", "no-position"],
)
def test_unusable_gps_is_none_never_nan(tmp_path: Path, gps_ifd: dict) -> None:
    info = read_photo_info(write_jpeg(tmp_path / "a.jpg", gps_ifd=gps_ifd))
    assert info.gps_lat is None and info.gps_lon is None


def test_gps_position_rejects_out_of_range_and_accepts_south_west() -> None:
    assert gps_position({1: "N", 2: ((95, 1), (0, 1), (0, 1)), 3: "E", 4: ((1, 1), (0, 1), (0, 1))}) == (None, None)
    lat, lon = gps_position({1: "S", 2: ((10, 1), (30, 1), (0, 1)), 3: "W", 4: ((20, 1), (15, 1), (0, 1))})
    assert (lat, lon) == (pytest.approx(-10.5), pytest.approx(-20.25))
    assert not any(isinstance(v, float) and math.isnan(v) for v in (lat, lon))


@pytest.mark.parametrize(
    ("value", "subsec", "offset", "expected"),
    [
        ("2020:11:03 14:05:09", None, None, "2020-11-03T14:05:09"),
        ("2020:11:03 14:05:09", "5", "+01:00", "2020-11-03T14:05:09.5+01:00"),
        ("2020:11:03 14:05:09", " ", "bogus", "2020-11-03T14:05:09"),
        ("0000:00:00 00:00:00", None, None, None),
        ("    :  :     :  :  ", None, None, None),
        (None, "1", "+01:00", None),
        (b"2008:10:22 16:29:49\x00", None, None, "2008-10-22T16:29:49"),
    ],
)
def test_exif_timestamps(value, subsec, offset, expected) -> None:
    assert exif_timestamp(value, subsec, offset) == expected


def test_photo_without_exif(tmp_path: Path) -> None:
    path = tmp_path / "plain.png"
    Image.new("RGB", (20, 10)).save(path)
    info = read_photo_info(path)
    assert (info.kind, info.width, info.height, info.taken_at, info.gps_lat) == ("png", 20, 10, None, None)


def test_heic_is_read_through_pillow_heif(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    path = tmp_path / "phone.HEIC"
    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"Apple", piexif.ImageIFD.Model: b"iPhone 13"},
                        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2022:08:01 12:00:00"}})
    try:
        Image.new("RGB", (64, 48), (200, 100, 50)).save(path, "HEIF", exif=exif)
    except (OSError, KeyError, ValueError) as error:
        pytest.skip(f"this pillow-heif build cannot encode HEIF: {error}")
    info = read_photo_info(path)
    assert (info.kind, info.width, info.height) == ("heic", 64, 48)
    assert (info.camera_model, info.taken_at) == ("iPhone 13", "2022-08-01T12:00:00")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"GIF89a not really a jpeg" * 10, "not a readable JPEG"),
        (jpeg_bytes()[:200], "truncated or corrupt"),
        (jpeg_bytes()[:-2], "truncated JPEG"),
    ],
    ids=["zero-bytes", "not-a-jpeg", "cut-in-header", "cut-before-end"],
)
def test_bad_jpegs_raise_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    with pytest.raises(PhotoReadError, match=message) as caught:
        read_photo_info(path)
    assert str(path) in str(caught.value)


def test_the_content_decides_the_kind_not_the_name(tmp_path: Path) -> None:
    """A PNG saved as .jpg is a PNG (its label goes to a sidecar, the JPEG end-marker
    check does not apply); a format the app does not read says which it is."""
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    image.save(tmp_path / "web.jpg", format="PNG")
    image.save(tmp_path / "export.png", format="JPEG")
    image.save(tmp_path / "anim.jpg", format="GIF")
    assert read_photo_info(tmp_path / "web.jpg").kind == "png"
    assert read_photo_info(tmp_path / "export.png").kind == "jpeg"
    with pytest.raises(PhotoReadError, match="a GIF image under a JPEG name") as caught:
        read_photo_info(tmp_path / "anim.jpg")
    assert str(tmp_path / "anim.jpg") in str(caught.value)


def test_kinds_and_primary_choice() -> None:
    assert [file_kind(n) for n in ("a.JPG", "b.jpeg", "c.NEF", "d.cr3", "e.Tif", "f.heic", "g.png", "h.txt")] == [
        "jpeg", "jpeg", "raw", "raw", "tiff", "heic", "png", None,
    ]
    assert primary_of([Path("x/DSC_1.NEF"), Path("x/DSC_1.JPG")]).name == "DSC_1.JPG"
    assert primary_of([Path("x/DSC_1.NEF"), Path("x/DSC_1.tif")]).name == "DSC_1.tif"


def test_fingerprint_sees_head_and_tail_not_the_name(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1024  # 256 KiB
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(data)
    b.write_bytes(data)
    assert fingerprint_file(a) == fingerprint_file(b)
    b.write_bytes(data[:-1] + b"\x00")
    assert fingerprint_file(a) != fingerprint_file(b)
    b.write_bytes(b"\x01" + data[1:])
    assert fingerprint_file(a) != fingerprint_file(b)
    small = tmp_path / "small.bin"
    small.write_bytes(b"abc")
    assert fingerprint_file(small).startswith("3-")


@pytest.mark.integration
def test_real_camera_jpegs(shared_data: Path) -> None:
    folder = shared_data / "camera" / "jpeg"
    infos = {p.name: read_photo_info(p) for p in sorted(folder.glob("*.jpg"))}
    assert len(infos) == 11
    assert infos["Nikon_D40.jpg"].orientation == 6
    assert infos["Nikon_D40.jpg"].camera_model == "NIKON D40"
    for name, (lat, lon) in LANDMARK_GPS.items():
        assert infos[name].gps_lat == pytest.approx(lat, abs=1e-3), name
        assert infos[name].gps_lon == pytest.approx(lon, abs=1e-3), name
    d5000 = infos["Nikon_D5000.jpg"]
    assert d5000.gps_lat is None and d5000.gps_lon is None  # zero denominators
    with_gps = {n for n, i in infos.items() if i.gps_lat is not None}
    assert with_gps == set(LANDMARK_GPS)
    assert all(i.taken_at and i.width and i.height for i in infos.values())


@pytest.mark.integration
def test_real_gps_series_and_raw_files(shared_data: Path) -> None:
    for path in sorted((shared_data / "camera" / "jpeg_gps").glob("*.jpg")):
        info = read_photo_info(path)
        assert info.taken_at.startswith("2008-10-22T") and 43.4 < info.gps_lat < 43.5 and 11.8 < info.gps_lon < 11.9
    nef = read_photo_info(shared_data / "camera" / "raw" / "Nikon_uncompressed.nef")
    assert (nef.kind, nef.width, nef.height) == ("raw", 869, 593)
    kdc = read_photo_info(shared_data / "camera" / "raw" / "RAW_KODAK_DC50.KDC")
    assert kdc.taken_at == "1997-04-23T08:00:47"


@pytest.mark.integration
def test_raw_stubs_raise_clear_errors(shared_data: Path) -> None:
    stubs = sorted((shared_data / "camera" / "raw_stubs").iterdir())
    assert len(stubs) >= 10
    for stub in stubs:
        with pytest.raises(PhotoReadError) as caught:
            read_photo_info(stub)
        assert stub.name in str(caught.value)


XMP_DATED = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
             '<rdf:Description rdf:about="" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
             'xmlns:xmp="http://ns.adobe.com/xap/1.0/" {attributes}>{elements}</rdf:Description>'
             '</rdf:RDF></x:xmpmeta>')


@pytest.mark.parametrize("attributes, elements, expected", [
    ('photoshop:DateCreated="2019-06-12T14:05:09+02:00"', "", "2019-06-12T14:05:09+02:00"),  # an iPhone screenshot
    ("", "<xmp:CreateDate>2019-06-12T14:05Z</xmp:CreateDate>", "2019-06-12T14:05:00+00:00"),
    ('xmp:CreateDate="2019-06-12"', "", "2019-06-12"),
    ('xmp:CreateDate="2019"', "", None),  # a year alone says too little
])
def test_a_png_or_tiff_without_exif_takes_its_date_from_its_xmp(tmp_path, attributes, elements, expected) -> None:
    """Lightroom and digiKam read these; without them the photo was lost to date searches."""
    from PIL import PngImagePlugin

    packet = XMP_DATED.format(attributes=attributes, elements=elements)
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", packet)
    Image.new("RGB", (40, 30)).save(tmp_path / "screenshot.png", pnginfo=info)
    Image.new("RGB", (40, 30)).save(tmp_path / "scan.tif", tiffinfo={700: packet.encode()})
    assert read_photo_info(tmp_path / "screenshot.png").taken_at == expected
    assert read_photo_info(tmp_path / "scan.tif").taken_at == expected


def test_xmp_dates_come_before_a_tiffs_modify_date(tmp_path) -> None:
    """A TIFF's DateTime (exiftool: ModifyDate) is when it was last saved; the XMP date
    created says when the picture was taken (the EXIF dates that come first:
    tests/test_capture_time.py)."""
    packet = XMP_DATED.format(attributes='xmp:CreateDate="2019-06-12"', elements="")
    Image.new("RGB", (40, 30)).save(tmp_path / "scan.tif", tiffinfo={700: packet.encode(), 306: "2021:03:04 05:06:07"})
    Image.new("RGB", (40, 30)).save(tmp_path / "saved.tif", tiffinfo={306: "2021:03:04 05:06:07"})
    assert read_photo_info(tmp_path / "scan.tif").taken_at == "2019-06-12"
    assert read_photo_info(tmp_path / "saved.tif").taken_at == "2021-03-04T05:06:07"


XMP_OF_AN_EDITOR = XMP_DATED.format(
    attributes='xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" xmlns:lr="http://ns.adobe.com/lightroom/1.0/" '
               'xmp:CreateDate="2019-06-12" aux:Lens="AF-S DX Zoom-Nikkor 18-55mm f/3.5-5.6G"',
    elements="<lr:hierarchicalSubject><rdf:Bag><rdf:li>Landmarks|Eiffel Tower</rdf:li></rdf:Bag>"
             "</lr:hierarchicalSubject>")


def counting_xmp_parses(monkeypatch) -> list[int]:
    """Counts XmpDocument.parse calls (one item per call) while the test runs."""
    from app.core.metadata.xmp import XmpDocument

    calls: list[int] = []
    parse = XmpDocument.parse.__func__

    def counted(cls, *args, **kwargs):
        calls.append(1)
        return parse(cls, *args, **kwargs)

    monkeypatch.setattr(XmpDocument, "parse", classmethod(counted))
    return calls


def test_a_photos_xmp_is_parsed_once_for_its_lens_date_and_landmark(tmp_path: Path, monkeypatch) -> None:
    """Each reader parsed the packet again: three parses of one file's XMP at every read."""
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_itxt("XML:com.adobe.xmp", XMP_OF_AN_EDITOR)
    Image.new("RGB", (40, 30)).save(tmp_path / "export.png", pnginfo=text)
    calls = counting_xmp_parses(monkeypatch)
    info = read_photo_info(tmp_path / "export.png")
    assert (info.taken_at, info.lens, info.landmark) == (
        "2019-06-12", "AF-S DX Zoom-Nikkor 18-55mm f/3.5-5.6G", "Eiffel Tower")
    assert len(calls) == 1


@pytest.mark.integration
def test_the_real_camera_jpegs_xmp_is_parsed_once_each(shared_data: Path, monkeypatch) -> None:
    calls = counting_xmp_parses(monkeypatch)
    for folder in ("jpeg", "jpeg_gps"):
        for path in sorted((shared_data / "camera" / folder).glob("*.jpg")):
            calls.clear()
            read_photo_info(path)
            assert len(calls) <= 1, path.name

"""The lens a photo was taken with, beyond EXIF's LensModel (app/core/lens.py): older
cameras name it only in their maker notes, an editor's XMP, or LensSpecification."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PIL import Image

from app.core.lens import LENS_MODEL, LENS_SPECIFICATION, MAKER_NOTE, describe_range, lens_name
from app.core.metadata.xmp import XmpDocument
from app.core.photo_info import read_photo_info

# exiftool -Lens (Nikon maker notes; the D5000's from its XMP aux:Lens) of ../shared/data/camera/jpeg
EXIFTOOL_LENS = {
    "Nikon_D100.jpg": "28-300mm f/3.5-6.3",
    "Nikon_D3100.jpg": "18-55mm f/3.5-5.6",
    "Nikon_D40.jpg": "18-55mm f/3.5-5.6",
    "Nikon_D5000.jpg": "18.0-55.0 mm f/3.5-5.6",
    "Nikon_D60.jpg": "18-55mm f/3.5-5.6",
    "Nikon_D70.jpg": "18-70mm f/3.5-4.5",
    "Nikon_D90.jpg": "24mm f/2.8",
}


def nikon_maker_note(lens: tuple[int, ...], order: str = "<") -> bytes:
    """A type-3 Nikon maker note: "Nikon\\0", version, its own TIFF header, an IFD of
    one Lens entry (4 rationals) and the rationals, offsets from the TIFF header."""
    mark = b"II" if order == "<" else b"MM"
    tiff = mark + struct.pack(order + "HI", 42, 8)
    tiff += struct.pack(order + "H", 1) + struct.pack(order + "HHII", 0x0084, 5, 4, 8 + 2 + 12 + 4)
    tiff += struct.pack(order + "I", 0) + struct.pack(order + "8I", *lens)
    return b"Nikon\x00\x02\x10\x00\x00" + tiff


@pytest.mark.parametrize("order", ["<", ">"])
def test_the_lens_range_of_a_nikon_maker_note(order: str) -> None:
    note = nikon_maker_note((180, 10, 550, 10, 35, 10, 56, 10), order)
    assert lens_name({MAKER_NOTE: note}) == "18-55mm f/3.5-5.6"
    assert lens_name({MAKER_NOTE: nikon_maker_note((24, 1, 24, 1, 28, 10, 28, 10), order)}) == "24mm f/2.8"


def test_lens_model_comes_first_then_the_xmp_then_the_ranges() -> None:
    note = nikon_maker_note((180, 10, 550, 10, 35, 10, 56, 10))
    xmp = XmpDocument.read(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" '
        'aux:Lens="AF-S DX Zoom-Nikkor 18-55mm f/3.5-5.6G"/></rdf:RDF></x:xmpmeta>')
    assert lens_name({LENS_MODEL: "RF24-105mm F4 L IS USM\x00", MAKER_NOTE: note}, xmp) == "RF24-105mm F4 L IS USM"
    assert lens_name({MAKER_NOTE: note}, xmp) == "AF-S DX Zoom-Nikkor 18-55mm f/3.5-5.6G"
    assert lens_name({MAKER_NOTE: note}, XmpDocument.read("<not xmp")) == "18-55mm f/3.5-5.6"
    assert lens_name({LENS_SPECIFICATION: (24.0, 70.0, 2.8, 2.8)}) == "24-70mm f/2.8"


@pytest.mark.parametrize("note", [
    b"", b"Nikon\x00\x02\x10\x00\x00XX", b"Nikon\x00\x02\x10\x00\x00II*\x00\xff\xff\xff\x7f",
    b"Canon maker note", nikon_maker_note((0, 0, 0, 0, 0, 0, 0, 0)),
    nikon_maker_note((180, 10, 550, 10, 35, 10, 56, 10))[:30],  # cut inside its IFD
])
def test_a_damaged_or_foreign_maker_note_names_no_lens(note: bytes) -> None:
    assert lens_name({MAKER_NOTE: note}) is None


def test_ranges_are_said_as_exiftool_says_them() -> None:
    assert describe_range((18.0, 55.0, 3.5, 5.6)) == "18-55mm f/3.5-5.6"
    assert describe_range((50.0, 50.0, 1.4, 1.4)) == "50mm f/1.4"
    assert describe_range((10.5, 10.5, None, None)) == "10.5mm"
    assert describe_range((0.0, 0.0, 0.0, 0.0)) is None


def test_a_jpeg_with_only_lens_specification_is_indexed_with_its_lens(tmp_path: Path) -> None:
    photo = tmp_path / "DSC_0001.JPG"
    exif = Image.Exif()
    exif.get_ifd(0x8769)[LENS_SPECIFICATION] = (24.0, 70.0, 2.8, 2.8)
    Image.new("RGB", (64, 48), (90, 120, 150)).save(photo, exif=exif)
    assert read_photo_info(photo).lens == "24-70mm f/2.8"


@pytest.mark.parametrize("name", sorted(EXIFTOOL_LENS))
def test_the_real_nikon_jpegs_get_the_lens_exiftool_shows(shared_data: Path, name: str) -> None:
    assert read_photo_info(shared_data / "camera" / "jpeg" / name).lens == EXIFTOOL_LENS[name]


def test_real_photos_that_name_no_lens_get_none(shared_data: Path) -> None:
    for name in ("FujiFilm_FinePixS2Pro.jpg", "Nikon_E5700.jpg", "Panasonic_DMC-LX3_(Lumix).jpg"):
        assert read_photo_info(shared_data / "camera" / "jpeg" / name).lens is None

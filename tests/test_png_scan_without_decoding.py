"""The scan reads a PNG's EXIF without decoding its pixels (hostile input, finding 8)."""

from __future__ import annotations

import io
import struct
import zlib

import piexif
import pytest
from PIL import Image, PngImagePlugin

from app.core.photo_info import read_photo_info


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(exif_after_pixels: bytes | None = None, chunk_after_pixels: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(out, "PNG")
    data = out.getvalue()
    if exif_after_pixels is not None:
        chunk_after_pixels = _chunk(b"eXIf", exif_after_pixels)
    end = data.rindex(b"IEND") - 4
    return data[:end] + chunk_after_pixels + data[end:]


@pytest.fixture
def decoded(monkeypatch) -> list[tuple[int, int]]:
    sizes: list[tuple[int, int]] = []
    original = PngImagePlugin.PngImageFile.load

    def load(self):
        sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", load)
    return sizes


def test_exif_after_the_pixels_is_read_without_decoding(tmp_path, decoded):
    tiff = piexif.dump({"0th": {piexif.ImageIFD.Make: b"Canon", piexif.ImageIFD.Model: b"Canon EOS R5"},
                        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2024:05:01 10:20:30"}})
    path = tmp_path / "after.png"
    path.write_bytes(_png(tiff.removeprefix(b"Exif\x00\x00")))
    info = read_photo_info(path)
    assert (info.kind, info.width, info.height) == ("png", 300, 200)
    assert info.camera_make == "Canon" and info.taken_at.startswith("2024-05-01")
    assert decoded == []


def test_png_without_exif_is_not_decoded(tmp_path, decoded):
    path = tmp_path / "plain.png"
    path.write_bytes(_png())
    assert read_photo_info(path).camera_make is None
    assert decoded == []


def _raw_profile(tiff: bytes) -> bytes:
    """EXIF as ImageMagick and exiftool write it into PNG text: a header, then hex lines."""
    hexed = tiff.hex()
    lines = "\n".join(hexed[i : i + 72] for i in range(0, len(hexed), 72))
    return f"\nexif\n{len(tiff):8d}\n{lines}\n".encode("latin-1")


@pytest.mark.parametrize("kind", ["tEXt", "zTXt", "iTXt"])
def test_a_raw_exif_profile_after_the_pixels_is_read_without_decoding(tmp_path, decoded, kind):
    tiff = piexif.dump({"0th": {piexif.ImageIFD.Orientation: 6, piexif.ImageIFD.Make: b"Canon"},
                        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2019:04:01 10:00:00"}})
    key, profile = b"Raw profile type exif\x00", _raw_profile(tiff)
    chunk = {"tEXt": _chunk(b"tEXt", key + profile),
             "zTXt": _chunk(b"zTXt", key + b"\x00" + zlib.compress(profile)),
             "iTXt": _chunk(b"iTXt", key + b"\x01\x00\x00\x00" + zlib.compress(profile))}[kind]
    path = tmp_path / "profile.png"
    path.write_bytes(_png(chunk_after_pixels=chunk))
    info = read_photo_info(path)
    assert (info.orientation, info.camera_make) == (6, "Canon")
    assert info.taken_at.startswith("2019-04-01T10:00:00")
    assert decoded == []

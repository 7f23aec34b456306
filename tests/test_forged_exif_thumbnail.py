"""An EXIF thumbnail whose header declares a huge size is never decoded (hostile input, finding 2)."""

from __future__ import annotations

import io
import struct

import piexif
from PIL import Image, JpegImagePlugin

from app.core import thumbnails


def _jpeg(size: tuple[int, int], color: str, exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()


def _patch_sof(data: bytes, width: int, height: int) -> bytes:
    """The same JPEG stream with its frame header claiming width x height."""
    at = data.index(b"\xff\xc0") + 5
    return data[:at] + struct.pack(">HH", height, width) + data[at + 4 :]


def _photo_with_thumbnail(tmp_path, thumb_size: tuple[int, int]):
    thumb = _patch_sof(_jpeg((320, 240), "blue"), *thumb_size)
    exif = piexif.dump({"0th": {}, "1st": {piexif.ImageIFD.Compression: 6}, "thumbnail": thumb})
    path = tmp_path / "forged.jpg"
    path.write_bytes(_jpeg((800, 600), "red", exif))
    return path


def _record_loads(monkeypatch) -> list[tuple[int, int]]:
    loaded: list[tuple[int, int]] = []
    original = JpegImagePlugin.JpegImageFile.load

    def load(self):
        loaded.append(self.size)
        return original(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", load)
    return loaded


def test_thumbnail_declaring_more_pixels_than_the_photo_is_not_decoded(tmp_path, monkeypatch):
    path = _photo_with_thumbnail(tmp_path, (3000, 3000))  # 9 MP in a 0.5 MP photo
    loaded = _record_loads(monkeypatch)
    assert thumbnails._embedded_thumbnail(path, 160) is None
    assert (3000, 3000) not in loaded


def test_tile_of_such_a_photo_comes_from_the_photo_itself(tmp_path):
    path = _photo_with_thumbnail(tmp_path, (3000, 3000))
    tile = thumbnails.make_thumbnail(path, 160)
    assert tile.size == (160, 120)
    red, green, blue = tile.getpixel((80, 60))
    assert red > 200 and blue < 60  # the red photo, not the blue thumbnail


def test_declared_sizes_worth_decoding():
    assert thumbnails._plausible_thumbnail((160, 120), (6000, 4000))
    assert not thumbnails._plausible_thumbnail((60000, 60000), (800, 600))
    assert not thumbnails._plausible_thumbnail((3000, 3000), (800, 600))  # bigger than the photo
    assert not thumbnails._plausible_thumbnail((2500, 2000), (20000, 10000))  # more than any camera writes
    assert not thumbnails._plausible_thumbnail((0, 120), (800, 600))


def test_a_genuine_thumbnail_is_still_used(tmp_path):
    path = _photo_with_thumbnail(tmp_path, (320, 240))
    tile = thumbnails._embedded_thumbnail(path, 160)
    assert tile is not None and tile.getpixel((10, 10))[2] > 200  # the blue thumbnail

"""An EXIF count larger than its block is refused before piexif sees it, and the write's
verification still compares such a block (hostile input, finding 3)."""

from __future__ import annotations

import io
import struct
from types import SimpleNamespace

import piexif
import pytest
from PIL import Image

from app.core import thumbnails
from app.core.exif_counts import oversized_count
from app.core.metadata.verify import VerificationError, _compare_exif


def _exif_block(make: bytes, orientation_count: int) -> bytes:
    """An APP1 EXIF payload: IFD0 with Make and an Orientation claiming `orientation_count` SHORTs."""
    make += b"\x00"
    data_at = 8 + 2 + 2 * 12 + 4
    entries = struct.pack("<HHII", 0x010F, 2, len(make), data_at)
    entries += struct.pack("<HHI", 0x0112, 3, orientation_count) + struct.pack("<HH", 1, 0)
    return b"Exif\x00\x00" + b"II*\x00" + struct.pack("<IH", 8, 2) + entries + struct.pack("<I", 0) + make


def test_a_count_past_the_block_is_named():
    reason = oversized_count(_exif_block(b"Canon", 0x80000000))
    assert reason is not None and "0x0112" in reason and "2,147,483,648" in reason
    assert oversized_count(_exif_block(b"Canon", 1)) is None
    assert oversized_count(piexif.dump({"0th": {piexif.ImageIFD.Make: b"Canon"}, "Exif": {piexif.ExifIFD.UserComment: b"x" * 100}})) is None


def test_verification_of_such_a_block_still_sees_a_changed_value():
    old = SimpleNamespace(payload=_exif_block(b"Canon", 100_000))
    changed = SimpleNamespace(payload=_exif_block(b"Nikon", 100_000))
    with pytest.raises(VerificationError, match="EXIF values other than XPKeywords changed"):
        _compare_exif("photo.jpg", old, changed)
    _compare_exif("photo.jpg", old, SimpleNamespace(payload=_exif_block(b"Canon", 100_000)))  # unchanged: passes


def test_thumbnail_of_such_a_photo_never_calls_piexif(tmp_path, monkeypatch):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "red").save(out, "JPEG", exif=_exif_block(b"Canon", 0xFFFFFFFF))
    path = tmp_path / "count.jpg"
    path.write_bytes(out.getvalue())
    calls = []
    monkeypatch.setattr(piexif, "load", lambda *args, **kwargs: calls.append(args))
    assert thumbnails._embedded_thumbnail(path, 160) is None
    assert calls == []
    assert thumbnails.make_thumbnail(path, 160).size == (160, 120)

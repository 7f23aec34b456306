"""A progressive JPEG with hundreds of scans is refused before decoding (hostile input, finding 5)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.core import thumbnails
from app.core.decode import decode_for_model
from app.core.errors import DecompressionBombError
from app.core.jpeg_scans import MAX_SCANS, count_scans


def _progressive(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "JPEG", progressive=True)
    return out.getvalue()


def _with_last_scan_repeated(data: bytes, times: int) -> bytes:
    """The same picture with its last refinement scan repeated: valid for libjpeg."""
    last = data.rindex(b"\xff\xda")
    end = data.rindex(b"\xff\xd9")
    return data[:end] + data[last:end] * times + data[end:]


def test_scans_are_counted_from_markers():
    plain = _progressive()
    assert 2 <= count_scans(plain) <= 20
    assert count_scans(_with_last_scan_repeated(plain, 600)) == count_scans(plain) + 600


def test_too_many_scans_are_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "scans.jpg"
    path.write_bytes(_with_last_scan_repeated(_progressive(), MAX_SCANS + 100))
    with pytest.raises(DecompressionBombError, match=r"progressive JPEG of [\d,]+ scans \(more than 500"):
        decode_for_model(path, 32)
    with pytest.raises(DecompressionBombError, match="scans"):
        thumbnails.make_thumbnail(path, 32)
    with pytest.raises(DecompressionBombError, match="scans"):
        thumbnails.load_preview(path, 64)


def test_an_ordinary_progressive_jpeg_still_decodes(tmp_path):
    path = tmp_path / "ok.jpg"
    path.write_bytes(_with_last_scan_repeated(_progressive(), 20))
    assert decode_for_model(path, 32).size == (64, 48)
    assert thumbnails.make_thumbnail(path, 32).size == (32, 24)

"""A progressive JPEG with hundreds of scans is refused before decoding (hostile input, finding 5)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from app.core import thumbnails
from app.core.decode import decode_for_model
from app.core.errors import DecompressionBombError
from app.core.jpeg_scans import count_scans

REPO_ROOT = Path(__file__).resolve().parents[1]


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
    path.write_bytes(_with_last_scan_repeated(_progressive(), 600))  # libjpeg-turbo's limit is 500, not ours to raise
    with pytest.raises(DecompressionBombError, match=r"progressive JPEG of [\d,]+ scans \(more than 500\b"):
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


def test_scans_are_counted_up_to_the_first_image_s_end(tmp_path):
    """A phone's trailer or an MPF preview after the EOI: its scans are not the photo's,
    and the count ends at the EOI (in a process of its own, so a loop that never ends
    fails the test instead of hanging the suite)."""
    photo = _progressive()
    trailed = tmp_path / "trailed.jpg"
    trailed.write_bytes(photo + _progressive((32, 24)) * 300 + b"SEFHSEFT")
    count = ("import sys; from pathlib import Path; from app.core.jpeg_scans import count_scans; "
             "print(count_scans(Path(sys.argv[1]).read_bytes()))")
    try:
        done = subprocess.run([sys.executable, "-c", count, str(trailed)], cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("count_scans did not end on a JPEG with another image after its EOI")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == count_scans(photo)
    assert decode_for_model(trailed, 32).size == (64, 48)


def test_a_progressive_jpeg_of_up_to_500_scans_still_decodes(tmp_path):
    path = tmp_path / "many.jpg"
    plain = _progressive()
    path.write_bytes(_with_last_scan_repeated(plain, 500 - count_scans(plain)))
    assert count_scans(path.read_bytes()) == 500
    assert decode_for_model(path, 32).size == (64, 48)

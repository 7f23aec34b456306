"""A JPEG with stray bytes between its header segments is whole (readers skip the
bytes), and a write leaves it alone saying so, not calling it truncated: the user
must not replace a good photo from an old backup. A truly cut-off file is still
called truncated."""

from __future__ import annotations

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.jpeg_segments import JpegFormatError, StrayBytesError, build_jpeg, parse_jpeg
from tests.test_metadata_support import add_photo, make_jpeg


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def with_stray_bytes(path, stray: bytes = b"\x00\x00"):
    """The JPEG at `path` with `stray` after its first header segment, as the tester's
    junk_between.jpg; returns the byte where they start."""
    data = path.read_bytes()
    layout = parse_jpeg(data)
    first, rest = layout.segments[0], layout.segments[1:]
    at = 2 + 4 + len(first.payload)
    path.write_bytes(build_jpeg([first], b"") + stray + build_jpeg(rest, data[layout.scan_offset:])[2:])
    return at


def test_stray_bytes_are_named_as_such_not_as_truncation(tmp_path):
    photo = make_jpeg(tmp_path / "a.jpg")
    at = with_stray_bytes(photo)
    with pytest.raises(StrayBytesError) as caught:
        parse_jpeg(photo.read_bytes(), "a.jpg")
    message = str(caught.value)
    assert f"2 unexpected bytes between its header segments at byte {at}" in message
    assert "not cut off" in message and "truncated" not in message
    assert "--no-jpeg" in message


def test_the_marker_after_fill_bytes_is_found_and_the_fill_not_counted(tmp_path):
    photo = make_jpeg(tmp_path / "a.jpg")
    with_stray_bytes(photo, b"\x12\x34\x56\xff\xff")
    with pytest.raises(StrayBytesError, match="3 unexpected bytes"):
        parse_jpeg(photo.read_bytes())


def test_a_file_cut_off_in_its_headers_is_still_called_truncated(tmp_path):
    data = make_jpeg(tmp_path / "a.jpg").read_bytes()
    layout = parse_jpeg(data)
    boundary = 2 + 4 + len(layout.segments[0].payload)
    for cut in (data[:boundary], data[:boundary] + b"\x00" * 8):
        with pytest.raises(JpegFormatError, match="truncated") as caught:
            parse_jpeg(cut)
        assert not isinstance(caught.value, StrayBytesError)


def test_a_write_leaves_such_a_file_alone_with_the_reason_and_goes_on(tmp_path, index):
    odd = make_jpeg(tmp_path / "odd.jpg")
    with_stray_bytes(odd)
    fine = make_jpeg(tmp_path / "fine.jpg", seed=1)
    original = odd.read_bytes()
    add_photo(index, [odd], "Alhambra")
    add_photo(index, [fine], "Alhambra")
    options = WriteOptions()
    summary = write_labels(index, plan_writes(index, "", False, options), options)
    assert (summary.written, summary.failed) == (1, 1)
    assert odd.read_bytes() == original
    ((path, message),) = summary.errors
    assert path == str(odd) and "unexpected bytes between its header segments" in message
    assert "truncated" not in message

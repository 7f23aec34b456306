"""fingerprint.picture_print, the print by which a JPEG edited in another program and
moved is recognised (index/picture_moves.py): the start of its image data, which a
metadata edit, a phone's trailer after the image or an MPF preview image leave alone,
and which differs for different pictures."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from app.core.fingerprint import picture_print
from tests.test_index_support import write_jpeg
from tests.test_scan_edited_and_moved import edit_in_lightroom


def noisy_jpeg(path: Path, seed: int, progressive: bool = False) -> Path:
    """A JPEG whose image data runs well past 64 KiB (noise does not compress)."""
    picture = Image.effect_noise((700, 500), 80 + seed).convert("RGB")
    picture.save(path, "JPEG", quality=95, progressive=progressive)
    return path


def test_a_metadata_edit_in_the_head_keeps_the_print_and_the_size_does_not_matter(tmp_path) -> None:
    photo = noisy_jpeg(tmp_path / "a.jpg", 1)
    before = picture_print(photo)
    edit_in_lightroom(photo)
    grown = tmp_path / "grown.jpg"
    data = photo.read_bytes()
    comment = b"x" * 65000  # pushes the SOS past the first 64 KiB
    grown.write_bytes(data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:])
    assert before is not None and picture_print(photo) == before == picture_print(grown)


def test_a_trailer_after_the_image_is_not_part_of_the_print(tmp_path) -> None:
    photo = noisy_jpeg(tmp_path / "a.jpg", 1)
    small = write_jpeg(tmp_path / "small.jpg", color=(200, 10, 10))
    trailed = tmp_path / "trailed.jpg"
    trailed.write_bytes(photo.read_bytes() + b"SEFHSEFT" * 40)  # a Samsung-like trailer, after EOI
    small_trailed = tmp_path / "small_trailed.jpg"
    small_trailed.write_bytes(small.read_bytes() + b"\xff\xd9 motion photo video \xff\x00" * 10)
    assert picture_print(trailed) == picture_print(photo)
    assert picture_print(small_trailed) == picture_print(small) is not None


def test_an_mpf_preview_image_after_the_photo_is_not_part_of_the_print(tmp_path) -> None:
    red, blue, green = (Image.new("RGB", (300, 200), colour) for colour in ((200, 10, 10), (10, 10, 200), (10, 200, 10)))
    red.save(tmp_path / "alone.jpg", quality=90)
    red.save(tmp_path / "blue.mpo", "MPO", save_all=True, append_images=[blue], quality=90)
    red.save(tmp_path / "green.mpo", "MPO", save_all=True, append_images=[green], quality=90)
    prints = {picture_print(tmp_path / name) for name in ("alone.jpg", "blue.mpo", "green.mpo")}
    assert len(prints) == 1 and None not in prints


def test_different_pictures_have_different_prints_and_a_progressive_jpeg_has_one(tmp_path) -> None:
    first, second = noisy_jpeg(tmp_path / "1.jpg", 1), noisy_jpeg(tmp_path / "2.jpg", 2)
    progressive = noisy_jpeg(tmp_path / "p.jpg", 1, progressive=True)
    red = write_jpeg(tmp_path / "red.jpg", color=(200, 10, 10), taken="2026:04:12 09:30:01")
    blue = write_jpeg(tmp_path / "blue.jpg", color=(10, 10, 200), taken="2026:04:12 09:30:01")
    prints = [picture_print(path) for path in (first, second, progressive, red, blue)]
    assert None not in prints and len(set(prints)) == 5


def test_not_a_jpeg_none_and_a_truncated_one_still_printed(tmp_path) -> None:
    png = tmp_path / "a.png"
    Image.new("RGB", (20, 20)).save(png)
    garbage = tmp_path / "b.jpg"
    garbage.write_bytes(b"\xff\xd8\xff\xe1\xff\xff" + b"\x00" * 10)  # a segment running off the end
    truncated = tmp_path / "c.jpg"
    truncated.write_bytes(noisy_jpeg(tmp_path / "whole.jpg", 3).read_bytes()[:30000])
    assert picture_print(png) is None and picture_print(garbage) is None
    assert picture_print(truncated) is not None
    assert picture_print(tmp_path / "whole.jpg") != picture_print(truncated)  # not all of its data read


def test_stuffed_bytes_in_the_image_data_do_not_end_the_image(tmp_path) -> None:
    buffer = io.BytesIO()
    Image.effect_noise((64, 64), 90).convert("RGB").save(buffer, "JPEG", quality=95)
    data = buffer.getvalue()
    assert data.count(b"\xff\x00") > 0  # stuffing present in the entropy-coded data
    with_tail, without = tmp_path / "t.jpg", tmp_path / "n.jpg"
    without.write_bytes(data)
    with_tail.write_bytes(data + b"tail")
    assert int(picture_print(without).split("-")[0], 16) > 64 * 64 // 10  # the whole scan, not up to an FF00
    assert picture_print(with_tail) == picture_print(without)

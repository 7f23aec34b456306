"""fingerprint.picture_print, the print by which a JPEG edited in another program and
moved is recognised (index/picture_moves.py): samples of its image data throughout, which
a metadata edit, a phone's trailer after the image or an MPF preview image leave alone,
and which differ for different pictures, also for two that share their top rows."""

from __future__ import annotations

import hashlib
import io
import random
from pathlib import Path

import numpy as np
import piexif
from PIL import Image, ImageDraw

from app.core.fingerprint import fingerprint_file, picture_print
from app.core.index import PhotoIndex
from app.core.scanner import scan
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


def test_an_mpf_preview_longer_than_the_probe_at_the_end_is_not_part_of_the_print(tmp_path) -> None:
    """A camera's preview of real size (noisy, well over 16 KiB): only the MPF index says
    where the photo's image data ends."""
    photo = Image.effect_noise((600, 400), 60).convert("RGB")
    photo.save(tmp_path / "alone.jpg", quality=90)
    for name, sigma in (("first.mpo", 70), ("second.mpo", 90)):
        preview = Image.effect_noise((400, 300), sigma).convert("RGB")
        photo.save(tmp_path / name, "MPO", save_all=True, append_images=[preview], quality=90)
        grown = (tmp_path / name).stat().st_size - (tmp_path / "alone.jpg").stat().st_size
        assert grown > 64 * 1024, name  # far more than the 16 KiB read at the end for the EOI
    prints = {picture_print(tmp_path / name) for name in ("alone.jpg", "first.mpo", "second.mpo")}
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


def image_data(jpeg: bytes) -> bytes:
    """From the first SOS marker to the EOI that ends `jpeg`, its segments followed by their lengths."""
    position = 2
    while jpeg[position + 1] != 0xDA:
        position += 2 + int.from_bytes(jpeg[position + 2:position + 4], "big")
    assert jpeg.endswith(b"\xff\xd9")
    return jpeg[position:]


def test_image_data_of_up_to_2_mib_is_hashed_whole(tmp_path) -> None:
    """The print is kept in the index: a 1.5 MiB picture's must stay what it was (all of
    its data hashed, told apart from one differing in a single byte anywhere)."""
    pixels = np.random.default_rng(3).integers(0, 256, (1000, 1300, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "a.jpg", "JPEG", quality=95)
    data = image_data((tmp_path / "a.jpg").read_bytes())
    assert 1024 * 1024 < len(data) < 2 * 1024 * 1024
    whole = hashlib.blake2b(b"whole %x;" % len(data) + data, digest_size=16).hexdigest()
    assert picture_print(tmp_path / "a.jpg") == f"{len(data):x}-{whole}"

    changed = bytearray((tmp_path / "a.jpg").read_bytes())
    at = len(changed) - len(data) + 30000  # between where samples of 8 KiB would be taken
    at += next(n for n in range(100) if 0xFF not in changed[at + n - 1:at + n + 2] and changed[at + n] != 0xFE)
    changed[at] ^= 1  # no marker made or unmade
    (tmp_path / "b.jpg").write_bytes(changed)
    assert picture_print(tmp_path / "b.jpg") not in (None, picture_print(tmp_path / "a.jpg"))


def sky_photo(path: Path, seed: int) -> Path:
    """A 3000x2000 JPEG (quality 90, ~2 MB, as a camera's) whose top 40 % is a sky the same
    in every seed, byte for byte in its image data (more than 64 KiB of it), and whose
    ground differs by seed; one date taken, camera and size for all."""
    width, height, top = 3000, 2000, 800
    sky = Image.frombytes("L", (width, top), random.Random(0).randbytes(width * top)).point(lambda v: 200 + v // 32)
    ground = Image.frombytes("L", (width, height - top), random.Random(seed).randbytes(width * (height - top)))
    picture = Image.new("L", (width, height))
    picture.paste(sky, (0, 0))
    picture.paste(ground.point(lambda v: 40 + v // 4), (0, top))
    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"NIKON CORPORATION", piexif.ImageIFD.Model: b"NIKON D3100"},
                        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2000:01:01 00:00:00"}})
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.convert("RGB").save(path, "JPEG", quality=90, exif=exif)
    return path


def test_two_pictures_alike_in_their_top_40_percent_have_different_prints_and_are_not_joined(tmp_path) -> None:
    """A clipped sky at the top of two frames of one card swap (unset clock: one date) is
    the same image data for well over 64 KiB: the print samples the rest too."""
    library = tmp_path / "lib"
    deleted = sky_photo(library / "CardA" / "DSC_0001.JPG", 1)
    other = sky_photo(tmp_path / "cardB" / "DSC_0001.JPG", 2)
    assert picture_print(deleted) != picture_print(other)
    trailed = tmp_path / "trailed.jpg"  # a phone's trailer after the EOI, holding marker bytes
    trailed.write_bytes(deleted.read_bytes() + random.Random(5).randbytes(8 * 1024))
    edited = tmp_path / "edited.jpg"
    edited.write_bytes(deleted.read_bytes())
    edit_in_lightroom(edited)
    assert picture_print(trailed) == picture_print(edited) == picture_print(deleted)

    with swap_cards_and_scan(tmp_path, library, deleted, other) as index:
        new = library / "CardB" / "DSC_0001.JPG"
        assert index.get(index.search(f"path:\"{new}\"")[0].id).state == "unlabelled"


def swap_cards_and_scan(tmp_path: Path, library: Path, deleted: Path, other: Path) -> PhotoIndex:
    """The card swap: `deleted` (the library's one photo) scanned and labelled "Colosseum",
    then deleted and `other` put in as CardB/DSC_0001.JPG; the rescan must leave the label
    on the missing photo and take the new file for a new photo. The index, open."""
    index = PhotoIndex.open(tmp_path / "index.db")
    scan(index, [library])
    photo = index.search("")[0]
    index.set_label(photo.id, "Colosseum")
    deleted.unlink()
    (library / "CardB").mkdir()
    other.rename(library / "CardB" / "DSC_0001.JPG")
    summary = scan(index, [library])
    assert (summary.moved, summary.new, summary.missing) == (0, 1, 1)
    assert [(r.id, r.label) for r in index.search("is:missing")] == [(photo.id, "Colosseum")]
    return index


def night_frame(path: Path, moon_x: int) -> Path:
    """A 4000x3000 q90 frame, near-black and noise-free but for a bright 48 px 'moon' at
    `moon_x` in the middle rows: ~185 KiB of image data, the same length for every x; one
    date taken, camera and size for all."""
    picture = Image.new("RGB", (4000, 3000), (3, 3, 6))
    ImageDraw.Draw(picture).ellipse((moon_x, 1500, moon_x + 48, 1548), fill=(250, 250, 240))
    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"NIKON CORPORATION", piexif.ImageIFD.Model: b"NIKON D3100"},
                        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2010:01:01 00:00:00"}})
    picture.save(path, "JPEG", quality=90, exif=exif)
    return path


def test_twenty_night_frames_with_the_moon_in_different_places_have_twenty_prints(tmp_path) -> None:
    """Flat data costs a few bits a block: samples of it all but miss a small bright spot,
    so small image data is hashed whole."""
    frames = [night_frame(tmp_path / f"DSC_{x}.JPG", x) for x in range(400, 3600, 160)]
    prints = [picture_print(frame) for frame in frames]
    assert len(frames) == 20 and None not in prints and len(set(prints)) == 20
    trailed = tmp_path / "trailed.jpg"  # a trailer well past the probe at the end, then a Lightroom edit
    trailed.write_bytes(frames[0].read_bytes() + random.Random(5).randbytes(64 * 1024))
    edit_in_lightroom(trailed)
    assert picture_print(trailed) == prints[0]


def test_a_card_swap_of_two_night_frames_sharing_a_fingerprint_is_not_joined(tmp_path) -> None:
    """Their size and first and last 64 KiB (black rows) are the same bytes: the fingerprint
    alone would take the new frame for the deleted one moved."""
    library = tmp_path / "lib"
    (library / "CardA").mkdir(parents=True)
    deleted = night_frame(library / "CardA" / "DSC_0001.JPG", 400)
    other = night_frame(tmp_path / "DSC_0001.JPG", 2000)
    assert fingerprint_file(deleted) == fingerprint_file(other)
    swap_cards_and_scan(tmp_path, library, deleted, other).close()


def test_a_change_in_the_last_sample_of_image_data_over_2_mib_changes_the_print(tmp_path) -> None:
    """Samples of larger image data are spread from its start so that the last ends at the
    EOI: a byte changed 7 KiB before the end (outside the 4 KiB hashed with the length) is
    seen. Spread otherwise, the print of every such photo tagged before would change too."""
    pixels = np.random.default_rng(1).integers(0, 256, (1500, 2000, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "a.jpg", "JPEG", quality=95)
    jpeg = (tmp_path / "a.jpg").read_bytes()
    assert len(image_data(jpeg)) > 2 * 1024 * 1024

    changed = bytearray(jpeg)
    at = len(changed) - 7 * 1024
    at += next(n for n in range(100) if 0xFF not in changed[at + n - 1:at + n + 2] and changed[at + n] != 0xFE)
    changed[at] ^= 1  # no marker made or unmade
    (tmp_path / "b.jpg").write_bytes(changed)
    assert picture_print(tmp_path / "b.jpg") not in (None, picture_print(tmp_path / "a.jpg"))

"""Thumbnails: embedded EXIF thumbnail first, orientation applied, cached on disk."""

from __future__ import annotations

import io
import os
from pathlib import Path

import piexif
import pytest
from PIL import Image

from app.core.config import cache_dir
from app.core.errors import PhotoReadError
from app.core.thumbnails import (
    RECENT_S, PruneResult, cached_thumbnail, load_preview, make_thumbnail, prune_thumbnail_cache,
    thumbnail_cache_path,
)


def jpeg_with_exif(path: Path, size=(600, 400), color=(200, 30, 30), orientation=1, thumb_color=None) -> Path:
    """A JPEG whose embedded thumbnail can be told apart from the main image by colour."""
    exif = {"0th": {piexif.ImageIFD.Orientation: orientation}, "Exif": {}, "1st": {}, "thumbnail": None}
    if thumb_color is not None:
        buffer = io.BytesIO()
        Image.new("RGB", (160, 106), thumb_color).save(buffer, "JPEG")
        exif["thumbnail"] = buffer.getvalue()
        exif["1st"] = {piexif.ImageIFD.JPEGInterchangeFormat: 0, piexif.ImageIFD.JPEGInterchangeFormatLength: 0}
    Image.new("RGB", size, color).save(path, "JPEG", exif=piexif.dump(exif))
    return path


def centre_colour(image: Image.Image) -> tuple[int, int, int]:
    return image.getpixel((image.width // 2, image.height // 2))


def test_the_embedded_thumbnail_is_used_when_big_enough(tmp_path: Path) -> None:
    photo = jpeg_with_exif(tmp_path / "a.jpg", thumb_color=(20, 200, 20))
    small = make_thumbnail(photo, 160)
    assert centre_colour(small)[1] > 150  # green: the embedded thumbnail
    large = make_thumbnail(photo, 400)
    assert centre_colour(large)[0] > 150  # red: too small an embedded one, decoded instead


def test_orientation_is_applied_to_both_sources(tmp_path: Path) -> None:
    with_thumb = jpeg_with_exif(tmp_path / "t.jpg", orientation=6, thumb_color=(0, 0, 255))
    without = jpeg_with_exif(tmp_path / "d.jpg", orientation=6)
    for photo in (with_thumb, without):
        image = make_thumbnail(photo, 160)
        assert image.height > image.width, photo.name
    preview = load_preview(without, 300)
    assert preview.size == (200, 300)


# The EXIF spec's meaning of each Orientation: the visual side of the upright picture
# that the stored image's first row is shown on, then the side its first column is.
EXIF_FIRST_ROW_AND_FIRST_COLUMN = {
    1: ("top", "left"), 2: ("top", "right"), 3: ("bottom", "right"), 4: ("bottom", "left"),
    5: ("left", "top"), 6: ("right", "top"), 7: ("right", "bottom"), 8: ("left", "bottom"),
}
OTHER_SIDE = {"top": "bottom", "bottom": "top", "left": "right", "right": "left"}
PHOTO_CORNERS = {"top-left": (220, 20, 20), "top-right": (20, 200, 20),
                 "bottom-left": (20, 20, 220), "bottom-right": (235, 235, 235)}
THUMBNAIL_CORNERS = {"top-left": (230, 220, 20), "top-right": (210, 30, 210),
                     "bottom-left": (30, 210, 210), "bottom-right": (120, 120, 120)}


def four_corners(size: tuple[int, int], colours: dict[str, tuple[int, int, int]]) -> Image.Image:
    """A picture with a different colour in each quadrant: every turn and mirror shows."""
    width, height = size
    image = Image.new("RGB", size)
    for corner, colour in colours.items():
        left = 0 if corner.endswith("left") else width // 2
        top = 0 if corner.startswith("top") else height // 2
        image.paste(colour, (left, top, left + width // 2, top + height // 2))
    return image


def seen_at(orientation: int, stored_corner: str) -> frozenset[str]:
    """The two sides of the upright picture that a stored corner is seen between."""
    row_side, column_side = EXIF_FIRST_ROW_AND_FIRST_COLUMN[orientation]
    row, column = stored_corner.split("-")
    return frozenset({row_side if row == "top" else OTHER_SIDE[row_side],
                      column_side if column == "left" else OTHER_SIDE[column_side]})


@pytest.mark.parametrize("source", ["embedded thumbnail", "decoded photo"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_thumbnails_of_turned_and_mirrored_photos_come_out_upright(tmp_path: Path, source, orientation) -> None:
    """Orientations 5 and 7 (mirrored and turned: front cameras, some scanners) as well
    as the plain turns, from the EXIF thumbnail and from the decoded photo alike."""
    import numpy as np

    exif = {"0th": {piexif.ImageIFD.Orientation: orientation}, "Exif": {}, "1st": {}, "thumbnail": None}
    colours = PHOTO_CORNERS
    if source == "embedded thumbnail":
        colours = THUMBNAIL_CORNERS  # other colours: the tile shows which source made it
        buffer = io.BytesIO()
        four_corners((160, 106), colours).save(buffer, "JPEG", quality=95)
        exif["thumbnail"] = buffer.getvalue()
        exif["1st"] = {piexif.ImageIFD.JPEGInterchangeFormat: 0, piexif.ImageIFD.JPEGInterchangeFormatLength: 0}
    photo = tmp_path / f"o{orientation}.jpg"
    four_corners((600, 400), PHOTO_CORNERS).save(photo, "JPEG", quality=95, exif=piexif.dump(exif))

    image = make_thumbnail(photo, 160)
    assert (image.height > image.width) == (orientation >= 5)
    pixels = np.asarray(image, dtype=np.int32)
    for stored_corner, colour in colours.items():
        sides = seen_at(orientation, stored_corner)
        y = image.height // 4 if "top" in sides else image.height - 1 - image.height // 4
        x = image.width // 4 if "left" in sides else image.width - 1 - image.width // 4
        assert np.abs(pixels[y, x] - colour).max() < 40, (stored_corner, sorted(sides), pixels[y, x])


def test_letterboxed_embedded_thumbnail_is_cropped_to_the_photo_aspect(tmp_path: Path) -> None:
    photo = tmp_path / "box.jpg"
    buffer = io.BytesIO()
    boxed = Image.new("RGB", (160, 120), (0, 0, 0))
    boxed.paste(Image.new("RGB", (160, 106), (250, 250, 0)), (0, 7))
    boxed.save(buffer, "JPEG")
    exif = {"0th": {}, "Exif": {}, "1st": {piexif.ImageIFD.JPEGInterchangeFormat: 0,
                                           piexif.ImageIFD.JPEGInterchangeFormatLength: 0},
            "thumbnail": buffer.getvalue()}
    Image.new("RGB", (900, 600), (250, 250, 0)).save(photo, "JPEG", exif=piexif.dump(exif))
    image = make_thumbnail(photo, 160)
    assert abs(image.width / image.height - 1.5) < 0.05
    assert sum(image.getpixel((image.width // 2, 1))) > 300  # no black bar left at the top


def photo_with_thumbnail(path: Path, thumbnail: Image.Image, size: tuple[int, int], color) -> Path:
    """A JPEG of `size` in `color` whose EXIF carries `thumbnail` (as a camera pads it)."""
    buffer = io.BytesIO()
    thumbnail.save(buffer, "JPEG", quality=95)
    exif = {"0th": {}, "Exif": {}, "1st": {piexif.ImageIFD.JPEGInterchangeFormat: 0,
                                           piexif.ImageIFD.JPEGInterchangeFormatLength: 0},
            "thumbnail": buffer.getvalue()}
    Image.new("RGB", size, color).save(path, "JPEG", exif=piexif.dump(exif))
    return path


def frame_brightness(image: Image.Image) -> list[int]:
    """The brightest value on each edge of the image (top, bottom, left, right)."""
    gray = image.convert("L")
    width, height = gray.size
    edges = [[(x, 0) for x in range(width)], [(x, height - 1) for x in range(width)],
             [(0, y) for y in range(height)], [(width - 1, y) for y in range(height)]]
    return [max(gray.getpixel(xy) for xy in edge) for edge in edges]


def test_a_thumbnail_padded_on_all_four_sides_loses_its_black_frame(tmp_path: Path) -> None:
    """Nikon's D70 pads its 160 × 120 thumbnail with 10 rows above and below and 4
    columns at each side: the aspect crop alone left a black frame round the tile."""
    boxed = Image.new("RGB", (160, 120), (0, 0, 0))
    boxed.paste(Image.new("RGB", (152, 100), (90, 140, 220)), (4, 10))
    photo = photo_with_thumbnail(tmp_path / "DSC_0001.JPG", boxed, (3008, 2000), (90, 140, 220))
    image = make_thumbnail(photo, 160)
    assert min(frame_brightness(image)) > 100 and abs(image.width / image.height - 1.504) < 0.05


def test_a_dark_sky_at_the_top_of_a_thumbnail_is_the_photo_not_a_bar(tmp_path: Path) -> None:
    night = Image.new("RGB", (160, 106), (200, 180, 90))
    night.paste(Image.new("RGB", (160, 12), (0, 0, 0)), (0, 0))  # black sky, lit town below
    photo = photo_with_thumbnail(tmp_path / "night.jpg", night, (1600, 1060), (200, 180, 90))
    assert make_thumbnail(photo, 160).size == (160, 106)  # nothing cut


def test_a_night_scene_dark_above_and_below_keeps_its_whole_thumbnail(tmp_path: Path) -> None:
    """Black sky and black water round a lit skyline looked like letterbox bars: a
    thumbnail with the photo's shape already is not trimmed (found by review)."""
    night = Image.new("RGB", (160, 106), (0, 0, 0))
    night.paste(Image.new("RGB", (160, 80), (220, 170, 60)), (0, 13))
    photo = photo_with_thumbnail(tmp_path / "fireworks.jpg", night, (1600, 1060), (220, 170, 60))
    assert make_thumbnail(photo, 160).size == (160, 106)


def test_a_16_bit_scan_shows_its_picture_not_a_white_frame(tmp_path: Path) -> None:
    """16-bit grey TIFFs (film scans) came out nearly all white: converting to RGB clipped
    every value over 255. They are scaled to 8 bits, as the model sees them."""
    import numpy as np

    ramp = np.linspace(0, 65535, 96 * 64).reshape(64, 96).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "scan.tif")
    assert Image.open(tmp_path / "scan.tif").mode == "I;16"
    for image in (make_thumbnail(tmp_path / "scan.tif", 48), load_preview(tmp_path / "scan.tif", 96)):
        values = np.asarray(image.convert("L"))
        assert 100 < values.mean() < 155 and values.min() < 20  # a ramp from black to white


def test_thumbnails_are_cached_in_the_user_cache_and_refreshed_when_the_file_changes(tmp_path: Path) -> None:
    photo = jpeg_with_exif(tmp_path / "c.jpg")
    first = cached_thumbnail(photo, 128)
    assert first.is_file() and cache_dir() / "thumbnails" in first.parents
    assert cached_thumbnail(photo, 128) == first
    jpeg_with_exif(photo, color=(0, 0, 200))
    os.utime(photo, ns=(10**18, 10**18))
    second = cached_thumbnail(photo, 128)
    assert second != first
    assert centre_colour(Image.open(second))[2] > 150


def test_the_cache_is_kept_under_its_limit_oldest_thumbnails_first(tmp_path: Path) -> None:
    """A write changes each photo's size, so its old thumbnail stays behind: without a
    limit the cache grew by a library's worth of thumbnails per write."""
    cache, now = tmp_path / "thumbnails", 1_000_000_000.0
    made = []
    for age_hours in (50, 40, 30, 20, 10, 0.5):  # 1 KB each, oldest first
        path = cache / f"{len(made):02x}" / f"{len(made):040x}.jpg"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x" * 1000)
        os.utime(path, (now - age_hours * 3600, now - age_hours * 3600))
        made.append(path)
    crashed = made[0].parent / ".thumb-abc.jpg"  # a temp file a crash left
    crashed.write_bytes(b"x" * 10)
    os.utime(crashed, (now - 2 * RECENT_S, now - 2 * RECENT_S))
    assert prune_thumbnail_cache(limit_bytes=10_000, cache=cache, now=now).removed == 1  # under the limit: only the temp
    result = prune_thumbnail_cache(limit_bytes=5000, cache=cache, now=now)  # over: down to 80 % (4 files)
    assert (result.removed, result.kept_bytes) == (2, 4000)
    assert [p.exists() for p in made] == [False, False, True, True, True, True]
    prune_thumbnail_cache(limit_bytes=500, cache=cache, now=now)
    assert [p.exists() for p in made] == [False] * 5 + [True]  # the one made within the hour stays
    assert prune_thumbnail_cache(cache=tmp_path / "absent") == PruneResult(0, 0, 0)  # no cache yet


def test_a_thumbnail_pruned_under_the_grid_is_made_again(tmp_path: Path, qtbot) -> None:
    from PySide6.QtGui import QImage

    from app.gui.thumbnail_loader import _ThumbnailJob, _WorkerSignals

    photo = jpeg_with_exif(tmp_path / "p.jpg")
    cached = cached_thumbnail(photo, 128)
    cached.write_bytes(b"")  # as if pruned (or damaged) between the lookup and the load
    signals = _WorkerSignals()
    got: list[QImage] = []
    signals.finished.connect(lambda _id, _gen, image: got.append(image))
    job = _ThumbnailJob(1, photo, 128, 0, signals)
    job.run()
    assert got and not got[0].isNull()


def test_unreadable_files_raise_a_photo_read_error_and_cache_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg at all")
    with pytest.raises(PhotoReadError, match="broken.jpg"):
        cached_thumbnail(broken, 128)
    assert not thumbnail_cache_path(broken, 128).exists()
    with pytest.raises(PhotoReadError, match="gone.jpg"):
        cached_thumbnail(tmp_path / "gone.jpg", 128)


def test_real_camera_files_get_thumbnails(shared_data: Path) -> None:
    rotated = make_thumbnail(shared_data / "camera" / "jpeg" / "Nikon_D40.jpg", 160)
    assert rotated.height > rotated.width  # Orientation 6
    for name in ("Nikon_D70.jpg", "Nikon_D90.jpg", "Panasonic_DMC-LX3_(Lumix).jpg"):  # thumbnails padded in black
        assert min(frame_brightness(make_thumbnail(shared_data / "camera" / "jpeg" / name, 160))) > 40, name
    nef = make_thumbnail(shared_data / "camera" / "raw" / "Nikon_uncompressed.nef", 160)
    assert max(nef.size) <= 160
    with pytest.raises(PhotoReadError):
        make_thumbnail(shared_data / "camera" / "raw_stubs" / "Nikon.nef", 160)

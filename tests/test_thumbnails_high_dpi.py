"""Sharp pictures on high-DPI screens: at 150 % a tile needs 240 device pixels, and the
160-px EXIF thumbnail was stretched over it; at 200 % the detail pane shrank a 1600-px
preview to its 319 logical pixels, then the screen doubled it."""

from __future__ import annotations

import io
from pathlib import Path

import piexif
import pytest
from PIL import Image

from app.core.thumbnails import cached_thumbnail, make_thumbnail
from tests.test_decode import mean_colour, nikon_maker_note, noise, write_mpo

GREEN, RED, BLUE = (20, 200, 20), (200, 30, 30), (30, 30, 220)


def camera_jpeg(path: Path, size=(1500, 1000), thumbnail=(160, 107), preview=None, preview_size=(570, 380)) -> Path:
    """A red photo with a green EXIF thumbnail and, when `preview`, a Nikon MakerNote
    preview of that colour."""
    exif = {"0th": {}, "Exif": {}, "1st": {}, "thumbnail": None}
    buffer = io.BytesIO()
    Image.new("RGB", thumbnail, GREEN).save(buffer, "JPEG")
    exif["thumbnail"] = buffer.getvalue()
    exif["1st"] = {piexif.ImageIFD.JPEGInterchangeFormat: 0, piexif.ImageIFD.JPEGInterchangeFormatLength: 0}
    if preview is not None:
        buffer = io.BytesIO()
        Image.new("RGB", preview_size, preview).save(buffer, "JPEG")
        exif["Exif"] = {piexif.ExifIFD.MakerNote: nikon_maker_note(buffer.getvalue())}
    Image.new("RGB", size, RED).save(path, "JPEG", exif=piexif.dump(exif))
    return path


def colour_of(image: Image.Image) -> tuple[int, int, int]:
    return tuple(int(value) for value in mean_colour(image))


def test_an_exif_thumbnail_smaller_than_the_tile_is_not_stretched_over_it(tmp_path: Path) -> None:
    photo = camera_jpeg(tmp_path / "DSC_0001.jpg")
    at_100 = make_thumbnail(photo, 160)
    assert at_100.size == (160, 107) and colour_of(at_100)[1] > 150  # the embedded one: fast, big enough
    at_150 = make_thumbnail(photo, 240)
    assert at_150.size == (240, 160) and colour_of(at_150)[0] > 150  # the photo, decoded at the tile's size


def test_a_larger_preview_the_camera_embedded_serves_the_tile_before_a_decode(tmp_path: Path) -> None:
    photo = camera_jpeg(tmp_path / "DSC_0002.jpg", preview=BLUE)
    for size in (240, 320):
        made = make_thumbnail(photo, size)
        assert max(made.size) == size and colour_of(made)[2] > 150, size  # the 570-px MakerNote preview
    assert colour_of(make_thumbnail(photo, 640))[0] > 150  # larger than the preview: the photo


def test_an_mpf_preview_serves_the_tile_too(tmp_path: Path) -> None:
    photo = write_mpo(tmp_path / "mpf.jpg", noise(1200, 900), Image.new("RGB", (640, 480), BLUE))
    made = make_thumbnail(photo, 320)
    assert made.size == (320, 240) and colour_of(made)[2] > 150


def test_a_preview_of_another_shape_is_not_used(tmp_path: Path) -> None:
    """A photo cropped in an editor keeps its camera's MakerNote preview of the whole frame."""
    photo = camera_jpeg(tmp_path / "cropped.jpg", size=(1200, 1200), thumbnail=(160, 160), preview=BLUE)
    made = make_thumbnail(photo, 240)
    assert made.size == (240, 240) and colour_of(made)[0] > 150


def test_the_1x_and_2x_thumbnails_of_a_photo_are_cached_side_by_side(tmp_path: Path) -> None:
    photo = camera_jpeg(tmp_path / "DSC_0003.jpg")
    small, large = cached_thumbnail(photo, 160), cached_thumbnail(photo, 320)
    assert small != large and small.is_file() and large.is_file()
    assert Image.open(large).size == (320, 213) and cached_thumbnail(photo, 160) == small


def test_real_camera_jpegs_are_never_smaller_than_the_tile(shared_data: Path) -> None:
    photos = sorted((shared_data / "camera" / "jpeg").glob("*.jpg")) + sorted(
        (shared_data / "camera" / "jpeg_gps").glob("*.jpg"))
    assert len(photos) >= 20
    for size in (160, 200, 240, 320):
        for photo in photos:
            with Image.open(photo) as full:
                wanted = min(size, max(full.size))
            assert max(make_thumbnail(photo, size).size) >= 0.95 * wanted, (photo.name, size)


SHOW_PREVIEW = """
import json, sys
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.gui.detail_pane import PreviewLabel
label = PreviewLabel()
label.resize(319, 300)
label.show()
image = QImage(1600, 1068, QImage.Format.Format_RGB888)
image.fill(QColor("teal"))
label.set_image(image)
shown = label.pixmap()
print(json.dumps([label.devicePixelRatioF(), shown.width(), shown.devicePixelRatio(), label.height(),
                  label.pixels_wanted()]))
"""


@pytest.mark.gui
@pytest.mark.parametrize("scale", ["1", "2"])
def test_the_detail_preview_is_scaled_to_the_screens_pixels(tmp_path: Path, scale: str) -> None:
    """Run at the screen scale asked (Qt reads it once, at start)."""
    import json
    import os
    import subprocess
    import sys

    pytest.importorskip("PySide6")
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": scale,
           "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", SHOW_PREVIEW], env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ratio, width, pixmap_ratio, height, wanted = json.loads(done.stdout.strip().splitlines()[-1])
    assert ratio == float(scale)
    assert (width, pixmap_ratio) == (319 * ratio, ratio)  # every device pixel from the 1600-px image
    assert abs(height - 319 * 1068 / 1600) < 1  # the same room on screen at either scale
    assert wanted == 1600  # 960 device pixels tall at most: the 1600 decoded for the loupe is plenty

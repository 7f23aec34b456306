"""decode_for_model on RAW files: embedded JPEG/bitmap previews, half-size
demosaic, the white-NEF quirk, orientation, and RAW stubs without image data.

A generated DNG (hand-written TIFF structure: a JPEG preview in IFD0, a CFA
SubIFD with the sensor data) stands in for a camera RAW with an embedded preview.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core.decode import decode_for_model
from app.core.errors import DecompressionBombError, PhotoReadError

_TYPE_FORMATS = {1: "B", 3: "H", 4: "I"}


def _ifd(entries: list[tuple[int, int, object]], start: int) -> bytes:
    """One little-endian TIFF IFD placed at `start`, values that do not fit inline after it."""
    entries = sorted(entries, key=lambda entry: entry[0])
    extra_start = start + 2 + 12 * len(entries) + 4
    table, extra = bytearray(struct.pack("<H", len(entries))), bytearray()
    for tag, kind, values in entries:
        if kind == 2:
            data = str(values).encode() + b"\0"
        else:
            data = struct.pack("<" + _TYPE_FORMATS[kind] * len(values), *values)
        count = len(data) if kind == 2 else len(values)
        if len(data) <= 4:
            table += struct.pack("<HHI", tag, kind, count) + data.ljust(4, b"\0")
        else:
            table += struct.pack("<HHII", tag, kind, count, extra_start + len(extra))
            extra += data + (b"\0" if len(data) % 2 else b"")
    return bytes(table + struct.pack("<I", 0) + extra)


def write_dng(
    path: Path, preview: Image.Image, sensor: np.ndarray, orientation: int = 1,
    with_sensor_data: bool = True, make: str | None = "Testcam", model: str | None = "Model 1",
    unique_model: str = "Testcam Model 1", taken: str | None = None,
) -> Path:
    """A minimal DNG that LibRaw opens: JPEG preview in IFD0, 16-bit RGGB data in a
    SubIFD. Without sensor data it is a stub: the tags promise data that is absent.
    `make`, `model`: IFD0's (None: left out, as a cinema camera's DNG has them);
    `unique_model`: UniqueCameraModel; `taken`: an Exif IFD's DateTimeOriginal
    ("2021:05:01 10:11:12")."""
    jpeg = io.BytesIO()
    preview.save(jpeg, "JPEG", quality=90)
    jpeg_bytes, sensor_bytes = jpeg.getvalue(), sensor.astype("<u2").tobytes()
    height, width = sensor.shape
    data = bytearray(b"II*\0\0\0\0\0")
    preview_offset = len(data)
    data += jpeg_bytes + (b"\0" if len(jpeg_bytes) % 2 else b"")
    sensor_offset = len(data)
    if with_sensor_data:
        data += sensor_bytes

    def ifd0(sub_ifd_offset: int, exif_offset: int) -> bytes:
        named = [(271, 2, make)] if make is not None else []
        named += [(272, 2, model)] if model is not None else []
        dated = [(34665, 4, [exif_offset])] if taken is not None else []
        return _ifd(
            [
                (254, 4, [1]), (256, 4, [preview.width]), (257, 4, [preview.height]),
                (258, 3, [8, 8, 8]), (259, 3, [7]), (262, 3, [6]), *named,
                (274, 3, [orientation]), (273, 4, [preview_offset]),
                (277, 3, [3]), (278, 4, [preview.height]), (279, 4, [len(jpeg_bytes)]),
                (330, 4, [sub_ifd_offset]), (50706, 1, [1, 4, 0, 0]),
                (50708, 2, unique_model), *dated,
            ],
            ifd0_offset,
        )

    ifd0_offset = len(data)
    exif_offset = ifd0_offset + len(ifd0(0, 0))
    exif_offset += exif_offset % 2
    exif = _ifd([(36867, 2, taken)], exif_offset) if taken is not None else b""
    sub_ifd_offset = exif_offset + len(exif)
    sub_ifd_offset += sub_ifd_offset % 2
    data += ifd0(sub_ifd_offset, exif_offset)
    data += b"\0" * (exif_offset - len(data))
    data += exif
    data += b"\0" * (sub_ifd_offset - len(data))
    data += _ifd(
        [
            (254, 4, [0]), (256, 4, [width]), (257, 4, [height]), (258, 3, [16]), (259, 3, [1]),
            (262, 3, [32803]), (273, 4, [sensor_offset]), (277, 3, [1]), (278, 4, [height]),
            (279, 4, [len(sensor_bytes)]), (284, 3, [1]), (33421, 3, [2, 2]),
            (33422, 1, [0, 1, 1, 2]), (50717, 4, [65535]),
        ],
        sub_ifd_offset,
    )
    struct.pack_into("<I", data, 4, ifd0_offset)
    path.write_bytes(bytes(data))
    return path


def gray_sensor(height: int = 96, width: int = 128) -> np.ndarray:
    return np.random.default_rng(0).integers(20_000, 30_000, (height, width)).astype(np.uint16)


def green_preview(width: int = 480, height: int = 320) -> Image.Image:
    image = Image.new("RGB", (width, height), (10, 200, 30))
    image.paste((220, 20, 20), (0, 0, width // 2, height))  # left half red
    return image


def test_embedded_jpeg_preview_is_used_when_big_enough(tmp_path):
    path = write_dng(tmp_path / "p.dng", green_preview(), gray_sensor())
    image = decode_for_model(path, 224)
    assert image.size == (480, 320)
    pixels = np.asarray(image, dtype=np.int32)
    assert pixels[160, 400][1] > 150 and pixels[160, 40][0] > 150


def test_previews_can_be_ignored(tmp_path):
    path = write_dng(tmp_path / "p.dng", green_preview(), gray_sensor())
    assert decode_for_model(path, 32, use_previews=False).size == (64, 48)


def test_small_preview_falls_back_to_half_size_demosaic(tmp_path):
    path = write_dng(tmp_path / "p.dng", green_preview(), gray_sensor())
    image = decode_for_model(path, 400)  # the 480 x 320 preview is too small
    assert image.size == (64, 48)  # half of the 128 x 96 sensor
    assert image.mode == "RGB"


def test_raw_orientation_turns_the_preview(tmp_path):
    path = write_dng(tmp_path / "p.dng", green_preview(), gray_sensor(), orientation=6)
    image = decode_for_model(path, 224)
    assert image.size == (320, 480)
    pixels = np.asarray(image, dtype=np.int32)
    assert pixels[20, 160][0] > 150  # the red left half is now on top


def test_raw_orientation_turns_the_demosaic(tmp_path):
    path = write_dng(tmp_path / "p.dng", green_preview(), gray_sensor(), orientation=6)
    assert decode_for_model(path, 400).size == (48, 64)


def test_raw_sensor_above_the_pixel_limit_is_refused(tmp_path):
    path = write_dng(tmp_path / "p.dng", green_preview(), gray_sensor())
    with pytest.raises(DecompressionBombError):
        decode_for_model(path, 224, max_pixels=10_000)


def test_raw_with_metadata_but_no_sensor_data_is_refused(tmp_path):
    stub = write_dng(
        tmp_path / "stub.dng", green_preview(64, 48), gray_sensor(600, 800), with_sensor_data=False
    )
    with pytest.raises(PhotoReadError, match="no image data") as caught:
        decode_for_model(stub, 224)
    assert str(stub) in str(caught.value)


def test_truncated_raw_is_a_read_error(tmp_path):
    whole = write_dng(tmp_path / "whole.dng", green_preview(64, 48), gray_sensor(600, 800))
    cut = tmp_path / "cut.dng"
    cut.write_bytes(whole.read_bytes()[:20_000])
    with pytest.raises(PhotoReadError) as caught:
        decode_for_model(cut, 224)
    assert str(cut) in str(caught.value)


def test_garbage_with_a_raw_name_is_a_read_error(tmp_path):
    path = tmp_path / "fake.nef"
    path.write_bytes(b"not a raw file at all" * 100)
    with pytest.raises(PhotoReadError, match="LibRaw"):
        decode_for_model(path, 224)


# --- real RAW files ---------------------------------------------------------------


@pytest.mark.integration
def test_nef_that_libraw_renders_white_is_retried_with_user_sat(shared_data):
    image = decode_for_model(shared_data / "camera" / "raw" / "Nikon_uncompressed.nef", 224)
    pixels = np.asarray(image)
    assert min(image.size) >= 224
    assert (pixels >= 245).all(axis=-1).mean() < 0.2
    assert 40 < pixels.mean() < 200


@pytest.mark.integration
@pytest.mark.parametrize("name", ["Blackmagic.dng", "RAW_KODAK_DC50.KDC"])
def test_real_raw_files_decode_by_half_size_demosaic(shared_data, name):
    image = decode_for_model(shared_data / "camera" / "raw" / name, 224)
    assert image.mode == "RGB" and min(image.size) >= 224
    assert 20 < np.asarray(image).mean() < 235


@pytest.mark.integration
def test_every_raw_stub_is_a_clear_read_error(shared_data):
    stubs = sorted((shared_data / "camera" / "raw_stubs").iterdir())
    assert len(stubs) >= 5
    for stub in stubs:
        with pytest.raises(PhotoReadError) as caught:
            decode_for_model(stub, 224)
        assert str(stub) in str(caught.value), stub

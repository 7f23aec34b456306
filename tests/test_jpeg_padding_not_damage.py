"""A whole JPEG with zero bytes of padding before a marker (its end, a restart marker,
the next scan of a progressive file) was warned "the picture's data is damaged (Corrupt
JPEG data: N extraneous bytes before marker 0xd9)…; check the file against a backup":
libjpeg says these words of padding it skipped, nothing lost. Only damage is said now."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from app.core.decode import DAMAGE_INFO, decode_for_model
from tests.test_damaged_jpeg_data import camera_like_jpeg, zeroed_in_the_middle


def padded_before(data: bytes, marker: int, which: int = -1, size: int = 16) -> bytes:
    """`data` with `size` zero bytes before its `which`-th `marker` found after the first scan."""
    first_scan = data.index(b"\xff\xda")
    places = [at for at in range(first_scan + 2, len(data) - 1) if data[at:at + 2] == bytes([0xFF, marker])]
    at = places[which]
    return data[:at] + bytes(size) + data[at:]


def noisy_pixels() -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.integers(0, 255, (240, 320, 3)).astype(np.uint8)


def saved(**options) -> bytes:
    out = io.BytesIO()
    Image.fromarray(noisy_pixels()).save(out, "JPEG", quality=90, **options)
    return out.getvalue()


def test_padding_before_a_marker_is_not_damage(tmp_path) -> None:
    variants = {
        "before_eoi.jpg": padded_before(camera_like_jpeg(tmp_path / "good.jpg"), 0xD9),
        "before_rst.jpg": padded_before(saved(restart_marker_rows=1), 0xD0, which=0),
        "before_every_rst.jpg": saved(restart_marker_rows=1),
        "before_sos.jpg": padded_before(saved(progressive=True), 0xDA, which=1),
    }
    every = variants["before_every_rst.jpg"]
    for marker in range(0xD0, 0xD8):
        every = every.replace(bytes([0xFF, marker]), bytes(3) + bytes([0xFF, marker]))
    variants["before_every_rst.jpg"] = every
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        image = decode_for_model(tmp_path / name, 224)
        assert DAMAGE_INFO not in image.info, (name, image.info.get(DAMAGE_INFO))
        whole = Image.open(tmp_path / name)
        whole.draft("RGB", image.size)
        assert np.array_equal(np.asarray(image), np.asarray(whole.convert("RGB"))), name


def test_damage_is_still_said_beside_padding(tmp_path) -> None:
    good = camera_like_jpeg(tmp_path / "good.jpg")
    damaged = {  # zeros over the scan leave real data before the end marker: not padding
        "zeroed_then_padded.jpg": padded_before(zeroed_in_the_middle(good), 0xD9),
        "restart_zeroed.jpg": zeroed_in_the_middle(saved(restart_marker_rows=1), 2048),
        "cut_and_closed.jpg": good[: len(good) // 2] + b"\xff\xd9",
    }
    for name, data in damaged.items():
        (tmp_path / name).write_bytes(data)
        assert "Corrupt JPEG data" in decode_for_model(tmp_path / name, 224).info.get(DAMAGE_INFO, ""), name

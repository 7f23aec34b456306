"""Preprocessing: any image mode becomes the network's uint8 square; normalisation is exact."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from model.errors import ModelError
from model.preprocess import LITE_MEAN, LITE_STD, Preprocessing, normalize_batch, prepare_image


def three_band_image(width=300, height=100) -> Image.Image:
    """Left third red, middle green, right third blue."""
    array = np.zeros((height, width, 3), dtype=np.uint8)
    array[:, : width // 3, 0] = 255
    array[:, width // 3 : 2 * width // 3, 1] = 255
    array[:, 2 * width // 3 :, 2] = 255
    return Image.fromarray(array)


def test_center_crop_keeps_the_middle():
    out = prepare_image(three_band_image(), Preprocessing(input_size=32))
    assert out.shape == (32, 32, 3) and out.dtype == np.uint8
    assert (out[:, :, 1] > 200).all() and (out[:, :, 0] < 50).all()


def test_squash_keeps_the_whole_scene():
    out = prepare_image(three_band_image(), Preprocessing(input_size=30, resize="squash"))
    assert out[15, 2, 0] > 200 and out[15, 15, 1] > 200 and out[15, 27, 2] > 200


def test_crop_fraction_zooms_in():
    array = np.zeros((100, 100, 3), dtype=np.uint8)
    array[25:75, 25:75] = 255
    out = prepare_image(Image.fromarray(array), Preprocessing(input_size=20, crop_fraction=0.5))
    assert out[2:-2, 2:-2].min() > 240  # the centre half fills the frame (edges blend)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Image.new("L", (40, 30), 128),
        lambda: Image.new("RGBA", (40, 30), (10, 20, 30, 0)),
        lambda: Image.new("CMYK", (40, 30), (0, 255, 255, 0)),
        lambda: Image.new("P", (40, 30), 3),
        lambda: Image.fromarray(np.full((30, 40), 65535, dtype=np.uint16)),
        lambda: Image.new("F", (40, 30), 0.5),
        lambda: Image.new("1", (40, 30), 1),
    ],
    ids=["L", "RGBA", "CMYK", "P", "I16", "F", "1"],
)
def test_every_mode_becomes_rgb_uint8(make):
    out = prepare_image(make(), Preprocessing(input_size=16))
    assert out.shape == (16, 16, 3) and out.dtype == np.uint8


def test_special_modes_values():
    p = Preprocessing(input_size=8)
    assert prepare_image(Image.fromarray(np.full((10, 10), 65535, dtype=np.uint16)), p).min() == 255
    assert prepare_image(Image.new("RGBA", (10, 10), (0, 0, 0, 0)), p).min() == 255  # transparent → white
    assert prepare_image(Image.new("CMYK", (10, 10), (0, 255, 255, 0)), p)[0, 0].tolist() == [255, 0, 0]


def test_normalize_batch_matches_formula():
    p = Preprocessing(input_size=8, mean=(0.5, 0.25, 0.0), std=(0.5, 0.25, 1.0))
    batch = np.array([[[[255, 0, 51], [0, 255, 0]], [[128, 64, 0], [0, 0, 255]]]], dtype=np.uint8)
    out = normalize_batch(batch, p)
    assert out.shape == (1, 3, 2, 2) and out.dtype == np.float32
    expected = (batch.astype(np.float64) / 255.0 - np.array(p.mean)) / np.array(p.std)
    np.testing.assert_allclose(out, expected.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-5)
    assert normalize_batch(batch[0], p).shape == (1, 3, 2, 2)
    with pytest.raises(ModelError, match="expects uint8"):
        normalize_batch(np.zeros((1, 4, 4, 4), dtype=np.uint8), p)


def test_lite_normalisation_is_127_over_128():
    out = normalize_batch(np.full((1, 1, 1, 3), 255, dtype=np.uint8), Preprocessing(input_size=8))
    assert out[0, 0, 0, 0] == pytest.approx((255 - 127) / 128, rel=1e-6)
    assert LITE_MEAN[0] * 255 == pytest.approx(127) and LITE_STD[0] * 255 == pytest.approx(128)


def test_dict_round_trip_and_validation():
    p = Preprocessing(input_size=260, resize="squash", interpolation="bicubic", crop_fraction=0.875)
    assert Preprocessing.from_dict(p.to_dict()) == p
    with pytest.raises(ModelError, match="unknown preprocessing keys"):
        Preprocessing.from_dict({**p.to_dict(), "colour": "yes"})
    with pytest.raises(ModelError, match="resize rule"):
        Preprocessing(resize="stretch")
    with pytest.raises(ModelError, match="interpolation"):
        Preprocessing(interpolation="magic")
    with pytest.raises(ModelError, match="crop_fraction"):
        Preprocessing(crop_fraction=0)
    with pytest.raises(ModelError, match="empty"):
        prepare_image(Image.new("RGB", (0, 5)), p)

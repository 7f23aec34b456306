"""decode_for_model on JPEG, PNG, TIFF and HEIC: reduced-size decoding, MPF
previews, orientation, every colour mode, and refusal of bad input."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import piexif
import pytest
from PIL import Image

from app.core.decode import DEFAULT_MAX_PIXELS, decode_for_model
from app.core.image_limits import jpeg_draft_size
from app.core.errors import DecompressionBombError, PhotoReadError


def gradient(width: int, height: int) -> Image.Image:
    """A smooth RGB image (compresses well, survives JPEG)."""
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None, None]
    pixels = np.concatenate(
        [np.broadcast_to(x, (height, width, 1)), np.broadcast_to(y, (height, width, 1)),
         np.full((height, width, 1), 80, np.float32)], axis=2)
    return Image.fromarray(pixels.astype(np.uint8), "RGB")


def noise(width: int, height: int, seed: int = 0) -> Image.Image:
    """Random pixels: a JPEG of these is large, like a detailed camera photo."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB")


def two_halves(width: int, height: int) -> Image.Image:
    """Left half red, right half blue: shows which way an image was turned."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    return image


def save_jpeg_with_orientation(image: Image.Image, path: Path, orientation: int) -> Path:
    exif = piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}})
    image.save(path, "JPEG", quality=92, exif=exif)
    return path


def mean_colour(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.float32).reshape(-1, 3).mean(axis=0)


# --- JPEG: DCT scaling, orientation, MPF ---------------------------------------


def test_large_jpeg_is_decoded_at_reduced_size_through_dct_scaling(tmp_path):
    path = tmp_path / "big.jpg"
    gradient(2000, 1600).save(path, "JPEG", quality=90)
    image = decode_for_model(path, 224)
    # 1/4 scale: libjpeg's size, not a full decode shrunk afterwards (that gives 285 x 228).
    assert image.size == jpeg_draft_size(2000, 1600, 224) == (500, 400)
    assert image.mode == "RGB"


def test_jpeg_at_one_eighth_still_reaches_min_side(tmp_path):
    path = tmp_path / "huge.jpg"
    gradient(4000, 3000).save(path, "JPEG", quality=80)
    image = decode_for_model(path, 224)
    assert image.size == (500, 375)
    assert min(image.size) >= 224


def test_jpeg_smaller_than_min_side_is_returned_whole(tmp_path):
    path = tmp_path / "small.jpg"
    gradient(100, 80).save(path, "JPEG")
    assert decode_for_model(path, 224).size == (100, 80)


# What each EXIF Orientation value means, per the EXIF spec: on which side of the
# upright picture the stored image's first row, then its first column, is shown.
EXIF_FIRST_ROW_AND_COLUMN = {
    1: ("top", "left"), 2: ("top", "right"), 3: ("bottom", "right"), 4: ("bottom", "left"),
    5: ("left", "top"), 6: ("right", "top"), 7: ("right", "bottom"), 8: ("left", "bottom"),
}
OPPOSITE = {"top": "bottom", "bottom": "top", "left": "right", "right": "left"}
QUADRANT_COLOURS = {  # of the stored picture: no two corners alike, so every turn and flip shows
    ("top", "left"): (220, 20, 20), ("top", "right"): (20, 200, 20),
    ("bottom", "left"): (20, 20, 220), ("bottom", "right"): (230, 230, 230),
}


def quadrants(width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height))
    for (row, column), colour in QUADRANT_COLOURS.items():
        left = 0 if column == "left" else width // 2
        top = 0 if row == "top" else height // 2
        image.paste(colour, (left, top, left + width // 2, top + height // 2))
    return image


def upright_corner(orientation: int, stored: tuple[str, str]) -> tuple[str, str]:
    """Where a corner of the stored picture is seen once `orientation` is honoured."""
    first_row, first_column = EXIF_FIRST_ROW_AND_COLUMN[orientation]
    row_side = first_row if stored[0] == "top" else OPPOSITE[first_row]
    column_side = first_column if stored[1] == "left" else OPPOSITE[first_column]
    vertical = row_side if row_side in ("top", "bottom") else column_side
    horizontal = column_side if vertical == row_side else row_side
    return vertical, horizontal


def assert_upright(image: Image.Image, orientation: int, stored_size: tuple[int, int]) -> None:
    """`image` is the quadrant picture as a viewer shows it with `orientation`."""
    width, height = stored_size if orientation <= 4 else stored_size[::-1]
    assert image.size == (width, height)
    pixels = np.asarray(image, dtype=np.int32)
    for stored, colour in QUADRANT_COLOURS.items():
        vertical, horizontal = upright_corner(orientation, stored)
        y = height // 4 if vertical == "top" else height - height // 4
        x = width // 4 if horizontal == "left" else width - width // 4
        assert np.abs(pixels[y, x] - colour).max() < 40, (orientation, stored, (vertical, horizontal))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(tmp_path, orientation):
    path = save_jpeg_with_orientation(quadrants(300, 200), tmp_path / "o.jpg", orientation)
    assert_upright(decode_for_model(path, 150), orientation, (300, 200))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_training_cache_turns_photos_upright_as_the_app_does(tmp_path, orientation):
    """The network is trained on what `prepare` cached and used on what the app decodes:
    both must see the same upright picture."""
    from training.cache_images import resize_for_cache

    path = save_jpeg_with_orientation(quadrants(300, 200), tmp_path / "o.jpg", orientation)
    cached = resize_for_cache(path, 200)
    assert_upright(cached, orientation, (300, 200))
    assert np.array_equal(np.asarray(cached), np.asarray(decode_for_model(path, 200)))


def test_rotated_large_jpeg_is_scaled_then_turned(tmp_path):
    path = save_jpeg_with_orientation(gradient(2000, 1600), tmp_path / "r.jpg", 6)
    assert decode_for_model(path, 224).size == (400, 500)


def write_mpo(path: Path, primary: Image.Image, preview: Image.Image) -> Path:
    primary.save(path, format="MPO", save_all=True, append_images=[preview], quality=90)
    return path


def test_mpf_preview_is_used_when_big_enough_and_cheaper(tmp_path):
    path = write_mpo(tmp_path / "mpf.jpg", noise(1200, 900), Image.new("RGB", (640, 480), (10, 200, 30)))
    image = decode_for_model(path, 224)
    red, green, blue = mean_colour(image)
    assert green > 180 and red < 40 and blue < 60  # the preview, not the noisy primary
    assert min(image.size) >= 224


def test_mpf_preview_too_small_falls_back_to_primary(tmp_path):
    path = write_mpo(tmp_path / "mpf.jpg", noise(1200, 900), Image.new("RGB", (640, 480), (10, 200, 30)))
    image = decode_for_model(path, 600)
    assert image.size == (1200, 900)
    assert abs(mean_colour(image)[1] - 128) < 20  # the noise
    assert abs(mean_colour(decode_for_model(path, 224, use_previews=False))[1] - 128) < 20


def nikon_maker_note(preview_jpeg: bytes, cut: int = 0) -> bytes:
    """A Nikon type-3 MakerNote whose PreviewIFD points at `preview_jpeg` (cut
    bytes short at the end when `cut`, as in files edited by some programs)."""
    tiff = bytearray(b"MM\x00\x2a\x00\x00\x00\x08")
    # IFD0 at 8: one entry, tag 0x0011 (PreviewIFD) -> sub-IFD at 26
    tiff += struct.pack(">HHHII", 1, 0x0011, 4, 1, 26) + struct.pack(">I", 0)
    # sub-IFD at 26: JPEGInterchangeFormat / Length -> the JPEG right after it (at 56)
    tiff += struct.pack(">H", 2)
    tiff += struct.pack(">HHII", 0x0201, 4, 1, 56) + struct.pack(">HHII", 0x0202, 4, 1, len(preview_jpeg))
    tiff += struct.pack(">I", 0)
    assert len(tiff) == 56
    tiff += preview_jpeg[: len(preview_jpeg) - cut]
    return b"Nikon\x00\x02\x10\x00\x00" + bytes(tiff)


def save_nikon_style_jpeg(path: Path, primary: Image.Image, preview: Image.Image, cut: int = 0) -> Path:
    buffer = io.BytesIO()
    preview.save(buffer, "JPEG", quality=85)
    exif = piexif.dump({"Exif": {piexif.ExifIFD.MakerNote: nikon_maker_note(buffer.getvalue(), cut)}})
    primary.save(path, "JPEG", quality=92, exif=exif)
    return path


def test_nikon_maker_note_preview_is_used_when_big_enough(tmp_path):
    path = save_nikon_style_jpeg(tmp_path / "DSC_0001.jpg", noise(1200, 800), Image.new("RGB", (570, 375), (10, 200, 30)))
    image = decode_for_model(path, 224)
    assert image.size == (570, 375)
    assert mean_colour(image)[1] > 180
    primary = decode_for_model(path, 224, use_previews=False)
    assert primary.size == jpeg_draft_size(1200, 800, 224)
    assert abs(mean_colour(primary)[1] - 128) < 20


def test_nikon_preview_too_small_or_cut_off_falls_back_to_the_primary(tmp_path):
    preview = Image.new("RGB", (570, 375), (10, 200, 30))
    path = save_nikon_style_jpeg(tmp_path / "a.jpg", noise(1200, 800), preview)
    assert abs(mean_colour(decode_for_model(path, 400))[1] - 128) < 20
    cut = save_nikon_style_jpeg(tmp_path / "b.jpg", noise(1200, 800), preview, cut=100)
    assert abs(mean_colour(decode_for_model(cut, 224))[1] - 128) < 20


def test_preview_takes_the_primary_images_orientation(tmp_path):
    buffer = io.BytesIO()
    two_halves(600, 400).save(buffer, "JPEG")
    exif = piexif.dump({
        "0th": {piexif.ImageIFD.Orientation: 6},
        "Exif": {piexif.ExifIFD.MakerNote: nikon_maker_note(buffer.getvalue())},
    })
    path = tmp_path / "rotated.jpg"
    noise(1200, 800).save(path, "JPEG", exif=exif)
    image = decode_for_model(path, 224)
    assert image.size == (400, 600)
    assert np.asarray(image)[10, 200][0] > 150  # the red left half is on top


# --- other formats and colour modes ----------------------------------------------


def test_grayscale_jpeg_becomes_rgb(tmp_path):
    path = tmp_path / "gray.jpg"
    gradient(400, 300).convert("L").save(path, "JPEG")
    image = decode_for_model(path, 224)
    assert image.mode == "RGB"
    pixels = np.asarray(image, dtype=np.int32)
    assert np.abs(pixels[..., 0] - pixels[..., 2]).max() <= 2


def test_cmyk_jpeg_becomes_rgb_with_the_right_colour(tmp_path):
    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (300, 300), (0, 255, 255, 0)).save(path, "JPEG")  # red ink
    image = decode_for_model(path, 224)
    red, green, blue = mean_colour(image)
    assert image.mode == "RGB" and red > 200 and green < 60 and blue < 60


def test_sixteen_bit_png_is_scaled_not_clipped_to_white(tmp_path):
    path = tmp_path / "gray16.png"
    values = np.linspace(0, 65535, 300 * 300).reshape(300, 300).astype(np.uint16)
    Image.fromarray(values).save(path)
    assert Image.open(path).mode.startswith("I")
    image = decode_for_model(path, 224)
    assert image.mode == "RGB"
    assert 100 < mean_colour(image)[0] < 155  # mid-gray on average, not 255


def test_sixteen_bit_tiff_is_scaled(tmp_path):
    path = tmp_path / "gray16.tif"
    Image.fromarray(np.full((256, 256), 32768, np.uint16)).save(path)
    assert abs(mean_colour(decode_for_model(path, 224))[0] - 127.5) < 2


def test_palette_png_with_transparency_is_composited_on_white(tmp_path):
    path = tmp_path / "palette.png"
    image = Image.new("P", (240, 240), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 120, 240))
    image.save(path, transparency=0)
    decoded = np.asarray(decode_for_model(path, 224), dtype=np.int32)
    assert tuple(decoded[120, 10]) == (255, 0, 0)
    assert tuple(decoded[120, 200]) == (255, 255, 255)


def test_rgba_png_is_composited_on_white(tmp_path):
    path = tmp_path / "alpha.png"
    image = Image.new("RGBA", (240, 240), (0, 0, 255, 0))
    image.paste((0, 0, 255, 255), (0, 0, 120, 240))
    image.save(path)
    decoded = np.asarray(decode_for_model(path, 224), dtype=np.int32)
    assert tuple(decoded[10, 10]) == (0, 0, 255)
    assert tuple(decoded[10, 200]) == (255, 255, 255)


def test_large_png_is_shrunk_but_keeps_min_side(tmp_path):
    path = tmp_path / "big.png"
    gradient(2000, 1500).save(path)
    image = decode_for_model(path, 224)
    assert 224 <= min(image.size) < 448
    assert image.size[0] > image.size[1]


def test_tiff_with_orientation_tag_is_turned(tmp_path):
    path = tmp_path / "o.tif"
    image = two_halves(300, 200)
    exif = image.getexif()
    exif[0x0112] = 6
    image.save(path, exif=exif)
    decoded = decode_for_model(path, 150)
    assert decoded.size == (200, 300)
    assert np.asarray(decoded)[5, 100][0] > 150


def test_heic_is_decoded(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    path = tmp_path / "photo.heic"
    Image.new("RGB", (320, 240), (200, 30, 30)).save(path, quality=90)
    image = decode_for_model(path, 224)
    red, green, _ = mean_colour(image)
    assert image.size == (320, 240) and red > 150 and green < 80


def test_non_utf8_file_name_is_read(tmp_path):
    if os.name != "posix":
        pytest.skip("byte file names are a POSIX matter")
    name = os.fsdecode(b"caf\xe9.jpg")
    path = tmp_path / name
    gradient(300, 240).save(path, "JPEG")
    assert decode_for_model(path, 224).size == (300, 240)


# --- bad input --------------------------------------------------------------------


def png_with_header_size(tmp_path: Path, width: int, height: int) -> Path:
    """A tiny valid PNG whose IHDR was edited to declare width x height."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    path = tmp_path / "bomb.png"
    path.write_bytes(bytes(data))
    return path


def jpeg_with_header_size(tmp_path: Path, width: int, height: int) -> Path:
    """A tiny valid JPEG whose SOF0 was edited to declare width x height."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    path = tmp_path / "bomb.jpg"
    path.write_bytes(bytes(data))
    return path


def tiff_with_header_size(tmp_path: Path, width: int, height: int) -> Path:
    """A tiny TIFF whose ImageWidth/ImageLength tags were edited."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "TIFF")
    data = bytearray(buffer.getvalue())
    assert data[:2] == b"II"
    (ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, ifd)
    for i in range(count):
        entry = ifd + 2 + 12 * i
        tag, kind = struct.unpack_from("<HH", data, entry)
        if tag in (256, 257):
            value = width if tag == 256 else height
            struct.pack_into("<HHI", data, entry + 2, kind, 1, 0)
            struct.pack_into("<H" if kind == 3 else "<I", data, entry + 8, value)
    path = tmp_path / "bomb.tif"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("make", [png_with_header_size, jpeg_with_header_size, tiff_with_header_size])
def test_fifty_thousand_square_header_is_refused_before_decoding(tmp_path, make):
    path = make(tmp_path, 50_000, 50_000)
    with pytest.raises(DecompressionBombError) as caught:
        decode_for_model(path, 224)
    assert str(path) in str(caught.value)


def test_our_own_pixel_limit_applies_below_pillows(tmp_path):
    path = png_with_header_size(tmp_path, 12_000, 10_000)  # 120 MP: Pillow would allow it
    with pytest.raises(DecompressionBombError, match="120 MP"):
        decode_for_model(path, 224, max_pixels=100_000_000)
    assert DEFAULT_MAX_PIXELS >= 200_000_000


def test_a_baseline_jpeg_is_judged_by_the_size_it_is_decoded_at(tmp_path):
    """Stitched panoramas pass Pillow's 179 MP: a baseline JPEG is decoded DCT-scaled.
    Scaled down here: a 1 MP limit, a 4.8 MP photo."""
    photo = noise(2400, 2000)
    baseline, progressive, png = tmp_path / "pano.jpg", tmp_path / "progressive.jpg", tmp_path / "pano.png"
    photo.save(baseline, "JPEG", quality=80)
    photo.save(progressive, "JPEG", quality=80, progressive=True)
    photo.save(png)
    image = decode_for_model(baseline, 224, max_pixels=1_000_000, use_previews=False)
    assert min(image.size) >= 224 and image.size[0] * image.size[1] <= 1_000_000
    for whole in (progressive, png):  # decoded whole: the declared size counts
        with pytest.raises(DecompressionBombError, match=r"4\.8 MP > the 1\.0 MP limit"):
            decode_for_model(whole, 224, max_pixels=1_000_000, use_previews=False)
    # five times the limit at most, and a forged aspect cannot slip a full decode through
    with pytest.raises(DecompressionBombError, match=r"6\.0 MP > the 5\.0 MP limit"):
        decode_for_model(jpeg_with_header_size(tmp_path, 3000, 2000), 224, max_pixels=1_000_000)
    with pytest.raises(DecompressionBombError, match=r"2000 x 200 \(0\.4 MP > the 0\.2 MP limit\)"):
        decode_for_model(jpeg_with_header_size(tmp_path, 2000, 200), 224, max_pixels=200_000)


def test_zero_byte_file_is_a_read_error(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(PhotoReadError, match="empty"):
        decode_for_model(path, 224)


def test_missing_file_is_a_read_error(tmp_path):
    with pytest.raises(PhotoReadError, match="not found"):
        decode_for_model(tmp_path / "gone.jpg", 224)


def test_truncated_jpeg_is_a_read_error(tmp_path):
    whole = io.BytesIO()
    noise(800, 600).save(whole, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    with pytest.raises(PhotoReadError) as caught:
        decode_for_model(path, 224)
    assert not isinstance(caught.value, DecompressionBombError)
    assert str(path) in str(caught.value)


def test_garbage_with_a_jpeg_name_is_a_read_error(tmp_path):
    path = tmp_path / "garbage.jpg"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(PhotoReadError):
        decode_for_model(path, 224)


def test_corrupt_png_data_is_a_read_error(tmp_path):
    whole = io.BytesIO()
    gradient(300, 300).save(whole, "PNG")
    data = bytearray(whole.getvalue())
    middle = len(data) // 2
    data[middle : middle + 200] = b"\xff" * 200
    path = tmp_path / "corrupt.png"
    path.write_bytes(bytes(data))
    with pytest.raises(PhotoReadError):
        decode_for_model(path, 224)


# --- real camera files ------------------------------------------------------------


@pytest.mark.integration
def test_real_camera_jpegs_decode_at_reduced_size(shared_data):
    for path in sorted((shared_data / "camera" / "jpeg").glob("*.jpg")):
        with Image.open(path) as original:
            full = original.size
        image = decode_for_model(path, 224)
        assert image.mode == "RGB", path
        assert min(image.size) >= min(224, min(full)), path
        assert image.size[0] * image.size[1] < full[0] * full[1] or max(full) < 700, path


@pytest.mark.integration
def test_real_rotated_nikon_d40_comes_out_portrait(shared_data):
    image = decode_for_model(shared_data / "camera" / "jpeg" / "Nikon_D40.jpg", 224)
    assert image.size[1] > image.size[0]


@pytest.mark.integration
def test_real_nikon_jpegs_decode_from_their_maker_note_preview(shared_data):
    path = shared_data / "camera" / "jpeg" / "Nikon_D3100.jpg"
    from_preview = decode_for_model(path, 224)
    assert from_preview.size == (570, 375)
    from_primary = decode_for_model(path, 224, use_previews=False)
    assert from_primary.size == (576, 384)
    # the same picture: small images of both agree closely
    a = np.asarray(from_preview.resize((64, 42)), dtype=np.float32)
    b = np.asarray(from_primary.resize((64, 42)), dtype=np.float32)
    assert np.abs(a - b).mean() < 12


def test_a_file_that_is_no_image_is_said_in_words(tmp_path):
    """Pillow's reason named its file object ("cannot identify image file
    <_io.BufferedReader name='…'>"), which reached the app's messages."""
    from app.core.decode import decode_for_model
    from app.core.errors import PhotoReadError

    fake = tmp_path / "late.jpg"
    fake.write_bytes(b"these are meeting notes, not a photo" * 20)
    with pytest.raises(PhotoReadError) as caught:
        decode_for_model(fake, 224)
    message = str(caught.value)
    assert "BufferedReader" not in message and "<" not in message
    assert message == f"{fake}: cannot decode the image (no image format it knows); the file is corrupt, " \
                      "truncated or not an image"

"""`landmark-train evaluate --data` decodes a full-size photo exactly as the tag job does
(EXIF orientation, JPEG draft to decode_min_side), and `prepare` caches a photo upright
as the app sees it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import piexif
import pytest
from PIL import Image

from model.preprocess import Preprocessing, prepare_image


def photo(path: Path, orientation: int | None = None, size: tuple[int, int] = (600, 400)) -> Path:
    """A JPEG with detail everywhere (no two orientations or scales give the same pixels)."""
    rng = np.random.default_rng(7)
    width, height = size
    ramp = np.linspace(0, 255, width)[None, :] * np.linspace(0.2, 1.0, height)[:, None]
    pixels = np.stack([ramp, ramp[::-1], rng.integers(0, 256, (height, width))], axis=-1)
    image = Image.fromarray(pixels.astype(np.uint8), "RGB")
    options = {} if orientation is None else {"exif": piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}})}
    image.save(path, "JPEG", quality=90, **options)
    return path


def tag_job_pixels(path: Path, preprocessing: Preprocessing) -> np.ndarray:
    """What the tag job feeds the network for `path`."""
    from app.core.decode_workers import DecodeJob, DecodeSettings, decode_job, decode_min_side

    decoded = decode_job(DecodeJob(1, (str(path),)), DecodeSettings(preprocessing, decode_min_side(preprocessing)))
    assert decoded.error is None
    return decoded.pixels


@pytest.mark.parametrize(
    ("orientation", "preprocessing"),
    [
        (6, Preprocessing(input_size=64, resize="squash")),  # a portrait stored landscape
        (None, Preprocessing(input_size=64, crop_fraction=0.5)),  # decoded to 128, not 64
    ],
    ids=["orientation-6", "crop-fraction-0.5"],
)
def test_evaluate_decodes_a_full_size_photo_as_the_tag_job(tmp_path, orientation, preprocessing):
    from training.evaluate import _read_query

    path = photo(tmp_path / "p.jpg", orientation)
    ours = prepare_image(_read_query(path, preprocessing, cached=False), preprocessing)
    np.testing.assert_array_equal(ours, tag_job_pixels(path, preprocessing))


def test_prepare_caches_an_oriented_photo_upright_as_the_app_decodes_it(tmp_path):
    """Both decode at the same draft scale here (600x400 drafted to 100 is 150x100),
    so the same pixels are expected, turned the same way."""
    from app.core.decode import decode_for_model
    from training.cache_images import resize_for_cache

    path = photo(tmp_path / "p.jpg", orientation=6)
    cached = resize_for_cache(path, 100)
    assert cached.size == (100, 150)
    np.testing.assert_array_equal(np.asarray(cached), np.asarray(decode_for_model(path, 100)))


def test_evaluate_data_takes_the_photo_kinds_the_app_scans_and_says_what_it_left_out(tiny_bundle, tmp_path):
    """RAW and HEIC photos are scored, as `tag` reads them (here JPEG data under a .NEF
    and a .heic name, which the app's decoder reads by content); a .webp or .txt, which
    the app does not tag, is counted as left out rather than passed over in silence."""
    from training.evaluate import evaluate_bundle, format_report

    for folder in ("Colosseum", "Eiffel Tower"):
        (tmp_path / folder).mkdir()
    photo(tmp_path / "Colosseum" / "a.jpg", size=(96, 64))
    (tmp_path / "Colosseum" / "DSC_1.NEF").write_bytes((tmp_path / "Colosseum" / "a.jpg").read_bytes())
    (tmp_path / "Eiffel Tower" / "IMG_2.heic").write_bytes((tmp_path / "Colosseum" / "a.jpg").read_bytes())
    (tmp_path / "Eiffel Tower" / "web.webp").write_bytes(b"RIFF")
    (tmp_path / "Eiffel Tower" / "notes.txt").write_text("not a photo")

    evaluation = evaluate_bundle(tiny_bundle, data_dir=tmp_path)

    assert set(evaluation.truth) == {"Colosseum/a.jpg", "Colosseum/DSC_1.NEF", "Eiffel Tower/IMG_2.heic"}
    assert evaluation.kinds_read == {"jpeg": 1, "raw": 1, "heic": 1} and not evaluation.errors
    assert evaluation.left_out == {".webp": 1, ".txt": 1}
    assert evaluation.to_json()["files"]["left_out"] == {".webp": 1, ".txt": 1}
    assert "photos read: 1 JPEG, 1 RAW, 1 HEIC; 2 file(s) left out" in format_report(evaluation)


def test_evaluate_data_skips_the_folders_the_app_scan_skips(tiny_bundle, tmp_path):
    """A NAS's thumbnails (@eaDir/<photo>/SYNOPHOTO_THUMB_*.jpg) and a hidden .thumbnails
    folder beside the photos are not scored, as the app's scan never walks into them;
    their files are counted as left out, a non-photo among them too."""
    from training.evaluate import evaluate_bundle, format_report

    colosseum, eiffel = tmp_path / "Colosseum", tmp_path / "Eiffel Tower"
    for folder in (colosseum / "@eaDir" / "a.jpg", colosseum / ".thumbnails", eiffel / "day"):
        folder.mkdir(parents=True)
    jpeg = photo(colosseum / "a.jpg", size=(96, 64)).read_bytes()
    (eiffel / "day" / "b.jpg").write_bytes(jpeg)
    (colosseum / "@eaDir" / "a.jpg" / "SYNOPHOTO_THUMB_XL.jpg").write_bytes(jpeg)
    (colosseum / "@eaDir" / "a.jpg" / "SYNOFILE_THUMB_M.jpg").write_bytes(jpeg)
    (colosseum / "@eaDir" / "a.jpg" / "SYNOINDEX_MEDIA_INFO").write_bytes(b"{}")
    (colosseum / ".thumbnails" / "t.jpg").write_bytes(jpeg)

    evaluation = evaluate_bundle(tiny_bundle, data_dir=tmp_path)

    assert set(evaluation.truth) == {"Colosseum/a.jpg", "Eiffel Tower/day/b.jpg"}
    assert evaluation.kinds_read == {"jpeg": 2}
    assert evaluation.left_out == {"in folders the scan skips": 4}
    assert "photos read: 2 JPEG; 4 file(s) left out, not photos the app tags (4 in folders the scan skips)" in (
        format_report(evaluation)
    )

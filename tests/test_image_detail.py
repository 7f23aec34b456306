"""Blank frames (lens cap, blown out, plain sky, a flat noise frame) are "no landmark"
whatever the network says; every real photo keeps the network's answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core.index import PhotoIndex
from app.core.tagging import TagOptions, tag
from app.core.teaching import teach
from model.errors import ModelError
from model.image_detail import MIN_CONTRAST, MIN_STRUCTURE, MIN_TEXTURE, detail, featureless, structure
from model.preprocess import Preprocessing, prepare_image

SIZE = (1500, 1000)


def blank_frames() -> dict[str, np.ndarray]:
    """Full-size frames a camera really produces with nothing in them."""
    rng = np.random.default_rng(0)
    h, w = SIZE[1], SIZE[0]
    ramp = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    sky = np.concatenate([90 + 60 * ramp, 140 + 60 * ramp, 220 + 20 * ramp], axis=2) + np.zeros((h, w, 3), np.float32)
    frames = {
        "lens cap": rng.normal(3, 2, (h, w, 3)),
        "blown out": 255 - np.abs(rng.normal(0, 2, (h, w, 3))),
        "plain sky": sky + rng.normal(0, 2, (h, w, 3)),
        "grey noise": 128 + rng.normal(0, 20, (h, w, 3)),
    }
    return {name: np.clip(a, 0, 255).astype(np.uint8) for name, a in frames.items()}


def scene(seed: int = 0) -> np.ndarray:
    """A frame with structure: sky over blocks of 'buildings' of several tones."""
    rng = np.random.default_rng(seed)
    h, w = SIZE[1], SIZE[0]
    image = np.full((h, w, 3), (150, 180, 220), np.float32)
    for _ in range(25):
        x, y = int(rng.integers(0, w - 100)), int(rng.integers(h // 3, h - 50))
        image[y:, x : x + int(rng.integers(40, 200))] = rng.integers(40, 200, 3)
    return image.astype(np.uint8)


def at_network_size(array: np.ndarray, size: int = 224) -> np.ndarray:
    return prepare_image(Image.fromarray(array), Preprocessing(input_size=size))


@pytest.mark.parametrize("size", [224, 384])
def test_blank_frames_are_featureless_and_a_scene_is_not(size):
    """At the default bundle's input size and at a larger one: the limits hold for both."""
    for name, frame in blank_frames().items():
        assert featureless(at_network_size(frame, size)[None])[0], name
    assert not featureless(at_network_size(scene(), size)[None])[0]
    # the limits are what separates them, not the size of the picture
    contrast, texture = detail(at_network_size(scene(), 64))
    assert contrast[0] > MIN_CONTRAST and texture[0] > MIN_TEXTURE


def test_random_noise_has_contrast_and_texture_but_no_structure():
    """Garbage decoded from a corrupt file, a sensor test: the network called a 640 × 480
    noise frame "Haleakala National Park" at 99.5 %; no scene is that unlike itself."""
    noise = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    pixels = at_network_size(noise)[None]
    contrast, texture = detail(pixels)
    assert contrast[0] > MIN_CONTRAST and texture[0] > MIN_TEXTURE  # what the first two limits miss
    assert structure(pixels)[0] < MIN_STRUCTURE < structure(at_network_size(scene())[None])[0]
    assert featureless(pixels)[0]


def test_detail_refuses_what_is_not_an_rgb_image():
    with pytest.raises(ModelError, match="RGB images"):
        detail(np.zeros((4, 4), np.uint8))
    with pytest.raises(ModelError, match="RGB images"):
        detail(np.zeros((1, 1, 1, 3), np.uint8))


def test_no_real_photo_is_taken_for_a_blank_frame(shared_data):
    """Every camera JPEG and every landmark photo of ../shared/data at the default
    bundle's input size; the landmark set holds one all-black photo, the only one flagged."""
    p = Preprocessing(input_size=224)
    flagged, seen = [], 0
    paths = sorted((shared_data / "camera").glob("jpeg*/*.jpg")) + sorted((shared_data / "landmarks").glob("*/*/*.jpg"))
    for path in paths:
        with Image.open(path) as img:
            img.draft("RGB", (224, 224))
            pixels = prepare_image(img, p)
        seen += 1
        if featureless(pixels[None])[0]:
            flagged.append((path, float(pixels.std())))
    assert seen > 2000
    assert all(spread < 1.0 for _, spread in flagged), flagged  # only frames of one flat tone
    assert len(flagged) <= 1


def _save(folder: Path, name: str, array: np.ndarray) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    Image.fromarray(array).save(path, quality=90)
    return path


def test_a_blank_frame_is_tagged_no_landmark_and_kept_out_of_teaching(tmp_path, tiny_bundle):
    folder = tmp_path / "card"
    blank = _save(folder, "DSC_0001.JPG", blank_frames()["lens cap"])
    _save(folder, "DSC_0002.JPG", scene())
    with PhotoIndex.open(tmp_path / "index.db") as index:
        summary = tag(index, [folder], TagOptions(model=Path(tiny_bundle.path), workers=0, threshold=0.0))
        assert summary.tagged == 2 and summary.no_landmark == 1
        records = {Path(r.path).name: r for r in index.search("")}
        lens_cap, photo = records["DSC_0001.JPG"], records["DSC_0002.JPG"]
        assert lens_cap.label is None and lens_cap.score == 0.0
        top = index.predictions(lens_cap.id)
        assert top and all(p.score == 0.0 for p in top)  # the ranking is kept, with no support
        assert photo.label is not None and photo.score > 0.0  # threshold 0: the network's answer
        stored = {row[0] for row in index.conn.execute("SELECT photo_id FROM embeddings")}
        assert stored == {photo.id}  # no vector for suggest or "Similar photos" to match on
        again = tag(index, [folder], TagOptions(model=Path(tiny_bundle.path), workers=0, threshold=0.0))
        assert again.up_to_date == 2 and again.relabelled == []  # a score of 0 never becomes a label
        assert index.get(lens_cap.id).label is None
        result = teach(index, "Our cabin", [blank], bundle=tiny_bundle)
        assert result.taught == 0 and result.errors == 1
        assert "too little detail" in result.failures[0][1] and result.failures[0][0] == lens_cap.path
        assert "nothing taught" in result.line()


def test_the_predictor_gives_blank_frames_no_score(tiny_bundle):
    from model.predictor import Predictor

    predictor = Predictor(tiny_bundle, threads=1)
    blank, photo = predictor.predict([Image.fromarray(blank_frames()["blown out"]), Image.fromarray(scene())])
    assert [p.score for p in blank] == [0.0] * len(blank)
    assert sum(p.score for p in photo) > 0.5

"""A score exactly at the "no landmark" threshold labels the photo (README: a label
"reaches the threshold"), in the model's answer, in a tag run's result and in what
the index stores, so that `--threshold 1.0` with a saturated softmax of 1.0, or a
threshold equal to a stored score, gives the same answer everywhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core.index import PhotoIndex
from app.core.index.model_suggestions import model_answer
from app.core.index.records import Prediction
from app.core.tagging import TagOptions, tag


@pytest.mark.parametrize("score", [0.5, 1.0])
def test_a_score_equal_to_the_threshold_is_a_label(score):
    best = Prediction("7", "Eiffel Tower", score)
    assert model_answer(best, score) == ("Eiffel Tower", "7", score)
    assert model_answer(best, float(np.nextafter(score, 2.0))) == (None, None, score)


def test_a_rescored_value_equal_to_the_threshold_is_a_label():
    best = Prediction("7", "Eiffel Tower", 0.9)
    assert model_answer(best, 0.4, score=0.4) == ("Eiffel Tower", "7", 0.4)


@pytest.mark.parametrize("score", [0.5, 1.0])
def test_the_index_stores_a_label_for_a_score_equal_to_the_threshold(tmp_path, score):
    from tests.test_metadata_support import add_photo, make_jpeg

    index = PhotoIndex.open(":memory:")
    try:
        photo_id = add_photo(index, [make_jpeg(tmp_path / "a.jpg")], None)
        index.conn.execute("DELETE FROM labels WHERE photo_id = ?", (photo_id,))
        index.set_predictions(photo_id, "m1", [Prediction("7", "Colosseum", score)], score)
        stored = index.get(photo_id)
        assert (stored.label, stored.score) == ("Colosseum", score)
    finally:
        index.close()


@pytest.fixture
def library(tmp_path) -> Path:
    folder = tmp_path / "Rome"
    folder.mkdir()
    rng = np.random.default_rng(4)
    for i in range(3):
        base = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
        Image.fromarray(base, "RGB").resize((320, 240), Image.Resampling.BILINEAR).save(
            folder / f"IMG_{i}.jpg", "JPEG", quality=90)
    return folder


def run(index: PhotoIndex, library: Path, bundle: Path, threshold: float, results=None):
    options = TagOptions(model=bundle, workers=0, batch_size=2, threads=1, threshold=threshold)
    return tag(index, [library], options, on_result=None if results is None else results.append)


def test_a_tag_run_at_a_threshold_equal_to_a_score_labels_the_photo_and_stores_it(tiny_bundle, library):
    """The tag run's own result and the index agree at equality, for a fresh run and
    for re-deciding stored photos at a new threshold without decoding them."""
    bundle = Path(tiny_bundle.path)
    first = PhotoIndex.open(":memory:")
    try:
        run(first, library, bundle, 1.0)
        tops = {Path(r.path).name: first.predictions(r.id)[0] for r in first.search("")}
        name, top = max(tops.items(), key=lambda item: item[1].score)
        assert 0.0 < top.score < 1.0
        again = run(first, library, bundle, top.score)
        record = next(r for r in first.search("") if Path(r.path).name == name)
        assert again.tagged == 0 and record.id in again.relabelled
        assert first.get(record.id).label == top.label
    finally:
        first.close()

    fresh, results = PhotoIndex.open(":memory:"), []
    try:
        summary = run(fresh, library, bundle, top.score, results)
        # the run's own count of "without a landmark" (the model's answer, before the
        # index's is shown) leaves out the photo at the threshold, as the index does
        assert summary.no_landmark == sum(other.score < top.score for other in tops.values())
        result = next(r for r in results if Path(r.path).name == name)
        assert result.score == top.score
        assert (result.label, result.landmark_id) == (top.label, top.landmark_id)
        assert fresh.get(result.photo_id).label == top.label
    finally:
        fresh.close()

"""The committed default bundle (assets/default.ltbundle): small, loadable, 39 readable
labels, calibrated settings, and (with ../shared) right on held-out photos."""

from __future__ import annotations

import pytest

from model.bundle import default_bundle_path, load_bundle

MAX_BYTES = 25 * 1024 * 1024


@pytest.fixture(scope="module")
def default_bundle():
    path = default_bundle_path()
    assert path.is_file(), f"{path} is missing: run `make default-model` and commit it"
    return load_bundle(path)


def test_default_bundle_is_at_most_25_mb():
    assert default_bundle_path().stat().st_size <= MAX_BYTES


def test_default_bundle_has_39_readable_labels(default_bundle):
    names = default_bundle.class_names()
    assert len(names) == 39 and len(set(names)) == 39
    assert all(name.strip() == name and name for name in names)
    assert "Colosseum" in names and "Arc de Triomphe d'Orange" in names and "Fontaine de la Rotonde (Aix-en-Provence)" in names


def test_default_bundle_carries_calibration_gallery_and_card(default_bundle):
    assert 0.0 < default_bundle.threshold < 1.0
    assert default_bundle.temperature > 0 and default_bundle.temperature != 1.0
    assert default_bundle.gallery is not None and default_bundle.gallery.vectors.shape[1] == default_bundle.embedding_size
    assert "μAP" in default_bundle.card and "Expected calibration error" in default_bundle.card
    assert default_bundle.extra["recipe"]["network"]["backbone"] == default_bundle.backbone


def validation_photos(world, per_class: int):
    """The first `per_class` validation photos of every class, from the same seeded
    split `landmark-train prepare` makes."""
    from training.datasets import folder_records
    from training.prepare import stratified_split

    records, _ = folder_records(world)
    split = stratified_split(records, 0.2, 0)
    chosen: dict[str, list] = {}
    for record in sorted(records, key=lambda r: r.key):
        if split[record.key] == "val" and len(chosen.setdefault(record.landmark_id, [])) < per_class:
            chosen[record.landmark_id].append(record)
    return chosen


@pytest.mark.slow
@pytest.mark.integration
def test_default_bundle_recognises_held_out_photos(default_bundle, shared_data):
    from PIL import Image

    from model.predictor import Predictor

    # Famous landmarks the card reports as (near-)perfect on validation.
    wanted = ["Colosseum", "Taj Mahal", "Petra", "Machu Picchu", "Great Pyramid of Giza", "Theatre Antique d'Orange"]
    chosen = validation_photos(shared_data / "landmarks" / "world", per_class=2)
    records = [r for name in wanted for r in chosen[name]]
    predictor = Predictor(default_bundle, threads=1)
    images = []
    for record in records:
        with Image.open(record.source) as img:
            images.append(img.convert("RGB"))
    top = [p[0] for p in predictor.predict(images, k=1)]
    hits = sum(pred.label == record.landmark_id for pred, record in zip(top, records))
    assert hits >= len(records) - 2, [(r.key, p.label, round(p.score, 3)) for r, p in zip(records, top)]

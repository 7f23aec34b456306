"""`landmark-train evaluate --manifest`: it scores a prepared split as validation does
(the cached files read whole), so its figures are those of metrics.csv and the card."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.prepare import PrepareConfig, prepare_dataset
from training.synthetic import make_class_folders

CLASSES = ["Eiffel Tower", "Colosseum", "Taj Mahal"]  # the tiny bundle's landmarks


@pytest.fixture(scope="module")
def big_cache(tmp_path_factory) -> Path:
    """A split whose cached files are 128 px, twice the tiny bundle's 64-px input (the
    size at which a JPEG draft would decode them at half scale)."""
    root = tmp_path_factory.mktemp("big-cache")
    make_class_folders(root / "src", CLASSES, 4, size=160)
    prepare_dataset(PrepareConfig(root / "src", root / "prep", cache_size=128, val_fraction=0.5, workers=1))
    return root / "prep"


def test_evaluate_of_a_manifest_scores_the_pixels_validation_reads(tiny_bundle, big_cache):
    from model.predictor import Predictor
    from training.data import ManifestDataset
    from training.datasets import load_manifest
    from training.evaluate import evaluate_bundle

    evaluation = evaluate_bundle(tiny_bundle, manifest=big_cache, split="val")
    manifest = load_manifest(big_cache)
    images = manifest.split("val")
    predictor = Predictor(tiny_bundle)
    # what validation feeds the network: ManifestDataset's array of each cached file
    arrays = [ManifestDataset(manifest, images, predictor.bundle.preprocessing)[i][0] for i in range(len(images))]
    from PIL import Image

    expected = predictor.predict([Image.fromarray(a) for a in arrays], k=1)
    assert len(images) >= 3
    for image, top in zip(images, expected):
        landmark, score = evaluation.predictions[image.key]
        assert (landmark, score) == (top[0].landmark_id, pytest.approx(top[0].score, abs=1e-6))


def test_a_manifest_of_other_landmark_ids_is_refused_showing_the_ids(tiny_bundle):
    """GLDv2 ids 100-102 named like the bundle's folder classes: the ids differ, and the
    refusal shows them (the names alone read the same on both sides)."""
    from types import SimpleNamespace

    from training.datasets import ClassInfo
    from training.evaluate import no_class_in_common

    classes = [ClassInfo(i, str(100 + i), name, 3) for i, name in enumerate(CLASSES)]
    message = no_class_in_common(tiny_bundle, SimpleNamespace(folder=Path("prep"), classes=classes))
    assert message.startswith(
        "the landmark ids of the 3 classes of prep ('100' (Eiffel Tower), '101' (Colosseum), '102' (Taj Mahal)) are "
        "none of the bundle's 3 ('Eiffel Tower', 'Colosseum', 'Taj Mahal'): was it prepared from another dataset?"
    )

"""The default model's recipe code: calibration, threshold, gallery choice, and the
whole recipe end to end on a tiny generated dataset."""

from __future__ import annotations

import json

import numpy as np
import pytest

from training.calibration import (
    choose_threshold,
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
    reliability_bins,
    softmax_scores,
    unknown_landmark_scores,
)
from training.errors import ConfigError, TrainingError


def sample_logits(rng, n: int, classes: int, true_temperature: float, scale: float = 30.0):
    """Similarities whose labels are drawn from softmax(scale * sim / true_temperature)."""
    sims = rng.uniform(-0.2, 0.6, size=(n, classes))
    probs = softmax_scores(sims, scale, true_temperature)
    labels = np.array([rng.choice(classes, p=p) for p in probs])
    return sims, labels


def test_fit_temperature_recovers_the_generating_temperature():
    rng = np.random.default_rng(0)
    sims, labels = sample_logits(rng, 4000, 6, true_temperature=2.5)
    fitted = fit_temperature(sims, labels, 30.0)
    assert fitted == pytest.approx(2.5, rel=0.1)
    assert negative_log_likelihood(sims, labels, 30.0, fitted) < negative_log_likelihood(sims, labels, 30.0, 1.0)


def test_fit_temperature_refuses_an_empty_split():
    with pytest.raises(TrainingError, match="empty validation split"):
        fit_temperature(np.zeros((0, 3)), np.zeros(0, dtype=int), 30.0)


def test_ece_by_hand():
    # Two bins used: [0.8, 0.9) holds 0.85 (right) and 0.85 (wrong) -> |0.5 - 0.85| = 0.35;
    # [0.3, 0.4) holds 0.35 (wrong) -> |0 - 0.35| = 0.35. Weighted: (2·0.35 + 1·0.35) / 3.
    confidence = np.array([0.85, 0.85, 0.35])
    correct = np.array([True, False, False])
    assert expected_calibration_error(confidence, correct, bins=10) == pytest.approx(0.35)
    bins = reliability_bins(confidence, correct, bins=10)
    assert bins.counts.sum() == 3 and bins.counts[8] == 2 and bins.counts[3] == 1
    assert np.isnan(bins.accuracy[0])


def test_perfectly_calibrated_scores_have_small_ece():
    rng = np.random.default_rng(1)
    confidence = rng.uniform(0, 1, 20000)
    correct = rng.uniform(0, 1, 20000) < confidence
    assert expected_calibration_error(confidence, correct) < 0.02


def test_unknown_scores_drop_the_true_class():
    sims = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.3]])
    labels = np.array([0, 1])
    unknown = unknown_landmark_scores(sims, labels, 10.0, 1.0)
    # Row 0 without class 0: softmax over (0.1, 0.0) at scale 10 -> e^1 / (e^1 + 1).
    assert unknown[0] == pytest.approx(np.e / (np.e + 1))
    assert unknown[1] == pytest.approx(np.exp(3) / (np.exp(3) + np.exp(2)))


def test_threshold_lets_through_at_most_the_asked_share_of_unknowns():
    rng = np.random.default_rng(2)
    unknown = rng.uniform(0, 1, 1000)
    probs = np.full((10, 2), 0.5)
    probs[:, 0] = np.linspace(0.5, 1.0, 10)
    probs[:, 1] = 1 - probs[:, 0]
    labels = np.zeros(10, dtype=int)
    choice = choose_threshold(probs, labels, unknown, unknown_accept_rate=0.05)
    assert choice.unknown_accept_rate <= 0.05
    assert (unknown >= choice.threshold).sum() == 50
    assert choice.known_coverage == pytest.approx((probs.max(1) >= choice.threshold).mean())
    assert choice.known_precision == 1.0
    with pytest.raises(TrainingError):
        choose_threshold(probs, labels, unknown, unknown_accept_rate=1.5)


def test_gallery_weight_is_chosen_when_the_gallery_knows_better():
    from training.gallery import build_gallery, choose_gallery_weight

    rng = np.random.default_rng(3)
    classes, per_class, dim = 4, 5, 16
    prototypes = rng.normal(size=(classes, dim))
    gallery_classes = np.repeat(np.arange(classes), per_class)
    gallery_vectors = prototypes[gallery_classes] + 0.1 * rng.normal(size=(classes * per_class, dim))
    labels = np.arange(classes).repeat(3)
    queries = prototypes[labels] + 0.1 * rng.normal(size=(len(labels), dim))
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    centres = rng.uniform(-0.1, 0.1, size=(len(labels), classes))  # the class centres know nothing
    gallery = build_gallery(gallery_vectors, gallery_classes)
    choice = choose_gallery_weight(centres, queries, labels, gallery, 30.0, (0.0, 0.5, 1.0), (1, 3))
    assert choice.weight > 0.0
    assert choice.accuracy == 1.0
    assert len(choice.table) == 1 + 2 * 2  # w = 0 is tried once, whatever k
    no_gallery = next(row for row in choice.table if row["weight"] == 0.0)
    assert no_gallery["accuracy"] < 1.0


def test_recipe_config_reads_overrides_and_refuses_unknown_keys(tmp_path):
    from training.recipes.recipe_config import load_recipe

    config = load_recipe(None, {"train.epochs": 3, "network.input_size": 64})
    assert config.train.epochs == 3 and config.network.input_size == 64
    assert config.network.backbone == "efficientnet-lite0"
    bad = tmp_path / "bad.toml"
    bad.write_text("[train]\nepoks = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="epoks"):
        load_recipe(bad)


def make_class_folders(root, classes: int = 3, per_class: int = 8, size: int = 72):
    """Folder-per-class JPEGs: each class a colour and stripe direction, with noise."""
    from PIL import Image

    rng = np.random.default_rng(0)
    colours = [(200, 40, 40), (40, 180, 60), (50, 60, 210), (200, 200, 40)]
    for c in range(classes):
        folder = root / f"Landmark {c}'s place"
        folder.mkdir(parents=True)
        for i in range(per_class):
            pixels = np.zeros((size, size, 3), dtype=np.float64)
            pixels[:] = colours[c]
            stripes = (np.arange(size) // 6 % 2)[:, None] if c % 2 else (np.arange(size) // 6 % 2)[None, :]
            pixels *= 0.6 + 0.4 * stripes[..., None]
            pixels += rng.normal(0, 12, pixels.shape)
            Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(folder / f"{i:03d}.jpg", quality=90)


@pytest.mark.slow
def test_recipe_end_to_end_on_a_tiny_dataset(tmp_path):
    import torch

    from model.bundle import load_bundle
    from model.predictor import Predictor
    from training.prepare import PrepareConfig, prepare_dataset
    from training.recipes.default_model import run_recipe
    from training.recipes.recipe_config import load_recipe

    torch.set_num_threads(1)
    make_class_folders(tmp_path / "photos")
    prepare_dataset(PrepareConfig(source=tmp_path / "photos", out_dir=tmp_path / "prepared", cache_size=72, workers=1))
    config = load_recipe(None, {
        "network.input_size": 64, "network.cut_block": 15, "train.epochs": 3, "train.batch_size": 8,
        "train.lr_head": 0.01, "threads": 1, "scoring.gallery_ks": [1, 3], "augment.views": 2,
    })
    out = tmp_path / "tiny.ltbundle"
    report = run_recipe(config, tmp_path / "prepared", tmp_path / "work", out, log=lambda line: None)

    maps = list((tmp_path / "work").glob("maps-*-aug2x*.npy"))
    assert len(maps) == 1 and np.load(maps[0], mmap_mode="r").shape[:2] == (3 * 8, 2 + 2)  # original, mirror, 2 augmented
    saved = json.loads((tmp_path / "work" / "report.json").read_text(encoding="utf-8"))
    assert saved["train_images"] == report.train_images == 3 * 6
    assert [step["step"] for step in saved["steps"]][0].startswith("trained network")
    assert len(saved["history"]) == 3 and saved["history"][-1]["loss"] < saved["history"][0]["loss"]
    assert 0.0 <= report.threshold["threshold"] <= 1.0 and report.temperature > 0
    assert report.ece_after <= report.ece_before + 1e-9 or report.nll_after <= report.nll_before

    bundle = load_bundle(out)
    assert bundle.class_names() == ["Landmark 0's place", "Landmark 1's place", "Landmark 2's place"]
    assert bundle.gallery is not None and len(bundle.gallery.vectors) == 3 * 6
    assert bundle.temperature == pytest.approx(report.temperature)
    assert bundle.scoring.gallery_weight == report.gallery_weight
    # The exported network (frozen stages + trained stages) reproduces the cached path:
    # the training photos it embedded for the gallery are their own nearest neighbours.
    from PIL import Image

    from training.datasets import load_manifest

    manifest = load_manifest(tmp_path / "prepared")
    first_train = next(i for i in manifest.images if i.split == "train")
    predictor = Predictor(bundle, threads=1)
    embeddings, _, descriptors = predictor.embed_all(predictor.prepare([Image.open(manifest.cache_path(first_train))]))
    similarity = embeddings @ bundle.gallery.vectors.T
    assert similarity.max() > 0.99
    # So do its descriptors (the teaching space), computed from the same pooled features.
    assert bundle.descriptor_size == bundle.gallery.descriptors.shape[1] and bundle.teaching is not None
    assert bundle.descriptor_size == config.scoring.whiten_size == 512  # whitened inside the network
    assert (descriptors @ bundle.gallery.descriptors.T)[0, similarity.argmax()] > 0.99


@pytest.mark.slow
def test_frozen_head_conv_pools_cached_maps_once():
    import torch

    from model.network import LandmarkNet, NetConfig
    from training.recipes.feature_cache import FrozenStages
    from training.recipes.tail_training import TrainableStages

    torch.manual_seed(0)
    net = LandmarkNet(NetConfig(num_classes=3, pretrained=False, input_size=64, embedding_size=16, gem_learnable=False)).eval()
    blocks = len(net.backbone.trunk._blocks)
    frozen = TrainableStages(net, blocks + 1)
    assert frozen.pools_in_advance and frozen.backbone_parameters() == []
    assert not TrainableStages(net, blocks).pools_in_advance
    images = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        maps = FrozenStages(net.backbone.trunk, blocks + 1)(images).numpy()
        pooled = frozen.pool_maps(maps[:, None])  # [N, V=1, C]
        from_pooled = frozen.embed(torch.from_numpy(pooled[:, 0]))
        whole = net.embed(images)
    assert pooled.shape == (2, 1, net.backbone.num_features)
    assert torch.allclose(from_pooled, whole, atol=1e-5)


def test_augmented_views_are_seeded_varied_and_the_first_is_the_plain_square(tmp_path):
    from PIL import Image

    from model.preprocess import Preprocessing
    from training.recipes.feature_cache import AugmentRecipe, load_square, load_views

    rng = np.random.default_rng(3)
    path = tmp_path / "photo.jpg"
    Image.fromarray(rng.integers(0, 255, (60, 90, 3), dtype=np.uint8)).save(path, quality=95)
    preprocessing = Preprocessing(input_size=32, resize="squash")
    augment = AugmentRecipe(views=3, min_area=0.4, jitter=0.3, seed=5)

    views = load_views(path, preprocessing, 7, augment)
    again = load_views(path, preprocessing, 7, augment)
    other_photo_index = load_views(path, preprocessing, 8, augment)
    assert len(views) == 4 and all(v.shape == (32, 32, 3) and v.dtype == np.uint8 for v in views)
    assert np.array_equal(views[0], load_square(path, preprocessing))
    assert all(np.array_equal(a, b) for a, b in zip(views, again))  # a rerun caches the same views
    assert not any(np.array_equal(views[0], v) for v in views[1:])
    assert not np.array_equal(views[1], other_photo_index[1])
    assert len(load_views(path, preprocessing, 7, AugmentRecipe())) == 1
    assert AugmentRecipe().cache_key() == "" and AugmentRecipe(views=2).cache_key() != AugmentRecipe(views=3).cache_key()


@pytest.mark.parametrize("bad", [{"views": -1}, {"min_area": 0.0}, {"min_area": 1.5}, {"max_aspect_change": 0.5}, {"jitter": 1.0}])
def test_bad_augment_settings_are_refused(bad):
    from training.recipes.recipe_config import load_recipe

    with pytest.raises(TrainingError, match="augment"):
        load_recipe(None, {f"augment.{key}": value for key, value in bad.items()})


@pytest.mark.slow
def test_weight_averaging_ends_on_the_average_and_is_off_by_default():
    import torch

    from model.network import LandmarkNet, NetConfig
    from training.recipes.tail_training import TailConfig, TrainableStages, train_tail

    def trained(ema_decay: float) -> torch.Tensor:
        torch.manual_seed(0)
        net = LandmarkNet(NetConfig(num_classes=3, pretrained=False, input_size=64, embedding_size=16,
                                    gem_learnable=False, sub_centers=3))
        stages = TrainableStages(net, len(net.backbone.trunk._blocks) + 1)  # neck and head only
        rng = np.random.default_rng(0)
        pooled = rng.normal(size=(24, 1, net.backbone.num_features)).astype(np.float32)
        labels = np.arange(24) % 3
        train_tail(stages, pooled, labels, np.arange(24), 3,
                   TailConfig(epochs=3, batch_size=8, ema_decay=ema_decay), log=lambda _: None)
        return net.neck[0].weight.detach().clone()

    plain = trained(0.0)
    assert torch.equal(trained(1e-12), plain)  # an average that forgets at once is the last step
    assert not torch.allclose(trained(0.9), plain, atol=1e-4)
    with pytest.raises(TrainingError, match="ema_decay"):
        TailConfig(ema_decay=1.0)

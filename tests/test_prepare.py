"""`landmark-train prepare`: sources (tar shards, class folders), class filter,
stratified seeded split, resized cache, manifest."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from training.datasets import category_name, folder_records, load_manifest
from training.errors import DatasetError
from training.prepare import PrepareConfig, prepare_dataset, stratified_split
from training.synthetic import make_class_folders, make_mini_gldv2

NAMES = ["Arc de Triomphe d'Orange", "Bateau Sculpture (Toulon)", "Tiny", "Ünïcode place"]


@pytest.fixture
def folders(tmp_path):
    root = tmp_path / "photos"
    make_class_folders(root, NAMES, [10, 6, 2, 5], size=40)
    return root


def test_folder_dataset_with_awkward_names_filter_split_and_cache(folders, tmp_path):
    out = tmp_path / "prepared"
    summary = prepare_dataset(PrepareConfig(folders, out, cache_size=24, min_images=5, workers=1))
    assert summary.classes == 3 and summary.dropped_classes == 1 and not summary.errors
    manifest = load_manifest(out)
    names = [c.name for c in manifest.classes]
    assert set(names) == {NAMES[0], NAMES[1], NAMES[3]} and [c.index for c in manifest.classes] == [0, 1, 2]
    per_class = Counter((i.name, i.split) for i in manifest.images)
    assert per_class[(NAMES[0], "val")] == 2 and per_class[(NAMES[0], "train")] == 8
    assert per_class[(NAMES[1], "val")] == 1 and per_class[(NAMES[3], "val")] == 1
    for image in manifest.images:
        with Image.open(manifest.cache_path(image)) as img:
            assert min(img.size) == 24 and max(img.size) >= 24
        assert Path(image.source).is_file()
        assert manifest.classes[image.class_index].landmark_id == image.landmark_id
    assert manifest.labels()[NAMES[0]] == NAMES[0]


def test_split_is_seeded_and_a_rerun_reuses_the_cache(folders, tmp_path):
    first = prepare_dataset(PrepareConfig(folders, tmp_path / "a", cache_size=16, workers=1, seed=3))
    again = prepare_dataset(PrepareConfig(folders, tmp_path / "a", cache_size=16, workers=1, seed=3))
    assert first.resized == 23 and again.resized == 0 and again.reused == 23
    other = prepare_dataset(PrepareConfig(folders, tmp_path / "b", cache_size=16, workers=1, seed=4))
    split = lambda p: {i.key: i.split for i in load_manifest(p).images}  # noqa: E731
    assert split(tmp_path / "a") == split(tmp_path / "a")
    assert split(tmp_path / "a") != split(tmp_path / "b") and other.val_images == first.val_images


def test_stratified_split_keeps_one_of_each_side():
    records, _ = [], None
    from training.datasets import ImageRecord

    records = [ImageRecord(f"{c}{i}", f"/x/{c}{i}", c) for c, n in (("a", 2), ("b", 100)) for i in range(n)]
    split = stratified_split(records, 0.2, seed=0)
    counts = Counter((k[0], v) for k, v in split.items())
    assert counts[("a", "val")] == 1 and counts[("a", "train")] == 1
    assert counts[("b", "val")] == 20 and counts[("b", "train")] == 80


@pytest.mark.parametrize("val_fraction", [0.8, 0.9])
def test_a_high_val_fraction_still_leaves_one_training_image_per_class(val_fraction):
    """round(n · 0.8) reaches n for small classes: each must keep one image to train on,
    or the model is scored on a landmark it never saw."""
    from training.datasets import ImageRecord

    sizes = {"a": 2, "b": 3, "c": 4, "d": 50}
    records = [ImageRecord(f"{c}{i}", f"/x/{c}{i}", c) for c, n in sizes.items() for i in range(n)]
    counts = Counter((k[0], v) for k, v in stratified_split(records, val_fraction, seed=0).items())
    for landmark, n in sizes.items():
        assert counts[(landmark, "train")] >= 1 and counts[(landmark, "val")] >= 1, landmark
        assert counts[(landmark, "train")] + counts[(landmark, "val")] == n
    assert counts[("d", "val")] == round(50 * val_fraction)


def test_a_broken_image_is_recorded_and_skipped(folders, tmp_path):
    (folders / NAMES[0] / "broken.jpg").write_bytes(b"not a jpeg")
    summary = prepare_dataset(PrepareConfig(folders, tmp_path / "p", cache_size=16, workers=2))
    assert list(summary.errors) == [str((folders / NAMES[0] / "broken.jpg").resolve())]
    assert sum(c.count for c in load_manifest(tmp_path / "p").classes) == 23


def test_gldv2_shards_are_read_in_place_with_readable_names(tmp_path):
    mini = make_mini_gldv2(tmp_path / "gld", classes=3, per_class=5, shards=2, size=48)
    summary = prepare_dataset(PrepareConfig(mini.root, tmp_path / "p", cache_size=32, workers=2, max_images_per_class=4))
    manifest = load_manifest(tmp_path / "p")
    assert summary.classes == 3 and len(manifest.images) == 12
    assert {c.name for c in manifest.classes} == set(mini.names.values())
    assert [c.landmark_id for c in manifest.classes] == sorted((c.landmark_id for c in manifest.classes), key=int)
    for image in manifest.images:
        assert "::" in image.source and str(mini.labels[image.key]) == image.landmark_id
    # nothing was unpacked next to the shards
    assert sorted(p.name for p in (mini.root / "train").iterdir()) == ["images_000.tar", "images_001.tar"]


def test_category_urls_become_readable_names():
    url = "http://commons.wikimedia.org/wiki/Category:Haleakal%C4%81_National_Park"
    assert category_name(url) == "Haleakalā National Park"


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        folder_records(tmp_path / "nope")
    make_class_folders(tmp_path / "few", ["a"], 2, size=16)
    with pytest.raises(DatasetError, match="min-images"):
        prepare_dataset(PrepareConfig(tmp_path / "few", tmp_path / "o", min_images=250, workers=1))
    with pytest.raises(DatasetError, match="prepare"):
        load_manifest(tmp_path / "o")


@pytest.mark.integration
def test_the_real_world_landmarks_folder(shared_data, tmp_path):
    world = shared_data / "landmarks" / "world"
    records, names = folder_records(world)
    assert len(names) == 39 and len(records) >= 2000
    assert any("'" in n for n in names) and any(" " in n for n in names)
    summary = prepare_dataset(PrepareConfig(world, tmp_path / "p", cache_size=32, max_images_per_class=2, workers=2))
    assert summary.classes == 39 and summary.train_images == 39 and summary.val_images == 39

"""The default recipe run again after the number of prepared photos changed: the new
feature maps take the old cache's name. Windows refuses to rename a file over one that
is still mapped (np.memmap), so the old cache must not be held open then, and a failed
rename must not leave a temp file as large as the cache."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from model.preprocess import Preprocessing
from training.recipes import feature_cache

PREPROCESSING = Preprocessing(input_size=64)
CUT = 2  # the stem and two blocks: quick to export and run


@pytest.fixture(scope="module")
def trunk():
    import torch

    from model.network import LandmarkNet, NetConfig

    torch.manual_seed(0)
    return LandmarkNet(NetConfig(num_classes=3, pretrained=False, input_size=64, embedding_size=16)).eval().backbone.trunk


def photos(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = folder / f"{i}.jpg"
        Image.new("RGB", (72, 72), (40 * i, 80, 120)).save(path)
        paths.append(path)
    return paths


def mapped(path: Path) -> list[np.memmap]:
    """The live np.memmap views of `path` in this process."""
    gc.collect()
    return [o for o in gc.get_objects() if issubclass(type(o), np.memmap) and o.filename
            and Path(o.filename).resolve() == path.resolve()]


def test_a_rerun_with_more_photos_replaces_the_cache_as_windows_allows(trunk, tmp_path, monkeypatch):
    paths = photos(tmp_path, 5)
    out = tmp_path / "maps.npy"
    first = feature_cache.cache_feature_maps(trunk, CUT, paths[:4], PREPROCESSING, out)
    assert first.shape[0] == 4
    del first
    real_replace = Path.replace

    def windows_replace(self, target):
        if mapped(Path(target)):  # ERROR_USER_MAPPED_FILE
            raise PermissionError(13, "The requested operation cannot be performed on a file with a "
                                      "user-mapped section open", str(target))
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", windows_replace)
    maps = feature_cache.cache_feature_maps(trunk, CUT, paths, PREPROCESSING, out)
    assert maps.shape[0] == 5 and np.load(out).shape == maps.shape
    assert sorted(p.name for p in tmp_path.glob("*.npy")) == ["maps.npy"]


def test_a_rename_that_fails_leaves_no_temp_file(trunk, tmp_path, monkeypatch):
    paths = photos(tmp_path, 2)

    def refuse(self, target):
        raise PermissionError(13, "Access is denied", str(target))

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(PermissionError):
        feature_cache.cache_feature_maps(trunk, CUT, paths, PREPROCESSING, tmp_path / "maps.npy")
    assert list(tmp_path.glob("*.npy")) == []


def test_a_cache_of_the_same_shape_is_reused_and_a_damaged_one_made_again(trunk, tmp_path):
    paths = photos(tmp_path, 2)
    out = tmp_path / "maps.npy"
    made = feature_cache.cache_feature_maps(trunk, CUT, paths, PREPROCESSING, out)
    reused = feature_cache.cache_feature_maps(trunk, CUT, paths, PREPROCESSING, out)
    assert np.array_equal(made, reused) and mapped(out)  # read from the file, not computed again
    del reused
    out.write_bytes(b"not a .npy file")  # a copy cut short, say
    again = feature_cache.cache_feature_maps(trunk, CUT, paths, PREPROCESSING, out)
    assert np.array_equal(made, again) and np.load(out).shape == made.shape

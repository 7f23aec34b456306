"""Validation scores in float64 as the bundle does, but on the CPU: an Apple GPU (MPS)
has no float64, and converting an MPS tensor to it raises, so a `device = "mps"` run
stopped after its first epoch. A tensor that refuses float64 stands in for MPS here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")


class NoFloat64(torch.Tensor):
    """As an MPS tensor: refuses float64; .cpu() gives an ordinary tensor."""

    def double(self):
        raise TypeError("Cannot convert a MPS Tensor to float64 dtype as the MPS framework doesn't support float64")

    def cpu(self):
        return self.as_subclass(torch.Tensor).clone()


class DeviceNet(torch.nn.Module):
    def __init__(self, cosines: np.ndarray) -> None:
        super().__init__()
        self.cosines = torch.tensor(cosines, dtype=torch.float32)

    def forward(self, x):
        return torch.zeros(len(x), 2), self.cosines[: len(x)].as_subclass(NoFloat64)


def test_validation_converts_to_float64_off_the_device(tmp_path: Path):
    from model.preprocess import Preprocessing
    from model.scoring import ScoringConfig, calibrated_probabilities
    from training.data import ManifestDataset
    from training.datasets import load_manifest
    from training.prepare import PrepareConfig, prepare_dataset
    from training.synthetic import make_class_folders
    from training.validation import predict_images

    make_class_folders(tmp_path / "src", ["red", "stripes"], 5, size=40)
    prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "prep", cache_size=36, workers=1))
    manifest = load_manifest(tmp_path / "prep")
    images = manifest.split("val")
    table = np.random.default_rng(0).uniform(-0.5, 0.9, (len(images), 2)).astype(np.float32)
    dataset = ManifestDataset(manifest, images, Preprocessing(input_size=32))
    predicted = predict_images(DeviceNet(table), dataset, torch.device("cpu"), batch_size=len(images), scale=30.0)
    expected = calibrated_probabilities(table, ScoringConfig(scale=30.0)).max(axis=1)
    assert np.allclose([predicted[p][1] for p in range(len(images))], expected, atol=1e-6)

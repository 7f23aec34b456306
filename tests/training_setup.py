"""The tiny training set-up the training tests share: a prepared dataset of a few
generated classes and a head-only network's config, small enough for a CPU test."""

from __future__ import annotations

from pathlib import Path

from training.config import DataConfig, ModelConfig, OptimConfig, ScheduleConfig, TrainConfig
from training.prepare import PrepareConfig, prepare_dataset
from training.synthetic import make_class_folders


def prepare_tiny_classes(root: Path, classes: list[str]) -> Path:
    """Six 40-pixel images of each class under root/src, prepared into root/prep (its manifest)."""
    make_class_folders(root / "src", classes, 6, size=40)
    prepare_dataset(PrepareConfig(root / "src", root / "prep", cache_size=36, workers=1))
    return root / "prep"


def head_only_config(manifest: Path, run_dir: Path, epochs: int, **settings) -> TrainConfig:
    """A frozen backbone, 8-wide embedding, 32-pixel input, on the CPU, with nothing but the
    run's files written (no progress bars, TensorBoard or plots) unless `settings` say so."""
    top = {"progress": False, "tensorboard": False, "plots": False, "device": "cpu", **settings}
    return TrainConfig(
        run_dir=str(run_dir),
        data=DataConfig(manifest=str(manifest), input_size=32, workers=0),
        model=ModelConfig(embedding_size=8, freeze_backbone=True),
        optim=OptimConfig(batch_size=6, epochs=epochs, lr=0.1),
        schedule=ScheduleConfig(name="constant"),
        **top,
    )

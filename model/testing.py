"""Helpers for tests across the project: a real, tiny model bundle built in seconds."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from model.bundle import LabelEntry, ModelBundle


def make_tiny_bundle(
    path: str | Path,
    labels: Sequence[str] | Sequence[LabelEntry],
    input_size: int = 64,
    *,
    embedding_size: int = 32,
    threshold: float = 0.0,
    seed: int = 0,
    backbone: str = "efficientnet-lite0",
) -> ModelBundle:
    """Export a randomly initialised LandmarkNet (no pretrained weights) to a real bundle.

    Its predictions are meaningless but deterministic for a given seed; use it wherever
    a test needs a working bundle (tagging, teaching, the CLI). Needs torch.
    """
    import torch

    from model.export import export_bundle
    from model.network import LandmarkNet, NetConfig
    from model.scoring import ScoringConfig

    torch.manual_seed(seed)
    config = NetConfig(
        num_classes=len(labels),
        backbone=backbone,
        embedding_size=embedding_size,
        pretrained=False,
        input_size=input_size,
    )
    net = LandmarkNet(config).eval()
    card = "# Tiny test model\n\nRandomly initialised; for tests only. Its predictions mean nothing.\n"
    return export_bundle(
        net,
        config.default_preprocessing(),
        labels,
        path,
        name=Path(path).stem,
        scoring=ScoringConfig(scale=30.0, temperature=1.0),
        threshold=threshold,
        card=card,
    )

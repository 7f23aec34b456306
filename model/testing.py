"""Helpers for tests across the project: a real, tiny model bundle built in seconds."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

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
    descriptors: bool = False,
    whiten_size: int = 0,
) -> ModelBundle:
    """Export a randomly initialised LandmarkNet (no pretrained weights) to a real bundle.

    Its predictions are meaningless but deterministic for a given seed; use it wherever
    a test needs a working bundle (tagging, teaching, the CLI). descriptors: also export
    descriptors and a teaching space, with a gallery of 4 random images per class;
    whiten_size: whiten those descriptors to this many axes (fitted on the gallery).
    Needs torch.
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
    extra = {}
    if descriptors:
        _lively_backbone(net)
        extra = _descriptor_gallery(net, len(labels), input_size, whiten_size)
    return export_bundle(
        net,
        config.default_preprocessing(),
        labels,
        path,
        name=Path(path).stem,
        scoring=ScoringConfig(scale=30.0, temperature=1.0),
        threshold=threshold,
        card=card,
        **extra,
    )


def _lively_backbone(net) -> None:
    """He-initialised convolutions: the default random init leaves every pooled feature
    at GeM's floor, the same for all images, and descriptors would all be zero."""
    import torch

    for module in net.backbone.modules():
        if isinstance(module, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        elif isinstance(module, torch.nn.BatchNorm2d):
            torch.nn.init.ones_(module.weight)
            torch.nn.init.zeros_(module.bias)


def _descriptor_gallery(net, num_classes: int, input_size: int, whiten_size: int = 0) -> dict:
    """export_bundle's gallery=, descriptor_mean= (and descriptor_projection=) for random
    images, 4 per class."""
    import torch

    from model.bundle import Gallery
    from model.descriptor import descriptors_from_pooled, fit_descriptors

    images = torch.randn(4 * num_classes, 3, input_size, input_size)
    with torch.no_grad():
        pooled = net.pooled_features(images)
        embeddings = net.embed_pooled(pooled).numpy()
    pooled = pooled.numpy()
    classes = np.asarray([i % num_classes for i in range(len(images))])
    mean, projection = fit_descriptors(pooled, classes, whiten_size, 2.0)
    gallery = Gallery(embeddings, classes, descriptors_from_pooled(pooled, mean, projection))
    return {"gallery": gallery, "descriptor_mean": mean, "descriptor_projection": projection}

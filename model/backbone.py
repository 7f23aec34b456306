"""The `Backbone` module: an EfficientNet trunk without its classifier (image → feature map)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from model.preprocess import Preprocessing

if TYPE_CHECKING:
    from model.registry import BackboneSpec


class Backbone(nn.Module):
    """Same interface for every registry entry: `forward_features` and `num_features`."""

    def __init__(self, spec: "BackboneSpec", trunk: nn.Module, input_size: int) -> None:
        super().__init__()
        self.spec = spec
        self.input_size = int(input_size)
        # The classifier is never used; drop it so it is neither trained nor exported.
        trunk._fc = nn.Identity()
        trunk._dropout = nn.Identity()
        self.trunk = trunk
        self.num_features = int(trunk._bn1.num_features)

    @property
    def name(self) -> str:
        return self.spec.name

    def default_preprocessing(self) -> Preprocessing:
        """The mean/std of the ImageNet weights at this backbone's input size."""
        return self.spec.default_preprocessing(self.input_size)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.trunk.extract_features(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)

    def set_exportable(self, exportable: bool = True) -> None:
        """Swap memory-efficient swish (a custom autograd op) for the plain one ONNX exports.

        Lite trunks use ReLU6 and have nothing to swap.
        """
        if self.spec.family == "b":
            self.trunk.set_swish(memory_efficient=not exportable)

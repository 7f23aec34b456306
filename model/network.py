"""LandmarkNet: backbone → GeM → Linear → BatchNorm1d → L2-normalised embedding → cosines.

The cosine head holds one (or k sub-) centre per class; the margin and the scale live in
the loss (model.losses), so the same network serves every loss and, exported to ONNX,
gives inference both the embedding (for teaching and retrieval) and the class cosines.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from model.errors import ModelError
from model.pooling import GeM
from model.preprocess import Preprocessing
from model.registry import backbone_spec, create_backbone
from model.torch_file_errors import torch_load_failure


@dataclass(frozen=True)
class NetConfig:
    """Everything needed to rebuild a LandmarkNet (stored next to checkpoints)."""

    num_classes: int
    backbone: str = "efficientnet-lite0"
    embedding_size: int = 512
    sub_centers: int = 1
    pretrained: bool = True
    weights_path: str | None = None
    allow_download: bool = False
    input_size: int | None = None  # None: the backbone's native size
    gem_p: float = 3.0
    gem_learnable: bool = True
    dropout: float = 0.0
    drop_connect_rate: float | None = None

    def __post_init__(self) -> None:
        backbone_spec(self.backbone)  # raises UnknownBackboneError early
        if self.num_classes < 1:
            raise ModelError(f"NetConfig.num_classes={self.num_classes} must be at least 1")
        if self.embedding_size < 1:
            raise ModelError(f"NetConfig.embedding_size={self.embedding_size} must be at least 1")
        if self.sub_centers < 1:
            raise ModelError(f"NetConfig.sub_centers={self.sub_centers} must be at least 1")
        if not 0.0 <= self.dropout < 1.0:
            raise ModelError(f"NetConfig.dropout={self.dropout} must be in [0, 1)")

    @property
    def resolved_input_size(self) -> int:
        return int(self.input_size or backbone_spec(self.backbone).default_input_size)

    def default_preprocessing(self) -> Preprocessing:
        """Preprocessing matching the backbone's ImageNet weights at this input size."""
        return backbone_spec(self.backbone).default_preprocessing(self.resolved_input_size)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "NetConfig":
        try:
            return cls(**data)
        except TypeError as error:
            raise ModelError(f"bad network config {data!r}: {error}") from error


class CosineHead(nn.Module):
    """Cosine similarity of L2-normalised embeddings to k L2-normalised centres per class.

    `forward(e)` gives [N, C] (max over sub-centres); `all_cosines(e)` gives [N, C, k].
    """

    def __init__(self, embedding_size: int, num_classes: int, sub_centers: int = 1) -> None:
        super().__init__()
        self.num_classes = int(num_classes)
        self.sub_centers = int(sub_centers)
        self.weight = nn.Parameter(torch.empty(num_classes * sub_centers, embedding_size))
        nn.init.xavier_uniform_(self.weight)

    def all_cosines(self, embeddings: torch.Tensor) -> torch.Tensor:
        centres = F.normalize(self.weight, dim=1)
        cosines = F.linear(embeddings, centres)
        return cosines.view(-1, self.num_classes, self.sub_centers)

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        cosines = self.all_cosines(embeddings)
        if self.sub_centers == 1:
            return cosines[..., 0]
        return cosines.amax(dim=-1)


class LandmarkNet(nn.Module):
    """The landmark network; `forward(x) -> (embeddings [N, D], cosines [N, C])`."""

    def __init__(self, config: NetConfig) -> None:
        super().__init__()
        self.config = config
        self.backbone = create_backbone(
            config.backbone,
            pretrained=config.pretrained,
            weights_path=config.weights_path,
            input_size=config.resolved_input_size,
            allow_download=config.allow_download,
            drop_connect_rate=config.drop_connect_rate,
        )
        self.pool = GeM(p=config.gem_p, learnable=config.gem_learnable)
        self.dropout = nn.Dropout(config.dropout) if config.dropout > 0 else nn.Identity()
        self.neck = nn.Sequential(
            nn.Linear(self.backbone.num_features, config.embedding_size, bias=True),
            nn.BatchNorm1d(config.embedding_size),
        )
        self.head = CosineHead(config.embedding_size, config.num_classes, config.sub_centers)

    def pooled_features(self, x: torch.Tensor) -> torch.Tensor:
        """GeM-pooled backbone features [N, F], before the neck."""
        return self.pool(self.backbone.forward_features(x))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """L2-normalised embeddings [N, D]."""
        return self.embed_pooled(self.pooled_features(x))

    def embed_pooled(self, features: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.neck(self.dropout(features)), dim=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        embeddings = self.embed(x)
        return embeddings, self.head(embeddings)

    def default_preprocessing(self) -> Preprocessing:
        return self.config.default_preprocessing()

    def set_exportable(self, exportable: bool = True) -> None:
        """Use ops ONNX can export (see Backbone.set_exportable)."""
        self.backbone.set_exportable(exportable)

    def save_checkpoint(self, path: str | Path, **extra: Any) -> None:
        """Weights plus the NetConfig that rebuilds them (and any extra JSON-able info)."""
        torch.save({"config": self.config.to_dict(), "state_dict": self.state_dict(), **extra}, str(path))

    @classmethod
    def from_checkpoint(cls, path: str | Path) -> "LandmarkNet":
        """Rebuild a network saved by `save_checkpoint` (no ImageNet weights are loaded)."""
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"checkpoint {path} does not exist; check the path")
        try:
            data = torch.load(str(path), map_location="cpu", weights_only=True)
        except Exception as error:  # torch's text advises weights_only=False: never repeated
            raise ModelError(f"cannot read checkpoint {path}: {torch_load_failure(path, error)}") from None
        try:
            config_data = dict(data["config"])
        except Exception as error:
            raise ModelError(f"cannot read checkpoint {path}: it has no network config ({error!r})") from error
        config_data.update(pretrained=False, weights_path=None)
        net = cls(NetConfig.from_dict(config_data))
        try:
            net.load_state_dict(data["state_dict"])
        except RuntimeError as error:
            raise ModelError(f"checkpoint {path} does not fit its own config: {error}") from error
        return net


class DescriptorNet(nn.Module):
    """A LandmarkNet that also returns the generic descriptor (model.descriptor):
    `forward(x) -> (embeddings, cosines, descriptors)`, with descriptors =
    l2(pooled features - mean), or l2(that @ projection) with a learned whitening
    (`model.descriptor.learned_whitening`). Built for export; the wrapped network is not
    copied."""

    def __init__(self, net: LandmarkNet, mean: Any, projection: Any = None) -> None:
        super().__init__()
        self.net = net
        self.config = net.config
        self.register_buffer("descriptor_mean", torch.as_tensor(mean, dtype=torch.float32).reshape(1, -1))
        self.projection: torch.Tensor | None
        if projection is None:
            self.projection = None
        else:
            self.register_buffer("projection", torch.as_tensor(projection, dtype=torch.float32))

    @property
    def descriptor_size(self) -> int:
        return int(self.descriptor_mean.shape[1] if self.projection is None else self.projection.shape[1])

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        features = self.net.pooled_features(x)
        embeddings = self.net.embed_pooled(features)
        descriptors = F.normalize(features - self.descriptor_mean, dim=1)
        if self.projection is not None:
            descriptors = F.normalize(descriptors @ self.projection, dim=1)
        return embeddings, self.net.head(embeddings), descriptors

    def set_exportable(self, exportable: bool = True) -> None:
        self.net.set_exportable(exportable)

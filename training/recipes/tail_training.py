"""Fine-tune the last backbone stage(s), GeM, neck and cosine head of a LandmarkNet on
cached feature maps (see feature_cache.py).

The trained modules are the LandmarkNet's own, so when training ends the whole network
(frozen stages included) is ready for `model.export.export_bundle` as it is.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from training.errors import TrainingError


@dataclass(frozen=True)
class TailConfig:
    """How the trainable part is trained (the recipe's TOML [train] table)."""

    epochs: int = 20
    batch_size: int = 64
    lr_head: float = 2e-3  # GeM, neck, cosine head
    lr_backbone: float = 5e-4  # the unfrozen backbone stage(s)
    weight_decay: float = 1e-4
    warmup_fraction: float = 0.1
    loss: str = "subcenter-arcface"
    s: float = 30.0
    m: float = 0.3
    k: int = 3
    balance_power: float = 0.5  # sample image i with weight n_class(i) ** -power; 0 = uniform
    map_crop: float = 0.0  # random crop removing up to this share of each feature-map side
    freeze_batchnorm: bool = True  # unfrozen stages keep their ImageNet BN statistics
    ema_decay: float = 0.0  # > 0: the trained weights end as their exponential moving average over the steps
    seed: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 2:
            raise TrainingError(f"epochs {self.epochs} must be ≥ 1 and batch_size {self.batch_size} ≥ 2")
        if not 0.0 <= self.map_crop < 1.0:
            raise TrainingError(f"map_crop {self.map_crop} must be in [0, 1)")
        if not 0.0 <= self.ema_decay < 1.0:
            raise TrainingError(f"ema_decay {self.ema_decay} must be in [0, 1)")


class TrainableStages(nn.Module):
    """blocks[cut:] + head conv + GeM + neck + cosine head of a LandmarkNet, fed feature maps."""

    def __init__(self, net: nn.Module, cut: int) -> None:
        super().__init__()
        self.net = net
        self.trunk = net.backbone.trunk
        self.cut = int(cut)
        if not 0 <= self.cut <= len(self.trunk._blocks) + 1:
            raise TrainingError(f"cut block {cut} is outside 0..{len(self.trunk._blocks) + 1}")

    @property
    def trains_head_conv(self) -> bool:
        """False when cut = len(blocks) + 1: the maps are the head convolution's output."""
        return self.cut <= len(self.trunk._blocks)

    def backbone_parameters(self) -> list[nn.Parameter]:
        t = self.trunk
        if not self.trains_head_conv:
            return []
        params = [p for b in t._blocks[self.cut :] for p in b.parameters()]
        return params + list(t._conv_head.parameters()) + list(t._bn1.parameters())

    def head_parameters(self) -> list[nn.Parameter]:
        n = self.net
        return list(n.pool.parameters()) + list(n.neck.parameters()) + list(n.head.parameters())

    @property
    def pools_in_advance(self) -> bool:
        """True when nothing before the neck learns (frozen head conv, fixed GeM p): then
        the cached maps can be pooled once and each epoch only trains neck and head."""
        return not self.trains_head_conv and not any(p.requires_grad for p in self.net.pool.parameters())

    @torch.no_grad()
    def pool_maps(self, maps: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """[N, V, C, H, W] cached head-conv maps → [N, V, C] GeM vectors (float32)."""
        out = np.empty(maps.shape[:3], dtype=np.float32)
        for begin in range(0, len(maps), batch_size):
            chunk = torch.from_numpy(np.array(maps[begin : begin + batch_size], dtype=np.float32))
            n, v = chunk.shape[:2]
            out[begin : begin + n] = self.net.pool(chunk.flatten(0, 1)).view(n, v, -1).numpy()
        return out

    def embed(self, maps: torch.Tensor) -> torch.Tensor:
        n = self.net
        return F.normalize(n.neck(n.dropout(self.pooled(maps))), dim=1)

    def pooled(self, maps: torch.Tensor) -> torch.Tensor:
        """GeM-pooled features [N, C] before the neck (maps already pooled pass through)."""
        if maps.ndim == 2:  # already pooled (see pools_in_advance)
            return maps
        t = self.trunk
        h = maps
        total = len(t._blocks)
        rate = t._global_params.drop_connect_rate or 0.0
        if self.trains_head_conv:
            for index in range(self.cut, total):
                # Same per-block drop-connect schedule as EfficientNet.extract_features.
                h = t._blocks[index](h, drop_connect_rate=rate * index / total if rate else None)
            h = t._swish(t._bn1(t._conv_head(h)))
        return self.net.pool(h)

    def set_training(self, freeze_batchnorm: bool) -> None:
        self.train()
        if freeze_batchnorm or not self.trains_head_conv:
            for module in list(self.trunk._blocks[self.cut :]) + [self.trunk._bn1]:
                for sub in module.modules():
                    if isinstance(sub, nn.BatchNorm2d):
                        sub.eval()


def sampling_weights(labels: np.ndarray, power: float) -> np.ndarray:
    """Per-image sampling probabilities ∝ n_class ** -power (power 1: every class equally)."""
    counts = np.bincount(labels)
    weights = counts[labels].astype(np.float64) ** -float(power)
    return weights / weights.sum()


def _lr_factor(step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))


def _random_crop(maps: torch.Tensor, share: float, rng: np.random.Generator) -> torch.Tensor:
    height, width = maps.shape[-2:]
    keep = 1.0 - share * rng.random()
    h, w = max(1, round(height * keep)), max(1, round(width * keep))
    top, left = rng.integers(0, height - h + 1), rng.integers(0, width - w + 1)
    return maps[..., top : top + h, left : left + w]


def train_tail(
    stages: TrainableStages,
    maps: np.ndarray,
    labels: np.ndarray,
    train_rows: np.ndarray,
    num_classes: int,
    config: TailConfig,
    log: Callable[[str], None] = print,
) -> list[dict]:
    """Train in place; returns one {epoch, loss, seconds} per epoch.

    maps: [N, V, C, H, W] cached feature maps (V views: original, mirrored);
    labels: [N] class indices; train_rows: the rows to train on.
    """
    from model.losses import create_loss

    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    kwargs = {"s": config.s}
    if config.loss != "softmax":
        kwargs["m"] = config.m
    if config.loss == "subcenter-arcface":
        kwargs["k"] = config.k
    loss_fn = create_loss(config.loss, **kwargs)
    groups = [{"params": stages.head_parameters(), "base_lr": config.lr_head}]
    backbone = stages.backbone_parameters()
    if config.lr_backbone > 0 and backbone:
        groups.append({"params": backbone, "base_lr": config.lr_backbone})
    else:
        for p in backbone:
            p.requires_grad_(False)
    optimizer = torch.optim.AdamW(
        [{"params": g["params"], "lr": g["base_lr"]} for g in groups], weight_decay=config.weight_decay
    )
    train_rows = np.asarray(train_rows)
    train_labels = np.asarray(labels)[train_rows]
    probabilities = sampling_weights(train_labels, config.balance_power) if config.balance_power else None
    steps_per_epoch = math.ceil(len(train_rows) / config.batch_size)
    total = steps_per_epoch * config.epochs
    warmup = int(config.warmup_fraction * total)
    all_labels = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    trained = [p for g in groups for p in g["params"] if p.requires_grad]
    averaged = [p.detach().clone() for p in trained] if config.ema_decay > 0 else None
    history: list[dict] = []
    step = 0
    start = time.perf_counter()
    for epoch in range(config.epochs):
        stages.set_training(config.freeze_batchnorm)
        if probabilities is None:
            order = rng.permutation(train_rows)
        else:
            order = rng.choice(train_rows, size=len(train_rows), replace=True, p=probabilities)
        seen, loss_sum = 0, 0.0
        for begin in range(0, len(order), config.batch_size):
            rows = np.sort(order[begin : begin + config.batch_size])
            if len(rows) < 2:
                continue  # BatchNorm1d needs two samples
            views = rng.integers(0, maps.shape[1], len(rows))
            batch = torch.from_numpy(np.ascontiguousarray(maps[rows, views])).float()
            if config.map_crop > 0 and batch.ndim == 4:
                batch = _random_crop(batch, config.map_crop, rng)
            factor = _lr_factor(step, total, warmup)
            for group, spec in zip(optimizer.param_groups, groups):
                group["lr"] = spec["base_lr"] * factor
            embeddings = stages.embed(batch)
            cosines = stages.net.head.all_cosines(embeddings)
            if config.loss != "subcenter-arcface":
                cosines = cosines.amax(dim=-1)
            loss = loss_fn(cosines, all_labels[torch.from_numpy(rows)])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if averaged is not None:
                with torch.no_grad():
                    torch._foreach_lerp_(averaged, [p.detach() for p in trained], 1.0 - config.ema_decay)
            step += 1
            seen += len(rows)
            loss_sum += float(loss.detach()) * len(rows)
        record = {"epoch": epoch + 1, "loss": loss_sum / max(seen, 1), "seconds": time.perf_counter() - start}
        history.append(record)
        log(f"epoch {record['epoch']}/{config.epochs}: loss {record['loss']:.3f} ({record['seconds']:.0f} s)")
    if averaged is not None:
        with torch.no_grad():
            for parameter, average in zip(trained, averaged):
                parameter.copy_(average)
    stages.eval()
    return history


@torch.no_grad()
def embed_rows(
    stages: TrainableStages, maps: np.ndarray, rows: np.ndarray, views: tuple[int, ...] = (0,), batch_size: int = 128
) -> tuple[np.ndarray, np.ndarray]:
    """(embeddings [n, D], centre cosines [n, C]) of the given rows, averaging the
    embeddings of `views` (e.g. (0, 1) = flip test-time augmentation)."""
    stages.eval()
    out_e, out_c = [], []
    for begin in range(0, len(rows), batch_size):
        chunk = np.asarray(rows[begin : begin + batch_size])
        total = None
        for view in views:
            e = stages.embed(torch.from_numpy(np.ascontiguousarray(maps[chunk, view])).float())
            total = e if total is None else total + e
        e = F.normalize(total, dim=1)
        out_e.append(e.numpy())
        out_c.append(stages.net.head(e).numpy())
    return np.concatenate(out_e), np.concatenate(out_c)


@torch.no_grad()
def pooled_rows(stages: TrainableStages, maps: np.ndarray, rows: np.ndarray, batch_size: int = 128) -> np.ndarray:
    """GeM-pooled features [n, F] of the given rows (plain view): what the exported
    network turns into descriptors (model.descriptor)."""
    stages.eval()
    out = [
        stages.pooled(torch.from_numpy(np.ascontiguousarray(maps[np.asarray(rows[begin : begin + batch_size]), 0])).float())
        .numpy()
        for begin in range(0, len(rows), batch_size)
    ]
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)

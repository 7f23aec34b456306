"""Optimizers and learning-rate schedules.

The schedule is a pure function of training progress (epochs as a float), so a
resumed run gets exactly the rates an uninterrupted one would, with no scheduler
state to carry; `set_learning_rate` applies it before every optimizer step.
"""

from __future__ import annotations

import math

from training.config import OptimConfig, ScheduleConfig
from training.errors import ConfigError


def lr_factor(schedule: ScheduleConfig, epoch: float, total_epochs: float) -> float:
    """Multiplier of the base learning rate after `epoch` (fractional) epochs.

    cosine-restarts: SGDR, cycles of restart_epochs × restart_mult^i;
    cosine-warmup: linear warm-up then one cosine to min_lr_fraction at the end;
    step: × gamma every step_epochs; constant: 1. Any schedule honours warmup_epochs.
    """
    floor = schedule.min_lr_fraction
    if schedule.warmup_epochs > 0 and epoch < schedule.warmup_epochs:
        return max(epoch / schedule.warmup_epochs, 1e-3)
    t = epoch - schedule.warmup_epochs
    if schedule.name == "constant":
        return 1.0
    if schedule.name == "step":
        return schedule.gamma ** math.floor(t / schedule.step_epochs + 1e-9)
    if schedule.name == "cosine-warmup":
        span = max(total_epochs - schedule.warmup_epochs, 1e-9)
        progress = min(max(t / span, 0.0), 1.0)
        return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))
    if schedule.name == "cosine-restarts":
        # Shorter and shorter cycles never add up past a finite epoch: the loop below would
        # not end. TrainConfig.validate refuses these values up front; this guards callers.
        if not (schedule.restart_epochs > 0 and schedule.restart_mult >= 1):
            raise ConfigError(
                f"schedule.restart_epochs={schedule.restart_epochs} must be positive and "
                f"schedule.restart_mult={schedule.restart_mult} at least 1"
            )
        if not math.isfinite(t):
            raise ConfigError(f"training progress {epoch} is not a finite number of epochs")
        length = schedule.restart_epochs
        while t >= length - 1e-9:
            t -= length
            length *= schedule.restart_mult
        return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * t / length))
    raise ConfigError(f"unknown schedule {schedule.name!r}")


def set_learning_rate(optimizer, base_lr: float, factor: float) -> float:
    """Set every group's lr to base × factor × its own multiplier; returns the base group's lr."""
    for group in optimizer.param_groups:
        group["lr"] = base_lr * factor * group.get("lr_multiplier", 1.0)
    return base_lr * factor


def create_optimizer(config: OptimConfig, backbone_params, head_params):
    """SGD with momentum, Adam or AdamW over two groups (backbone, neck + head).

    Parameters that do not require gradients (a frozen backbone) are left out.
    """
    import torch

    groups = []
    backbone = [p for p in backbone_params if p.requires_grad]
    head = [p for p in head_params if p.requires_grad]
    if backbone:
        groups.append({"params": backbone, "lr_multiplier": 1.0, "lr": config.lr})
    groups.append({"params": head, "lr_multiplier": config.head_lr_multiplier, "lr": config.lr})
    if config.name == "sgd":
        return torch.optim.SGD(
            groups, lr=config.lr, momentum=config.momentum, nesterov=config.nesterov and config.momentum > 0,
            weight_decay=config.weight_decay,
        )
    if config.name == "adam":
        return torch.optim.Adam(groups, lr=config.lr, weight_decay=config.weight_decay)
    if config.name == "adamw":
        return torch.optim.AdamW(groups, lr=config.lr, weight_decay=config.weight_decay)
    raise ConfigError(f"unknown optimizer {config.name!r}; choose sgd, adam or adamw")

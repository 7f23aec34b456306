"""Training configuration: nested dataclasses read from TOML (tomllib) or JSON, and
saved, resolved, next to the run as config.json (which `--config` also accepts).

    [data]     manifest, input_size, flip, random_crop, class_balanced, workers
    [model]    backbone, pretrained, embedding_size, freeze_backbone, …
    [loss]     name = arcface | subcenter-arcface | cosface | softmax, s, m, k
    [optim]    name = sgd | adam | adamw, lr, batch_size, accumulate, epochs, …
    [schedule] name = cosine-restarts | cosine-warmup | step | constant, …
    top level  run_dir, seed, device, amp, channels_last, tensorboard, plots, progress
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from training.errors import ConfigError

LOSSES = ("arcface", "subcenter-arcface", "cosface", "softmax")
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("cosine-restarts", "cosine-warmup", "step", "constant")


@dataclass
class DataConfig:
    manifest: str = ""
    input_size: int = 128
    flip: bool = True
    random_crop: bool = False
    crop_scale: tuple[float, float] = (0.5, 1.0)
    class_balanced: bool = False
    workers: int = 2
    eval_batch_size: int = 64


@dataclass
class ModelConfig:
    backbone: str = "efficientnet-lite0"
    pretrained: bool = True
    weights_path: str | None = None
    embedding_size: int = 512
    gem_p: float = 3.0
    dropout: float = 0.0
    drop_connect_rate: float | None = None
    freeze_backbone: bool = False  # train only GeM, neck and head (fast CPU runs)
    # Train the head alone for the first N epochs, then the whole network: a randomly
    # initialised margin head otherwise drags a pretrained backbone off course.
    frozen_backbone_epochs: int = 0
    # Which BatchNorm layers keep their running statistics instead of batch statistics:
    # false/"none", true/"backbone" (small batches: keep ImageNet statistics), or "all"
    # (the neck's BatchNorm1d too — only for exact multi-process comparisons on CPU,
    # where SyncBatchNorm is unavailable; an unnormalised neck trains badly).
    freeze_batchnorm: bool | str = False
    # Momentum of the backbone's BatchNorm running statistics while they train. The
    # EfficientNet trunks come with TensorFlow's 0.01, too slow to follow the weights in
    # a short fine-tune: validation then ran on stale statistics and predicted one class.
    # None keeps the trunk's own value.
    batchnorm_momentum: float | None = 0.1

    def batchnorm_mode(self) -> str:
        value = self.freeze_batchnorm
        if value is True:
            return "backbone"
        if value is False:
            return "none"
        return str(value)


@dataclass
class LossConfig:
    name: str = "arcface"
    s: float = 30.0
    m: float = 0.3
    k: int = 3  # sub-centres, for subcenter-arcface
    dynamic_margins: bool = False
    label_smoothing: float = 0.0


@dataclass
class OptimConfig:
    name: str = "sgd"
    lr: float = 0.01
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 1e-4
    head_lr_multiplier: float = 1.0  # neck and cosine head may learn faster than the backbone
    batch_size: int = 32  # per process; the global batch is batch_size × processes × accumulate
    accumulate: int = 1
    epochs: int = 10
    # Clip the global gradient norm (0 or None: off). SGD's step grows with the gradient,
    # and the neck's BatchNorm1d multiplies the backbone's gradient by 1/σ of features
    # that are losing their spread: unclipped, fine-tuning the backbone ran away into
    # input-independent features within one epoch (docs/REPRODUCTION.md).
    grad_clip: float | None = 5.0


@dataclass
class ScheduleConfig:
    name: str = "cosine-restarts"
    restart_epochs: float = 5.0  # cosine-restarts: length of the first cycle
    restart_mult: float = 1.0  # each later cycle is this much longer
    warmup_epochs: float = 0.0
    step_epochs: float = 5.0  # step: lr × gamma every step_epochs
    gamma: float = 0.1
    min_lr_fraction: float = 0.01


@dataclass
class TrainConfig:
    """A whole training run; `run_dir` receives checkpoints, logs, plots, config.json."""

    run_dir: str = "runs/run"
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    amp: bool = True  # bf16 autocast, CUDA only
    channels_last: bool = True  # CUDA only
    sync_batchnorm: bool = True  # DDP on CUDA
    tensorboard: bool = True
    plots: bool = True
    progress: bool = True
    eval_every: int = 1
    max_steps_per_epoch: int | None = None  # cut epochs short (smoke tests, benchmarks)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)

    def validate(self) -> "TrainConfig":
        """Raise ConfigError naming the bad value and the choices."""
        checks = [
            (self.loss.name in LOSSES, f"loss.name={self.loss.name!r}; choose one of {', '.join(LOSSES)}"),
            (self.optim.name in OPTIMIZERS, f"optim.name={self.optim.name!r}; choose one of {', '.join(OPTIMIZERS)}"),
            (self.schedule.name in SCHEDULES, f"schedule.name={self.schedule.name!r}; choose one of {', '.join(SCHEDULES)}"),
            (self.optim.batch_size >= 1, f"optim.batch_size={self.optim.batch_size} must be at least 1"),
            (self.optim.accumulate >= 1, f"optim.accumulate={self.optim.accumulate} must be at least 1"),
            (self.optim.epochs >= 1, f"optim.epochs={self.optim.epochs} must be at least 1"),
            (self.optim.lr > 0, f"optim.lr={self.optim.lr} must be positive"),
            (self.data.input_size >= 16, f"data.input_size={self.data.input_size} must be 16 px or more"),
            (bool(self.data.manifest), "data.manifest is empty; give the folder written by `landmark-train prepare`"),
            (self.schedule.restart_epochs > 0 and self.schedule.step_epochs > 0, "schedule epochs must be positive"),
            (self.model.batchnorm_momentum is None or 0 < self.model.batchnorm_momentum <= 1,
             f"model.batchnorm_momentum={self.model.batchnorm_momentum} must be in (0, 1]"),
            (self.model.batchnorm_mode() in ("none", "backbone", "all"),
             f"model.freeze_batchnorm={self.model.freeze_batchnorm!r}; use true, false, \"backbone\" or \"all\""),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(f"bad training config: {message}")
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")
        return path


def _build(cls, data: dict[str, Any], where: str):
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ConfigError(f"unknown setting(s) {sorted(unknown)} in [{where}]; known: {sorted(known)}")
    values = {}
    for name, value in data.items():
        default = getattr(cls(), name) if name in known else None
        if is_dataclass(default):
            if not isinstance(value, dict):
                raise ConfigError(f"[{name}] must be a table of settings, got {value!r}")
            values[name] = _build(type(default), value, name)
        elif isinstance(default, tuple) and isinstance(value, list):
            values[name] = tuple(value)
        else:
            values[name] = value
    return cls(**values)


def config_from_dict(data: dict[str, Any]) -> TrainConfig:
    return _build(TrainConfig, data, "top level")


def load_config(path: Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read a TOML or JSON config; `overrides` maps dotted keys ('optim.lr') to values.

    Raises ConfigError naming the file and the problem.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid {path.suffix or 'TOML'}: {exc}") from exc
    config = config_from_dict(data)
    return with_overrides(config, overrides or {})


def with_overrides(config: TrainConfig, overrides: dict[str, Any]) -> TrainConfig:
    """A copy with dotted keys replaced, e.g. {'loss.name': 'cosface', 'seed': 3}."""
    data = config.to_dict()
    for dotted, value in overrides.items():
        *parents, leaf = dotted.split(".")
        node = data
        for part in parents:
            if not isinstance(node.get(part), dict):
                raise ConfigError(f"unknown setting {dotted!r}")
            node = node[part]
        if leaf not in node:
            raise ConfigError(f"unknown setting {dotted!r}")
        node[leaf] = value
    return config_from_dict(data)


def parse_override(text: str) -> tuple[str, Any]:
    """'optim.lr=0.1' → ('optim.lr', 0.1): the value is read as TOML, else a string."""
    if "=" not in text:
        raise ConfigError(f"override {text!r} must look like section.key=value")
    key, raw = text.split("=", 1)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip(), value


__all__ = [
    "DataConfig", "ModelConfig", "LossConfig", "OptimConfig", "ScheduleConfig", "TrainConfig",
    "load_config", "config_from_dict", "with_overrides", "parse_override", "replace",
]

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
import math
import re
import tomllib
import types
import typing
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from training.errors import ConfigError

LOSSES = ("arcface", "subcenter-arcface", "cosface", "softmax")
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("cosine-restarts", "cosine-warmup", "step", "constant")
MAX_INPUT_SIZE = 1024  # px: above the largest backbone's own size (B7, 600 px) with room to spare
DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:\d+)?|mps")


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
    # Keep the stem and the first N blocks of an EfficientNet trunk at their ImageNet
    # weights (and statistics) for the whole run: the early layers see the largest maps,
    # so freezing them makes a CPU fine-tune much cheaper while the later stages and
    # the head still learn from augmented photos. 0 trains the whole trunk.
    frozen_blocks: int = 0
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
        """Raise ConfigError naming the bad value and the choices (or the allowed range)."""
        d, m, l, o, c = self.data, self.model, self.loss, self.optim, self.schedule
        checks = [
            (l.name in LOSSES, f"loss.name={l.name!r}; choose one of {', '.join(LOSSES)}"),
            (o.name in OPTIMIZERS, f"optim.name={o.name!r}; choose one of {', '.join(OPTIMIZERS)}"),
            (c.name in SCHEDULES, f"schedule.name={c.name!r}; choose one of {', '.join(SCHEDULES)}"),
            (DEVICE_PATTERN.fullmatch(self.device) is not None,
             f"device={self.device!r}; use auto, cpu, cuda, cuda:N or mps"),
            # torch.manual_seed takes 64 bits; a larger seed overflowed after the run had started
            (0 <= self.seed < 2**64, f"seed={self.seed} must be from 0 to 2**64 - 1"),
            (m.frozen_blocks >= 0, f"model.frozen_blocks={m.frozen_blocks} must be 0 or more (0 trains the whole trunk)"),
            (self.eval_every >= 1, f"eval_every={self.eval_every} must be at least 1 (validate every N epochs)"),
            (self.max_steps_per_epoch is None or self.max_steps_per_epoch >= 1,
             f"max_steps_per_epoch={self.max_steps_per_epoch} must be at least 1 (or unset)"),
            # BatchNorm1d in the neck cannot train on one image; with "all" it is frozen
            (o.batch_size >= 2 or (o.batch_size == 1 and m.batchnorm_mode() == "all"),
             f"optim.batch_size={o.batch_size} must be at least 2 (the neck's BatchNorm needs two images)"),
            (o.accumulate >= 1, f"optim.accumulate={o.accumulate} must be at least 1"),
            (o.epochs >= 1, f"optim.epochs={o.epochs} must be at least 1"),
            (o.lr > 0, f"optim.lr={o.lr} must be positive"),
            # 1 or more never lets a past gradient fade: the steps grow without end
            (0 <= o.momentum < 1, f"optim.momentum={o.momentum} must be in [0, 1) (SGD's usual 0.9)"),
            (o.weight_decay >= 0, f"optim.weight_decay={o.weight_decay} must be 0 or more"),
            (o.head_lr_multiplier > 0, f"optim.head_lr_multiplier={o.head_lr_multiplier} must be positive"),
            (o.grad_clip is None or o.grad_clip >= 0,
             f"optim.grad_clip={o.grad_clip} must be 0 (off) or a positive gradient norm"),
            # EfficientNet-B7 is trained at 600 px; far larger inputs only ran out of memory, killed
            # with no message (100000 px asked for 23 GB before the system stopped the run)
            (16 <= d.input_size <= MAX_INPUT_SIZE,
             f"data.input_size={d.input_size} must be from 16 to {MAX_INPUT_SIZE} px"),
            (d.workers >= 0, f"data.workers={d.workers} must be 0 (load in the main process) or more"),
            (d.eval_batch_size >= 1, f"data.eval_batch_size={d.eval_batch_size} must be at least 1"),
            (0 < d.crop_scale[0] <= d.crop_scale[1] <= 1,
             f"data.crop_scale={list(d.crop_scale)} must be [low, high] with 0 < low <= high <= 1"),
            (bool(d.manifest), "data.manifest is empty; give the folder written by `landmark-train prepare`"),
            (m.embedding_size >= 1, f"model.embedding_size={m.embedding_size} must be at least 1"),
            (m.gem_p > 0, f"model.gem_p={m.gem_p} must be positive"),
            (0 <= m.dropout < 1, f"model.dropout={m.dropout} must be in [0, 1)"),
            (m.drop_connect_rate is None or 0 <= m.drop_connect_rate < 1,
             f"model.drop_connect_rate={m.drop_connect_rate} must be in [0, 1)"),
            (m.frozen_backbone_epochs >= 0, f"model.frozen_backbone_epochs={m.frozen_backbone_epochs} must be 0 or more"),
            (l.s > 0, f"loss.s={l.s} must be positive"),
            (l.m >= 0, f"loss.m={l.m} must be 0 or more"),
            (l.k >= 1, f"loss.k={l.k} must be at least 1"),
            (0 <= l.label_smoothing < 1, f"loss.label_smoothing={l.label_smoothing} must be in [0, 1)"),
            (c.restart_epochs > 0 and c.step_epochs > 0, "schedule epochs must be positive"),
            (c.restart_mult >= 1,
             f"schedule.restart_mult={c.restart_mult} must be 1 or more (each cycle as long as the last, or longer)"),
            (c.warmup_epochs >= 0, f"schedule.warmup_epochs={c.warmup_epochs} must be 0 or more"),
            (c.gamma > 0, f"schedule.gamma={c.gamma} must be positive"),
            (0 <= c.min_lr_fraction <= 1, f"schedule.min_lr_fraction={c.min_lr_fraction} must be in [0, 1]"),
            (m.batchnorm_momentum is None or 0 < m.batchnorm_momentum <= 1,
             f"model.batchnorm_momentum={m.batchnorm_momentum} must be in (0, 1]"),
            (m.batchnorm_mode() in ("none", "backbone", "all"),
             f"model.freeze_batchnorm={m.freeze_batchnorm!r}; use true, false, \"backbone\" or \"all\""),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(f"bad training config: {message}")
        self._check_backbone()
        return self

    def _check_backbone(self) -> None:
        """The backbone exists, and its ImageNet weights can be had offline: the model
        layer's own hint (allow_download) is no setting of this config."""
        from model.errors import UnknownBackboneError
        from model.registry import backbone_spec

        m = self.model
        try:
            spec = backbone_spec(m.backbone)
        except UnknownBackboneError as exc:
            raise ConfigError(f"bad training config: model.backbone: {exc}") from None
        if m.pretrained and not m.weights_path and not spec.offline_weights:
            raise ConfigError(
                f"bad training config: model.backbone={m.backbone!r} has no ImageNet weights installed; set "
                "model.weights_path=<its efficientnet-pytorch .pth file>, or model.pretrained=false to start "
                "from random weights"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")
        return path


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_NONE = {"none", "null", ""}


def _type_name(kind: Any) -> str:
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (types.UnionType, typing.Union):
        return " or ".join("none" if a is type(None) else _type_name(a) for a in args)
    if typing.get_origin(kind) is tuple:
        return f"a list of {len(args)} numbers"
    return {bool: "true or false", int: "a whole number", float: "a number", str: "text"}.get(kind, str(kind))


def _convert(value: Any, kind: Any) -> Any:
    """`value` as the type `kind` (a field's annotation); ValueError when it is not one.

    Text from `--set` is converted as well: "False" is false, "64" is 64.
    """
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(kind)
        if value is None or (isinstance(value, str) and value.strip().lower() in _NONE and type(None) in options):
            if type(None) in options:
                return None
            raise ValueError
        # a bool-like text for `bool | str` is the bool; anything else tries each type in turn
        for option in sorted((o for o in options if o is not type(None)), key=lambda o: o is str):
            try:
                return _convert(value, option)
            except ValueError:
                continue
        raise ValueError
    if origin is tuple:
        items = typing.get_args(kind)
        if not isinstance(value, (list, tuple)) or len(value) != len(items):
            raise ValueError
        return tuple(_convert(v, k) for v, k in zip(value, items))
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError
    if kind is int:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str):
            text = value.strip()
            try:
                return int(text)
            except ValueError:
                value = float(text)
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                raise ValueError
            return int(value)
        if isinstance(value, int):
            return value
        raise ValueError
    if kind is float:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str):
            value = float(value.strip())
        if isinstance(value, (int, float)) and math.isfinite(value):
            return float(value)
        raise ValueError
    if kind is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise ValueError
    return value


def _build(cls, data: dict[str, Any], where: str, prefix: str = ""):
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ConfigError(f"unknown setting(s) {sorted(unknown)} in [{where}]; known: {sorted(known)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, value in data.items():
        kind = hints[name]
        if is_dataclass(kind):
            if not isinstance(value, dict):
                raise ConfigError(f"[{name}] must be a table of settings, got {value!r}")
            values[name] = _build(kind, value, name, f"{prefix}{name}.")
            continue
        try:
            values[name] = _convert(value, kind)
        except (ValueError, TypeError, OverflowError):
            raise ConfigError(
                f"bad training config: {prefix}{name}={value!r} must be {_type_name(kind)}"
            ) from None
    return cls(**values)


def config_from_dict(data: dict[str, Any]) -> TrainConfig:
    return _build(TrainConfig, data, "top level")


def load_config(path: Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read a TOML or JSON config; `overrides` maps dotted keys ('optim.lr') to values.

    Raises ConfigError naming the file and the problem.
    """
    path = Path(path)
    if path.is_dir():  # checked first: Windows reports reading a folder as "permission denied"
        raise ConfigError(f"config file {path} is a folder; give a TOML or JSON file")
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path} is not a UTF-8 text file; give a TOML or JSON config") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from exc
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

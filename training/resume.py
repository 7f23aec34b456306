"""What an earlier run in a run folder allows: training over it only when asked
(check_run_folder), and continuing it only with a checkpoint that fits the network,
the optimizer and the prepared dataset of the run that continues it, and with the
settings it was trained with (check_resumable).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from training.checkpoint import BEST, LAST, checkpoint_dir
from training.config import TrainConfig
from training.datasets import Manifest
from training.errors import CheckpointError, ConfigError
from training.run_log import METRICS_CSV

# Settings that shape the optimizer's saved state: a resumed run must keep them.
OPTIMIZER_SHAPE = ("optim.name", "model.freeze_backbone", "model.frozen_blocks")
# The only settings a resumed run may change: where its files are, how it shows its
# progress, on what it runs, and how many epochs it goes on for (another batch size or
# number of processes keeps the schedule's epochs). Any other change would make the
# run's record (config.json, the checkpoints, a bundle's card) describe a run that never
# happened: a loss, learning rate or seed changed half-way is a different experiment.
MAY_CHANGE_ON_RESUME = frozenset({
    "run_dir", "device", "channels_last", "tensorboard", "plots", "progress", "eval_every",
    "data.manifest", "data.workers", "data.eval_batch_size", "model.pretrained", "model.weights_path",
    "optim.batch_size", "optim.accumulate", "optim.epochs",
})


def finished_epochs(run_dir: Path) -> int:
    """Rows in run_dir/metrics.csv (0 when absent or unreadable): a run stopped before
    its first epoch ended leaves only the header, which is not a run to protect."""
    try:
        with open(Path(run_dir) / METRICS_CSV, newline="", encoding="utf-8") as f:
            return sum(1 for _ in csv.DictReader(f))
    except (OSError, csv.Error, UnicodeDecodeError):
        return 0


def _same_settings(run_dir: Path, config: TrainConfig) -> bool:
    try:
        return json.loads((run_dir / "config.json").read_text(encoding="utf-8")) == json.loads(
            json.dumps(config.to_dict()))
    except (OSError, ValueError):
        return False


def check_run_dir_is_a_folder(run_dir: Path) -> None:
    """Raise ConfigError when `run_dir`, or a folder it would be made in, is a file:
    found before the network is built, not when the first checkpoint is written."""
    run_dir = Path(run_dir)
    existing = next((p for p in (run_dir, *run_dir.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        where = "" if existing == run_dir else f": {existing}"
        raise ConfigError(f"--run-dir {run_dir}{where} is a file, not a folder; give a folder for the run "
                          "(a new one is made)")


def check_run_folder(config: TrainConfig, resume: bool = False, overwrite: bool = False) -> None:
    """Refuse to train over an earlier run in `config.run_dir` unless asked to: raises
    ConfigError when the folder holds a run and neither `resume` nor `overwrite` is given
    (a finished run with the very same settings too: the message says so), or when it is
    a file."""
    run_dir = Path(config.run_dir)
    check_run_dir_is_a_folder(run_dir)
    epochs = finished_epochs(run_dir)
    checkpoints = [p for p in (checkpoint_dir(run_dir) / LAST, checkpoint_dir(run_dir) / BEST) if p.exists()]
    if resume or overwrite or not (checkpoints or epochs):
        return
    if epochs >= config.optim.epochs and _same_settings(run_dir, config):
        raise ConfigError(
            f"{run_dir} already holds a finished run with these same settings; add --overwrite to train it "
            "again from the start, or choose another --run-dir"
        )
    raise ConfigError(
        f"{run_dir} already holds a training run; add --resume to continue it, --overwrite to replace it, "
        "or choose another --run-dir"
    )


def check_resumable(state: dict, config: TrainConfig, net_config, manifest: Manifest) -> None:
    """Raise CheckpointError (saying what differs and what to do) unless the checkpoint
    `state` can continue with `config` on `manifest`: the same classes in the same
    order, the same split (another one would train on photos the run validated on),
    the same network and the same optimizer shape."""
    where = f"the checkpoint in {config.run_dir}"
    afresh = "or train afresh with --overwrite (or another --run-dir)"
    saved_classes = [(c["index"], c["landmark_id"]) for c in state.get("classes") or []]
    classes = [(c.index, c.landmark_id) for c in manifest.classes]
    if saved_classes and saved_classes != classes:
        raise CheckpointError(
            f"{where} was trained on other classes than {manifest.folder} holds "
            f"({_first_difference(saved_classes, classes)}); resume with the prepared dataset it was trained on (data.manifest), {afresh}"
        )
    saved_split = state.get("manifest_fingerprint")
    if saved_split and saved_split != manifest.split_fingerprint():
        raise CheckpointError(
            f"{where} was trained on another split of these classes than {manifest.folder} has (prepared again?): "
            f"continuing would train on photos it was validated on; resume with the prepared dataset it was "
            f"trained on, {afresh}"
        )
    ignore = {"pretrained", "weights_path", "allow_download"}
    saved = {k: v for k, v in state["config"].items() if k not in ignore}
    wanted = {k: v for k, v in net_config.to_dict().items() if k not in ignore}
    if saved != wanted:
        raise CheckpointError(
            f"{where} was made for a different network ({saved}, now {wanted}); "
            "use a new run_dir or the original config"
        )
    trained = state.get("train_config") or {}
    now = config.to_dict()
    done = int(state.get("epoch") or 0)
    if config.optim.epochs < done:
        raise CheckpointError(
            f"{where} has trained {done} epochs already, and optim.epochs={config.optim.epochs} asks for fewer; "
            f"resume with optim.epochs={done} or more, {afresh}"
        )
    for dotted in OPTIMIZER_SHAPE:
        section, key = dotted.split(".")
        before = (trained.get(section) or {}).get(key)
        if before is not None and before != now[section][key]:
            raise CheckpointError(
                f"{where} was trained with {dotted}={before!r} (now {now[section][key]!r}), so its optimizer "
                f"state does not fit; resume with {dotted}={before!r} or use a new run_dir"
            )
    changed = changed_settings(trained, now)
    if changed:
        listed = ", ".join(f"{key} {before!r} → {after!r}" for key, before, after in changed)
        raise CheckpointError(
            f"{where} was trained with other settings ({listed}); a resumed run keeps the settings it was "
            "trained with, but for optim.epochs, optim.batch_size, optim.accumulate and where and how it runs "
            f"(training/README.md): resume with the run's config.json, {afresh}"
        )


def changed_settings(trained: dict, now: dict) -> list[tuple[str, object, object]]:
    """(dotted key, value trained with, value now) for every setting but those in
    MAY_CHANGE_ON_RESUME that differs; a key one side lacks (a config of an older or
    newer version) is not compared."""
    before, after = _flat(plain(trained)), _flat(plain(now))
    return [
        (key, before[key], after[key]) for key in sorted(before.keys() & after.keys())
        if key not in MAY_CHANGE_ON_RESUME and _same_meaning(key, before[key]) != _same_meaning(key, after[key])
    ]


def _flat(settings: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def plain(value):
    """As the JSON of a checkpoint holds it: tuples are lists (so the state also loads
    with torch.load's weights_only=True)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _same_meaning(key: str, value):
    """freeze_batchnorm = true is "backbone", false is "none"."""
    if key == "model.freeze_batchnorm":
        return {True: "backbone", False: "none"}.get(value, value) if isinstance(value, bool) else value
    return value


def _first_difference(saved: list[tuple[int, str]], now: list[tuple[int, str]]) -> str:
    for (index, before), (_, after) in zip(saved, now):
        if before != after:
            return f"class {index} was {before!r}, now {after!r}"
    return f"{len(saved)} classes, now {len(now)}"

"""`landmark-train train`: one loop for a laptop CPU, one GPU, or many GPUs under
torchrun/SLURM.

    result = train(load_config(Path("run.toml")))      # -> RunResult
    result = train(config, resume=True)                  # continue from last.pt

Every epoch ends with a validation pass (μAP, accuracy), a row in metrics.csv,
TensorBoard scalars, PNG plots and checkpoints/last.pt (+ best.pt when μAP
improved). A resumed run reproduces the uninterrupted one exactly: the data order
and augmentations are seeded by (seed, epoch), the learning rate is a function of
progress, and the optimizer and torch RNG states are restored.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from training.checkpoint import (
    BEST, LAST, best_to_beat, checkpoint_dir, load_checkpoint, remove_checkpoints, save_epoch_checkpoints,
    settle_best,
)
from training.config import TrainConfig, config_from_dict
from training.data import Augment, EpochSampler, ManifestDataset, collate, to_network_input
from training.datasets import Manifest, load_manifest, require_two_classes
from training.distributed import (
    DistributedContext, StoppedWithMainRank, all_reduce_sum, barrier, broadcast_buffers_from_main,
    check_launch_environment, env_rank, env_world_size, init_distributed, refusal_of_main, shutdown_distributed,
)
from training.errors import CheckpointError, ConfigError, DatasetError, OutputWriteError, writing
from training.metrics import Metrics
from training.optim import create_optimizer, lr_factor, set_learning_rate
from training.ranking_upgrade import CURRENT as CURRENT_RANKING
from training.ranking_upgrade import history_with_rankings, rescore_best_if_ranked_otherwise, score_checkpoint_on
from training.resume import check_resumable, check_run_dir_is_a_folder, check_run_folder, plain
from training.run_lock import RunFolderInUse, RunLock
from training.run_log import EpochRecord, RunLog, remove_earlier_outputs
from training.validation import evaluate_network


@dataclass
class RunResult:
    """What a run produced (on rank 0; other ranks get the same paths, no metrics)."""

    run_dir: Path
    last_checkpoint: Path
    best_checkpoint: Path | None
    epochs_done: int
    history: list[EpochRecord] = field(default_factory=list)
    best_gap: float | None = None
    final_metrics: Metrics | None = None


def net_config_for(config: TrainConfig, num_classes: int):
    """The NetConfig a TrainConfig asks for (sub-centres only for sub-center ArcFace)."""
    from model.network import NetConfig

    m = config.model
    return NetConfig(
        num_classes=num_classes,
        backbone=m.backbone,
        embedding_size=m.embedding_size,
        sub_centers=config.loss.k if config.loss.name == "subcenter-arcface" else 1,
        pretrained=m.pretrained,
        weights_path=m.weights_path,
        input_size=config.data.input_size,
        gem_p=m.gem_p,
        dropout=m.dropout,
        drop_connect_rate=m.drop_connect_rate,
    )


def build_loss(config: TrainConfig, class_counts: list[int]):
    from model.losses import create_loss

    c = config.loss
    kwargs: dict = {"s": c.s, "label_smoothing": c.label_smoothing}
    if c.name in ("arcface", "subcenter-arcface", "cosface"):
        kwargs["m"] = c.m
    if c.name == "subcenter-arcface":
        kwargs["k"] = c.k
    counts = class_counts if c.dynamic_margins and c.name != "cosface" and c.name != "softmax" else None
    if counts is not None:
        kwargs.pop("m")
    return create_loss(c.name, class_counts=counts, **kwargs)


def backbone_frozen_in(config: TrainConfig, epoch: int) -> bool:
    return config.model.freeze_backbone or epoch < config.model.frozen_backbone_epochs


def early_layers(net, frozen_blocks: int) -> list:
    """The stem and the first `frozen_blocks` blocks of the trunk (see ModelConfig.frozen_blocks)."""
    if frozen_blocks <= 0:
        return []
    trunk = net.backbone.trunk
    blocks = getattr(trunk, "_blocks", None)
    if blocks is None:
        raise ConfigError(f"model.frozen_blocks needs an EfficientNet trunk; {net.backbone.name} has no blocks")
    if frozen_blocks > len(blocks):
        raise ConfigError(
            f"model.frozen_blocks={frozen_blocks}, but {net.backbone.name} has {len(blocks)} blocks; "
            "use freeze_backbone = true to freeze all of it"
        )
    return [trunk._conv_stem, trunk._bn0, *blocks[:frozen_blocks]]


def set_train_mode(net, config: TrainConfig, epoch: int = 0) -> None:
    """Training mode, except a frozen backbone (or its frozen early blocks) and frozen
    BatchNorm layers stay in eval.

    The neck's BatchNorm1d centres the embedding; it keeps learning unless the mode is
    "all" (a network whose neck is frozen at its initial statistics collapses).
    """
    from torch import nn

    net.train()
    frozen = backbone_frozen_in(config, epoch)
    for p in net.backbone.parameters():
        p.requires_grad_(not frozen)
    if frozen:
        net.backbone.eval()
    for layer in early_layers(net, config.model.frozen_blocks):
        layer.requires_grad_(False)
        layer.eval()
    mode = config.model.batchnorm_mode()
    if mode != "none":
        frozen = net.modules() if mode == "all" else net.backbone.modules()
        for module in frozen:
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.eval()


def set_backbone_batchnorm_momentum(net, momentum: float | None) -> None:
    """Let the backbone's running statistics follow its weights (see ModelConfig)."""
    from torch import nn

    if momentum is None:
        return
    for module in net.backbone.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.momentum = float(momentum)


def _datasets(config: TrainConfig, manifest: Manifest, preprocessing) -> tuple[ManifestDataset, ManifestDataset]:
    train_images = manifest.split("train")
    if not train_images:
        raise DatasetError(f"{manifest.folder} has no training images; run `landmark-train prepare` again")
    d = config.data
    augment = Augment(flip=d.flip, random_crop=d.random_crop, crop_scale=tuple(d.crop_scale))
    train_set = ManifestDataset(manifest, train_images, preprocessing, augment, config.seed)
    val_set = ManifestDataset(manifest, manifest.split("val"), preprocessing)
    return train_set, val_set


def train(
    config: TrainConfig,
    resume: bool = False,
    context: DistributedContext | None = None,
    stop_after_epochs: int | None = None,
    overwrite: bool = False,
) -> RunResult:
    """Train (or, with `resume`, continue from run_dir/checkpoints/last.pt when it
    exists). `stop_after_epochs` ends this call early, as an interruption would.
    An earlier run in run_dir is only replaced with `overwrite` (see check_run_folder);
    one in progress, in this or another process, never (run_lock.RunLock).

    Raises ConfigError (RunFolderInUse among them), DatasetError or CheckpointError with a
    message saying what to fix. When rank 0 refuses the run folder, every rank raises
    (the others StoppedWithMainRank) as soon as all have joined the process group.
    """
    import torch
    from model.network import LandmarkNet

    config.validate()
    own_context = context is None
    if own_context:
        launch_note = check_launch_environment()  # SLURM tasks started without torchrun
        if launch_note:
            _note(launch_note)
    lock, refusal = None, None
    if (context.rank if context else env_rank()) == 0:
        try:
            # before joining the process group, so no rank has written anything yet
            lock = _lock_run_folder(config)
            check_run_folder(config, resume, overwrite)
        except (ConfigError, OutputWriteError) as exc:
            refusal = exc
    try:
        if refusal is not None and not (context.distributed if context else env_world_size() > 1):
            raise refusal  # alone: no other process waits to hear of it
        ctx = context or init_distributed(config.device)
        try:
            _stop_every_rank_if_main_refused(ctx, refusal, config)
            return _train(config, resume, ctx, stop_after_epochs, torch, LandmarkNet)
        finally:
            if own_context:
                shutdown_distributed(ctx)
    finally:
        if lock is not None:
            lock.release()


def _lock_run_folder(config: TrainConfig) -> RunLock:
    """Rank 0 keeps any other training out of the run folder until the run ends."""
    check_run_dir_is_a_folder(Path(config.run_dir))
    lock = RunLock(Path(config.run_dir)).acquire()
    if lock.note:
        _note(lock.note)
    return lock


def _stop_every_rank_if_main_refused(ctx: DistributedContext, refusal: Exception | None, config: TrainConfig) -> None:
    """Rank 0 alone locks and checks the run folder (the other ranks' view of it may
    differ: a node's own disk, another training's first epoch landing between two
    reads); once all have joined, each stops with its refusal, rank 0 in its own words,
    the others in one short line, instead of waiting in the rendezvous until it timed out."""
    shared = refusal_of_main(ctx, refusal)
    if shared is None:
        return
    if ctx.is_main:
        raise refusal
    kind, message = shared
    why = (f"found {config.run_dir} in use by another training" if issubclass(kind, RunFolderInUse)
           else f"refused {config.run_dir} (its message says why)")
    raise StoppedWithMainRank(f"rank 0 {why}; rank {ctx.rank} stops with it", kind, message)


def _train(config, resume, ctx, stop_after_epochs, torch, LandmarkNet) -> RunResult:
    from torch.utils.data import DataLoader

    run_dir = Path(config.run_dir)
    manifest = load_manifest(Path(config.data.manifest))
    require_two_classes(manifest)
    torch.manual_seed(config.seed)
    net_config = net_config_for(config, len(manifest.classes))
    net = LandmarkNet(net_config)
    set_backbone_batchnorm_momentum(net, config.model.batchnorm_momentum)
    preprocessing = net_config.default_preprocessing()
    train_set, val_set = _datasets(config, manifest, preprocessing)
    class_counts = [max(1, sum(1 for i in train_set.images if i.class_index == c.index)) for c in manifest.classes]
    loss_fn = build_loss(config, class_counts).to(ctx.device)

    on_cuda = ctx.device.type == "cuda"
    channels_last = config.channels_last and on_cuda
    amp = config.amp and on_cuda
    net.to(ctx.device)
    if channels_last:
        net.to(memory_format=torch.channels_last)
    if config.model.freeze_backbone:
        # before DistributedDataParallel is built: it expects a gradient for every
        # parameter that requires one, and a frozen backbone never gets any
        for p in net.backbone.parameters():
            p.requires_grad_(False)
    early = {id(p) for layer in early_layers(net, config.model.frozen_blocks) for p in layer.parameters()}
    for layer in early_layers(net, config.model.frozen_blocks):
        layer.requires_grad_(False)  # before DistributedDataParallel, as above
    head_params = [p for name, p in net.named_parameters() if not name.startswith("backbone.")]
    backbone_params = [] if config.model.freeze_backbone else [
        p for p in net.backbone.parameters() if id(p) not in early]
    optimizer = create_optimizer(config.optim, backbone_params, head_params)

    start_epoch, step, history, best_gap = 0, 0, [], None
    last_path = checkpoint_dir(run_dir) / LAST
    best_path = checkpoint_dir(run_dir) / BEST
    if resume and last_path.is_file():
        if ctx.is_main:
            settle_best(last_path.parent)
        state = load_checkpoint(last_path)
        check_resumable(state, config, net_config, manifest)
        net.load_state_dict(state["state_dict"])
        try:
            optimizer.load_state_dict(state["optimizer"])
        except (ValueError, KeyError, RuntimeError) as exc:
            raise CheckpointError(
                f"the optimizer state in {last_path} does not fit this run's optimizer ({exc}); "
                "resume with the original optim and model settings or use a new run_dir"
            ) from exc
        start_epoch, step = state["epoch"], state["step"]
        best_gap, rows = state.get("best_gap"), history_with_rankings(state, best_path)
        if ctx.is_main:  # only rank 0 writes best.pt
            best_gap, lost_best = best_to_beat(last_path.parent, rows)
            if lost_best:
                _note(lost_best)
            rows, best_gap = rescore_best_if_ranked_otherwise(rows, best_path, best_gap, lambda path: score_checkpoint_on(
                path, val_set, ctx.device, config.data.eval_batch_size, config.data.workers, config.loss.s), _note)
        history = [EpochRecord(**r) for r in rows]
        torch.set_rng_state(state["rng_cpu"])
        if on_cuda and state.get("rng_cuda") is not None:
            torch.cuda.set_rng_state(state["rng_cuda"], ctx.device)

    if start_epoch >= config.optim.epochs:  # a finished run resumed (a SLURM job submitted again)
        if ctx.is_main:
            _note(f"{run_dir} has trained all {start_epoch} epochs of its run already; nothing to train "
                  "(raise optim.epochs to train on)")
        return RunResult(run_dir, last_path, best_path if best_path.is_file() else None, start_epoch, history,
                         best_gap)

    model = net
    if ctx.distributed:
        if on_cuda and config.sync_batchnorm and config.model.batchnorm_mode() != "all":
            model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)
        model = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[ctx.device.index] if on_cuda else None,
            # during head-only warm-up epochs the backbone gets no gradients
            find_unused_parameters=config.model.frozen_backbone_epochs > 0 and not config.model.freeze_backbone,
        )

    log = None
    if ctx.is_main:
        resumed = resume and last_path.is_file()
        with writing(run_dir, "--run-dir"):
            if not resumed:  # an overwritten run's files
                remove_checkpoints(last_path.parent)
                remove_earlier_outputs(run_dir)
            config.save(run_dir / "config.json")
        log = RunLog(run_dir, tensorboard=config.tensorboard, plots=config.plots,
                     resumed_at_step=step if resumed else None)
        log.restore(history)

    sampler = EpochSampler(
        train_set.labels(), config.seed, config.data.class_balanced, ctx.rank, ctx.world_size
    )
    batch_size = max(1, min(config.optim.batch_size, len(sampler)))
    if batch_size < 2 and config.model.batchnorm_mode() != "all":
        raise DatasetError(
            f"{manifest.folder} has {len(train_set)} training image(s), {len(sampler)} per process: "
            "BatchNorm needs batches of at least 2; prepare more images or use fewer processes"
        )
    accumulate = config.optim.accumulate
    loader = DataLoader(
        train_set, batch_size=batch_size, sampler=sampler, num_workers=config.data.workers,
        collate_fn=collate, pin_memory=on_cuda, drop_last=True,
        persistent_workers=False,
    )
    micro_batches = len(loader)
    if config.max_steps_per_epoch:
        micro_batches = min(micro_batches, config.max_steps_per_epoch * accumulate)
    if micro_batches < accumulate:
        # otherwise no step would ever be taken: step once per epoch on what there is
        if ctx.is_main:
            _note(
                f"optim.accumulate={accumulate} is more than the {micro_batches} batch(es) of an epoch; "
                f"the optimizer steps once per epoch, after {micro_batches}"
            )
        accumulate = micro_batches
    steps_per_epoch = max(1, micro_batches // accumulate)
    epochs = config.optim.epochs
    last_metrics: Metrics | None = None
    end_epoch = epochs if stop_after_epochs is None else min(epochs, start_epoch + stop_after_epochs)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp)
    fingerprint = manifest.split_fingerprint() if ctx.is_main else None

    for epoch in range(start_epoch, end_epoch):
        started = time.perf_counter()
        sampler.set_epoch(epoch)
        set_train_mode(net, config, epoch)
        loss_sum, seen, lr = 0.0, 0, config.optim.lr
        batches = _progress(loader, micro_batches, f"epoch {epoch + 1}/{epochs}", config.progress and ctx.is_main)
        optimizer.zero_grad(set_to_none=True)
        for i, (images, labels, _pos) in enumerate(batches):
            if i >= steps_per_epoch * accumulate:
                break
            x = to_network_input(images, preprocessing, ctx.device, channels_last)
            labels = labels.to(ctx.device, non_blocking=True)
            final_micro = (i + 1) % accumulate == 0
            sync = model.no_sync() if ctx.distributed and not final_micro else _nothing()
            with sync:
                with autocast:
                    _emb, cosines = model(x)
                loss = loss_fn(cosines.float(), labels)
                (loss / accumulate).backward()
            loss_sum += float(loss.detach()) * len(labels)
            seen += len(labels)
            if final_micro:
                # in epochs, counted within this epoch: a run resumed with another batch size
                # or number of processes (other steps per epoch) keeps its schedule
                progress = epoch + (i // accumulate) / steps_per_epoch  # steps taken this epoch
                lr = set_learning_rate(optimizer, config.optim.lr, lr_factor(config.schedule, progress, epochs))
                if config.optim.grad_clip:
                    torch.nn.utils.clip_grad_norm_(net.parameters(), config.optim.grad_clip)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                step += 1
                if log is not None:
                    log.log_step(step, float(loss.detach()), lr)
        if not math.isfinite(loss_sum):
            raise DatasetError(f"training loss became {loss_sum} in epoch {epoch + 1}; lower optim.lr")
        total_loss, total_seen = all_reduce_sum(ctx, [loss_sum, float(seen)])
        seconds = time.perf_counter() - started
        metrics = None
        if val_set.images and ((epoch + 1) % config.eval_every == 0 or epoch + 1 == epochs):
            broadcast_buffers_from_main(ctx, net)  # validate the state rank 0 saves (BatchNorm statistics)
            metrics = evaluate_network(
                net, val_set, ctx, config.data.eval_batch_size, config.data.workers, channels_last, amp,
                config.loss.s,
            )
            last_metrics = metrics
        record = EpochRecord(
            epoch + 1, step, total_loss / max(total_seen, 1), lr,
            metrics.gap if metrics else None, metrics.accuracy if metrics else None,
            total_seen / max(seconds, 1e-9), seconds, CURRENT_RANKING if metrics else None,
        )
        history.append(record)
        if ctx.is_main:
            log.log_epoch(record)
            _print_epoch(record, epochs)  # always: `progress` is only the bars
            improved = metrics is not None and (best_gap is None or metrics.gap > best_gap)
            if improved:
                best_gap = metrics.gap
            state = _checkpoint_state(
                config, net, optimizer, preprocessing, manifest, epoch + 1, step, history, best_gap, metrics, ctx,
                fingerprint,
            )
            save_epoch_checkpoints(last_path.parent, state, best=improved or not val_set.images)
        barrier(ctx)

    if log is not None:
        log.close()
    return RunResult(
        run_dir, last_path, best_path if best_path.is_file() else None, end_epoch, history, best_gap,
        last_metrics if ctx.is_main else None,
    )


def _checkpoint_state(
    config, net, optimizer, preprocessing, manifest, epoch, step, history, best_gap, metrics, ctx, fingerprint=None,
) -> dict:
    import torch
    from dataclasses import asdict

    return {
        "config": net.config.to_dict(),
        "state_dict": {k: v.detach().cpu() for k, v in net.state_dict().items()},
        "optimizer": optimizer.state_dict(),
        "epoch": epoch,
        "step": step,
        "best_gap": best_gap,
        "history": [asdict(r) for r in history],
        "rng_cpu": torch.get_rng_state(),
        "rng_cuda": torch.cuda.get_rng_state(ctx.device) if ctx.device.type == "cuda" else None,
        "train_config": plain(config.to_dict()),
        "classes": [asdict(c) for c in manifest.classes],
        "preprocessing": preprocessing.to_dict(),
        "metrics": metrics.to_json(with_classes=False) if metrics else None,
        "metrics_ranking": CURRENT_RANKING,  # export's card says so (earlier runs ranked by the cosine)
        # which prepared split this was trained on (evaluate warns about another one)
        "manifest_fingerprint": fingerprint,
    }


def config_of_checkpoint(state: dict) -> TrainConfig:
    return config_from_dict(state["train_config"])


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _note(text: str) -> None:
    import sys

    print(f"note: {text}", file=sys.stderr, flush=True)


def _print_epoch(record: EpochRecord, epochs: int) -> None:
    import sys

    figures = f"loss {record.train_loss:.4f}, lr {record.lr:.3g}, {record.images_per_s:.1f} images/s"
    if record.val_gap is not None:
        figures += f", val μAP {record.val_gap:.4f}, accuracy {record.val_accuracy:.4f}"
    print(f"epoch {record.epoch}/{epochs}: {figures}", file=sys.stderr, flush=True)


def _progress(iterable, total: int, description: str, enabled: bool):
    """A tqdm bar on a terminal; plain iteration in batch-job logs (one line per epoch instead)."""
    import sys

    if not enabled or not sys.stderr.isatty():
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=description, leave=False, dynamic_ncols=True)

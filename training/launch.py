"""Start a distributed run on this machine without torchrun: N processes on
localhost (Gloo on CPU), used by the DDP test and for trying DDP on a laptop.
Clusters use torchrun (see training/slurm/)."""

from __future__ import annotations

import logging
import os
import pickle
import socket
import tempfile
from pathlib import Path

from model.errors import ModelError
from training.checkpoint import checkpoint_dir
from training.config import TrainConfig
from training.distributed import StoppedWithMainRank
from training.errors import ConfigError, TrainingError
from training.run_lock import RunLock


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(
    rank: int, world_size: int, port: int, config: TrainConfig, resume: bool, threads: int, overwrite: bool = False,
    errors_dir: str | None = None,
) -> None:
    import torch

    from training.train import train

    torch.set_num_threads(threads)
    os.environ.update(
        RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size),
        MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
    )
    try:
        train(config, resume=resume, overwrite=overwrite)
    except ModelError as exc:
        # torch passes only a traceback's text to the parent; keep the error itself, and
        # rank 0's where this rank stopped with it: whichever rank torch sees end first,
        # the parent's one line is the reason
        if errors_dir is not None:
            shown = (exc.main_kind, exc.main_message) if isinstance(exc, StoppedWithMainRank) else (type(exc), str(exc))
            (Path(errors_dir) / f"{rank}.pickle").write_bytes(pickle.dumps(shown))
        raise


def _error_of_worker(errors_dir: Path, first_rank: int | None) -> ModelError | None:
    """The ModelError a worker raised (the rank torch saw fail first, else the lowest)."""
    files = sorted(errors_dir.glob("*.pickle"), key=lambda p: int(p.stem))
    files.sort(key=lambda p: p.stem != str(first_rank))
    for path in files:
        try:
            kind, message = pickle.loads(path.read_bytes())
        except Exception:  # cut short when the worker was stopped while writing it
            continue
        try:
            return kind(message)
        except Exception:  # an error class that cannot be rebuilt from its message
            return ModelError(message)
    return None


class WorkerKilled(TrainingError):
    """A --processes worker ended without an error of its own (killed by a signal)."""


def _killed_message(exc) -> str:
    rank = exc.error_index
    how = (f"was killed ({exc.signal_name})" if exc.signal_name
           else f"ended with exit code {exc.exit_code}")
    return (f"training process {rank} (rank {rank}, pid {exc.error_pid}) {how}, and the others were stopped "
            "with it; run it again with --resume to continue from the last saved epoch")


def remove_unfinished_checkpoints(run_dir: Path) -> None:
    """Remove the checkpoint files a stopped save left half-written (*.tmp), unless
    another training holds the run folder now (its save may be under way)."""
    folder = checkpoint_dir(run_dir)
    if not any(folder.glob("*.tmp")):
        return
    try:
        with RunLock(run_dir):
            for leftover in folder.glob("*.tmp"):
                leftover.unlink(missing_ok=True)
    except (ConfigError, OSError):
        pass  # in use, or not writable: `--resume` removes them


def train_on_local_processes(
    config: TrainConfig, processes: int, resume: bool = False, threads: int = 1, overwrite: bool = False,
) -> None:
    """Run `train(config)` in `processes` spawned processes joined over 127.0.0.1.

    A TrainingError (any ModelError) raised in a worker is raised here as itself, so
    the CLI prints its one line as with one process; a worker killed by a signal is
    WorkerKilled, naming its rank and the signal; anything else comes as
    torch.multiprocessing.ProcessRaisedException.
    """
    import torch.multiprocessing as mp

    # When one worker fails, torch stops the others and logs a warning line for each
    # ("Terminating process N via signal SIGTERM") before the error is raised here: the
    # user's one line of what went wrong came second, after torch's own.
    spawn_log = logging.getLogger("torch.multiprocessing.spawn")
    level = spawn_log.level
    spawn_log.setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="landmark-train-") as errors_dir:
        try:
            mp.spawn(
                _worker, args=(processes, free_port(), config, resume, threads, overwrite, errors_dir),
                nprocs=processes, join=True,
            )
        except (mp.ProcessRaisedException, mp.ProcessExitedException) as exc:
            error = _error_of_worker(Path(errors_dir), getattr(exc, "error_index", None))
            if error is None and isinstance(exc, mp.ProcessExitedException):
                # killed (the OOM killer, kill -9): torch stopped the others, rank 0 maybe
                # half-way through saving; its rename never came, so clear what it left
                remove_unfinished_checkpoints(Path(config.run_dir))
                raise WorkerKilled(_killed_message(exc)) from None
            if error is None:
                raise
            raise error from None
        finally:
            spawn_log.setLevel(level)

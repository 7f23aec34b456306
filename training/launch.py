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
from training.config import TrainConfig
from training.distributed import StoppedWithMainRank


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


def train_on_local_processes(
    config: TrainConfig, processes: int, resume: bool = False, threads: int = 1, overwrite: bool = False,
) -> None:
    """Run `train(config)` in `processes` spawned processes joined over 127.0.0.1.

    A TrainingError (any ModelError) raised in a worker is raised here as itself, so
    the CLI prints its one line as with one process; anything else comes as
    torch.multiprocessing.ProcessRaisedException (or ProcessExitedException).
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
            if error is None:
                raise
            raise error from None
        finally:
            spawn_log.setLevel(level)

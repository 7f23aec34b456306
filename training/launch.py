"""Start a distributed run on this machine without torchrun: N processes on
localhost (Gloo on CPU), used by the DDP test and for trying DDP on a laptop.
Clusters use torchrun (see training/slurm/)."""

from __future__ import annotations

import os
import socket

from training.config import TrainConfig


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(
    rank: int, world_size: int, port: int, config: TrainConfig, resume: bool, threads: int, overwrite: bool = False,
) -> None:
    import torch

    from training.train import train

    torch.set_num_threads(threads)
    os.environ.update(
        RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size),
        MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
    )
    train(config, resume=resume, overwrite=overwrite)


def train_on_local_processes(
    config: TrainConfig, processes: int, resume: bool = False, threads: int = 1, overwrite: bool = False,
) -> None:
    """Run `train(config)` in `processes` spawned processes joined over 127.0.0.1.

    Raises torch.multiprocessing.ProcessRaisedException when a worker fails.
    """
    import torch.multiprocessing as mp

    mp.spawn(_worker, args=(processes, free_port(), config, resume, threads, overwrite), nprocs=processes, join=True)

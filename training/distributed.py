"""Running the same training on one CPU, one GPU or many GPUs across nodes.

torchrun (and the SLURM script in training/slurm/) sets RANK, LOCAL_RANK,
WORLD_SIZE, MASTER_ADDR and MASTER_PORT; `init_distributed` reads them, picks NCCL
on CUDA and Gloo on CPU, and returns a context telling the trainer which device is
its own and whether it is rank 0 (the only one that logs and writes checkpoints).
Without those variables it is a plain single-process run. SLURM's own task variables
are not read in their place (see check_launch_environment): `srun -n 2 landmark-train
train` ran two complete trainings, each as rank 0, into one run folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from training.errors import ConfigError


class StoppedWithMainRank(ConfigError):
    """This rank stops because rank 0 refused the run (its folder in use, or holding an
    earlier run). `main_kind` and `main_message` are rank 0's own error, which a launcher
    reporting one line for all its processes shows instead."""

    def __init__(self, message: str, main_kind: type = ConfigError, main_message: str = "") -> None:
        super().__init__(message)
        self.main_kind, self.main_message = main_kind, main_message or message


@dataclass(frozen=True)
class DistributedContext:
    rank: int
    local_rank: int
    world_size: int
    device: Any  # torch.device
    backend: str | None  # None: not distributed

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.backend is not None


def resolve_device(name: str, local_rank: int = 0):
    """'auto' → this process's CUDA device when there is one, else the CPU."""
    import torch

    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda":
        name = f"cuda:{local_rank}"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device {name!r} was asked for but CUDA is not available; use device = \"cpu\"")
    if name == "mps" and not _mps_available(torch):
        raise ConfigError("device 'mps' was asked for but MPS (an Apple-silicon GPU) is not available; "
                          "use device = \"cpu\"")
    return torch.device(name)


def _mps_available(torch) -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def env_world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def env_rank() -> int:
    """This process's rank as torchrun set it (0 without torchrun)."""
    return int(os.environ.get("RANK", "0"))


def check_launch_environment(environ=os.environ) -> str | None:
    """Refuse a second or later SLURM task of a step started without torchrun, and
    return a note for a first one: each would otherwise train the whole model alone, as
    rank 0, into the same run folder. None when torchrun (WORLD_SIZE) or no SLURM step
    with several tasks started this process.

    SLURM_STEP_NUM_TASKS is set by srun for the tasks of a step; a batch script itself has
    only SLURM_NTASKS (the allocation's), and its task 0 may well train alone on purpose.
    Raises ConfigError saying how to start the run.
    """
    if "WORLD_SIZE" in environ:
        return None
    step_tasks = environ.get("SLURM_STEP_NUM_TASKS")
    try:
        tasks = int(step_tasks or environ.get("SLURM_NTASKS") or 1)
        task = int(environ.get("SLURM_PROCID") or 0)
    except ValueError:
        return None
    if tasks <= 1:
        return None
    how = ("start it through torchrun, as training/slurm/train.sbatch does (one srun task per node, "
           "torchrun starting one process per GPU)")
    if task > 0 or step_tasks:
        raise ConfigError(
            f"this is SLURM task {task} of {tasks}, started without torchrun (WORLD_SIZE, RANK and MASTER_ADDR "
            f"are not set): every task would train the whole model alone, into the same run_dir; {how}"
        )
    return (f"SLURM gave this job {tasks} tasks, but torchrun's variables (WORLD_SIZE, RANK, MASTER_ADDR) are "
            f"not set: this is one process training alone; to train on all of them, {how}")


def init_distributed(device: str = "auto") -> DistributedContext:
    """Join the process group torchrun described, or run alone when WORLD_SIZE ≤ 1."""
    import torch
    import torch.distributed as dist

    world_size = env_world_size()
    rank = env_rank()
    local_rank = int(os.environ.get("LOCAL_RANK", str(rank)))
    resolved = resolve_device(device, local_rank)
    if world_size <= 1:
        return DistributedContext(0, 0, 1, resolved, None)
    for name in ("MASTER_ADDR", "MASTER_PORT"):
        if name not in os.environ:
            raise ConfigError(f"WORLD_SIZE={world_size} but {name} is not set; start the run with torchrun")
    backend = distributed_backend(resolved.type, dist.is_nccl_available())
    if resolved.type == "cuda":
        torch.cuda.set_device(resolved)
    if not dist.is_initialized():
        dist.init_process_group(backend=backend, rank=rank, world_size=world_size)
    return DistributedContext(rank, local_rank, world_size, resolved, backend)


def distributed_backend(device_type: str, nccl_available: bool) -> str:
    """NCCL between GPUs where torch has it (Linux builds), else Gloo: Windows builds of
    torch have no NCCL, and asking for it stopped a several-GPU run there at its start."""
    return "nccl" if device_type == "cuda" and nccl_available else "gloo"


def shutdown_distributed(context: DistributedContext) -> None:
    import torch.distributed as dist

    if context.distributed and dist.is_initialized():
        dist.destroy_process_group()


def barrier(context: DistributedContext) -> None:
    import torch.distributed as dist

    if context.distributed:
        dist.barrier()


def all_reduce_sum(context: DistributedContext, values: list[float]) -> list[float]:
    """Element-wise sum of `values` over all processes (floats in, floats out)."""
    if not context.distributed:
        return list(values)
    import torch
    import torch.distributed as dist

    tensor = torch.tensor(values, dtype=torch.float64, device=context.device)
    dist.all_reduce(tensor)
    return tensor.tolist()


def gather_to_main(context: DistributedContext, obj: Any) -> list[Any] | None:
    """Every process's `obj` on rank 0 (a list in rank order); None elsewhere."""
    if not context.distributed:
        return [obj]
    import torch.distributed as dist

    out = [None] * context.world_size if context.is_main else None
    dist.gather_object(obj, out, dst=0)
    return out


def refusal_of_main(context: DistributedContext, refusal: Exception | None) -> tuple[type, str] | None:
    """Rank 0's refusal of the run, as (its class, its message), on every rank; None when
    rank 0 had none. Every rank calls it right after joining the group: rank 0 alone
    locks and checks the run folder, and a rank that stopped on its own before joining
    left the others waiting for it until the rendezvous timed out (minutes; on a
    cluster, node-hours). `refusal` is read on rank 0 only."""
    if not context.distributed:
        return None if refusal is None else (type(refusal), str(refusal))
    shared = (type(refusal), str(refusal)) if context.is_main and refusal is not None else None
    return broadcast_from_main(context, shared)


def broadcast_buffers_from_main(context: DistributedContext, module: Any) -> None:
    """Give every process rank 0's buffers (BatchNorm running statistics) of `module`.

    Without SyncBatchNorm each process updates them from its own batches, and only rank
    0's are saved: validating on the others' mixed two networks into one figure."""
    if not context.distributed:
        return
    import torch.distributed as dist

    for buffer in module.buffers():
        dist.broadcast(buffer.data, src=0)


def broadcast_from_main(context: DistributedContext, obj: Any) -> Any:
    if not context.distributed:
        return obj
    import torch.distributed as dist

    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]

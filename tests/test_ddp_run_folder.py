"""When rank 0 refuses the run folder (another training holds it, or it holds an earlier
run), every rank of a distributed run stops at once with one line, exit 2 (found in
review): rank 0 raised before joining the process group, and the other ranks waited in
the rendezvous until it timed out, minutes on a laptop and node-hours on a cluster.
Two processes started as torchrun starts them, over Gloo on localhost; a timeout turns a
hang into a failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

from training.prepare import PrepareConfig, prepare_dataset  # noqa: E402
from training.synthetic import make_class_folders  # noqa: E402

REPO = Path(__file__).parents[1]
# a rank waiting in the rendezvous waits 30 minutes: far past this
HANG = 90


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ddp-run-folder")
    make_class_folders(root / "src", ["red", "stripes"], 5, size=40)
    prepare_dataset(PrepareConfig(root / "src", root / "prep", cache_size=36, workers=1))
    return root / "prep"


def train_args(manifest: Path, run: Path, *extra: str) -> list[str]:
    settings = {"data.input_size": 32, "data.workers": 0, "progress": "false", "tensorboard": "false",
                "plots": "false", "device": "cpu", "model.freeze_backbone": "true", "model.embedding_size": 8,
                "optim.batch_size": 4, "optim.epochs": 1, "schedule.name": "constant"}
    args = [sys.executable, "-m", "training.cli", "train", "--manifest", str(manifest), "--run-dir", str(run)]
    for key, value in settings.items():
        args += ["--set", f"{key}={value}"]
    return args + list(extra)


def run_as_torchrun(args: list[str], processes: int = 2) -> list[tuple[int, list[str]]]:
    """(exit status, stderr lines) of each rank, in rank order; fails on a rank still running after HANG s."""
    from training.launch import free_port

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "WORLD_SIZE": str(processes), "MASTER_ADDR": "127.0.0.1",
           "MASTER_PORT": str(port), "OMP_NUM_THREADS": "1"}
    ranks = [
        subprocess.Popen(args, env={**env, "RANK": str(rank), "LOCAL_RANK": str(rank)}, cwd=REPO,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for rank in range(processes)
    ]
    results = []
    try:
        for rank, process in enumerate(ranks):
            try:
                _out, err = process.communicate(timeout=HANG)
            except subprocess.TimeoutExpired:
                pytest.fail(f"rank {rank} was still running {HANG} s after rank 0 refused the run folder")
            results.append((process.returncode, err.strip().splitlines()))
    finally:
        for process in ranks:
            process.kill()
            process.wait()
    return results


def hold_lock(run: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from training.run_lock import RunLock; RunLock(sys.argv[1]).acquire(); "
         "print('held', flush=True); sys.stdin.read()", str(run)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def in_use(run: Path, holder: subprocess.Popen) -> str:
    import socket

    return (f"landmark-train train: {run} is in use by another training (pid {holder.pid} on "
            f"{socket.gethostname()}); wait for it to end, or choose another --run-dir")


def test_every_rank_stops_with_one_line_when_rank_0_finds_the_run_folder_in_use(prepared, tmp_path):
    run = tmp_path / "run"
    holder = hold_lock(run)
    try:
        (rc0, err0), (rc1, err1) = run_as_torchrun(train_args(prepared, run))
        assert (rc0, err0) == (2, [in_use(run, holder)])
        assert (rc1, err1) == (2, [f"landmark-train train: rank 0 found {run} in use by another training; "
                                   "rank 1 stops with it"])
        assert sorted(p.name for p in run.iterdir()) == ["train.lock"]  # nothing of a run written
    finally:
        holder.kill()
        holder.wait()


def test_every_rank_stops_with_one_line_when_rank_0_finds_an_earlier_run(prepared, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    metrics = "epoch,step,train_loss,lr,val_gap,val_accuracy,images_per_s,seconds\n1,2,0.5,0.01,0.3,0.5,10,1\n"
    (run / "metrics.csv").write_text(metrics, encoding="utf-8")

    (rc0, err0), (rc1, err1) = run_as_torchrun(train_args(prepared, run))

    assert (rc0, err0) == (2, [f"landmark-train train: {run} already holds a training run; add --resume to "
                               "continue it, --overwrite to replace it, or choose another --run-dir"])
    assert (rc1, err1) == (2, [f"landmark-train train: rank 0 refused {run} (its message says why); "
                               "rank 1 stops with it"])
    assert sorted(p.name for p in run.iterdir()) == ["metrics.csv"]
    assert (run / "metrics.csv").read_text(encoding="utf-8") == metrics


@pytest.mark.slow
def test_two_ranks_that_may_train_still_train_together(prepared, tmp_path):
    run = tmp_path / "run"
    (rc0, _), (rc1, err1) = run_as_torchrun(train_args(prepared, run))
    assert (rc0, rc1) == (0, 0), err1
    assert (run / "checkpoints" / "last.pt").is_file() and not (run / "train.lock").exists()


def test_processes_2_with_the_folder_in_use_is_rank_0s_one_line_exit_2(prepared, tmp_path):
    run = tmp_path / "run"
    holder = hold_lock(run)
    try:
        done = subprocess.run(train_args(prepared, run, "--processes", "2"), cwd=REPO, capture_output=True,
                              text=True, timeout=HANG, env={**os.environ, "PYTHONPATH": str(REPO)})
        assert (done.returncode, done.stderr.strip().splitlines()) == (2, [in_use(run, holder)])
    finally:
        holder.kill()
        holder.wait()


def test_a_local_worker_that_stopped_with_rank_0_reports_rank_0s_reason(tmp_path, monkeypatch):
    """Whichever of the --processes workers torch sees end first, the parent's line is
    rank 0's reason, not the other ranks' 'stops with it'."""
    import torch

    import training.train as trainer
    from training.config import TrainConfig
    from training.distributed import StoppedWithMainRank
    from training.launch import _error_of_worker, _worker
    from training.run_lock import RunFolderInUse

    for name in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.setenv(name, "")  # _worker sets them: put them back afterwards

    def stopped(*_args, **_kwargs):
        raise StoppedWithMainRank("rank 0 found runs/x in use by another training; rank 1 stops with it",
                                  RunFolderInUse, "runs/x is in use by another training (pid 7 on h); …")

    monkeypatch.setattr(trainer, "train", stopped)
    with pytest.raises(StoppedWithMainRank):
        _worker(1, 2, 0, TrainConfig(), False, torch.get_num_threads(), errors_dir=str(tmp_path))
    error = _error_of_worker(tmp_path, first_rank=1)
    assert type(error) is RunFolderInUse and str(error) == "runs/x is in use by another training (pid 7 on h); …"

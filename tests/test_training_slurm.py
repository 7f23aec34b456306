"""The SLURM batch script builds the torchrun rendezvous from SLURM's variables
(checked with stand-ins for scontrol, srun and torchrun on PATH)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "training" / "slurm" / "train.sbatch"


def fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/bash\n" + body + "\n")
    path.chmod(0o755)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("nodes, gpus", [("1", "1"), ("3", "a100:4")])
def test_sbatch_sets_the_rendezvous_from_slurm(tmp_path, nodes, gpus):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    # A long host list: a script that cuts it with `| head -n1` under pipefail dies of SIGPIPE.
    fake(bin_dir, "scontrol", 'printf "gpu-node-07\\ngpu-node-08\\ngpu-node-09\\n"; seq -f "gpu-node-%g" 10 200000')
    fake(bin_dir, "srun", 'shift; "$@"')  # drop --kill-on-bad-exit, run the command
    fake(venv_bin, "torchrun", 'echo "MASTER_ADDR=$MASTER_ADDR"; for a in "$@"; do echo "ARG $a"; done')
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "CONFIG": "run.toml",
        "REPO": str(tmp_path),
        "VENV": str(tmp_path / "venv"),
        "SLURM_NNODES": nodes,
        "SLURM_JOB_NODELIST": "gpu-node-[07-09]",
        "SLURM_GPUS_ON_NODE": gpus,
        "SLURM_JOB_ID": "4242",
    }
    env.pop("GPUS_PER_NODE", None)
    env.pop("MASTER_PORT", None)
    out = subprocess.run(
        ["bash", str(SCRIPT), "--set", "optim.lr=0.1"], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    args = [line[4:] for line in out if line.startswith("ARG ")]
    assert "MASTER_ADDR=gpu-node-07" in out
    joined = " ".join(args)
    assert f"--nnodes {nodes}" in joined and f"--nproc_per_node {gpus.split(':')[-1]}" in joined
    assert "--rdzv_backend c10d" in joined and f"--rdzv_endpoint gpu-node-07:{20000 + 4242 % 12000}" in joined
    assert "--rdzv_id 4242" in joined
    assert args[-7:] == ["training.cli", "train", "--config", "run.toml", "--resume", "--set", "optim.lr=0.1"]


def _rendezvous_port(tmp_path: Path, **variables: str) -> int:
    """The port train.sbatch gives torchrun's --rdzv_endpoint with these variables set."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake(bin_dir, "scontrol", 'echo gpu-node-07')
    fake(bin_dir, "srun", 'shift; "$@"')
    fake(bin_dir, "torchrun", 'for a in "$@"; do echo "ARG $a"; done')  # also $VENV/bin/torchrun
    env = {k: v for k, v in os.environ.items() if k not in ("MASTER_PORT", "SLURM_JOB_ID")}
    env.update(PATH=f"{bin_dir}:{os.environ['PATH']}", CONFIG="run.toml", REPO=str(tmp_path),
               VENV=str(tmp_path), SLURM_JOB_NODELIST="gpu-node-07", **variables)
    out = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=True).stdout
    endpoint = out.split("ARG --rdzv_endpoint\nARG ", 1)[1].split("\n", 1)[0]
    return int(endpoint.rsplit(":", 1)[1])


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_two_jobs_on_one_first_node_get_two_rendezvous_ports(tmp_path):
    """Two jobs packed onto one node with one fixed port shared one c10d store: the second
    died when the first ended. Each job's port now comes from its id, outside the
    well-known ports and below Linux's ephemeral range; MASTER_PORT still wins."""
    ports = [_rendezvous_port(tmp_path, SLURM_JOB_ID=job) for job in ("101", "102", "4242", "987654")]
    assert len(set(ports)) == len(ports)
    assert all(20000 <= port < 32000 for port in ports)
    assert _rendezvous_port(tmp_path, SLURM_JOB_ID="101") == ports[0]  # a requeued job: the same port
    assert _rendezvous_port(tmp_path, SLURM_JOB_ID="101", MASTER_PORT="31234") == 31234
    assert _rendezvous_port(tmp_path) == 29500  # run by hand, outside SLURM


def test_sbatch_refuses_to_run_without_a_config(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CONFIG"}
    result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "CONFIG" in result.stderr

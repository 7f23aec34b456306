"""The training tester's findings on figures and failures (found on tiny real runs):
the validation μAP ranks as the exported bundle does, DDP validates the state it saves,
config values that crashed later are refused, the run lock dies with its process, a
killed --processes worker is one line, and progress = false keeps the epoch lines.
Checked on tiny generated data with a head-only network."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from training.config import TrainConfig  # noqa: E402
from tests.training_setup import head_only_config, prepare_tiny_classes  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    return prepare_tiny_classes(tmp_path_factory.mktemp("figures"), ["red", "l'arc", "stripes"])


head_only = partial(head_only_config, epochs=1)  # its config: epochs=1 unless told


# ------------------------------------------------------------------ F1: μAP ranked as the bundle ranks


class TableNet(torch.nn.Module):
    """Gives fixed cosines, one row per image in dataset order (one batch)."""

    def __init__(self, cosines: np.ndarray) -> None:
        super().__init__()
        self.cosines = torch.tensor(cosines, dtype=torch.float32)

    def forward(self, x):
        return torch.zeros(len(x), 2), self.cosines[: len(x)]


def test_validation_scores_are_the_bundles_calibrated_scores_not_the_raw_cosine(prepared):
    from model.preprocess import Preprocessing
    from model.scoring import ScoringConfig, calibrated_probabilities
    from training.data import ManifestDataset
    from training.datasets import load_manifest
    from training.validation import predict_images

    manifest = load_manifest(prepared)
    images = manifest.split("val")
    # the first image's top cosine is higher but nearly tied with its second class: a
    # lower calibrated score than the second image's clear, lower top cosine
    table = np.full((len(images), len(manifest.classes)), -0.2, dtype=np.float32)
    table[0, :2] = [0.90, 0.88]
    table[1, :2] = [0.70, 0.0]
    net = TableNet(table)
    dataset = ManifestDataset(manifest, images, Preprocessing(input_size=32))
    predicted = predict_images(net, dataset, torch.device("cpu"), batch_size=len(images), scale=30.0)
    expected = calibrated_probabilities(table, ScoringConfig(scale=30.0)).max(axis=1)
    got = np.array([predicted[p][1] for p in range(len(images))], dtype=np.float32)
    assert np.allclose(got, expected, atol=1e-6)
    assert predicted[1][1] > predicted[0][1]


def test_the_card_says_which_ranking_its_figure_is(prepared, tmp_path):
    from training.export import model_card
    from training.train import train

    train(head_only(prepared, tmp_path / "run"))
    state = torch.load(tmp_path / "run" / "checkpoints" / "last.pt", weights_only=False)
    assert "calibrated score at temperature 1" in model_card(state, "m")
    state.pop("metrics_ranking")  # a checkpoint of an earlier version
    assert "ranked by the network's top cosine" in model_card(state, "m")


# ------------------------------------------------------------------ F5: DDP validates the state it saves


def _train_recording_buffers(rank: int, world_size: int, port: int, config: TrainConfig, out: str) -> None:
    """One DDP process of `train`, writing the BatchNorm statistics it validates with."""
    import os

    import training.train as trainer

    torch.set_num_threads(1)
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    validate = trainer.evaluate_network

    def record_then_validate(net, *args, **kwargs):
        buffers = {name: b.clone() for name, b in net.named_buffers() if "running" in name}
        torch.save(buffers, Path(out) / f"rank{rank}.pt")
        return validate(net, *args, **kwargs)

    trainer.evaluate_network = record_then_validate
    trainer.train(config)


def test_every_ddp_process_validates_with_rank_0s_batchnorm_statistics(prepared, tmp_path):
    import torch.multiprocessing as mp

    from training.launch import free_port

    # the neck's BatchNorm trains on each process's own batches (no SyncBatchNorm on the CPU)
    config = head_only(prepared, tmp_path / "run")
    config.optim.batch_size = 4
    mp.spawn(_train_recording_buffers, args=(2, free_port(), config, str(tmp_path)), nprocs=2, join=True)
    first, second = (torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1))
    assert first and first.keys() == second.keys()
    saved = torch.load(tmp_path / "run" / "checkpoints" / "last.pt", weights_only=False)["state_dict"]
    for name, value in first.items():
        assert torch.equal(value, second[name]), name
        assert torch.equal(value, saved[name]), name


# ------------------------------------------------------------------ F6: values that crashed later are refused


@pytest.mark.parametrize("key, value, words", [
    ("seed", 2**64, "seed=18446744073709551616 must be from 0 to 2**64 - 1"),
    ("data.input_size", 100000, "data.input_size=100000 must be from 16 to 1024 px"),
])
def test_a_seed_or_input_size_torch_cannot_take_is_refused_in_one_line(prepared, tmp_path, key, value, words):
    from training.config import with_overrides as override
    from training.errors import ConfigError

    config = override(head_only(prepared, tmp_path / "run"), {key: value})
    with pytest.raises(ConfigError) as refused:
        config.validate()
    assert words in str(refused.value)
    override(head_only(prepared, tmp_path / "run"), {key: 2**64 - 1 if key == "seed" else 1024}).validate()


def test_device_mps_where_there_is_none_is_one_line_exit_2(prepared, tmp_path, monkeypatch, capsys):
    from training.cli import main

    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert main(["train", "--manifest", str(prepared), "--run-dir", str(tmp_path / "run"),
                 "--set", "device=mps", "--set", "progress=false"]) == 2
    err = capsys.readouterr().err.strip()
    assert "MPS (an Apple-silicon GPU) is not available" in err and len(err.splitlines()) == 1


# ------------------------------------------------------------------ F11: the lock dies with its process

HOLD_THEN_DIE = """
import os, sys, time
from pathlib import Path
from training.run_lock import RunLock
RunLock(Path(sys.argv[1])).acquire()
child = os.fork()
if child == 0:  # a DataLoader worker that outlives the training for a while
    os.close(1), os.close(2)  # the test reads the parent's output to its end
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
os._exit(0)  # killed: nothing is released by hand
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork on this system")
def test_a_child_forked_while_the_lock_is_held_does_not_keep_it_after_the_trainer_dies(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from training.run_lock import RunLock

    done = subprocess.run([sys.executable, "-c", HOLD_THEN_DIE, str(tmp_path)], capture_output=True, text=True,
                          check=True, timeout=60)
    child = int(done.stdout.split()[0])
    try:
        lock = RunLock(tmp_path).acquire()  # while the forked child still lives
        assert lock.held
        lock.release()
    finally:
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ------------------------------------------------------------------ F9: progress = false keeps the epoch lines


def test_progress_false_still_writes_one_line_per_epoch(prepared, tmp_path, capsys):
    from training.train import train

    train(head_only(prepared, tmp_path / "run", epochs=2, progress=False))
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("epoch ")]
    assert [line.split(":")[0] for line in lines] == ["epoch 1/2", "epoch 2/2"]


# ------------------------------------------------------------------ F3: a killed --processes worker


def test_a_killed_processes_worker_is_one_line_naming_rank_and_signal_and_leaves_no_half_checkpoint(
    prepared, tmp_path, monkeypatch, capsys,
):
    import torch.multiprocessing as mp

    from training.cli import main

    run_dir = tmp_path / "run"
    half_written = run_dir / "checkpoints" / "best.pt.pending.tmp"

    def killed_while_saving(*_args, **_kwargs):
        # what torch reports once it stopped the others: rank 0 was cut off mid-save
        half_written.parent.mkdir(parents=True)
        half_written.write_bytes(b"PK\x03\x04 cut short")
        raise mp.ProcessExitedException("process 1 terminated with signal SIGKILL", error_index=1,
                                        error_pid=4242, exit_code=-9, signal_name="SIGKILL")

    monkeypatch.setattr(mp, "spawn", killed_while_saving)
    assert main(["train", "--manifest", str(prepared), "--run-dir", str(run_dir), "--processes", "2",
                 "--set", "progress=false"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "rank 1" in err and "SIGKILL" in err and "--resume" in err
    assert not half_written.exists()

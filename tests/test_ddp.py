"""DistributedDataParallel on 2 CPU processes (Gloo, localhost) ends where a single
process training on the same global batch ends."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from training.config import DataConfig, ModelConfig, OptimConfig, ScheduleConfig, TrainConfig  # noqa: E402
from training.prepare import PrepareConfig, prepare_dataset  # noqa: E402
from training.synthetic import make_class_folders  # noqa: E402


def config(manifest: Path, run_dir: Path, batch_size: int) -> TrainConfig:
    # BatchNorm statistics would differ per process (SyncBatchNorm needs a GPU), so all
    # of them are frozen here; the sampler, augmentations and gradient averaging are
    # what is being checked.
    return TrainConfig(
        run_dir=str(run_dir), progress=False, tensorboard=False, plots=False, seed=1,
        data=DataConfig(manifest=str(manifest), input_size=32, workers=0, flip=True),
        model=ModelConfig(embedding_size=16, drop_connect_rate=0.0, freeze_batchnorm="all"),
        optim=OptimConfig(batch_size=batch_size, epochs=2, lr=0.05),
        schedule=ScheduleConfig(restart_epochs=2),
    )


@pytest.mark.slow
def test_two_cpu_processes_match_one_process_on_the_global_batch(tmp_path):
    from training.checkpoint import load_checkpoint
    from training.launch import train_on_local_processes
    from training.train import train

    make_class_folders(tmp_path / "src", ["a", "b c", "d'e"], 7, size=40)
    prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "prep", cache_size=36, workers=1))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        single = train(config(tmp_path / "prep", tmp_path / "single", batch_size=4))
    finally:
        torch.set_num_threads(threads)
    train_on_local_processes(config(tmp_path / "prep", tmp_path / "ddp", batch_size=2), processes=2)

    a = load_checkpoint(single.last_checkpoint)
    b = load_checkpoint(tmp_path / "ddp" / "checkpoints" / "last.pt")
    assert a["step"] == b["step"] == 2 * (18 // 4)  # 6 train images per class
    for key, value in a["state_dict"].items():
        assert torch.allclose(value.float(), b["state_dict"][key].float(), atol=1e-5, rtol=1e-4), key
    changed = [k for k, v in a["state_dict"].items() if v.is_floating_point() and "head" in k]
    assert changed  # the comparison covered trained weights
    assert a["history"][-1]["train_loss"] == pytest.approx(b["history"][-1]["train_loss"], rel=1e-4)
    assert b["history"][-1]["val_gap"] == pytest.approx(a["history"][-1]["val_gap"], abs=1e-6)
    # only rank 0 wrote the run's files
    assert sorted(p.name for p in (tmp_path / "ddp").iterdir()) == ["checkpoints", "config.json", "metrics.csv"]

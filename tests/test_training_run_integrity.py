"""A run folder stays one run's, whole, whatever happens to the process training into
it (found by a tester): a kill between saving last.pt and best.pt, checked on tiny
generated data with a head-only network."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from training.checkpoint import BEST, BEST_PENDING, LAST, load_checkpoint  # noqa: E402
from training.config import DataConfig, ModelConfig, OptimConfig, ScheduleConfig, TrainConfig  # noqa: E402
from training.metrics import Metrics  # noqa: E402
from training.prepare import PrepareConfig, prepare_dataset  # noqa: E402
from training.synthetic import make_class_folders  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("integrity")
    make_class_folders(root / "src", ["red", "l'arc", "stripes"], 6, size=40)
    prepare_dataset(PrepareConfig(root / "src", root / "prep", cache_size=36, workers=1))
    return root / "prep"


def head_only(manifest: Path, run_dir: Path, epochs: int = 3, **settings) -> TrainConfig:
    return TrainConfig(
        run_dir=str(run_dir), progress=False, tensorboard=False, plots=False, device="cpu",
        data=DataConfig(manifest=str(manifest), input_size=32, workers=0),
        model=ModelConfig(embedding_size=8, freeze_backbone=True),
        optim=OptimConfig(batch_size=6, epochs=epochs, lr=0.1),
        schedule=ScheduleConfig(name="constant"),
        **settings,
    )


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler catches it."""


def script_gaps(monkeypatch, *gaps: float) -> None:
    """The validation μAP of the epochs trained next, in order, whatever the network learns."""
    import training.train as trainer

    figures = iter(gaps)

    def validate(*_args, **_kwargs):
        return Metrics(gap=next(figures), accuracy=0.5, queries=6, landmark_queries=6, predictions=6)

    monkeypatch.setattr(trainer, "evaluate_network", validate)


# ------------------------------------------------------------------ 2: kill between last.pt and best.pt


def kill_while_saving_epoch(monkeypatch, epoch: int, after: str) -> None:
    """Kill the trainer while it saves `epoch`: right after the file named `after` is written."""
    import training.checkpoint as checkpoint

    save = checkpoint.save_checkpoint

    def save_then_die(path, state):
        written = save(path, state)
        if Path(path).name == after and state["epoch"] == epoch:
            raise Killed
        return written

    monkeypatch.setattr(checkpoint, "save_checkpoint", save_then_die)


@pytest.mark.parametrize("after", [BEST_PENDING, LAST])
def test_a_kill_while_saving_the_best_epoch_leaves_best_pt_the_best_recorded_epoch(
    prepared, tmp_path, monkeypatch, after,
):
    from training.export import export_checkpoint
    from training.train import train

    run = tmp_path / "run"
    script_gaps(monkeypatch, 0.2, 0.1, 0.6)  # epoch 3 is the best
    kill_while_saving_epoch(monkeypatch, epoch=3, after=after)
    with pytest.raises(Killed):
        train(head_only(prepared, run))
    monkeypatch.undo()
    # killed before its last.pt, epoch 3 is trained again (and measures the same)
    script_gaps(monkeypatch, *([0.6, 0.3] if after == BEST_PENDING else [0.3]))
    if after == LAST:  # last.pt says epoch 3 was best: the folder's best model is that epoch already
        bundle = export_checkpoint(run, tmp_path / "before.ltbundle")
        assert bundle.extra["training"]["epoch"] == 3
    result = train(head_only(prepared, run, epochs=4), resume=True)

    last, best = load_checkpoint(run / "checkpoints" / LAST), load_checkpoint(run / "checkpoints" / BEST)
    assert [r["val_gap"] for r in last["history"]] == [0.2, 0.1, 0.6, 0.3]
    assert best["epoch"] == 3 and best["metrics"]["gap"] == 0.6 and last["best_gap"] == 0.6
    assert result.best_gap == 0.6
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == [BEST, LAST]
    bundle = export_checkpoint(run, tmp_path / "run.ltbundle")
    assert bundle.extra["training"]["epoch"] == 3


def test_a_run_whose_best_pt_an_earlier_version_lost_says_so_and_lets_a_better_epoch_replace_it(
    prepared, tmp_path, monkeypatch, capsys,
):
    from training.checkpoint import save_checkpoint
    from training.train import train

    run = tmp_path / "run"
    script_gaps(monkeypatch, 0.2, 0.1, 0.6, 0.2)
    train(head_only(prepared, run))  # best.pt is epoch 3
    # as the version before this left the tester's run: best.pt of epoch 1 (μAP 0.2), last.pt
    # recording epoch 3 (0.6) as the best
    first = load_checkpoint(train(head_only(prepared, tmp_path / "epoch1", epochs=1)).last_checkpoint)
    save_checkpoint(run / "checkpoints" / BEST, {k: v for k, v in first.items() if k != "format"})
    script_gaps(monkeypatch, 0.15, 0.3, 0.25)
    result = train(head_only(prepared, run, epochs=6), resume=True)

    note = capsys.readouterr().err
    assert "holds epoch 1" in note and "not epoch 3" in note
    best = load_checkpoint(run / "checkpoints" / BEST)
    assert best["epoch"] == 5 and best["metrics"]["gap"] == 0.3 and result.best_gap == 0.3

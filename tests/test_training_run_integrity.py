"""A run folder stays one run's, whole, whatever happens to the process training into
it (found by a tester): a kill between saving last.pt and best.pt, two trainings into
one folder (or SLURM tasks started without torchrun), a resume with other settings,
--overwrite and TensorBoard, a full disk or a file for a run folder; and the smaller
findings (SGD momentum, evaluate on another dataset, export of an unfinished run).
Checked on tiny generated data with a head-only network."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from training.checkpoint import BEST, BEST_PENDING, LAST, load_checkpoint  # noqa: E402
from training.metrics import Metrics  # noqa: E402
from training.synthetic import make_class_folders  # noqa: E402
from tests.training_setup import head_only_config, prepare_tiny_classes  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    return prepare_tiny_classes(tmp_path_factory.mktemp("integrity"), ["red", "l'arc", "stripes"])


head_only = partial(head_only_config, epochs=3)  # its config: epochs=3 unless told


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


# ------------------------------------------------------------------ 5: one training at a time in a run folder


def cli_train(manifest: Path, run: Path, *extra: str) -> list[str]:
    settings = {"data.input_size": 32, "data.workers": 0, "progress": "false", "tensorboard": "false",
                "plots": "false", "device": "cpu", "model.freeze_backbone": "true", "model.embedding_size": 8,
                "optim.batch_size": 6, "optim.epochs": 1, "optim.lr": 0.1, "schedule.name": "constant"}
    args = ["train", "--manifest", str(manifest), "--run-dir", str(run)]
    for key, value in settings.items():
        args += ["--set", f"{key}={value}"]
    return args + list(extra)


def hold_lock_in_another_process(run: Path):
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from training.run_lock import RunLock; RunLock(sys.argv[1]).acquire(); "
         "print('held', flush=True); sys.stdin.read()", str(run)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1],
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_training_into_a_run_folder_in_use_is_refused_and_a_killed_holder_holds_nothing(
    prepared, tmp_path, capsys,
):
    from training.cli import main

    run = tmp_path / "run"
    holder = hold_lock_in_another_process(run)
    try:
        assert main(cli_train(prepared, run)) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"landmark-train train: {run} is in use by another training (pid {holder.pid} on "
                       f"{__import__('socket').gethostname()}); wait for it to end, or choose another --run-dir"]
        assert sorted(p.name for p in run.iterdir()) == ["train.lock"]  # nothing of a run written
    finally:
        holder.kill()  # as SIGKILL (a preemption) would: the system lets go of its lock
        holder.wait()
    assert main(cli_train(prepared, run)) == 0
    assert (run / "checkpoints" / LAST).is_file() and not (run / "train.lock").exists()


def test_the_lock_is_held_for_the_run_and_let_go_when_it_fails(prepared, tmp_path, monkeypatch):
    import training.train as trainer
    from training.run_lock import RunFolderInUse, RunLock

    run = tmp_path / "run"
    seen = []

    def validate(*_args, **_kwargs):
        with pytest.raises(RunFolderInUse):  # while the run validates, its folder is taken
            RunLock(run).acquire()
        seen.append(True)
        raise KeyboardInterrupt

    monkeypatch.setattr(trainer, "evaluate_network", validate)
    with pytest.raises(KeyboardInterrupt):
        trainer.train(head_only(prepared, run))
    assert seen and not (run / "train.lock").exists()
    RunLock(run).acquire().release()


@pytest.mark.parametrize("environ, refused, note", [
    ({"SLURM_NTASKS": "2", "SLURM_PROCID": "1"}, True, False),  # the tester's srun tasks, by hand
    ({"SLURM_NTASKS": "2", "SLURM_PROCID": "0"}, False, True),
    ({"SLURM_STEP_NUM_TASKS": "2", "SLURM_NTASKS": "2", "SLURM_PROCID": "0"}, True, False),  # srun -n 2
    ({"SLURM_STEP_NUM_TASKS": "1", "SLURM_NTASKS": "4", "SLURM_PROCID": "0"}, False, False),  # srun -n 1
    ({"SLURM_NTASKS": "2", "SLURM_PROCID": "1", "WORLD_SIZE": "4", "RANK": "1"}, False, False),  # torchrun's
    ({}, False, False),
])
def test_slurm_tasks_started_without_torchrun_do_not_each_train_alone(environ, refused, note):
    from training.distributed import check_launch_environment
    from training.errors import ConfigError

    if refused:
        with pytest.raises(ConfigError, match="started without torchrun.*training/slurm/train.sbatch"):
            check_launch_environment(environ)
    else:
        said = check_launch_environment(environ)
        assert (said is not None) == note
        assert not note or "this is one process training alone" in said


def test_srun_tasks_without_torchrun_one_is_refused_the_first_says_it_trains_alone(
    prepared, tmp_path, monkeypatch, capsys,
):
    from training.cli import main

    for name in ("WORLD_SIZE", "RANK", "SLURM_STEP_NUM_TASKS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLURM_NTASKS", "2")
    monkeypatch.setenv("SLURM_PROCID", "1")
    assert main(cli_train(prepared, tmp_path / "run")) == 2
    assert "this is SLURM task 1 of 2, started without torchrun" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
    monkeypatch.setenv("SLURM_PROCID", "0")
    assert main(cli_train(prepared, tmp_path / "run")) == 0
    assert "note: SLURM gave this job 2 tasks" in capsys.readouterr().err


# ------------------------------------------------------------------ 6: a resume keeps the run's settings


@pytest.fixture()
def one_epoch_run(prepared, tmp_path) -> Path:
    """A run of 2 epochs stopped after its first."""
    from training.train import train

    train(head_only(prepared, tmp_path / "run", epochs=2), stop_after_epochs=1)
    return tmp_path / "run"


def run_record(run: Path) -> tuple[bytes, bytes, bytes]:
    return tuple((run / name).read_bytes() for name in ("config.json", "metrics.csv", "checkpoints/last.pt"))


def test_a_resume_with_settings_that_change_the_training_is_refused_naming_them(prepared, one_epoch_run):
    from training.errors import CheckpointError
    from training.train import train

    before = run_record(one_epoch_run)
    config = head_only(prepared, one_epoch_run, epochs=5, seed=9)
    config.loss.name, config.optim.lr = "cosface", 0.05
    with pytest.raises(CheckpointError) as refused:
        train(config, resume=True)
    message = str(refused.value)
    assert "loss.name 'arcface' → 'cosface', optim.lr 0.1 → 0.05, seed 0 → 9" in message
    assert "resume with the run's config.json" in message and "\n" not in message
    assert run_record(one_epoch_run) == before


def test_a_resume_may_train_more_epochs_with_another_batch_size_and_loader(prepared, one_epoch_run):
    from training.train import train

    config = head_only(prepared, one_epoch_run, epochs=3, eval_every=2, device="auto")
    config.optim.batch_size, config.data.workers, config.data.eval_batch_size = 4, 1, 5
    result = train(config, resume=True)
    assert result.epochs_done == 3 and [r.epoch for r in result.history] == [1, 2, 3]


def test_a_finished_run_resumed_trains_nothing_and_keeps_its_record_and_fewer_epochs_are_refused(
    prepared, one_epoch_run, capsys,
):
    from training.cli import main

    assert main(cli_train(prepared, one_epoch_run, "--resume", "--set", "optim.epochs=2")) == 0
    finished = run_record(one_epoch_run)
    capsys.readouterr()
    assert main(cli_train(prepared, one_epoch_run, "--resume", "--set", "optim.epochs=2")) == 0  # submitted again
    assert "has trained all 2 epochs of its run already; nothing to train" in capsys.readouterr().err
    assert main(cli_train(prepared, one_epoch_run, "--resume", "--set", "optim.epochs=1")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "has trained 2 epochs already, and optim.epochs=1 asks for fewer" in err[0]
    assert run_record(one_epoch_run) == finished


def test_settings_that_mean_the_same_are_no_change():
    from training.resume import changed_settings

    trained = {"model": {"freeze_batchnorm": True, "gone": 1}, "data": {"crop_scale": [0.5, 1.0]}, "seed": 0}
    now = {"model": {"freeze_batchnorm": "backbone", "new": 2}, "data": {"crop_scale": (0.5, 1.0)}, "seed": 0}
    assert changed_settings(trained, now) == []
    assert changed_settings(trained, {**now, "seed": 1}) == [("seed", 0, 1)]


# ------------------------------------------------------------------ 8: --overwrite and TensorBoard


def logged_steps(run: Path, tag: str) -> list[int]:
    """The steps TensorBoard shows for `tag` in the run's tensorboard/ folder, purges applied."""
    event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    events = event_accumulator.EventAccumulator(str(run / "tensorboard"))
    events.Reload()
    return [scalar.step for scalar in events.Scalars(tag)]


def test_overwrite_replaces_the_earlier_runs_tensorboard_events_and_a_resume_logs_each_step_once(
    prepared, tmp_path, monkeypatch,
):
    pytest.importorskip("torch.utils.tensorboard")
    from training.train import train

    run = tmp_path / "run"
    train(head_only(prepared, run, epochs=2, tensorboard=True))  # 2 steps an epoch
    train(head_only(prepared, run, epochs=1, tensorboard=True, seed=1), overwrite=True)
    assert len(list((run / "tensorboard").glob("events.out.tfevents.*"))) == 1
    assert logged_steps(run, "train/loss_step") == [1, 2]
    assert logged_steps(run, "epoch/train_loss") == [1]

    # killed in epoch 2 after its steps were logged, before its checkpoint: they are logged again
    import training.train as trainer

    monkeypatch.setattr(trainer, "evaluate_network", lambda *a, **k: (_ for _ in ()).throw(Killed()))
    with pytest.raises(Killed):
        train(head_only(prepared, run, epochs=2, tensorboard=True, seed=1), resume=True)
    monkeypatch.undo()
    train(head_only(prepared, run, epochs=2, tensorboard=True, seed=1), resume=True)
    assert logged_steps(run, "train/loss_step") == [1, 2, 3, 4]
    assert logged_steps(run, "epoch/train_loss") == [1, 2]


# ------------------------------------------------------------------ 11: smaller ones


@pytest.mark.parametrize("momentum, accepted", [(5, False), (1, False), (-0.1, False), (0, True), (0.99, True)])
def test_sgd_momentum_outside_0_to_1_is_refused(prepared, tmp_path, momentum, accepted):
    from training.errors import ConfigError

    config = head_only(prepared, tmp_path / "run")
    config.optim.momentum = momentum
    if accepted:
        config.validate()
    else:
        with pytest.raises(ConfigError, match=rf"optim.momentum={momentum} must be in \[0, 1\)"):
            config.validate()


def test_evaluate_on_a_manifest_with_no_class_of_the_model_says_so_and_exits_2(prepared, tiny_bundle, capsys):
    from training.cli import main

    assert main(["evaluate", "--model", str(tiny_bundle.path), "--manifest", str(prepared)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        f"landmark-train evaluate: the landmark ids of the 3 classes of {prepared} (\"l'arc\", 'red', 'stripes') are "
        "none of the bundle's 3 ('Eiffel Tower', 'Colosseum', 'Taj Mahal'): was it prepared from another dataset? "
        "Its μAP would be 0 by construction; evaluate on the prepared dataset it was trained on"
    ]


def test_evaluate_on_folders_none_named_after_a_landmark_warns(tiny_bundle, tmp_path, capsys):
    from training.cli import main

    make_class_folders(tmp_path / "photos", ["Petra", "Alhambra"], 2, size=40)
    assert main(["evaluate", "--model", str(tiny_bundle.path), "--data", str(tmp_path / "photos")]) == 0
    assert "warning: no folder in" in capsys.readouterr().err
    make_class_folders(tmp_path / "photos", ["Colosseum"], 2, size=40)
    assert main(["evaluate", "--model", str(tiny_bundle.path), "--data", str(tmp_path / "photos")]) == 0
    assert "warning" not in capsys.readouterr().err


def test_export_of_an_unfinished_run_says_which_epoch_of_how_many(prepared, tmp_path, capsys):
    from model.bundle import load_bundle
    from training.cli import main
    from training.train import train

    run = tmp_path / "run"
    train(head_only(prepared, run), stop_after_epochs=1)  # 1 of 3 epochs
    assert main(["export", str(run), "--out", str(tmp_path / "unfinished.ltbundle")]) == 0
    assert (f"note: {run} is epoch 1 of a run that stopped after 1 of its 3 epochs (unfinished; `train --resume` "
            "finishes it)") in capsys.readouterr().err
    bundle = load_bundle(tmp_path / "unfinished.ltbundle")
    assert (bundle.extra["training"]["epochs_trained"], bundle.extra["training"]["epochs_planned"]) == (1, 3)
    assert "- Epoch 1 of 3 planned: the run stopped after 1 (unfinished) (2 steps)" in bundle.card

    train(head_only(prepared, run), resume=True)
    assert main(["export", str(run / "checkpoints" / LAST), "--out", str(tmp_path / "done.ltbundle")]) == 0
    assert "note:" not in capsys.readouterr().err
    assert load_bundle(tmp_path / "done.ltbundle").extra["training"]["epochs_trained"] == 3



def test_export_of_a_run_resumed_with_more_epochs_goes_by_the_runs_plan_not_the_best_epochs(
    prepared, tmp_path, capsys, monkeypatch,
):
    from model.bundle import load_bundle
    from training.cli import main
    from training.train import train

    run = tmp_path / "run"
    script_gaps(monkeypatch, 0.5, 0.9, 0.6, 0.7)  # epoch 2 stays the best
    train(head_only(prepared, run, epochs=3))
    train(head_only(prepared, run, epochs=5), resume=True, stop_after_epochs=1)  # 4 of 5 now
    assert main(["export", str(run), "--out", str(tmp_path / "best.ltbundle")]) == 0
    assert "is epoch 2 of a run that stopped after 4 of its 5 epochs (unfinished" in capsys.readouterr().err
    bundle = load_bundle(tmp_path / "best.ltbundle")
    assert (bundle.extra["training"]["epochs_trained"], bundle.extra["training"]["epochs_planned"]) == (4, 5)

# ------------------------------------------------------------------ 7: a full disk, a file for a run folder

needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")


@needs_dev_full
def test_a_checkpoint_on_a_full_disk_is_one_line_and_leaves_no_temporary_file(tmp_path):
    from training.checkpoint import save_checkpoint
    from training.errors import OutputWriteError

    (tmp_path / "last.pt.tmp").symlink_to("/dev/full")  # every write to it: ENOSPC, as on a full disk
    with pytest.raises(OutputWriteError) as refused:
        save_checkpoint(tmp_path / "last.pt", {"state_dict": {"w": torch.zeros(4096)}})
    assert str(refused.value) == (f"cannot write {tmp_path / 'last.pt'}: no space left on device; free some space "
                                  "there or give another --run-dir, then run it again")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGXFSZ"), reason="needs RLIMIT_FSIZE (POSIX)")
def test_a_write_failing_half_way_is_the_systems_reason_not_torchs_unexpected_pos(tmp_path):
    """A file-size limit fails a write after its first megabyte, as a disk filling up
    during the write does: torch then reports "unexpected pos" in place of the error."""
    import subprocess
    import sys

    script = (
        "import resource, signal, sys, torch\n"
        "from pathlib import Path\n"
        "from training.checkpoint import save_checkpoint\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, resource.RLIM_INFINITY))\n"
        "try:\n"
        "    save_checkpoint(Path(sys.argv[1]), {'w': torch.zeros(1 << 20)})\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "last.pt")], capture_output=True, text=True,
                          cwd=Path(__file__).parents[1], timeout=120)
    assert done.stdout.strip() == (f"OutputWriteError cannot write {tmp_path / 'last.pt'}: file too large; "
                                   "check the disk, then run it again")
    assert list(tmp_path.iterdir()) == []


@needs_dev_full
@pytest.mark.parametrize("second_gap", [0.5, 0.6])  # epoch 2 no better / better: best.pt.pending written first
def test_train_on_a_full_disk_says_so_in_one_line_exit_2_and_leaves_nothing_half_written(
    prepared, tmp_path, monkeypatch, capsys, second_gap,
):
    import training.train as trainer
    from training.cli import main

    run = tmp_path / "run"
    gaps = iter([0.5, second_gap])

    def validate_then_fill_the_disk(*_args, **_kwargs):  # the disk is full when epoch 2's last.pt is written
        if (run / "checkpoints" / LAST).exists():
            (run / "checkpoints" / f"{LAST}.tmp").symlink_to("/dev/full")
        return Metrics(gap=next(gaps), accuracy=0.5, queries=6, landmark_queries=6, predictions=6)

    monkeypatch.setattr(trainer, "evaluate_network", validate_then_fill_the_disk)
    assert main(cli_train(prepared, run, "--set", "optim.epochs=2")) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line for line in lines if not line.startswith("epoch ")] == [
        f"landmark-train train: cannot write {run / 'checkpoints' / LAST}: no space left on device; free some "
        "space there or give another --run-dir, then run it again"
    ]
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == [BEST, LAST]
    assert load_checkpoint(run / "checkpoints" / LAST)["epoch"] == 1 and not (run / "train.lock").exists()


def test_a_run_dir_that_is_a_file_is_one_line_before_anything_is_built(prepared, tmp_path, capsys):
    from training.cli import main
    from training.errors import ConfigError
    from training.train import train

    (tmp_path / "outfile").write_text("file")
    for run, where in ((tmp_path / "outfile", ""), (tmp_path / "outfile" / "run", f": {tmp_path / 'outfile'}")):
        assert main(cli_train(prepared, run)) == 2
        assert capsys.readouterr().err.strip().splitlines() == [
            f"landmark-train train: --run-dir {run}{where} is a file, not a folder; give a folder for the run "
            "(a new one is made)"
        ]
        with pytest.raises(ConfigError, match="is a file, not a folder"):
            train(head_only(prepared, run))
    assert (tmp_path / "outfile").read_text() == "file"

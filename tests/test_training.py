"""The trainer on tiny generated data: config files, schedules, sampler, loss goes
down, logs and plots appear, and --resume reproduces the uninterrupted run exactly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from training.config import (  # noqa: E402
    DataConfig, ModelConfig, OptimConfig, ScheduleConfig, TrainConfig, load_config, parse_override,
)
from training.data import EpochSampler  # noqa: E402
from training.errors import CheckpointError, ConfigError  # noqa: E402
from training.optim import lr_factor  # noqa: E402
from training.prepare import PrepareConfig, prepare_dataset  # noqa: E402
from training.synthetic import make_class_folders  # noqa: E402


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    make_class_folders(root / "src", ["red square", "l'arc", "stripes"], 8, size=40)
    prepare_dataset(PrepareConfig(root / "src", root / "prepared", cache_size=36, workers=1))
    return root / "prepared"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def tiny_config(manifest: Path, run_dir: Path, **optim) -> TrainConfig:
    return TrainConfig(
        run_dir=str(run_dir), progress=False, tensorboard=False, plots=False,
        data=DataConfig(manifest=str(manifest), input_size=32, workers=0, random_crop=True),
        model=ModelConfig(embedding_size=16, drop_connect_rate=0.0),
        optim=OptimConfig(**{"batch_size": 6, "epochs": 2, "lr": 0.05, **optim}),
        schedule=ScheduleConfig(restart_epochs=1.5),
    )


def test_toml_config_with_sections_and_overrides(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text(
        'run_dir = "runs/x"\nseed = 3\n[data]\nmanifest = "prep"\ninput_size = 48\ncrop_scale = [0.3, 1.0]\n'
        '[loss]\nname = "cosface"\n[optim]\nname = "adam"\nlr = 0.001\n'
    )
    config = load_config(path, dict([parse_override("optim.epochs=7"), parse_override("schedule.name=step")]))
    assert (config.seed, config.data.input_size, config.loss.name, config.optim.name) == (3, 48, "cosface", "adam")
    assert config.optim.epochs == 7 and config.schedule.name == "step" and config.data.crop_scale == (0.3, 1.0)
    assert config.model.backbone == "efficientnet-lite0"  # defaults fill the rest
    saved = config.save(tmp_path / "out" / "config.json")
    assert load_config(saved) == config


@pytest.mark.parametrize(
    "text, match",
    [
        ("[optim]\nlrr = 1\n", "lrr"),
        ("[loss]\nname = 'triplet'\n[data]\nmanifest = 'x'\n", "triplet"),
        ("[data]\nmanifest = 'x'\n[optim]\nbatch_size = 0\n", "batch_size"),
        ("[data\n", "not valid"),
    ],
)
def test_bad_configs_are_refused_with_the_reason(tmp_path, text, match):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_config(path).validate()


def test_schedules():
    restarts = ScheduleConfig(name="cosine-restarts", restart_epochs=2, restart_mult=2, min_lr_fraction=0.0)
    assert lr_factor(restarts, 0, 10) == pytest.approx(1.0)
    assert lr_factor(restarts, 1, 10) == pytest.approx(0.5)
    assert lr_factor(restarts, 2, 10) == pytest.approx(1.0)  # restart
    assert lr_factor(restarts, 4, 10) == pytest.approx(0.5)  # second cycle is 4 long
    assert lr_factor(restarts, 6, 10) == pytest.approx(1.0)
    step = ScheduleConfig(name="step", step_epochs=3, gamma=0.1)
    assert [lr_factor(step, e, 10) for e in (0, 2.9, 3, 6)] == pytest.approx([1, 1, 0.1, 0.01])
    warm = ScheduleConfig(name="cosine-warmup", warmup_epochs=2, min_lr_fraction=0.0)
    assert lr_factor(warm, 1, 10) == pytest.approx(0.5)
    assert lr_factor(warm, 2, 10) == pytest.approx(1.0)
    assert lr_factor(warm, 10, 10) == pytest.approx(0.0)
    assert lr_factor(ScheduleConfig(name="constant"), 5, 10) == 1.0


@pytest.mark.parametrize("warmup", [0, 1])
def test_cosine_restarts_with_a_floor_restart_at_the_base_rate_and_end_on_the_floor(warmup):
    """min_lr_fraction (default 0.01) lifts the bottom of each cycle, never its top."""
    restarts = ScheduleConfig(name="cosine-restarts", restart_epochs=2, restart_mult=2, min_lr_fraction=0.2,
                              warmup_epochs=warmup)
    for start, length in ((0, 2), (2, 4), (6, 8)):
        assert lr_factor(restarts, warmup + start, 20) == pytest.approx(1.0)
        assert lr_factor(restarts, warmup + start + length / 2, 20) == pytest.approx(0.6)
        assert lr_factor(restarts, warmup + start + length - 1e-6, 20) == pytest.approx(0.2, abs=1e-6)
    assert max(lr_factor(restarts, e / 10, 20) for e in range(200)) == pytest.approx(1.0)


def test_cosine_warmup_with_a_floor_peaks_at_the_base_rate_and_ends_on_the_floor():
    warm = ScheduleConfig(name="cosine-warmup", warmup_epochs=2, min_lr_fraction=0.2)
    assert lr_factor(warm, 1, 10) == pytest.approx(0.5)
    assert lr_factor(warm, 2, 10) == pytest.approx(1.0)
    assert lr_factor(warm, 6, 10) == pytest.approx(0.6)
    assert lr_factor(warm, 10, 10) == pytest.approx(0.2)
    assert max(lr_factor(warm, e / 10, 10) for e in range(101)) == pytest.approx(1.0)


def test_sampler_shards_add_up_to_the_single_process_order():
    labels = [0] * 7 + [1] * 3
    single = EpochSampler(labels, seed=5)
    ranks = [EpochSampler(labels, seed=5, rank=r, world_size=2) for r in range(2)]
    for s in (single, *ranks):
        s.set_epoch(3)
    order = [p for p, _ in single]
    shards = [[p for p, _ in r] for r in ranks]
    assert sorted(order) == list(range(10))
    batch = 2  # per rank; global batch 4
    for i in range(len(shards[0]) // batch):
        union = shards[0][i * batch : (i + 1) * batch] + shards[1][i * batch : (i + 1) * batch]
        assert sorted(union) == sorted(order[i * 4 : (i + 1) * 4])
    single.set_epoch(4)
    assert [p for p, _ in single] != order


@pytest.mark.parametrize("class_balanced", [False, True])
@pytest.mark.parametrize(("world_size", "per_rank"), [(2, 8), (4, 4)])
def test_a_training_set_that_does_not_divide_evenly_gives_every_rank_as_many_items(
    world_size, per_rank, class_balanced
):
    """15 images over 2 or 4 processes: a rank with one item fewer runs one step fewer
    (drop_last) and the others wait for it in the gradient all-reduce forever. The
    order is padded, so each rank gets len(sampler) items and no image is left out."""
    labels = [0] * 8 + [1] * 5 + [2] * 2
    ranks = [EpochSampler(labels, seed=2, class_balanced=class_balanced, rank=r, world_size=world_size)
             for r in range(world_size)]
    for sampler in ranks:
        sampler.set_epoch(1)
    shards = [[position for position, _ in sampler] for sampler in ranks]
    assert [len(shard) for shard in shards] == [len(sampler) for sampler in ranks] == [per_rank] * world_size
    if not class_balanced:  # a permutation: every image at least once, the padding repeats a few
        assert set().union(*shards) == set(range(len(labels)))


def test_class_balanced_sampling_evens_out_classes():
    labels = [0] * 90 + [1] * 10
    sampler = EpochSampler(labels, seed=0, class_balanced=True)
    drawn = [labels[p] for p, _ in sampler]
    assert 35 <= sum(drawn) <= 65


@pytest.mark.slow
def test_loss_decreases_and_the_run_leaves_logs_plots_and_checkpoints(prepared, tmp_path):
    from training.train import train

    config = tiny_config(prepared, tmp_path / "run", epochs=4)
    config.plots = True
    config.tensorboard = True
    result = train(config)
    losses = [r.train_loss for r in result.history]
    assert losses[-1] < losses[0]
    run = tmp_path / "run"
    for name in ("config.json", "metrics.csv", "loss.png", "lr.png", "gap.png", "checkpoints/last.pt"):
        assert (run / name).is_file(), name
    rows = list(csv.DictReader(open(run / "metrics.csv")))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4] and rows[0]["val_gap"] != ""
    assert json.loads((run / "config.json").read_text())["optim"]["epochs"] == 4
    assert result.best_checkpoint is not None and result.final_metrics is not None
    from training.validation import evaluate_checkpoint

    again = evaluate_checkpoint(result.last_checkpoint)
    assert again.gap == pytest.approx(result.final_metrics.gap) and again.queries == result.final_metrics.queries
    if (run / "tensorboard").exists():
        assert list((run / "tensorboard").iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["sgd", "adamw"])
def test_resume_continues_exactly(prepared, tmp_path, optimizer):
    from training.checkpoint import load_checkpoint
    from training.train import train

    straight = train(tiny_config(prepared, tmp_path / "a", name=optimizer, epochs=2))
    first = train(tiny_config(prepared, tmp_path / "b", name=optimizer, epochs=2), stop_after_epochs=1)
    assert first.epochs_done == 1
    resumed = train(tiny_config(prepared, tmp_path / "b", name=optimizer, epochs=2), resume=True)
    a, b = load_checkpoint(straight.last_checkpoint), load_checkpoint(resumed.last_checkpoint)
    assert a["epoch"] == b["epoch"] == 2 and a["step"] == b["step"]
    for key, value in a["state_dict"].items():
        assert torch.equal(value, b["state_dict"][key]), key
    for key, value in a["optimizer"]["state"].items():
        for name, tensor in value.items():
            assert torch.equal(tensor, b["optimizer"]["state"][key][name]), (key, name)
    assert [r["train_loss"] for r in a["history"]] == [r["train_loss"] for r in b["history"]]
    rows = list(csv.DictReader(open(tmp_path / "b" / "metrics.csv")))
    assert [int(r["epoch"]) for r in rows] == [1, 2]


@pytest.mark.slow
def test_resume_refuses_a_checkpoint_of_another_network(prepared, tmp_path):
    from training.train import train

    train(tiny_config(prepared, tmp_path / "run", epochs=1))
    other = tiny_config(prepared, tmp_path / "run", epochs=2)
    other.model.embedding_size = 8
    with pytest.raises(CheckpointError, match="different network"):
        train(other, resume=True)


@pytest.mark.slow
def test_gradient_accumulation_matches_the_larger_batch(prepared, tmp_path):
    from training.checkpoint import load_checkpoint
    from training.train import train

    def run(name, batch_size, accumulate, workers):
        config = tiny_config(prepared, tmp_path / name, batch_size=batch_size, accumulate=accumulate, epochs=1)
        config.model.freeze_batchnorm = "all"  # batch statistics would differ between 3 and 6 images
        config.data.workers = workers
        return load_checkpoint(train(config).last_checkpoint)

    big = run("big", 6, 1, 0)
    small = run("small", 3, 2, 1)  # also runs the data loader in a worker process
    assert big["step"] == small["step"] == 3
    for key, value in big["state_dict"].items():
        assert torch.allclose(value.float(), small["state_dict"][key].float(), atol=1e-5, rtol=1e-4), key


def test_the_example_config_is_valid():
    example = Path(__file__).resolve().parents[1] / "training" / "configs" / "example.toml"
    config = load_config(example).validate()
    assert config.loss.name == "arcface" and config.data.crop_scale == (0.6, 1.0)


@pytest.mark.parametrize("mode, neck_trains, backbone_bn_trains", [
    (False, True, True), (True, True, False), ("backbone", True, False), ("all", False, False),
])
def test_frozen_batchnorm_modes(mode, neck_trains, backbone_bn_trains):
    from torch import nn

    from training.train import net_config_for, set_train_mode
    from model.network import LandmarkNet

    config = tiny_config(Path("unused"), Path("unused"))
    config.model.freeze_batchnorm = mode
    config.model.pretrained = False
    net = LandmarkNet(net_config_for(config, 3))
    set_train_mode(net, config)
    backbone_bn = [m for m in net.backbone.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    assert backbone_bn and all(m.training == backbone_bn_trains for m in backbone_bn)
    assert net.neck[1].training == neck_trains and net.head.training


def scratch_config(prepared: Path, run_dir: Path, epochs: int, **model) -> TrainConfig:
    """tiny_config from random weights with these [model] settings, torch seeded as the run is."""
    config = tiny_config(prepared, run_dir, epochs=epochs)
    config.model.pretrained = False
    for key, value in model.items():
        setattr(config.model, key, value)
    torch.manual_seed(config.seed)
    return config


def initial_state(config: TrainConfig) -> dict:
    """The state a run of `config` starts from (the same seed, a 3-class network)."""
    from model.network import LandmarkNet
    from training.train import net_config_for

    torch.manual_seed(config.seed)
    return LandmarkNet(net_config_for(config, 3)).state_dict()


@pytest.mark.slow
def test_head_warm_up_keeps_the_backbone_frozen_for_its_epochs(prepared, tmp_path):
    from training.checkpoint import load_checkpoint
    from training.train import train

    config = scratch_config(prepared, tmp_path / "run", epochs=2, frozen_backbone_epochs=1)
    first = load_checkpoint(train(config, stop_after_epochs=1).last_checkpoint)
    second = load_checkpoint(train(config, resume=True).last_checkpoint)
    initial = initial_state(config)
    key = "backbone.trunk._conv_stem.weight"
    assert torch.equal(first["state_dict"][key], initial[key])  # warm-up epoch: backbone untouched
    assert not torch.equal(second["state_dict"][key], initial[key])  # then it trains
    assert not torch.equal(first["state_dict"]["head.weight"], initial["head.weight"])


@pytest.mark.slow
def test_frozen_blocks_keep_the_stem_and_early_blocks_at_their_start(prepared, tmp_path):
    from training.checkpoint import load_checkpoint
    from training.train import train

    config = scratch_config(prepared, tmp_path / "run", epochs=1, frozen_blocks=3)
    trained = load_checkpoint(train(config).last_checkpoint)["state_dict"]
    initial = initial_state(config)
    early = [k for k in initial if k.startswith(("backbone.trunk._conv_stem", "backbone.trunk._bn0"))
             or any(k.startswith(f"backbone.trunk._blocks.{i}.") for i in range(3))]
    assert any("running_mean" in k for k in early)  # statistics stay as well as weights
    assert all(torch.equal(trained[k], initial[k]) for k in early)
    later = "backbone.trunk._blocks.3._project_conv.weight"
    assert not torch.equal(trained[later], initial[later])


def test_frozen_blocks_beyond_the_trunk_are_refused(prepared, tmp_path):
    from training.errors import ConfigError
    from training.train import train

    config = scratch_config(prepared, tmp_path / "run", epochs=1, frozen_blocks=99)
    with pytest.raises(ConfigError, match="frozen_blocks=99.*blocks"):
        train(config)

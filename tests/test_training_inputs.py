"""What `landmark-train` does with awkward inputs: `--set` values of the wrong type,
out-of-range settings, unreadable or 16-bit photos, a re-used cache or run folder,
resuming with other optimizer settings, an offline re-download, and distributed
head-only training. Every dataset is generated in the test."""

from __future__ import annotations

import hashlib
import json
import signal
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.cli import main
from training.config import (
    DataConfig,
    ModelConfig,
    OptimConfig,
    ScheduleConfig,
    TrainConfig,
    load_config,
    parse_override,
    with_overrides,
)
from training.datasets import load_manifest
from training.errors import CheckpointError, ConfigError, DatasetError
from training.prepare import PrepareConfig, prepare_dataset
from training.synthetic import make_class_folders, make_mini_gldv2


@contextmanager
def time_limit(seconds: float):
    """Fail instead of hanging (the old LR schedule looped forever)."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def tiny_config(manifest: Path, run_dir: Path, **optim) -> TrainConfig:
    return TrainConfig(
        run_dir=str(run_dir), progress=False, tensorboard=False, plots=False,
        data=DataConfig(manifest=str(manifest), input_size=32, workers=0),
        model=ModelConfig(embedding_size=16, drop_connect_rate=0.0, freeze_batchnorm="backbone"),
        optim=OptimConfig(**{"batch_size": 4, "epochs": 1, "lr": 0.05, **optim}),
        schedule=ScheduleConfig(restart_epochs=1.0),
    )


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("inputs")
    make_class_folders(root / "src", ["a", "b", "c"], 5, size=40)
    prepare_dataset(PrepareConfig(root / "src", root / "prepared", cache_size=36, workers=1))
    return root / "prepared"


# ------------------------------------------------------------------ 2: --set types


@pytest.mark.parametrize("override, key, expected", [
    ("model.freeze_backbone=False", "freeze_backbone", False),
    ("model.freeze_backbone=no", "freeze_backbone", False),
    ("model.freeze_backbone=True", "freeze_backbone", True),
    ("model.freeze_backbone=1", "freeze_backbone", True),
    ("optim.epochs=2.0", "epochs", 2),
    ("optim.lr=1", "lr", 1.0),
    ("model.drop_connect_rate=none", "drop_connect_rate", None),
    ("model.freeze_batchnorm=False", "freeze_batchnorm", False),
    ("model.freeze_batchnorm=all", "freeze_batchnorm", "all"),
])
def test_set_values_take_the_type_of_their_setting(override, key, expected):
    config = with_overrides(TrainConfig(), dict([parse_override(override)]))
    section = getattr(config, override.split(".")[0])
    value = getattr(section, key)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("override, expected", [
    ("optim.lr=abc", "optim.lr='abc' must be a number"),
    ("data.input_size=64.5", "data.input_size=64.5 must be a whole number"),
    ("model.freeze_backbone=maybe", "model.freeze_backbone='maybe' must be true or false"),
    ("optim.epochs=true", "optim.epochs=True must be a whole number"),
    ("data.crop_scale=[0.5]", "data.crop_scale"),
])
def test_set_values_of_the_wrong_type_are_refused_naming_the_key(override, expected):
    with pytest.raises(ConfigError, match=expected.replace("[", r"\[").replace(".", r"\.")):
        with_overrides(TrainConfig(), dict([parse_override(override)]))


def test_toml_text_for_a_number_is_converted_or_refused(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('[data]\nmanifest = "x"\ninput_size = "64"\n[optim]\nlr = "0.5"\n')
    config = load_config(path)
    assert config.data.input_size == 64 and config.optim.lr == 0.5
    path.write_text('[optim]\nepochs = "two"\n')
    with pytest.raises(ConfigError, match="optim.epochs"):
        load_config(path)


def test_a_wrong_type_on_the_command_line_is_one_line_and_exit_2(prepared, tmp_path, capsys):
    code = main(["train", "--manifest", str(prepared), "--run-dir", str(tmp_path / "r"), "--set", "optim.lr=abc"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "optim.lr" in err[0] and "number" in err[0]


# ------------------------------------------------------------------ 3, 9: values out of range


def test_restart_mult_below_one_is_refused_instead_of_looping_forever():
    from training.optim import lr_factor

    with time_limit(5), pytest.raises(ConfigError, match="restart_mult"):
        lr_factor(ScheduleConfig(restart_epochs=1, restart_mult=0.5), 2.5, 3)
    with time_limit(5), pytest.raises(ConfigError, match="restart_mult"):
        lr_factor(ScheduleConfig(restart_epochs=1, restart_mult=0.0), 1.5, 3)
    with pytest.raises(ConfigError, match="restart_mult"):
        with_overrides(TrainConfig(), {"data.manifest": "x", "schedule.restart_mult": 0.5}).validate()


@pytest.mark.parametrize("override, match", [
    ("eval_every=0", "eval_every"),
    ("optim.batch_size=1", "batch_size"),
    ("device=gpu", "device"),
    ("data.workers=-1", "data.workers"),
    ("optim.grad_clip=-1.0", "grad_clip"),
    ("seed=-1", "seed"),
    ("data.crop_scale=[0.9, 0.5]", "crop_scale"),
    ("loss.s=0", "loss.s"),
])
def test_out_of_range_settings_are_refused_up_front(override, match):
    config = with_overrides(TrainConfig(), {"data.manifest": "x", **dict([parse_override(override)])})
    with pytest.raises(ConfigError, match=match):
        config.validate()


def test_the_shipped_configs_still_validate():
    root = Path(__file__).resolve().parents[1] / "training"
    for path in (root / "configs" / "example.toml", root / "recipes" / "baseline48.toml"):
        load_config(path, {"data.manifest": "x"}).validate()


@pytest.mark.parametrize("threshold", [1.5, -0.1, float("nan")])
def test_export_threshold_outside_zero_to_one_is_refused(threshold):
    from training.export import ExportOptions

    with pytest.raises(ConfigError, match="threshold"):
        ExportOptions(threshold=threshold)


# ------------------------------------------------------------------ 5, 6, 14: prepare


def test_a_cache_made_at_another_size_is_not_reused(tmp_path):
    make_class_folders(tmp_path / "src", ["a", "b"], 4, size=64)
    first = prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "p", cache_size=16, workers=1))
    again = prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "p", cache_size=16, workers=1))
    assert first.resized == 8 and again.reused == 8 and again.resized == 0
    bigger = prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "p", cache_size=24, workers=1))
    assert bigger.reused == 0 and bigger.resized == 8
    manifest = load_manifest(tmp_path / "p")
    assert manifest.cache_size == 24
    for image in manifest.images:
        with Image.open(manifest.cache_path(image)) as img:
            assert min(img.size) == 24


def test_a_cache_from_before_its_settings_were_recorded_is_judged_by_its_manifest(tmp_path):
    make_class_folders(tmp_path / "src", ["a", "b"], 3, size=64)
    prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "p", cache_size=16, workers=1))
    (tmp_path / "p" / "cache" / "settings.json").unlink()  # as an older `prepare` left it
    same = prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "p", cache_size=16, workers=1))
    assert same.reused == 6
    (tmp_path / "p" / "cache" / "settings.json").unlink()
    other = prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "p", cache_size=20, workers=1))
    assert other.reused == 0 and other.resized == 6


def test_unreadable_images_are_left_out_before_the_filter_and_the_split(tmp_path):
    src = tmp_path / "src"
    make_class_folders(src, ["good", "few", "lonely"], [6, 3, 1], size=40)
    (src / "broken").mkdir()
    for i in range(3):
        (src / "broken" / f"x{i}.jpg").write_bytes(b"not a jpeg")
    (src / "few" / "bad.jpg").write_bytes(b"nope")
    for i in range(2):  # 'lonely' keeps one good image
        (src / "lonely" / f"bad{i}.jpg").write_bytes(b"nope")
    summary = prepare_dataset(PrepareConfig(src, tmp_path / "p", cache_size=24, min_images=3, workers=1))
    manifest = load_manifest(tmp_path / "p")
    assert [c.landmark_id for c in manifest.classes] == ["few", "good"]  # 'broken' and 'lonely' are gone
    assert all(c.count > 0 for c in manifest.classes) and summary.dropped_classes == 2
    assert len(summary.errors) == 6 and summary.classes == 2
    for image in manifest.images:
        assert manifest.classes[image.class_index].landmark_id == image.landmark_id
        assert manifest.cache_path(image).is_file()
    # without the filter, a class's only good image is for training, not validation
    prepare_dataset(PrepareConfig(src, tmp_path / "q", cache_size=24, workers=1))
    lonely = [i for i in load_manifest(tmp_path / "q").images if i.landmark_id == "lonely"]
    assert [i.split for i in lonely] == ["train"]


def test_sixteen_bit_greyscale_is_scaled_not_clipped(tmp_path):
    for i, value in enumerate((1000, 30000)):  # two classes: prepare refuses one
        folder = tmp_path / "src" / f"grey {i}"
        folder.mkdir(parents=True)
        Image.fromarray(np.full((20, 30), value, dtype=np.uint16)).save(folder / f"g{i}.png")
    prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "p", cache_size=16, workers=1))
    manifest = load_manifest(tmp_path / "p")
    levels = {}
    for image in manifest.images:
        with Image.open(manifest.cache_path(image)) as img:
            levels[Path(image.key).name] = np.asarray(img.convert("L"), dtype=float).mean()
    assert levels["g0.png"] == pytest.approx(1000 / 257, abs=2)
    assert levels["g1.png"] == pytest.approx(30000 / 257, abs=2)


def test_prepare_argument_mistakes_are_one_line_errors(tmp_path, capsys):
    make_class_folders(tmp_path / "src", ["a"], 2, size=16)
    assert main(["prepare", str(tmp_path / "src"), "--out", str(tmp_path / "o"), "--max-per-class", "-1"]) == 2
    assert "--max-per-class" in capsys.readouterr().err
    (tmp_path / "file.txt").write_text("x")
    assert main(["prepare", str(tmp_path / "file.txt"), "--out", str(tmp_path / "o")]) == 2
    assert "not a folder" in capsys.readouterr().err


# ------------------------------------------------------------------ 7: run folders


def test_an_earlier_run_is_not_overwritten_without_asking(prepared, tmp_path, capsys):
    from training.train import check_run_folder

    config = tiny_config(prepared, tmp_path / "run")
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "checkpoints" / "last.pt").write_bytes(b"earlier run")
    with pytest.raises(ConfigError, match="--resume.*--overwrite"):
        check_run_folder(config)
    assert check_run_folder(config, resume=True) is None and check_run_folder(config, overwrite=True) is None
    code = main(["train", "--manifest", str(prepared), "--run-dir", str(run), "--set", "optim.epochs=1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--resume" in err[0]
    assert (run / "checkpoints" / "last.pt").read_bytes() == b"earlier run"


def test_even_a_finished_run_with_the_same_settings_is_replaced_only_when_asked(prepared, tmp_path):
    from training.train import check_run_folder

    config = tiny_config(prepared, tmp_path / "run", epochs=2)
    config.save(tmp_path / "run" / "config.json")
    (tmp_path / "run" / "metrics.csv").write_text("epoch,step\n1,3\n2,6\n")
    with pytest.raises(ConfigError, match="already holds"):
        check_run_folder(config)
    check_run_folder(config, overwrite=True)


# ------------------------------------------------------------------ 8, 12, 13: evaluate


def test_evaluate_skips_an_unreadable_photo_and_keeps_nested_names_apart(tiny_bundle, tmp_path, capsys):
    data = tmp_path / "queries"
    make_class_folders(data, ["Eiffel Tower", "Colosseum"], 2, size=48)
    for sub in ("day", "night"):
        (data / "Colosseum" / sub).mkdir()
        (data / "Colosseum" / sub / "same.jpg").write_bytes((data / "Colosseum" / "img 000.jpg").read_bytes())
    (data / "Eiffel Tower" / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    code = main(["evaluate", "--model", str(tiny_bundle.path), "--data", str(data), "--json"])
    captured = capsys.readouterr()
    assert code == 1 and "broken.jpg" in captured.err
    result = json.loads(captured.out)
    assert result["queries"] == 6  # 2 + 2 + day/same.jpg + night/same.jpg; broken.jpg skipped

    from training.evaluate import evaluate_bundle

    evaluation = evaluate_bundle(tiny_bundle, data_dir=data)
    assert {"Colosseum/day/same.jpg", "Colosseum/night/same.jpg"} <= set(evaluation.truth)
    assert list(evaluation.errors) == [str(data / "Eiffel Tower" / "broken.jpg")]


def test_an_unknown_kaggle_usage_is_refused(tmp_path, capsys):
    (tmp_path / "sub.csv").write_text("id,landmarks\na,1 0.9\n")
    (tmp_path / "sol.csv").write_text("id,landmarks,Usage\na,1,Public\n")
    args = ["evaluate", "--predictions", str(tmp_path / "sub.csv"), "--solution", str(tmp_path / "sol.csv")]
    assert main(args + ["--usage", "Bogus"]) == 2
    err = capsys.readouterr().err
    assert "Bogus" in err and "Public" in err and "Private" in err
    assert main(args + ["--usage", "private", "--json"]) == 0


def test_kaggle_prediction_format_is_named_correctly(tmp_path):
    from training.evaluate import read_kaggle_predictions

    (tmp_path / "sub.csv").write_text("id,landmarks\na,1 0.9 2\n")
    with pytest.raises(DatasetError, match="'landmark score'"):
        read_kaggle_predictions(tmp_path / "sub.csv")


def test_split_fingerprints_tell_prepare_outputs_apart(tmp_path):
    from training.evaluate import manifest_mismatch

    make_class_folders(tmp_path / "src", ["a", "b"], 6, size=32)
    prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "s0", cache_size=16, workers=1, seed=0))
    prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "t0", cache_size=20, workers=1, seed=0))
    prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "s1", cache_size=16, workers=1, seed=1))
    s0, t0, s1 = (load_manifest(tmp_path / n) for n in ("s0", "t0", "s1"))
    assert s0.split_fingerprint() == t0.split_fingerprint() != s1.split_fingerprint()
    extra = {"training": {"manifest": {"fingerprint": s0.split_fingerprint(), "path": "s0"}}}
    assert manifest_mismatch(extra, t0) is None
    assert "another prepared split" in manifest_mismatch(extra, s1)
    assert manifest_mismatch({}, s1) is None  # bundles from before the fingerprint


# ------------------------------------------------------------------ 15: export paths


def test_export_to_a_folder_or_an_unwritable_path_is_refused_before_the_work(tmp_path, capsys):
    (tmp_path / "existing").mkdir()
    (tmp_path / "file.txt").write_text("x")
    for out in (tmp_path / "existing", tmp_path / "file.txt" / "m.ltbundle"):
        assert main(["export", str(tmp_path / "no-run"), "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and str(out) in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing", "file.txt"]
    assert list((tmp_path / "existing").iterdir()) == []


def test_a_failed_bundle_write_leaves_no_temporary_file(tiny_bundle, tmp_path, monkeypatch):
    import zipfile

    from model.bundle_writer import resave_bundle

    def broken_writestr(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", broken_writestr)
    with pytest.raises(OSError):
        resave_bundle(tiny_bundle, tmp_path / "copy.ltbundle")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ 11: download offline


def test_an_offline_rerun_keeps_a_complete_mirror_verified(tmp_path):
    from training.download import DownloadConfig, download_gldv2

    mini = make_mini_gldv2(tmp_path / "gl", classes=2, per_class=2, shards=2, size=16)
    md5_dir = mini.root / "md5sum" / "train"
    before = {p.name: p.read_text() for p in md5_dir.iterdir()}
    config = DownloadConfig(
        out_dir=mini.root, base_url="http://127.0.0.1:9", first_shard=0, last_shard=1,
        metadata=False, retries=0, retry_wait_s=0.0, timeout_s=5.0,
    )
    summary = download_gldv2(config)
    assert summary.ok, summary.failed
    assert {p.name: p.read_text() for p in md5_dir.iterdir()} == before
    statuses = {r.path.name: r.status for r in summary.files}
    assert statuses["images_000.tar"] == statuses["images_001.tar"] == "present"
    assert statuses["md5.images_000.txt"] == "kept"
    for shard in (mini.root / "train").iterdir():
        assert hashlib.md5(shard.read_bytes()).hexdigest() in before[f"md5.{shard.stem}.txt"]


# ------------------------------------------------------------------ nitpicks


def test_places_help_shows_a_single_percent_sign(capsys):
    with pytest.raises(SystemExit):
        main(["places", "--help"])
    out = capsys.readouterr().out
    assert "1%" in out and "%%" not in out  # one style with the app's "97%"


# ------------------------------------------------------------------ training runs (torch)


@pytest.mark.slow
@pytest.mark.usefixtures("one_torch_thread")
def test_accumulating_more_batches_than_an_epoch_has_still_steps(prepared, tmp_path):
    pytest.importorskip("torch")
    from training.checkpoint import load_checkpoint
    from training.train import train

    config = tiny_config(prepared, tmp_path / "run", accumulate=10, epochs=2)  # 12 images: 3 batches of 4
    state = load_checkpoint(train(config).last_checkpoint)
    assert state["step"] == 2 and [r["step"] for r in state["history"]] == [1, 2]


@pytest.fixture(scope="module")
def trained_run(prepared, tmp_path_factory):
    pytest.importorskip("torch")
    import torch

    from training.train import train

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        run = tmp_path_factory.mktemp("trained") / "run"
        train(tiny_config(prepared, run, epochs=2), stop_after_epochs=1)
    finally:
        torch.set_num_threads(threads)
    return run


@pytest.mark.slow
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("key, value", [("name", "adam"), ("freeze_backbone", True), ("frozen_blocks", 2)])
def test_resuming_with_another_optimizer_shape_is_a_clear_error(prepared, trained_run, key, value):
    from training.train import train

    config = tiny_config(prepared, trained_run, epochs=2)
    if key == "name":
        config.optim.name = value
    else:
        setattr(config.model, key, value)
    with pytest.raises(CheckpointError, match=f"{key}=.*resume with"):
        train(config, resume=True)


@pytest.mark.slow
@pytest.mark.usefixtures("one_torch_thread")
def test_a_bundle_remembers_its_split_and_evaluate_warns_about_another(prepared, trained_run, tmp_path, capsys):
    from training.checkpoint import load_checkpoint

    state = load_checkpoint(trained_run / "checkpoints" / "last.pt")
    assert state["manifest_fingerprint"] == load_manifest(prepared).split_fingerprint()
    bundle = tmp_path / "m.ltbundle"
    assert main(["export", str(trained_run), "--out", str(bundle)]) == 0
    capsys.readouterr()
    assert main(["evaluate", "--model", str(bundle), "--manifest", str(prepared), "--json"]) == 0
    assert "warning" not in capsys.readouterr().err
    make_class_folders(tmp_path / "src", ["a", "b", "c"], 5, size=40)
    prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "other", cache_size=36, workers=1, seed=7))
    assert main(["evaluate", "--model", str(bundle), "--manifest", str(tmp_path / "other"), "--json"]) == 0
    assert "warning: the bundle was trained on another prepared split" in capsys.readouterr().err


@pytest.mark.slow
def test_distributed_head_only_training_with_a_frozen_backbone(prepared, tmp_path):
    torch = pytest.importorskip("torch")
    from training.checkpoint import load_checkpoint
    from training.launch import train_on_local_processes

    config = tiny_config(prepared, tmp_path / "ddp", batch_size=2, epochs=1)
    config.model.freeze_backbone = True
    config.seed = 1
    train_on_local_processes(config, processes=2)  # crashed on its second step
    state = load_checkpoint(tmp_path / "ddp" / "checkpoints" / "last.pt")
    assert state["step"] == 3  # 12 training images, 2 per process and step
    from model.network import LandmarkNet
    from training.train import net_config_for

    torch.manual_seed(config.seed)
    initial = LandmarkNet(net_config_for(config, 3)).state_dict()
    key = "backbone.trunk._conv_stem.weight"
    assert torch.equal(state["state_dict"][key], initial[key])
    assert not torch.equal(state["state_dict"]["head.weight"], initial["head.weight"])


def test_several_gpus_use_gloo_where_torch_has_no_nccl(monkeypatch):
    """Windows builds of torch have no NCCL: a run on several GPUs there asked for it and
    stopped at its start. The process group takes Gloo then (and always on CPU)."""
    import torch.distributed as dist

    from training import distributed

    assert distributed.distributed_backend("cuda", nccl_available=True) == "nccl"
    assert distributed.distributed_backend("cuda", nccl_available=False) == "gloo"
    assert distributed.distributed_backend("cpu", nccl_available=True) == "gloo"
    asked = {}
    monkeypatch.setattr(dist, "is_nccl_available", lambda: False)
    monkeypatch.setattr(dist, "is_initialized", lambda: False)
    monkeypatch.setattr(dist, "init_process_group", lambda backend, **kwargs: asked.setdefault("backend", backend))
    monkeypatch.setattr(distributed, "resolve_device", lambda device, local_rank: __import__("torch").device("cuda", 0))
    monkeypatch.setattr("torch.cuda.set_device", lambda device: None)
    for name, value in (("WORLD_SIZE", "2"), ("RANK", "0"), ("LOCAL_RANK", "0"),
                        ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", "29500")):
        monkeypatch.setenv(name, value)
    context = distributed.init_distributed("cuda")
    assert asked == {"backend": "gloo"} and context.backend == "gloo"

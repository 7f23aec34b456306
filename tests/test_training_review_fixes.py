"""Defects a tester found in `landmark-train`, each checked on tiny generated data:
cached pictures reused for another source photo, an --out inside the source taken
for a class, a damaged cache file as a traceback, the learning-rate schedule and the
dataset on --resume, worker errors under --processes, a finished run trained again,
and Kaggle files with NaN scores or repeated ids. Second review: `export --places` with
a bad CSV replacing the bundle, an image id in two GLDv2 shards, `download` offline
(md5 lists one at a time, failures shown only at the end, negative --retries), and
GLDv2 metadata or `--config` files that are malformed as tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.cli import main
from training.config import DataConfig, ModelConfig, OptimConfig, ScheduleConfig, TrainConfig, with_overrides
from training.datasets import load_manifest
from training.errors import CheckpointError, ConfigError, DatasetError
from training.prepare import PrepareConfig, prepare_dataset
from training.synthetic import class_image, make_class_folders, make_mini_gldv2
from training.train import train


def head_only(manifest: Path, run_dir: Path, **optim) -> TrainConfig:
    return TrainConfig(
        run_dir=str(run_dir), progress=False, tensorboard=False, plots=False, device="cpu",
        data=DataConfig(manifest=str(manifest), input_size=32, workers=0),
        model=ModelConfig(embedding_size=16, freeze_backbone=True),
        optim=OptimConfig(**{"batch_size": 6, "epochs": 1, "lr": 0.1, **optim}),
        # lr × 0.1 at every whole epoch: 0.1 in epoch 1, 0.01 in epoch 2
        schedule=ScheduleConfig(name="step", step_epochs=1.0, gamma=0.1),
    )


def write_photos(folder: Path, look: int, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for v in range(count):
        (folder / f"{v}.jpg").write_bytes(class_image(look, v, 40))


@pytest.fixture(scope="module")
def datasets(tmp_path_factory) -> Path:
    """prep_a and prep_b: other landmarks; prep_a_seed1: prep_a's classes, another split."""
    root = tmp_path_factory.mktemp("review")
    make_class_folders(root / "a", ["red", "l'arc", "stripes"], 8, size=40)
    make_class_folders(root / "b", ["Petra", "Colosseum", "Taj Mahal"], 8, size=40)
    prepare_dataset(PrepareConfig(root / "a", root / "prep_a", cache_size=36, workers=1))
    prepare_dataset(PrepareConfig(root / "a", root / "prep_a_seed1", cache_size=36, workers=1, seed=1))
    prepare_dataset(PrepareConfig(root / "b", root / "prep_b", cache_size=36, workers=1))
    return root


# ------------------------------------------------------------------ 1: cache and source


def test_another_source_with_the_same_names_is_read_not_served_from_the_cache(tmp_path):
    for name, look in (("X", 0), ("Y", 1)):
        write_photos(tmp_path / "A" / name, look, 3)
        write_photos(tmp_path / "B" / name, look + 3, 3)
    out = tmp_path / "prepared"
    prepare_dataset(PrepareConfig(tmp_path / "A", out, cache_size=24, workers=1))
    summary = prepare_dataset(PrepareConfig(tmp_path / "B", out, cache_size=24, workers=1))
    assert (summary.resized, summary.reused) == (6, 0)
    manifest = load_manifest(out)
    for image in manifest.images:
        with Image.open(manifest.cache_path(image)) as cached, Image.open(image.source) as b:
            pixels = np.asarray(cached.convert("RGB"), dtype=float)
            wanted = np.asarray(b.convert("RGB").resize(cached.size), dtype=float)
        assert np.abs(pixels - wanted).mean() < 20, image.key


def test_a_photo_replaced_under_its_name_is_read_again_and_the_rest_reused(tmp_path):
    write_photos(tmp_path / "src" / "X", 0, 3)
    write_photos(tmp_path / "src" / "Y", 1, 3)
    config = PrepareConfig(tmp_path / "src", tmp_path / "prepared", cache_size=24, workers=1)
    prepare_dataset(config)
    (tmp_path / "src" / "X" / "0.jpg").write_bytes(class_image(4, 0, 48))
    summary = prepare_dataset(config)
    assert (summary.resized, summary.reused) == (1, 5)
    again = prepare_dataset(config)
    assert (again.resized, again.reused) == (0, 6)


def test_a_gldv2_cache_is_reused_when_its_shards_did_not_change(tmp_path):
    mini = make_mini_gldv2(tmp_path / "gldv2", classes=3, per_class=3, shards=2, size=32)
    config = PrepareConfig(mini.root, tmp_path / "prepared", cache_size=16, workers=1)
    first = prepare_dataset(config)
    again = prepare_dataset(config)
    assert again.resized == 0 and again.reused == first.resized > 0


# ------------------------------------------------------------------ 4: --out inside the source


@pytest.mark.parametrize("inside", ["prepared", "Petra/prepared"])
def test_an_out_folder_inside_the_source_is_no_class_nor_photos(tmp_path, inside):
    src = tmp_path / "photos"
    make_class_folders(src, ["Petra", "Colosseum"], 3, size=40)
    config = PrepareConfig(src, src / inside, cache_size=24, workers=1)
    prepare_dataset(config)
    again = prepare_dataset(config)
    assert [c.name for c in load_manifest(src / inside).classes] == ["Colosseum", "Petra"]
    assert again.train_images + again.val_images == 6 and again.reused == 6


# ------------------------------------------------------------------ 5: damaged cache files


@pytest.fixture()
def damaged(tmp_path) -> Path:
    make_class_folders(tmp_path / "src", ["a", "b"], 4, size=40)
    prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "prep", cache_size=36, workers=1))
    manifest = load_manifest(tmp_path / "prep")
    images = manifest.split("train")
    manifest.cache_path(images[0]).unlink()
    manifest.cache_path(images[1]).write_bytes(b"junk")
    return tmp_path


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("workers", [0, 1])
def test_a_damaged_cache_file_is_one_line_saying_to_prepare_again(damaged, capsys, workers):
    args = ["train", "--manifest", str(damaged / "prep"), "--run-dir", str(damaged / "run"),
            "--set", "data.input_size=32", "--set", f"data.workers={workers}", "--set", "progress=false",
            "--set", "tensorboard=false", "--set", "plots=false", "--set", "device=cpu",
            "--set", "model.freeze_backbone=true", "--set", "optim.batch_size=2",
            "--set", "optim.epochs=1"]  # the run after preparing again need only finish
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "landmark-train prepare" in err[0] and str(damaged / "prep" / "cache") in err[0]
    # prepare again makes both files again; the run that never finished an epoch is no run to protect
    summary = prepare_dataset(PrepareConfig(damaged / "src", damaged / "prep", cache_size=36, workers=1))
    assert summary.resized == 2
    assert main(args) == 0


@pytest.mark.parametrize("damage", [
    lambda data: b"\x00" * len(data),  # zero-filled after a power cut: same size
    lambda data: data[:-3] + bytes([data[-3] ^ 0x10]) + data[-2:],  # one flipped bit
], ids=["zero-filled", "bit-flip"])
def test_prepare_again_rebuilds_a_cache_file_damaged_without_changing_its_size(tmp_path, damage):
    make_class_folders(tmp_path / "src", ["a", "b"], 3, size=40)
    config = PrepareConfig(tmp_path / "src", tmp_path / "prep", cache_size=36, workers=1)
    prepare_dataset(config)
    manifest = load_manifest(tmp_path / "prep")
    path = manifest.cache_path(manifest.split("train")[0])
    good = path.read_bytes()
    path.write_bytes(damage(good))
    summary = prepare_dataset(config)  # what the training error tells the user to do
    assert (summary.resized, summary.reused) == (1, 5)
    assert path.read_bytes() == good


def test_a_cache_entry_recorded_without_a_digest_is_made_again_once(tmp_path):
    make_class_folders(tmp_path / "src", ["a", "b"], 3, size=40)
    config = PrepareConfig(tmp_path / "src", tmp_path / "prep", cache_size=36, workers=1)
    prepare_dataset(config)
    index = tmp_path / "prep" / "cache" / "sources.jsonl"
    lines = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines()]
    index.write_text("".join(json.dumps({k: v for k, v in e.items() if k != "crc32"}) + "\n" for e in lines),
                     encoding="utf-8")  # as written before the digest was recorded
    assert prepare_dataset(config).resized == 6
    assert prepare_dataset(config).reused == 6


# ------------------------------------------------------------------ 2, 3: --resume


@pytest.mark.usefixtures("one_torch_thread")
def test_the_lr_schedule_keeps_to_epochs_when_resumed_with_another_batch_size(datasets, tmp_path):
    # 18 training images: batch 6 -> 3 steps an epoch; batch 9 -> 2
    train(head_only(datasets / "prep_a", tmp_path / "run", epochs=2, batch_size=6), stop_after_epochs=1)
    result = train(head_only(datasets / "prep_a", tmp_path / "run", epochs=2, batch_size=9), resume=True)
    # epoch 2's last step is at progress 1.5 (not 2.0, as the old global step made it)
    assert [round(r.lr, 8) for r in result.history] == [0.1, 0.01]


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("other, match", [("prep_b", "other classes.*class 0 was"), ("prep_a_seed1", "another split")])
def test_resume_on_another_prepared_dataset_is_refused(datasets, tmp_path, other, match):
    train(head_only(datasets / "prep_a", tmp_path / "run", epochs=2), stop_after_epochs=1)
    with pytest.raises(CheckpointError, match=match) as refused:
        train(head_only(datasets / other, tmp_path / "run", epochs=2), resume=True)
    assert "--overwrite" in str(refused.value) and "\n" not in str(refused.value)


# ------------------------------------------------------------------ 6: --processes


@pytest.mark.slow
def test_an_error_in_worker_processes_is_one_line_and_exit_2(datasets, tmp_path, capsys):
    args = ["train", "--manifest", str(datasets / "prep_a"), "--run-dir", str(tmp_path / "run"),
            "--set", "data.input_size=32", "--set", "data.workers=0", "--set", "progress=false",
            "--set", "tensorboard=false", "--set", "plots=false", "--set", "device=cpu",
            "--set", "model.frozen_blocks=99", "--processes", "2"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "model.frozen_blocks=99" in err[0], err


# ------------------------------------------------------------------ 7: a finished run


@pytest.mark.usefixtures("one_torch_thread")
def test_a_finished_run_with_the_same_settings_says_so_and_trains_again_with_overwrite(datasets, tmp_path):
    config = head_only(datasets / "prep_a", tmp_path / "run")
    train(config)
    with pytest.raises(ConfigError, match="finished run with these same settings; add --overwrite"):
        train(config)
    assert train(config, overwrite=True).epochs_done == 1
    with pytest.raises(ConfigError, match="--resume to continue it"):  # other settings: the general refusal
        train(head_only(datasets / "prep_a", tmp_path / "run", lr=0.2))


# ------------------------------------------------------------------ 8: Kaggle files, backbone weights


@pytest.mark.parametrize("rows, match", [
    ("q1,A nan\nq2,A 0.8\n", "line 2.*'nan'.*not a finite number"),
    ("q1,A 0.5\nq2,A inf\n", "line 3.*not a finite number"),
    ("q1,A 0.5\nq2,B 0.7\nq1,C 0.9\n", "line 4: id 'q1' was already given on line 2"),
])
def test_kaggle_predictions_with_nan_scores_or_repeated_ids_are_refused(tmp_path, rows, match):
    from training.evaluate import read_kaggle_predictions

    (tmp_path / "pred.csv").write_text("id,landmarks\n" + rows)
    with pytest.raises(DatasetError, match=match):
        read_kaggle_predictions(tmp_path / "pred.csv")


def test_a_backbone_without_installed_weights_points_at_weights_path():
    config = with_overrides(TrainConfig(data=DataConfig(manifest="x")), {"model.backbone": "efficientnet-b0"})
    with pytest.raises(ConfigError, match="model.weights_path=.*model.pretrained=false") as refused:
        config.validate()
    assert "allow_download" not in str(refused.value)
    with_overrides(config, {"model.pretrained": False}).validate()
    with_overrides(config, {"model.weights_path": "b0.pth"}).validate()


# ------------------------------------------------------------------ second review: export --places


@pytest.fixture(scope="module")
def finished_run(datasets, tmp_path_factory) -> Path:
    """A one-epoch run on Petra, Colosseum and Taj Mahal, for `export`."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        run = tmp_path_factory.mktemp("export") / "run"
        train(head_only(datasets / "prep_b", run))
    finally:
        torch.set_num_threads(threads)
    return run


@pytest.mark.parametrize("existing", [True, False])
def test_export_with_a_misspelt_place_leaves_out_as_it_was(finished_run, tmp_path, capsys, existing):
    from model.bundle import load_bundle

    (tmp_path / "good.csv").write_text("name,lat,lon,radius_km\nPetra,30.3,35.4,5\n", encoding="utf-8")
    (tmp_path / "typo.csv").write_text("name,lat,lon,radius_km\nPetra,30.3,35.4,5\nPtera,1,1,1\n", encoding="utf-8")
    out = tmp_path / "m.ltbundle"
    if existing:
        assert main(["export", str(finished_run), "--out", str(out), "--places", str(tmp_path / "good.csv")]) == 0
    before = out.read_bytes() if existing else None

    assert main(["export", str(finished_run), "--out", str(out), "--places", str(tmp_path / "typo.csv")]) == 2
    assert "'Ptera'" in capsys.readouterr().err
    assert (out.read_bytes() if out.exists() else None) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["good.csv", "typo.csv"] + (["m.ltbundle"] if existing else []))
    if existing:
        assert sum(place is not None for place in load_bundle(out).places()) == 1


def test_a_bundle_that_cannot_reach_the_disk_leaves_the_old_one(tiny_bundle, tmp_path, monkeypatch):
    import model.bundle_writer as bundle_module

    out = tmp_path / "m.ltbundle"
    bundle_module.resave_bundle(tiny_bundle, out)
    before = out.read_bytes()

    def disk_full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bundle_module.os, "fsync", disk_full)  # the new bundle is synced before it takes the name
    with pytest.raises(OSError, match="No space"):
        bundle_module.resave_bundle(tiny_bundle, out, name="other")
    assert out.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["m.ltbundle"]


# ------------------------------------------------------------------ second review: GLDv2 prepare


def test_an_image_id_in_two_shards_is_prepared_once_from_the_first(tmp_path):
    import shutil

    mini = make_mini_gldv2(tmp_path / "gld", classes=3, per_class=10, shards=1, size=48)
    shutil.copy(mini.root / "train" / "images_000.tar", mini.root / "train" / "images_001.tar")
    summary = prepare_dataset(PrepareConfig(mini.root, tmp_path / "prep", cache_size=32, workers=2))
    manifest = load_manifest(tmp_path / "prep")
    keys = [image.key for image in manifest.images]
    assert len(keys) == len(set(keys)) == 30
    assert (summary.errors, summary.duplicates) == ({}, 30)
    assert [c.count for c in manifest.classes] == [10, 10, 10]
    assert (summary.train_images, summary.val_images) == (24, 6)
    assert all("images_000.tar" in image.source for image in manifest.images)


def gldv2_with(tmp_path: Path, name: str, text: str) -> Path:
    """A mini GLDv2 labelled by train.csv alone, with metadata file `name` replaced by `text`."""
    mini = make_mini_gldv2(tmp_path / "gld", classes=2, per_class=4, shards=1, size=40)
    (mini.root / "metadata" / "train_clean.csv").unlink()
    (mini.root / "metadata" / name).write_text(text, encoding="utf-8")
    return mini.root


def prepare_args(root: Path, tmp_path: Path) -> list[str]:
    """Labelled by train.csv alone: --all-labels (without it, the missing train_clean.csv is refused)."""
    return ["prepare", str(root), "--out", str(tmp_path / "prep"), "--size", "32", "--workers", "1", "--all-labels"]


@pytest.mark.parametrize("name, text, expected", [
    ("train_label_to_category.csv", "landmark_id,name\n1,x\n",
     "train_label_to_category.csv needs the columns landmark_id, category; it has landmark_id, name"),
    ("train.csv", "id,url\nabc,http://x\n", "train.csv needs the columns id, landmark_id; it has id, url"),
    ("train.csv", "", "train.csv needs the columns id, landmark_id; it is empty"),
])
def test_gldv2_metadata_without_a_column_names_the_file_and_column(tmp_path, capsys, name, text, expected):
    root = gldv2_with(tmp_path, name, text)
    assert main(prepare_args(root, tmp_path)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0] and "download" not in err[0], err


def test_a_train_csv_that_is_not_utf8_is_one_line(tmp_path, capsys):
    root = gldv2_with(tmp_path, "train.csv", "id,url,landmark_id\n")
    with open(root / "metadata" / "train.csv", "ab") as f:
        f.write(b"\xff\xfe,x,1\n")
    assert main(prepare_args(root, tmp_path)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "train.csv is not UTF-8 text" in err[0], err


def test_a_train_csv_with_spaces_after_the_commas_is_read(tmp_path):
    mini = make_mini_gldv2(tmp_path / "gld", classes=2, per_class=4, shards=1, size=40)
    (mini.root / "metadata" / "train_clean.csv").unlink()
    csv_path = mini.root / "metadata" / "train.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace(",", ", "), encoding="utf-8")
    prepare_dataset(PrepareConfig(mini.root, tmp_path / "prep", cache_size=32, workers=1, clean=False))
    manifest = load_manifest(tmp_path / "prep")
    assert len(manifest.images) == 8 and {c.landmark_id for c in manifest.classes} == {str(v) for v in mini.names}


# ------------------------------------------------------------------ second review: --config files


@pytest.mark.parametrize("make, expected", [
    (lambda path: path.mkdir(), "is a folder"),
    (lambda path: path.write_bytes(b"\xff\xfe\x00 not a config"), "is not a UTF-8 text file"),
])
def test_a_config_that_is_a_folder_or_not_text_is_one_line(tmp_path, capsys, make, expected):
    path = tmp_path / "run.toml"
    make(path)
    assert main(["train", "--config", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"config file {path} {expected}" in err[0], err


# ------------------------------------------------------------------ second review: download offline


def closed_port_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_md5_lists_are_fetched_by_the_workers_together(tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from training.download import DownloadConfig, download_gldv2

    # each md5-list request waits until all four have arrived: fetched one by one, the
    # first one waits in vain, the barrier breaks and every list fails
    together = threading.Barrier(4, timeout=5)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/md5sum/"):
                together.wait()
            self.send_error(404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = DownloadConfig(out_dir=tmp_path, base_url=f"http://127.0.0.1:{server.server_address[1]}",
                                last_shard=3, metadata=False, workers=4, retries=0, timeout_s=10)
        summary = download_gldv2(config)
    finally:
        server.shutdown()
        server.server_close()
    assert not together.broken
    assert sorted(summary.failed) == [f"images_00{i}.tar" for i in range(4)]
    assert all("answered 404" in problem for problem in summary.failed.values())


def test_an_unreachable_server_is_reported_file_by_file_and_given_up_early(tmp_path):
    from training.download import DownloadConfig, download_gldv2
    from training.errors import ServerUnreachableError

    reported: list[str] = []
    config = DownloadConfig(out_dir=tmp_path, base_url=closed_port_url(), last_shard=9, metadata=False,
                            workers=2, retries=1, retry_wait_s=0.5, timeout_s=5)
    with pytest.raises(ServerUnreachableError, match="cannot reach .*check the network") as stopped:
        download_gldv2(config, on_failure=lambda name, problem: reported.append(name))
    assert 3 <= len(reported) < 10  # each failure told as it happened; the rest not tried
    assert "were given up" in str(stopped.value)


def test_the_download_command_offline_stops_with_one_line_and_exit_2(tmp_path, capsys):
    args = ["download", "--out", str(tmp_path), "--shards", "0-9", "--retries", "1", "--base-url", closed_port_url()]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("landmark-train download: cannot reach")
    assert 4 <= sum(line.startswith("failed ") for line in err) < 13


@pytest.mark.parametrize("shards", [[], ["--shards", "0-1", "--no-metadata"]])
def test_a_small_download_from_an_unreachable_server_says_cannot_reach_and_exits_2(tmp_path, capsys, shards):
    """The default --shards 0-0 (4 files) and any range of fewer files than the early stop
    all failed before it was reached: '0 files ready, 4 failed' and exit 1, the code of
    'some files failed', where the README promises `cannot reach URL`, exit 2."""
    args = ["download", "--out", str(tmp_path), *shards, "--retries", "0", "--base-url", closed_port_url()]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("landmark-train download: cannot reach http://127.0.0.1:"), err[-1]
    assert "none of the" in err[-1] and "files could connect; check the network" in err[-1]


@pytest.mark.parametrize("args, message", [
    (["--retries", "-1"], "--retries: must be 0 or more, not -1"),
    (["--retries", "two"], "--retries: expected a whole number (0 or more), got 'two'"),
    (["--workers", "0"], "--workers: must be 1 or more, not 0"),
    (["--workers", "-2"], "--workers: must be 1 or more, not -2"),
])
def test_negative_retries_are_refused(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as refused:
        main(["download", "--out", str(tmp_path), "--no-metadata", *args])
    assert refused.value.code == 2 and message in capsys.readouterr().err


def test_shards_past_gldv2s_last_are_refused(tmp_path):
    from training.download import DownloadConfig
    from training.errors import DownloadError

    assert DownloadConfig(out_dir=tmp_path, first_shard=490, last_shard=499).shards() == range(490, 500)
    with pytest.raises(DownloadError, match=r"GLDv2's last shard; it has 500 \(--shards 0-499\)"):
        DownloadConfig(out_dir=tmp_path, last_shard=600).shards()


@pytest.mark.parametrize("content, said", [
    (b"id,landmarks\n\xff\xfe,1 0.5\n", "is not UTF-8 text"),
    (b"id, landmarks\nq1, 12 0.5\n", None),  # spaces after the commas: read
    (b"\xef\xbb\xbfid,landmarks\nq1,12 0.5\n", None),  # a byte-order mark: read
])
def test_the_kaggle_files_evaluate_reads_take_the_same_rules_as_the_gldv2_metadata(tmp_path, content, said):
    """evaluate's predictions and solution files gave a UnicodeDecodeError traceback for a
    file that is not UTF-8, and refused an edited one with spaces after the commas."""
    from training.evaluate import read_kaggle_predictions

    (tmp_path / "pred.csv").write_bytes(content)
    if said is None:
        assert read_kaggle_predictions(tmp_path / "pred.csv") == {"q1": ("12", 0.5)}
        return
    with pytest.raises(DatasetError, match=said):
        read_kaggle_predictions(tmp_path / "pred.csv")

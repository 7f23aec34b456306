"""Exporting one checkpoint again gives the same bundle id: the id hashes bundle.json,
whose `created` was the time of the export, so a re-export made the app tag the whole
library again. `created` is now when the checkpoint was saved; the id's rule is kept, so
the shipped default bundle (which indexes and taught places refer to) keeps its id."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

from model.bundle import default_bundle_path, load_bundle  # noqa: E402
from training.config import DataConfig, ModelConfig, OptimConfig, ScheduleConfig, TrainConfig  # noqa: E402
from training.prepare import PrepareConfig, prepare_dataset  # noqa: E402
from training.synthetic import make_class_folders  # noqa: E402

DEFAULT_BUNDLE_ID = "65802ee7f277"


class _Clock:
    """Stands in for model.bundle_writer's datetime: each now() an hour after the last, as two
    exports made an hour apart."""

    calls = 0

    @classmethod
    def now(cls, tz=None):
        cls.calls += 1
        return datetime(2027, 1, 1, tzinfo=timezone.utc) + timedelta(hours=cls.calls)


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    import torch

    from training.train import train

    root = tmp_path_factory.mktemp("reexport")
    make_class_folders(root / "src", ["a", "b", "c"], 4, size=40)
    prepare_dataset(PrepareConfig(root / "src", root / "prepared", cache_size=36, workers=1))
    config = TrainConfig(
        run_dir=str(root / "run"), progress=False, tensorboard=False, plots=False,
        data=DataConfig(manifest=str(root / "prepared"), input_size=32, workers=0),
        model=ModelConfig(embedding_size=16, drop_connect_rate=0.0, freeze_batchnorm="backbone"),
        optim=OptimConfig(batch_size=4, epochs=1, lr=0.05),
        schedule=ScheduleConfig(restart_epochs=1.0),
    )
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        train(config)
    finally:
        torch.set_num_threads(threads)
    return root / "run"


def manifest_of(bundle_path):
    with zipfile.ZipFile(bundle_path) as archive:
        return json.loads(archive.read("bundle.json"))


@pytest.mark.slow
def test_the_same_checkpoint_exported_twice_is_the_same_bundle(trained_run, tmp_path, monkeypatch):
    import model.bundle_writer
    from training.export import export_checkpoint

    monkeypatch.setattr(model.bundle_writer, "datetime", _Clock)
    first = export_checkpoint(trained_run, tmp_path / "m.ltbundle")
    best = trained_run / "checkpoints" / "best.pt"
    os.utime(best, (best.stat().st_atime, best.stat().st_mtime + 7200))  # copied, touched: still the same model
    second = export_checkpoint(trained_run, tmp_path / "m.ltbundle")
    assert second.id == first.id
    assert manifest_of(tmp_path / "m.ltbundle")["created"] == first.created
    # created is when training saved that epoch, not the export's time
    saved = datetime.fromisoformat(first.created)
    assert saved.year != 2027 and abs(saved - datetime.now(timezone.utc)) < timedelta(days=1)
    # last.pt holds the same epoch (one epoch run): the same model, the same id
    assert export_checkpoint(trained_run / "checkpoints" / "last.pt", tmp_path / "m.ltbundle").id == first.id


@pytest.mark.slow
def test_a_checkpoint_saved_before_it_recorded_its_time_keeps_its_id_when_copied(trained_run, tmp_path, monkeypatch):
    import shutil

    import model.bundle_writer
    from training.checkpoint import SAVED, load_checkpoint, save_checkpoint
    from training.export import export_checkpoint

    monkeypatch.setattr(model.bundle_writer, "datetime", _Clock)
    state = load_checkpoint(trained_run / "checkpoints" / "last.pt")
    del state[SAVED], state["format"]
    old = save_checkpoint(tmp_path / "old.pt", state)
    os.utime(old, (0, 1_700_000_000))
    first = export_checkpoint(old, tmp_path / "m.ltbundle")
    assert first.created == ""  # not known: neither the file's time nor the export's
    copied = tmp_path / "copied.pt"
    shutil.copyfile(old, copied)  # scp, a download: another modification time
    (tmp_path / "elsewhere").mkdir()
    assert export_checkpoint(copied, tmp_path / "elsewhere" / "m.ltbundle").id == first.id
    assert export_checkpoint(old, tmp_path / "m.ltbundle").id == first.id


def test_the_default_bundle_keeps_its_id():
    assert load_bundle(default_bundle_path(), check_onnx=False).id == DEFAULT_BUNDLE_ID

"""A model exported twice from the same weights and settings is the same bundle, byte for
byte, whatever the clock says (a seeded `make default-model` then keeps its id, and the
app does not tag the library again); any change of weights, classes, threshold,
temperature or preprocessing gives a new id, and the app tags everything again."""

from __future__ import annotations

import time as real_time
import types
import zipfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

LABELS = ["Colosseum", "Petra"]


def _net():
    import torch

    from model.network import LandmarkNet, NetConfig

    torch.manual_seed(0)
    return LandmarkNet(NetConfig(num_classes=len(LABELS), embedding_size=8, pretrained=False, input_size=32)).eval()


def _export(net, path: Path):
    from model.export import export_bundle
    from model.scoring import ScoringConfig

    return export_bundle(net, net.config.default_preprocessing(), LABELS, path, name="tiny",
                         scoring=ScoringConfig(scale=30.0, temperature=1.0), threshold=0.0)


class _Later:
    """model.bundle_writer's datetime, a day on."""

    @staticmethod
    def now(tz=None):
        return datetime(2031, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    return _export(_net(), tmp_path_factory.mktemp("first") / "tiny.ltbundle")


@pytest.fixture(scope="module")
def rebuilt(first, tmp_path_factory):
    """The same network exported again elsewhere, a day later by every clock."""
    import model.bundle_writer

    later = types.SimpleNamespace(time=lambda: real_time.time() + 86400, localtime=real_time.localtime)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(model.bundle_writer, "datetime", _Later)
        patch.setattr(zipfile, "time", later)  # what would date the zip's members
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        return _export(_net(), tmp_path_factory.mktemp("second") / "tiny.ltbundle")


@pytest.fixture(scope="module")
def one_weight_changed(tmp_path_factory):
    import torch

    net = _net()
    with torch.no_grad():
        net.head.weight[0, 0] += 0.01
    return _export(net, tmp_path_factory.mktemp("changed") / "tiny.ltbundle")


def test_the_same_weights_exported_again_are_the_same_bundle_byte_for_byte(first, rebuilt):
    assert rebuilt.id == first.id
    assert Path(rebuilt.path).read_bytes() == Path(first.path).read_bytes()


def test_source_date_epoch_is_the_recorded_time(first, tmp_path, monkeypatch):
    from model.bundle_writer import resave_bundle

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764979200")
    again = resave_bundle(first, tmp_path / "t.ltbundle", created=None)
    assert again.created == "2025-12-06T00:00:00+00:00" and again.id != first.id
    assert {info.date_time for info in zipfile.ZipFile(again.path).infolist()} == {(2025, 12, 6, 0, 0, 0)}


def test_a_changed_weight_gives_another_id(first, one_weight_changed):
    assert one_weight_changed.id != first.id


@pytest.mark.parametrize("change", ["classes", "threshold", "temperature", "preprocessing"])
def test_changed_settings_give_another_id(first, tmp_path, change):
    from model.bundle import labels_from_names
    from model.bundle_writer import resave_bundle

    changes = {
        "classes": {"labels": labels_from_names(["Colosseum", "Petra, Jordan"])},
        "threshold": {"threshold": 0.3},
        "temperature": {"scoring": replace(first.scoring, temperature=1.5)},
        "preprocessing": {"preprocessing": replace(first.preprocessing, interpolation="bicubic")},
    }[change]
    assert resave_bundle(first, tmp_path / "c.ltbundle", **changes).id != first.id


def test_the_app_tags_again_for_a_changed_model_only(first, rebuilt, one_weight_changed, tmp_path):
    from app.core.index import PhotoIndex
    from app.core.tagging import TagOptions, tag

    rng = np.random.default_rng(0)
    for i in range(2):
        pixels = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
        Image.fromarray(pixels, "RGB").resize((64, 48)).save(tmp_path / f"IMG_{i}.jpg", "JPEG")
    index = PhotoIndex.open(":memory:")
    try:
        def run(bundle):
            return tag(index, [tmp_path], TagOptions(model=Path(bundle.path), workers=0, batch_size=2, threads=1))

        assert run(first).tagged == 2
        again = run(rebuilt)
        assert again.tagged == 0 and again.up_to_date == 2
        assert run(one_weight_changed).tagged == 2
    finally:
        index.close()

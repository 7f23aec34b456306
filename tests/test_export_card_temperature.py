"""`export --temperature T` (T ≠ 1): the temperature changes how queries rank against
each other, so the card's μAP is scored again at the bundle's own temperature (what
`landmark-train evaluate` of the bundle gives), or says it is at temperature 1 when the
split it was validated on is gone. Tiny generated data, head-only network."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

from training.config import DataConfig, ModelConfig, OptimConfig, ScheduleConfig, TrainConfig  # noqa: E402
from training.prepare import PrepareConfig, prepare_dataset  # noqa: E402
from training.synthetic import make_class_folders  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    from training.train import train

    root = tmp_path_factory.mktemp("temperature")
    make_class_folders(root / "src", ["red", "green", "stripes", "dots"], 6, size=40)
    prepare_dataset(PrepareConfig(root / "src", root / "prep", cache_size=36, workers=1))
    train(TrainConfig(
        run_dir=str(root / "run"), data=DataConfig(manifest=str(root / "prep"), input_size=32, workers=0),
        model=ModelConfig(embedding_size=8, freeze_backbone=True),
        optim=OptimConfig(batch_size=6, epochs=1, lr=0.01), schedule=ScheduleConfig(name="constant"),
        progress=False, tensorboard=False, plots=False, device="cpu",
    ))
    return root


def _card_gap(bundle_path: Path) -> tuple[float, str]:
    from model.bundle import load_bundle

    card = load_bundle(bundle_path).card
    line = next(line for line in card.splitlines() if line.startswith("- Validation split"))
    return float(re.search(r"μAP ([0-9.]+)", line).group(1)), line


def test_the_card_figure_is_what_evaluate_of_a_bundle_at_another_temperature_gives(trained, tmp_path):
    from training.evaluate import evaluate_bundle
    from training.export import ExportOptions, export_checkpoint

    out = tmp_path / "t3.ltbundle"
    export_checkpoint(trained / "run", out, ExportOptions(temperature=3.0))
    gap, line = _card_gap(out)
    assert "at this bundle's temperature 3" in line
    measured = evaluate_bundle(out, manifest=trained / "prep", split="val").metrics.gap
    assert gap == pytest.approx(measured, abs=6e-5)


def test_without_its_split_the_card_says_its_figure_is_at_temperature_1(trained, tmp_path):
    from training.export import ExportOptions, export_checkpoint

    moved = tmp_path / "run"
    shutil.copytree(trained / "run", moved)
    manifest = trained / "prep" / "manifest.json"
    kept = manifest.read_bytes()
    manifest.unlink()
    try:
        export_checkpoint(moved, tmp_path / "t3.ltbundle", ExportOptions(temperature=3.0))
    finally:
        manifest.write_bytes(kept)
    _gap, line = _card_gap(tmp_path / "t3.ltbundle")
    assert "at temperature 1; this bundle uses temperature 3" in line

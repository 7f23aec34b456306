"""A run started before validation ranked by the calibrated score (its checkpoint
records cosine-ranked μAP) and resumed now: best.pt is scored again under the current
ranking before later epochs are compared with it, and metrics.csv says which ranking
each row uses. Checked on tiny generated data with a head-only network."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from tests.training_setup import head_only_config as head_only, prepare_tiny_classes  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    return prepare_tiny_classes(tmp_path_factory.mktemp("ranking"), ["red", "green", "stripes"])


def _as_an_earlier_version_saved_it(path: Path, cosine_gap: float) -> None:
    state = torch.load(path, weights_only=False)
    state.pop("metrics_ranking")
    for row in state["history"]:
        row.pop("val_ranking", None)
    state["history"][-1]["val_gap"] = cosine_gap
    state["best_gap"] = cosine_gap
    state["metrics"]["gap"] = cosine_gap
    torch.save(state, path)


def test_a_resumed_run_of_an_earlier_version_compares_best_pt_under_the_current_ranking(prepared, tmp_path, capsys):
    from training.train import train
    from training.validation import evaluate_checkpoint

    run = tmp_path / "run"
    train(head_only(prepared, run, 1))
    checkpoints = run / "checkpoints"
    calibrated_epoch_1 = evaluate_checkpoint(checkpoints / "best.pt").gap
    # a cosine figure no calibrated one reaches: compared as is, no later epoch would replace best.pt
    for name in ("best.pt", "last.pt"):
        _as_an_earlier_version_saved_it(checkpoints / name, 1.5)
    capsys.readouterr()

    train(head_only(prepared, run, 3), resume=True)

    assert "scored again by the calibrated score" in capsys.readouterr().err
    with open(run / "metrics.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["val_ranking"] for r in rows] == ["calibrated"] * 3
    gaps = [float(r["val_gap"]) for r in rows]
    assert gaps[0] == pytest.approx(calibrated_epoch_1, abs=1e-6)
    last = torch.load(checkpoints / "last.pt", weights_only=False)
    assert last["best_gap"] == pytest.approx(max(gaps), abs=1e-6)
    best_epoch = gaps.index(max(gaps)) + 1
    assert torch.load(checkpoints / "best.pt", weights_only=False)["epoch"] == best_epoch


def test_rows_of_an_earlier_version_are_marked_cosine_ranked(tmp_path):
    from training.checkpoint import best_recorded
    from training.ranking_upgrade import history_with_rankings

    state = {"history": [{"epoch": 1, "val_gap": 0.6}, {"epoch": 2, "val_gap": None}, {"epoch": 3, "val_gap": 0.5}]}
    rows = history_with_rankings(state, tmp_path / "best.pt")
    assert [r["val_ranking"] for r in rows] == ["cosine", None, "cosine"]
    assert best_recorded(rows) is None  # not compared with calibrated figures
    state["metrics_ranking"] = "calibrated"
    assert [r["val_ranking"] for r in history_with_rankings(state, tmp_path / "best.pt")] == [
        "calibrated", None, "calibrated"]

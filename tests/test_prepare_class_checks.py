"""What `prepare` refuses to make a class of: a filter leaving fewer than 2 classes (a
one-class network scores 1 on every photo), and a GLDv2 row without a landmark id."""

from __future__ import annotations

import pytest

from training.errors import DatasetError
from training.prepare import PrepareConfig, prepare_dataset
from training.synthetic import make_class_folders


@pytest.fixture
def one_big_class(tmp_path):
    """Petra with 12 photos, two other landmarks with 4: --min-images 11 keeps Petra alone."""
    make_class_folders(tmp_path / "src", ["Petra", "Colosseum", "Taj Mahal"], [12, 4, 4], size=16)
    return tmp_path / "src"


def test_a_filter_leaving_one_class_is_refused_before_any_cache_is_made(one_big_class, tmp_path, capsys):
    from training.cli import main

    out = tmp_path / "prep"
    assert main(["prepare", str(one_big_class), "--out", str(out), "--min-images", "11", "--workers", "1"]) == 2
    assert ("1 class left after --min-images 11 ('Petra'): a classifier needs at least 2; lower --min-images"
            in capsys.readouterr().err)
    assert not out.exists()  # no empty cache/ folder left behind


def test_a_source_of_one_class_is_refused(tmp_path):
    make_class_folders(tmp_path / "src", ["Petra"], 3, size=16)
    with pytest.raises(DatasetError, match="holds 1 class of readable images \\('Petra'\\): a classifier needs at least 2"):
        prepare_dataset(PrepareConfig(tmp_path / "src", tmp_path / "prep", cache_size=16, workers=1))


def test_train_refuses_a_manifest_of_one_class(one_big_class, tmp_path, monkeypatch):
    """A manifest prepared before `prepare` refused one class."""
    import training.prepare
    from training.train import train
    from tests.training_setup import head_only_config

    monkeypatch.setattr(training.prepare, "_refuse_too_few_classes", lambda *args: None)
    prepare_dataset(PrepareConfig(one_big_class, tmp_path / "prep", cache_size=16, min_images=11, workers=1))
    monkeypatch.undo()
    with pytest.raises(DatasetError, match="holds 1 class: a classifier needs at least 2"):
        train(head_only_config(tmp_path / "prep", tmp_path / "run", epochs=1))


def test_a_gldv2_row_without_a_landmark_id_is_skipped_and_counted(tmp_path, capsys):
    from training.cli import main
    from training.datasets import load_manifest
    from training.synthetic import make_mini_gldv2

    mini = make_mini_gldv2(tmp_path / "gld", classes=2, per_class=4, shards=1, size=32)
    labels = mini.root / "metadata" / "train.csv"
    lines = labels.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("landmark_id")] = ""
    lines[1] = ",".join(row)
    labels.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["prepare", str(mini.root), "--out", str(tmp_path / "prep"), "--size", "16", "--workers", "1"]
    assert main([*args, "--all-labels"]) == 0
    assert f"note: 1 row of {labels} without a landmark_id skipped (line 2)" in capsys.readouterr().err
    classes = load_manifest(tmp_path / "prep").classes
    assert "" not in {c.landmark_id for c in classes} and sum(c.count for c in classes) == 7

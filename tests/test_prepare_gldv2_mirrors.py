"""`prepare` on an incomplete GLDv2 mirror: without train_clean.csv (a failed metadata
download) it refuses rather than training on the noisy train.csv under "clean": true,
and without its metadata (`download --no-metadata`) it names the missing train.csv."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from training.cli import main
from training.synthetic import make_mini_gldv2


def prepare_args(root: Path, out: Path, *extra: str) -> list[str]:
    return ["prepare", str(root), "--out", str(out), "--size", "16", "--workers", "1", *extra]


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_a_mirror_without_train_clean_is_refused_unless_all_labels_are_asked_for(tmp_path, capsys):
    mini = make_mini_gldv2(tmp_path / "gld", classes=2, per_class=4, shards=1, size=32)
    (mini.root / "metadata" / "train_clean.csv").unlink()
    assert main(prepare_args(mini.root, tmp_path / "clean")) == 2
    line = one_line(capsys)
    assert f"{mini.root / 'metadata' / 'train_clean.csv'} is missing" in line and "--all-labels" in line, line
    assert not (tmp_path / "clean" / "manifest.json").exists()
    assert main(prepare_args(mini.root, tmp_path / "all", "--all-labels")) == 0
    settings = json.loads((tmp_path / "all" / "manifest.json").read_text(encoding="utf-8"))["settings"]
    assert settings["clean"] is False


def test_shards_without_metadata_name_the_missing_train_csv(tmp_path, capsys):
    mini = make_mini_gldv2(tmp_path / "gld", classes=2, per_class=4, shards=1, size=32)
    shutil.rmtree(mini.root / "metadata")  # as `download --no-metadata` leaves it
    assert main(prepare_args(mini.root, tmp_path / "p")) == 2
    line = one_line(capsys)
    assert f"{mini.root / 'metadata' / 'train.csv'} is missing" in line, line
    assert "without --no-metadata" in line and "class folders" not in line


"""`prepare` on an incomplete GLDv2 mirror: without train_clean.csv (a failed metadata
download) it refuses rather than training on the noisy train.csv under "clean": true,
and without its metadata (`download --no-metadata`) it names the missing train.csv; an empty or non-image
member of a shard is named and said in words, not as Pillow's in-memory buffer."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

from training.cli import main
from training.prepare import PrepareConfig, prepare_dataset
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


def test_an_empty_or_non_image_shard_member_is_named_and_said_in_words(tmp_path):
    mini = make_mini_gldv2(tmp_path / "gld", classes=2, per_class=4, shards=1, size=32)
    landmark = next(iter(mini.names))
    bad = {"00000000000000e0": b"", "00000000000000f0": b"not a jpeg at all"}
    shard = mini.root / "train" / "images_000.tar"
    with tarfile.open(shard, "a") as tar:
        for image_id, data in bad.items():
            info = tarfile.TarInfo(f"0/0/0/{image_id}.jpg")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with open(mini.root / "metadata" / "train.csv", "a", encoding="utf-8") as f:
        f.writelines(f"{image_id},http://example.invalid/{image_id}.jpg,{landmark}\n" for image_id in bad)
    summary = prepare_dataset(PrepareConfig(mini.root, tmp_path / "p", cache_size=16, workers=1, clean=False))
    source = f"{shard.resolve()}::0/0/0/"
    assert summary.errors == {
        source + "00000000000000e0.jpg": "empty file (0 bytes)",
        source + "00000000000000f0.jpg": "not an image (no format Pillow knows), or damaged beyond reading",
    }
    assert summary.classes == 2 and summary.train_images + summary.val_images == 8

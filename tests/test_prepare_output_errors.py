"""`prepare` cannot write its own output (a full disk, a read-only or blocked --out):
that stops the run in one line, exit 2, with no manifest written that leaves photos
out, rather than counting the photos as unreadable and dropping their classes."""

from __future__ import annotations

import errno
import pathlib
import re
from pathlib import Path

import pytest

from training.cli import main
from training.datasets import load_manifest
from training.errors import DatasetError, OutputWriteError, cannot_write
from training.prepare import PrepareConfig, prepare_dataset
from training.synthetic import make_class_folders, make_mini_gldv2

CLASSES = ["Colosseum", "Petra", "Taj Mahal"]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    make_class_folders(tmp_path / "src", CLASSES, 5, size=32)
    return tmp_path / "src"


def prepare_args(source: Path, out: Path, workers: int) -> list[str]:
    return ["prepare", str(source), "--out", str(out), "--size", "16", "--workers", str(workers)]


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def fill_disk_below(monkeypatch, place: Path) -> None:
    """Path.write_bytes and write_text at or under `place` write half their data, then
    fail as a full disk does."""
    for name in ("write_bytes", "write_text"):
        real = getattr(pathlib.Path, name)

        def write(self, data, *args, _real=real, **kwargs):
            if self.is_relative_to(place):
                _real(self, data[: len(data) // 2], *args, **kwargs)
                raise OSError(errno.ENOSPC, "No space left on device")
            return _real(self, data, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, name, write)


def test_a_full_disk_stops_prepare_instead_of_dropping_a_class(source, tmp_path, capsys, monkeypatch):
    out = tmp_path / "prep"
    fill_disk_below(monkeypatch, out / "cache" / "2")  # the third class's folder
    assert main(prepare_args(source, out, workers=1)) == 2
    line = one_line(capsys)
    assert f"cannot write {out / 'cache' / '2'}" in line and "no space left on device" in line, line
    assert "skipped" not in line and "min-images" not in line
    assert not (out / "manifest.json").exists() and not (out / "images.csv").exists()
    assert not list(out.rglob("*.tmp")), "a partial file would keep the disk full"
    monkeypatch.undo()  # space freed: the run goes on with every class, reusing what it cached
    summary = prepare_dataset(PrepareConfig(source, out, cache_size=16, workers=1))
    assert [c.landmark_id for c in load_manifest(out).classes] == CLASSES
    assert summary.errors == {} and summary.reused == 10 and summary.resized == 5


def test_a_blocked_cache_folder_stops_the_parallel_workers_and_keeps_what_they_wrote(tmp_path, capsys):
    mini = make_mini_gldv2(tmp_path / "gld", classes=3, per_class=6, shards=2, size=32)
    out = tmp_path / "prep"
    (out / "cache").mkdir(parents=True)
    (out / "cache" / "1").write_text("a file where the second class's folder goes")
    assert main(prepare_args(mini.root, out, workers=2)) == 2
    line = one_line(capsys)
    assert f"cannot write {out / 'cache' / '1'}" in line and "a file stands where a folder should be" in line, line
    assert not (out / "manifest.json").exists()
    cached = len(list((out / "cache").rglob("*.jpg")))
    (out / "cache" / "1").unlink()
    summary = prepare_dataset(PrepareConfig(mini.root, out, cache_size=16, workers=2))
    assert summary.errors == {} and summary.classes == 3
    assert (summary.reused, summary.resized) == (cached, 18 - cached)


def test_a_manifest_that_cannot_be_written_leaves_the_earlier_one_whole(source, tmp_path, monkeypatch):
    out = tmp_path / "prep"
    prepare_dataset(PrepareConfig(source, out, cache_size=16, workers=1))
    before = {name: (out / name).read_bytes() for name in ("manifest.json", "images.csv")}
    make_class_folders(source, ["Alhambra"], 5, size=32)
    fill_disk_below(monkeypatch, out / "manifest.json.tmp")
    with pytest.raises(OutputWriteError, match="manifest.json: no space left on device"):
        prepare_dataset(PrepareConfig(source, out, cache_size=16, workers=1))
    assert {name: (out / name).read_bytes() for name in before} == before
    assert not list(out.rglob("*.tmp"))


def test_out_that_is_a_file_is_one_line(source, tmp_path, capsys):
    (tmp_path / "outfile").write_text("x")
    assert main(prepare_args(source, tmp_path / "outfile", workers=1)) == 2
    assert "--out " + str(tmp_path / "outfile") + " is a file, not a folder" in one_line(capsys)
    assert main(prepare_args(source, tmp_path / "outfile" / "sub", workers=1)) == 2
    assert f"{tmp_path / 'outfile'} is a file, not a folder" in one_line(capsys)


@pytest.mark.parametrize("code, reason, advice", [
    (errno.ENOSPC, "no space left on device", "free some space there or give another --out"),
    (errno.EROFS, "read-only file system", "give --out a folder you can write to"),
    (errno.EACCES, "permission denied", "give --out a folder you can write to"),
])
def test_write_errors_say_the_reason_and_what_to_do(code, reason, advice):
    message = str(cannot_write(Path("out/cache/2/x.jpg"), OSError(code, reason.capitalize())))
    assert message.startswith(f"cannot write {Path('out/cache/2/x.jpg')}: {reason}; {advice}")


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler catches it."""


def kill_before_the_manifest_is_renamed(monkeypatch) -> None:
    import os

    real = os.replace

    def replace(src, dst):
        if Path(dst).name == "manifest.json":
            raise Killed
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


def test_a_kill_between_images_csv_and_manifest_json_is_refused_until_prepared_again(
    source, tmp_path, monkeypatch, capsys,
):
    out = tmp_path / "prep"
    prepare_dataset(PrepareConfig(source, out, cache_size=16, workers=1))
    old_manifest = (out / "manifest.json").read_bytes()
    make_class_folders(source, ["Alhambra"], 5, size=32)  # the new images.csv has a fourth class
    with monkeypatch.context() as patch:
        kill_before_the_manifest_is_renamed(patch)
        with pytest.raises(Killed):
            prepare_dataset(PrepareConfig(source, out, cache_size=16, workers=1))
    assert (out / "manifest.json").read_bytes() == old_manifest  # the old manifest, the new images.csv

    said = "is not the one manifest.json records (prepare was interrupted while saving them"
    with pytest.raises(DatasetError, match=re.escape(said)):
        load_manifest(out)
    assert main(["train", "--manifest", str(out), "--run-dir", str(tmp_path / "run")]) == 2
    line = one_line(capsys)
    assert said in line and line.endswith("run `landmark-train prepare` again (it reuses its cache)"), line
    assert not (tmp_path / "run").exists()

    summary = prepare_dataset(PrepareConfig(source, out, cache_size=16, workers=1))
    assert (summary.resized, summary.reused, summary.classes) == (0, 20, 4)  # all cached by the killed run
    assert len(load_manifest(out).classes) == 4


def test_a_manifest_written_before_images_csv_was_checked_loads_unless_its_classes_differ(source, tmp_path):
    import json

    out = tmp_path / "prep"
    prepare_dataset(PrepareConfig(source, out, cache_size=16, workers=1))
    meta = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"images_bytes", "images_crc32"} <= meta.keys()
    checked = load_manifest(out)
    for key in ("images_bytes", "images_crc32"):
        del meta[key]
    (out / "manifest.json").write_text(json.dumps(meta), encoding="utf-8")
    assert load_manifest(out).images == checked.images
    # with no size and CRC to go by, a class the manifest does not list still tells the pair apart
    with open(out / "images.csv", "a", encoding="utf-8", newline="") as f:
        f.write("Alhambra/0.jpg,/src/Alhambra/0.jpg,cache/3/a.jpg,3,Alhambra,Alhambra,train\r\n")
    with pytest.raises(DatasetError, match="prepare was interrupted while saving them"):
        load_manifest(out)

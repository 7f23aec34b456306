"""`accept` and `reject` of a damaged photo file (truncated, 0 bytes, not a JPEG) name
the problem the scan met in it, as `label` does, instead of sending the user to `tag`
it, which fails again; a file restored since, or never scanned, is still sent to `tag`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli.main import main
from tests.test_index_support import jpeg_bytes, write_jpeg


@pytest.fixture
def damaged_library(tmp_path: Path, monkeypatch) -> Path:
    """A scanned folder with one good photo and three damaged files; the current folder."""
    folder = tmp_path / "Rome"
    write_jpeg(folder / "good.jpg")
    (folder / "truncated.jpg").write_bytes(jpeg_bytes()[:400])
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "notes.jpg").write_text("not a picture\n")
    assert main(["--db", str(tmp_path / "index.db"), "scan", str(folder)]) == 1
    monkeypatch.chdir(folder)
    return tmp_path / "index.db"


@pytest.mark.parametrize("verb", ["accept", "reject", "label"])
def test_a_damaged_file_is_named_with_its_problem(damaged_library: Path, verb: str, capsys) -> None:
    capsys.readouterr()
    name = ["Colosseum"] if verb == "label" else []
    assert main(["--db", str(damaged_library), verb, "truncated.jpg", "empty.jpg", "notes.jpg", *name]) == 1
    lines = capsys.readouterr().err.splitlines()
    said = {line.split(": ")[1]: line.split(": ", 2)[2] for line in lines if line.count(": ") >= 2}
    assert said["empty.jpg"].startswith("empty file (0 bytes)")
    assert "JPEG" in said["truncated.jpg"] and "JPEG" in said["notes.jpg"]
    assert not any("not in the library yet" in line or " tag " in line for line in lines), lines


def test_a_file_restored_since_or_never_scanned_is_sent_to_tag(damaged_library: Path, capsys) -> None:
    folder = Path.cwd()
    shutil.copy2(folder / "good.jpg", folder / "truncated.jpg")  # restored from a backup
    write_jpeg(folder / "new.jpg", color=(9, 9, 9))  # copied in since the scan
    capsys.readouterr()
    assert main(["--db", str(damaged_library), "accept", "truncated.jpg", "new.jpg"]) == 1
    err = capsys.readouterr().err
    for name in ("truncated.jpg", "new.jpg"):
        assert f"accept: {name}: not in the library yet; `landmark-tagger --db {damaged_library} tag {name}`" in err

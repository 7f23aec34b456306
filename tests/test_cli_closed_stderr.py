"""A stderr that is closed (`2>&-`, a cron line or a service that closes it): Python sets
sys.stderr to None. `write`, `undo` and `tag` died silently on `sys.stderr.isatty()`
with nothing done, and the other commands' messages fell back to stdout, into the
`--json` stream. Now descriptor 2 is the null device from the start: the job runs and
stdout holds only what it promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.scanner import scan
from model.console import stderr_is_a_terminal
from tests.test_index_support import write_jpeg

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.name == "nt", reason="closing stderr (`2>&-`) needs a POSIX shell")


def _run_without_stderr(*argv: str) -> subprocess.CompletedProcess:
    command = ["sh", "-c", '"$@" 2>&-', "sh", sys.executable, "-m", "app.cli.main", *argv]
    return subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, cwd=REPO, timeout=120, text=True)


@pytest.fixture
def labelled_library(tmp_path: Path) -> tuple[str, Path]:
    """An index with two photos labelled Petra, ready for `write`."""
    for i in range(2):
        write_jpeg(tmp_path / "lib" / f"IMG_{i}.jpg", color=(i, 40, 90))
    db = str(tmp_path / "index.db")
    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path / "lib"])
        for photo in index.search(""):
            index.set_label(photo.id, "Petra")
    return db, tmp_path / "lib"


def test_write_does_its_work_with_stderr_closed(labelled_library) -> None:
    db, lib = labelled_library
    before = {path: path.read_bytes() for path in lib.iterdir()}
    written = _run_without_stderr("--db", db, "write")
    assert written.returncode == 0, written.stdout
    assert written.stdout == ""  # its summary went to the closed stderr, not here
    assert all(path.read_bytes() != data for path, data in before.items())  # both photos got their label


def test_json_on_stdout_stays_json_with_python_s_stderr_gone(labelled_library, capfd, monkeypatch) -> None:
    from app.cli.main import main

    db, lib = labelled_library
    monkeypatch.setattr(sys, "stderr", None)  # as Python starts under `2>&-`
    assert main(["--db", db, "scan", "--json", str(lib), str(lib / "nothere")]) == 1  # a folder not found
    assert main(["--db", db, "search", "--json", "xyzzy"]) == 0
    out, err = capfd.readouterr()
    assert out.strip(), "scan printed no JSON"
    for line in out.splitlines():  # no "error: …nothere" nor "scanned: …" nor "0 photos" in the JSON stream
        json.loads(line)
    assert "nothere" in err and "0 photos" in err


def test_no_progress_is_drawn_on_a_stderr_that_is_gone(monkeypatch) -> None:
    monkeypatch.setattr(sys, "stderr", None)
    assert stderr_is_a_terminal() is False

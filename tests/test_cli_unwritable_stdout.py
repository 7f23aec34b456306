"""A stdout that cannot be written (`write --json > log` on a full disk, `>&-`): both
command lines used to end in a traceback and exit 1, "some files failed", after
`write` had changed the files and before it said which batch `undo` reverts. Now the
command does its work, prints its summary, one line names the lost output, exit 74."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from tests.test_index_support import write_jpeg

REPO = Path(__file__).resolve().parents[1]
LOST = "cannot write the output to stdout"
needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
needs_posix_shell = pytest.mark.skipif(os.name == "nt", reason="closing stdout (`>&-`) needs a POSIX shell")


def _run(module: str, *argv: str, stdout, closed: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", module, *argv]
    if closed:  # the shell's `>&-`: the command starts with no file descriptor 1
        command = ["sh", "-c", '"$@" >&-', "sh", *command]
    return subprocess.run(command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE, cwd=REPO,
                          timeout=120, text=True)


def _ways_to_lose_stdout() -> list:
    return [pytest.param("full", marks=needs_dev_full), pytest.param("closed", marks=needs_posix_shell)]


def _run_losing_stdout(how: str, module: str, *argv: str) -> subprocess.CompletedProcess:
    if how == "closed":
        return _run(module, *argv, stdout=None, closed=True)
    with open("/dev/full", "w") as full:
        return _run(module, *argv, stdout=full)


@pytest.fixture
def labelled_library(tmp_path: Path) -> str:
    """An index with two photos labelled Petra, ready for `write`."""
    for i in range(2):
        write_jpeg(tmp_path / "lib" / f"IMG_{i}.jpg", color=(i, 40, 90))
    db = str(tmp_path / "index.db")
    scanned = _run("app.cli.main", "--db", db, "scan", str(tmp_path / "lib"), stdout=subprocess.PIPE)
    assert scanned.returncode == 0, scanned.stderr
    with PhotoIndex.open(db) as index:
        for photo in index.search(""):
            index.set_label(photo.id, "Petra")
    return db


@pytest.mark.parametrize("how", _ways_to_lose_stdout())
def test_a_write_whose_output_is_lost_says_so_and_keeps_its_batch_line(labelled_library, how) -> None:
    done = _run_losing_stdout(how, "app.cli.main", "--db", labelled_library, "write", "--json")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 74, done.stderr
    lines = done.stderr.splitlines()
    assert any(line.startswith("write: 2 files written") and "undo` reverts it" in line for line in lines), lines
    assert lines[-1].startswith(f"landmark-tagger: error: {LOST}: "), lines
    undone = _run("app.cli.main", "--db", labelled_library, "undo", "--json", stdout=subprocess.PIPE)
    assert json.loads(undone.stdout)["restored"] == 2  # the write did change both files


@pytest.mark.parametrize("how", _ways_to_lose_stdout())
@pytest.mark.parametrize("module, argv", [
    ("app.cli.main", ["--version"]),
    ("app.cli.main", ["search", "--json"]),
    ("app.cli.main", ["stats", "--json"]),
    ("training.cli", ["--version"]),
    ("training.cli", ["--help"]),
])
def test_every_command_line_says_so_in_one_line(labelled_library, how, module, argv) -> None:
    if module == "app.cli.main" and argv[0] != "--version":
        argv = ["--db", labelled_library, *argv]
    done = _run_losing_stdout(how, module, *argv)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 74, done.stderr
    program = "landmark-train" if module == "training.cli" else "landmark-tagger"
    reason = "it is closed" if how == "closed" else os.strerror(28)
    assert done.stderr.splitlines()[-1] == (f"{program}: error: {LOST}: {reason}; the output is incomplete, "
                                            "what the command did is done and kept")


@needs_posix_shell
def test_a_command_that_prints_nothing_on_a_closed_stdout_ends_as_it_did(labelled_library) -> None:
    """`scan` prints its summary on stderr only: nothing is lost, nothing is said."""
    done = _run("app.cli.main", "--db", labelled_library, "scan", stdout=None, closed=True)
    assert done.returncode == 0, done.stderr
    assert LOST not in done.stderr

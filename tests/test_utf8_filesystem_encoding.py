"""In the POSIX locale with Python's UTF-8 mode and locale coercion turned off
(PYTHONUTF8=0 PYTHONCOERCECLOCALE=0 LC_ALL=C) Python read file names as ASCII: a rescan
of a library scanned in UTF-8 reported every photo under "Côte d'Azur" missing, a typed
path found nothing and a UTF-8 label was refused. The command now starts itself again in
UTF-8 mode (model.utf8_mode), with the words typed as their bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from model import utf8_mode
from tests.test_cli_first_hour import labelled, photo

REPO = Path(__file__).resolve().parents[1]

posix_only = pytest.mark.skipif(os.name != "posix", reason="Windows reads file names as UTF-16 (PEP 529)")


def _in_the_ascii_locale(*words: str, **more_env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "LC_ALL": "C", "PYTHONPATH": str(REPO),
           **more_env}
    env.pop("PYTHONIOENCODING", None)
    return subprocess.run([sys.executable, "-m", "app", *words], stdin=subprocess.DEVNULL, capture_output=True,
                          env=env, timeout=120)


@posix_only
def test_a_library_scanned_in_utf8_is_the_same_library_in_the_ascii_locale(tmp_path, capsys):
    folder = tmp_path / "Côte d'Azur" / "Nîmes été"
    photo(folder / "Crème brûlée.jpg")
    photo(folder / "DSC_0001.JPG", 1)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "Côte d'Azur")]) == 0

    rescan = _in_the_ascii_locale("--db", db, "scan")
    said = rescan.stderr.decode("utf-8", "replace")
    assert rescan.returncode == 0, said
    assert "2 photos, 0 new, 0 changed, 0 moved, 0 missing, 0 errors" in said, said

    # a typed path finds its photo, and a UTF-8 label is taken as it is
    label = _in_the_ascii_locale("--db", db, "label", str(folder / "Crème brûlée.jpg"), "--new", "Château d'If")
    said = label.stderr.decode("utf-8", "replace")
    assert label.returncode == 0, said
    assert "1 of 1 matching photo changed" in said, said
    assert labelled(db, capsys, "Château d'If") == ["Crème brûlée.jpg"]


@posix_only
def test_a_run_that_cannot_start_in_utf8_mode_stops_before_the_index(tmp_path):
    photo(tmp_path / "Côte d'Azur" / "a.jpg")
    db = tmp_path / "index.db"
    # (the marker says this run was already started again: it must not try once more)
    done = _in_the_ascii_locale("--db", str(db), "scan", str(tmp_path / "Côte d'Azur"),
                                **{utf8_mode.RESTARTED_MARKER: "1"})
    said = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, said
    assert "set LANG=C.UTF-8 (or PYTHONUTF8=1)" in said and "Traceback" not in said, said
    assert not db.exists()


def test_the_command_started_again_is_the_one_typed_in_its_bytes(monkeypatch):
    """A console script (its path as the first word) and the words as typed: "Côte" in a
    UTF-8 terminal arrives surrogate-escaped in the ASCII locale."""
    monkeypatch.setattr(sys, "executable", "/venv/bin/python")
    monkeypatch.setattr(sys, "orig_argv", ["/venv/bin/python", "-W", "error", "/venv/bin/landmark-tagger", "search",
                                           "C\udcc3\udcb4te d'Azur"])
    assert utf8_mode.utf8_mode_command() == [b"/venv/bin/python", b"-X", b"utf8", b"-W", b"error",
                                             b"/venv/bin/landmark-tagger", b"search", "Côte d'Azur".encode("utf-8")]

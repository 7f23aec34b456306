"""The POSIX locale with Python's UTF-8 mode and locale coercion turned off by hand
(PYTHONUTF8=0 PYTHONCOERCECLOCALE=0 LC_ALL=C) gives a terminal stdout in ASCII with
surrogateescape, which raised UnicodeEncodeError on the first real non-ASCII character
of a path: `search` crashed. Its lines now name the files in the bytes they have on disk."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from tests.test_cli_first_hour import photo

REPO = Path(__file__).resolve().parents[1]


class _AsciiTerminal(io.TextIOWrapper):
    """sys.stdout as Python opens a terminal in the POSIX locale without UTF-8 mode."""

    def __init__(self, raw: io.BytesIO) -> None:
        super().__init__(raw, encoding="ascii", errors="surrogateescape")

    def isatty(self) -> bool:
        return True


def _library(tmp_path: Path) -> tuple[str, Path]:
    folder = tmp_path / "Photos"
    photo(folder / "Château d'If.jpg")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(folder)]) == 0
    return db, folder


def test_search_on_an_ascii_terminal_writes_the_paths_as_their_bytes(tmp_path, monkeypatch):
    db, folder = _library(tmp_path)
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", _AsciiTerminal(raw))
    assert main(["--db", db, "search"]) == 0
    sys.stdout.flush()
    assert str(folder / "Château d'If.jpg").encode("utf-8") in raw.getvalue()


@pytest.mark.skipif(os.name == "nt", reason="a pseudo-terminal (pty) is for Unix")
def test_search_in_the_posix_locale_on_a_real_terminal(tmp_path):
    import pty

    db, folder = _library(tmp_path)
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "LC_ALL": "C", "PYTHONPATH": str(REPO)}
    env.pop("PYTHONIOENCODING", None)
    try:
        done = subprocess.run([sys.executable, "-m", "app.cli.main", "--db", db, "search", "Chateau"],
                              stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.PIPE, env=env, timeout=120)
        os.close(follower)
        said = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end closed: all read
                break
            if not chunk:
                break
            said += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in done.stderr
    assert str(folder / "Château d'If.jpg").encode("utf-8") in said

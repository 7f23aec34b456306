"""A photo file whose name is not UTF-8 (an old Latin-1 tool's `café`, bytes \\xff) given
to `label`, `accept`, `reject` or `teach` ended in a UnicodeEncodeError traceback: the
review journal stored the command line's text as plain TEXT, which SQLite refuses with
surrogate escapes in it (hostile-5). It is stored as the index stores paths. And a command
we suggest for such a name quoted it as 'bad\\udcff.jpg', naming no file when pasted: it is
now $'bad\\xff.jpg', the bytes a POSIX shell gives back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from app.core import wording
from app.core.index import PhotoIndex, review_journal
from tests.test_cli_core import run_cli

pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"),
                                reason="names must be UTF-8 (Windows, macOS): no such file there")

BAD = os.fsdecode(b"bad\xff\xfe.jpg")


def test_a_command_naming_a_non_utf8_file_is_journalled_exactly(tmp_path) -> None:
    command = f"label {BAD} Petra"  # as a caller may build it, escapes and all
    with PhotoIndex.open(tmp_path / "index.db") as index:
        command_id = review_journal.open_command(index.conn, "label", command)
        assert index.conn.execute("SELECT command FROM review_commands WHERE id = ?",
                                  (command_id,)).fetchone()[0] == command


def test_a_non_utf8_name_is_quoted_as_the_bytes_a_shell_gives_back(monkeypatch) -> None:
    monkeypatch.setattr(wording, "ON_WINDOWS", False)
    names = [b"bad\xff\xfe.jpg", b"it's caf\xe9 \\x.jpg", "Café\t".encode() + b"\xff.jpg"]
    quoted = [wording.shell_quote(os.fsdecode(name)) for name in names]
    assert quoted[0] == "$'bad\\xff\\xfe.jpg'"
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash to paste the words into")
    script = "; ".join(f"printf '%s\\0' {word}" for word in quoted)
    assert subprocess.run([bash, "-c", script], capture_output=True, check=True).stdout.split(b"\0")[:-1] == names


def test_label_accept_reject_and_teach_take_a_non_utf8_file(tmp_path, capsys, monkeypatch, tiny_bundle) -> None:
    monkeypatch.setattr(wording, "ON_WINDOWS", False)
    try:
        pixels = np.random.default_rng(5).integers(0, 255, size=(40, 56, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(os.path.join(str(tmp_path), BAD), format="JPEG")
    except OSError:
        pytest.skip("this filesystem refuses non-UTF-8 names")
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(tmp_path))[0] == 0
    monkeypatch.chdir(tmp_path)
    teach = ["teach", "--model", str(tiny_bundle.path), "Cabin", BAD]
    for argv in (["label", BAD, "Petra"], ["accept", BAD], ["reject", BAD], teach):
        code, out, err = run_cli(capsys, "--db", db, *argv)
        assert code == 0 and "Traceback" not in err, (argv, err)
    code, out, err = run_cli(capsys, "--db", db, "undo", "--review")
    assert code == 0 and "`teach Cabin $'bad\\xff\\xfe.jpg'`" in out + err, out + err
    code, out, err = run_cli(capsys, "--db", db, "scan", BAD)
    assert code != 0 and "tag $'bad\\xff\\xfe.jpg'`" in err, err

"""A folder whose name is not UTF-8 (an old Windows-1252 name on Linux), given as the
query the way a shell completes it (`search café/`) or typed as `folder:"…"`, stopped
the command with a traceback ("surrogates not allowed"): the folder term bound its
path to SQLite as a plain string (found by a reviewer). It is bound as the name's bytes."""

from __future__ import annotations

import os
import sys

import pytest
from PIL import Image

from tests.test_cli_core import run_cli

pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"),
                                reason="names must be UTF-8 (Windows, macOS): no such folder there")


def test_a_non_utf8_folder_is_found_as_a_query(tmp_path, capsys, monkeypatch) -> None:
    folder = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9")
    os.makedirs(folder)
    Image.new("RGB", (64, 48), (10, 90, 160)).save(os.path.join(folder, "DSC_0001.JPG"))
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(tmp_path))[0] == 0
    monkeypatch.chdir(tmp_path)
    for query in (os.path.basename(folder) + "/", f'folder:"{folder}"', f"-folder:{folder}"):
        code, out, err = run_cli(capsys, "--db", db, "search", query)
        assert code == 0 and "Traceback" not in err, (query, err)
        assert ("DSC_0001.JPG" in out) != query.startswith("-"), (query, out)

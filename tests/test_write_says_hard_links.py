"""A write replaces a file under the name written, so its other names (hard links) keep
the file as it was: `write --dry-run` and `write` say so in one note a batch."""

from __future__ import annotations

import os

import pytest

from app.cli.main import main
from tests.test_metadata_support import make_jpeg


@pytest.mark.skipif(not hasattr(os, "link"), reason="no hard links here")
def test_dry_run_and_write_name_the_files_with_other_names(tmp_path, capsys) -> None:
    library, backup = tmp_path / "lib", tmp_path / "backup"
    library.mkdir(), backup.mkdir()
    linked, alone = make_jpeg(library / "a.jpg"), make_jpeg(library / "b.jpg", seed=1)
    os.link(linked, backup / "a.jpg")
    if os.stat(linked).st_nlink != 2:
        pytest.skip("this file system does not count links")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(library)]) == 0
    assert main(["--db", db, "label", "", "Petra"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "write", "--dry-run"]) == 0
    said = capsys.readouterr().err
    assert f"note: {linked} has other names (hard links): those names will keep the file as it was" in said
    assert str(alone) not in said.split("note:")[-1]
    assert main(["--db", db, "write"]) == 0
    said = capsys.readouterr().err
    assert said.count("(hard links)") == 1 and f"note: {linked} has other names" in said
    assert b"Petra" not in (backup / "a.jpg").read_bytes()  # as the note says

"""A suggestion `write --include-suggested` put into a file, the file renamed after: the
scan reads the moved file anew and finds our keyword there. It is ours, not a word of the
user's: the photo keeps its suggestion (no "label read from the files"), and after `undo`
of the write is:unwritten and `write --dry-run` agree (t_life4-3)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata.jpeg_fields import read_fields
from tests.test_index_support import write_jpeg


# a name not valid UTF-8 (Latin-1 from an old card) is bound to SQLite by its bytes
@pytest.mark.parametrize("new_name", ["Rg_IMG_0001.jpg", os.fsdecode(b"Rg_G\xe8ve_0001.jpg")])
def test_a_written_suggestion_renamed_after_the_write_stays_a_suggestion(tmp_path: Path, capsys,
                                                                          new_name: str) -> None:
    lib = tmp_path / "lib"
    photo = write_jpeg(lib / "IMG_0001.jpg", color=(40, 60, 10))
    write_jpeg(lib / "IMG_0002.jpg", color=(120, 60, 10))
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(lib)]) == 0
    with PhotoIndex.open(db) as index:
        ids = {Path(p.path).name: p.id for p in index.search("")}
        index.set_labels(list(ids.values()), "Colosseum", source="model", state="suggested")
    assert main(["--db", db, "write", "--include-suggested"]) == 0
    moved = photo.rename(lib / new_name)
    assert "Colosseum" in (read_fields(moved.read_bytes()).subject or [])

    capsys.readouterr()
    assert main(["--db", db, "scan"]) == 0
    said = capsys.readouterr()
    assert "1 moved" in said.out + said.err and "read from the files" not in said.out + said.err
    with PhotoIndex.open(db) as index:
        label = index.conn.execute("SELECT label, state, source FROM labels WHERE photo_id = ?",
                                   (ids["IMG_0001.jpg"],)).fetchone()
    assert tuple(label) == ("Colosseum", "suggested", "model")

    assert main(["--db", db, "undo"]) == 0
    assert "Colosseum" not in (read_fields(moved.read_bytes()).subject or [])
    capsys.readouterr()
    main(["--db", db, "search", "--json", "is:unwritten"])
    unwritten = {json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()}
    assert main(["--db", db, "write", "--dry-run", "--json"]) == 0
    changing = {item["id"] for item in map(json.loads, capsys.readouterr().out.splitlines()) if item["changes"]}
    assert unwritten == changing == set()

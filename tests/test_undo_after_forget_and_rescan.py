"""`write`, then `forget` of the folder and `scan` of it again (the labels read back from
the keywords our write put in), then `undo` of that write: the keywords leave the files,
the labels stay, and is:unwritten lists the photos as `write --dry-run` does (t_life4-2)."""

from __future__ import annotations

import json
from pathlib import Path

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata.jpeg_fields import read_fields
from tests.test_index_support import write_jpeg


def _unwritten_and_changing(capsys, db: str) -> tuple[set[str], set[str]]:
    capsys.readouterr()
    main(["--db", db, "search", "--json", "is:unwritten"])
    unwritten = {Path(json.loads(line)["path"]).name for line in capsys.readouterr().out.splitlines()}
    assert main(["--db", db, "write", "--dry-run", "--json"]) == 0
    changing = {Path(item["path"]).name for item in map(json.loads, capsys.readouterr().out.splitlines())
                if item["changes"]}
    return unwritten, changing


def test_undo_of_a_write_made_before_forget_and_rescan_leaves_the_photos_unwritten(tmp_path: Path, capsys) -> None:
    lib = tmp_path / "lib"
    photo = write_jpeg(lib / "IMG_0001.jpg", color=(40, 60, 10))
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(lib)]) == 0
    with PhotoIndex.open(db) as index:
        index.set_labels([p.id for p in index.search("")], "Colosseum", source="user", state="accepted")
    assert main(["--db", db, "write"]) == 0
    assert main(["--db", db, "forget", str(lib), "--yes"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "scan", str(lib)]) == 0
    said = capsys.readouterr()
    assert "1 label read from the files" in said.out + said.err
    assert _unwritten_and_changing(capsys, db) == (set(), set())

    assert main(["--db", db, "undo"]) == 0
    assert "Colosseum" not in (read_fields(photo.read_bytes()).subject or [])
    assert _unwritten_and_changing(capsys, db) == ({"IMG_0001.jpg"}, {"IMG_0001.jpg"})

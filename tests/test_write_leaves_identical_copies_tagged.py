"""Writing keywords into one photo made every other photo with byte-identical contents (a
copy kept in another folder or under another name) count as changed: the index's record
of the tagging (tagged.file_fingerprint) was updated for each photo whose file had the
written file's old fingerprint, so the next `tag` decoded and classified the copy again
for nothing (found by an upgrade tester). Only the photo written is updated now, by a
write and by its undo."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.cli.main import main
from app.core.index import PhotoIndex
from tests.test_cli_tag import photo


def _tagged_as_its_file(db: str) -> dict[str, bool]:
    """{file name: whether its photo's tagging names the file's fingerprint now}."""
    with PhotoIndex.open(db) as index:
        rows = index.conn.execute(
            "SELECT f.path, t.file_fingerprint = f.fingerprint FROM files f "
            "JOIN tagged t ON t.photo_id = f.photo_id").fetchall()
    return {Path(path).name: bool(same) for path, same in rows}


def test_writing_into_a_photo_leaves_its_identical_copy_up_to_date(tmp_path, tiny_bundle, capsys):
    folder = tmp_path / "Trip"
    folder.mkdir()
    shutil.copyfile(photo(folder / "original.jpg", 7), folder / "copy.jpg")  # the same bytes
    db = str(tmp_path / "index.db")
    tag = ["--db", db, "tag", str(folder), "--model", str(tiny_bundle.path), "--workers", "0"]
    assert main(tag) == 0
    assert main(["--db", db, "label", str(folder / "original.jpg"), "Alcatraz", "--new"]) == 0
    capsys.readouterr()

    assert main(["--db", db, "write"]) == 0
    assert _tagged_as_its_file(db) == {"original.jpg": True, "copy.jpg": True}
    assert main(tag) == 0
    assert "2 already up to date" in capsys.readouterr().err

    assert main(["--db", db, "undo"]) == 0
    assert _tagged_as_its_file(db) == {"original.jpg": True, "copy.jpg": True}
    assert main(tag) == 0
    assert "2 already up to date" in capsys.readouterr().err

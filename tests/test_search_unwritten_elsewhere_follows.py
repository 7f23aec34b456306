"""The note of a file another program changed after our write (app.core.unwritten_elsewhere)
stays true to `write --dry-run` when the file moves (renamed, `relocate`), when the scan
that reads the label back is the photo's first (a new index), and after an upgrade from
an index that had no notes (migration 50): is:unwritten lists what the dry run changes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.relocate import relocate_folder
from tests.test_search_unwritten import _both_forms, _dry_run_changes
from tests.test_search_unwritten_elsewhere import _written_library


def _rescanned(tmp_path: Path) -> tuple[str, int]:
    """The written library with IPTC Keywords added to one file, rescanned: noted."""
    db, ids, _ = _written_library(tmp_path)
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    assert _both_forms(db, "is:unwritten") == ({ids["changed"]}, {ids["changed"]})
    return db, ids["changed"]


def test_the_note_follows_a_renamed_file(tmp_path, capsys) -> None:
    db, photo_id = _rescanned(tmp_path)
    lib = tmp_path / "lib"
    os.rename(lib / "changed.jpg", lib / "Rome_0001.jpg")
    assert main(["--db", db, "scan", str(lib)]) == 0
    assert _dry_run_changes(capsys, db) == {photo_id}
    assert _both_forms(db, "is:unwritten") == ({photo_id}, {photo_id})  # was (set(), set())


def test_the_note_follows_a_relocated_folder(tmp_path, capsys) -> None:
    db, photo_id = _rescanned(tmp_path)
    os.rename(tmp_path / "lib", tmp_path / "lib2")
    with PhotoIndex.open(db) as index:
        relocate_folder(index, tmp_path / "lib", tmp_path / "lib2")
    assert _dry_run_changes(capsys, db) == {photo_id}
    assert _both_forms(db, "is:unwritten") == ({photo_id}, {photo_id})


def test_a_new_index_that_reads_the_label_back_notes_the_file(tmp_path, capsys) -> None:
    _written_library(tmp_path)
    db = str(tmp_path / "new.db")
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    expected = _dry_run_changes(capsys, db)
    assert len(expected) == 1
    assert _both_forms(db, "is:unwritten") == (expected, expected)


def test_an_index_upgraded_from_before_the_notes_lists_the_file_after_its_next_scan(tmp_path, capsys) -> None:
    """The old version's scan had seen the change but kept no note (the table empty at
    migration 48): the upgrade marks the written photos, and the next scan plans them once."""
    from app.core.index import schema
    from app.core.index.migrations_latest import migration_50

    db, photo_id = _rescanned(tmp_path)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM unwritten_elsewhere")
        conn.execute(f"PRAGMA user_version = {schema.MIGRATIONS.index(migration_50)}")
    conn.close()
    assert _both_forms(db, "is:unwritten") == (set(), set())  # upgraded: known once scanned
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    assert _dry_run_changes(capsys, db) == {photo_id}
    assert _both_forms(db, "is:unwritten") == ({photo_id}, {photo_id})
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("SELECT COUNT(*) FROM photos_to_reread").fetchone()[0] == 0  # planned once

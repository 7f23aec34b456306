"""The note of a file another program changed after our write (app.core.unwritten_elsewhere)
stays true to `write --dry-run` when the file moves (renamed, `relocate`), when the scan
that reads the label back is the photo's first (a new index), after an upgrade from an
index that had no notes (migration 50), and for a stem sidecar another program made beside
a written RAW: is:unwritten lists what the dry run changes."""

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


STEM_SIDECAR = """<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:subject><rdf:Bag><rdf:li>Trip 2019</rdf:li></rdf:Bag></dc:subject>
 </rdf:Description></rdf:RDF></x:xmpmeta>
"""


def test_a_stem_sidecar_another_program_made_beside_a_written_raw_is_listed(tmp_path, capsys, shared_data) -> None:
    """digiKam makes DSC_0001.xmp beside the DSC_0001.NEF whose DSC_0001.NEF.xmp we wrote:
    `write` writes into it too; the scan that finds it reads the photo and notes it."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "DSC_0001.NEF").write_bytes((shared_data / "camera" / "raw" / "Nikon_uncompressed.nef").read_bytes())
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(lib)]) == 0
    with PhotoIndex.open(db) as index:
        photo_id = index.search("")[0].id
        index.set_label(photo_id, "Colosseum", source="user", state="accepted")
    assert main(["--db", db, "write"]) == 0
    (lib / "DSC_0001.xmp").write_text(STEM_SIDECAR)
    assert main(["--db", db, "scan", str(lib)]) == 0
    assert _dry_run_changes(capsys, db) == {photo_id}
    assert _both_forms(db, "is:unwritten") == ({photo_id}, {photo_id})  # was (set(), set())
    import app.core.metadata.plan as plan

    def no_plan(*args, **kwargs):
        raise AssertionError("the sidecar known now, a rescan planned a write")

    plan.plan_writes, kept = no_plan, plan.plan_writes
    try:
        assert main(["--db", db, "scan", str(lib)]) == 0
    finally:
        plan.plan_writes = kept
    assert main(["--db", db, "write"]) == 0
    assert _both_forms(db, "is:unwritten") == (set(), set())
    assert _dry_run_changes(capsys, db) == set()

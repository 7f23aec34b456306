"""`is:unwritten` of a file another program changed after our write: a JPEG given an IPTC
block with Keywords holds our label in XMP but not there, and `write` adds it to IPTC
Keywords too; the scan that read the file notes it (app.core.unwritten_elsewhere), so
is:unwritten lists what `write --dry-run` would change (t_life3-1)."""

from __future__ import annotations

from pathlib import Path

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata import iptc
from app.core.metadata.jpeg_fields import read_fields, restore_segments
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_search_unwritten import _both_forms, _dry_run_changes, _json_ids


def _iptc_keyword_added_elsewhere(path: Path) -> None:
    """The JPEG given an IPTC block holding the keyword "Trip 2019", as exiftool's
    `-IPTC:Keywords+=` leaves one that had none."""
    block = iptc.build_datasets([iptc.DataSet(2, 0, b"\x00\x04"), iptc.DataSet(2, 25, b"Trip 2019")])
    payload = iptc.build_resources([iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", block)])
    path.write_bytes(restore_segments(path.read_bytes(), {"photoshop": payload}))


def _written_library(tmp_path: Path) -> tuple[str, dict[str, int], Path]:
    """Two JPEGs labelled Colosseum and written; then another program adds IPTC Keywords
    to one, and a scan reads it."""
    lib = tmp_path / "lib"
    changed = write_jpeg(lib / "changed.jpg", color=(200, 60, 10))
    write_jpeg(lib / "kept.jpg", color=(20, 160, 10))
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(lib)]) == 0
    with PhotoIndex.open(db) as index:
        ids = {Path(photo.path).stem: photo.id for photo in index.search("")}
        index.set_labels(list(ids.values()), "Colosseum", source="user", state="accepted")
    assert main(["--db", db, "write"]) == 0
    _iptc_keyword_added_elsewhere(changed)
    return db, ids, changed


def test_is_unwritten_lists_a_file_given_iptc_keywords_elsewhere_as_write_dry_run_does(tmp_path, capsys) -> None:
    db, ids, changed = _written_library(tmp_path)
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    expected = {ids["changed"]}
    assert _dry_run_changes(capsys, db) == expected
    assert _json_ids(capsys, "--db", db, "search", "--json", "is:unwritten") == expected  # was set()
    assert _both_forms(db, "is:unwritten") == (expected, expected)

    assert main(["--db", db, "write", "is:unwritten"]) == 0  # fills it in: none left
    assert read_fields(changed.read_bytes()).iptc == ["Trip 2019", "Colosseum"]
    assert _dry_run_changes(capsys, db) == set()
    assert _both_forms(db, "is:unwritten") == (set(), set())

    assert main(["--db", db, "undo"]) == 0  # the file back without it in IPTC: unwritten again
    assert _dry_run_changes(capsys, db) == expected
    assert _both_forms(db, "is:unwritten") == (expected, expected)

    with PhotoIndex.open(db) as index:  # relabelled: the index's own rule speaks for it
        index.set_label(ids["changed"], "Petra", source="user", state="accepted")
    assert _dry_run_changes(capsys, db) == expected
    assert _both_forms(db, "is:unwritten") == (expected, expected)



def test_a_rescan_after_the_other_program_filled_the_label_in_drops_the_note(tmp_path, capsys) -> None:
    """The user adds Colosseum to IPTC Keywords in that program: `write` has nothing left
    to do there, so the next scan's plan drops the file from is:unwritten."""
    db, ids, changed = _written_library(tmp_path)
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    assert _both_forms(db, "is:unwritten") == ({ids["changed"]}, {ids["changed"]})
    block = iptc.build_datasets([iptc.DataSet(2, 0, b"\x00\x04"), iptc.DataSet(2, 25, b"Trip 2019"),
                                 iptc.DataSet(2, 25, b"Colosseum")])
    payload = iptc.build_resources([iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", block)])
    changed.write_bytes(restore_segments(changed.read_bytes(), {"photoshop": payload}))
    assert read_fields(changed.read_bytes()).iptc == ["Trip 2019", "Colosseum"]

    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0

    assert _dry_run_changes(capsys, db) == set()
    assert _both_forms(db, "is:unwritten") == (set(), set())


def test_a_changed_file_that_write_refuses_is_not_noted(tmp_path, capsys) -> None:
    """Made read-only as well: `write --dry-run` says it cannot write it, so is:unwritten,
    which lists what a write would change, leaves it out."""
    db, _ids, changed = _written_library(tmp_path)
    changed.chmod(0o444)
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    capsys.readouterr()
    main(["--db", db, "write", "--dry-run"])  # (exits 1: a file cannot be written)
    assert f"{changed}: cannot write: the file is read-only" in capsys.readouterr().out
    assert _both_forms(db, "is:unwritten") == (set(), set())


def test_the_kept_list_follows_the_scan_that_notes_the_file(tmp_path) -> None:
    """One connection's kept list (unwritten_list) built before the scan sees the note."""
    db, ids, _ = _written_library(tmp_path)
    with PhotoIndex.open(db) as index:
        assert index.photo_ids("is:unwritten") == []  # the list built: the file not read yet
        scan(index, [tmp_path / "lib"])
        assert index.photo_ids("is:unwritten") == [ids["changed"]]


def test_a_rescan_of_unchanged_files_plans_nothing(tmp_path, monkeypatch) -> None:
    """Only a scan that read changed files plans their photos' writes."""
    db, ids, _ = _written_library(tmp_path)
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    import app.core.metadata.plan as plan

    def no_plan(*args, **kwargs):
        raise AssertionError("a rescan of unchanged files planned a write")

    monkeypatch.setattr(plan, "plan_writes", no_plan)
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    with PhotoIndex.open(db) as index:
        assert index.photo_ids("is:unwritten") == [ids["changed"]]


def test_an_index_at_the_schema_before_the_table_upgrades_and_lists_the_file(tmp_path) -> None:
    """An index written, and its file changed elsewhere, at the schema before
    unwritten_elsewhere: the next scan upgrades it, reads the file and notes it."""
    from app.core.index import schema
    from app.core.index.migrations_latest import migration_48

    import sqlite3

    before = schema.MIGRATIONS.index(migration_48)  # the version before it ran
    db, ids, _ = _written_library(tmp_path)
    conn = sqlite3.connect(db)  # (the scans of this code need the table: the index taken back to then)
    with conn:
        conn.execute("DROP TABLE unwritten_elsewhere")
        conn.execute(f"PRAGMA user_version = {before}")
    conn.close()
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        assert index.photo_ids("is:unwritten") == [ids["changed"]]


def test_the_help_no_longer_says_is_unwritten_misses_such_a_file() -> None:
    """The caveat written while is:unwritten left such a file out goes (5fc6028)."""
    from app.cli.commands.search import QUERY_HELP
    from app.gui.search_bar import LANGUAGE
    from tests.docs_text import user_docs_text

    assert "not by is:unwritten" not in QUERY_HELP and "another program changed since" not in LANGUAGE
    docs = user_docs_text()
    assert "passes it over where a plain `write` fills it in" not in docs
    assert "is listed once a scan has read it" in docs

"""is:unwritten against `write --dry-run` where a clause of its rule decides (t_mutants2-2):
a write killed before it reached the file, a sidecar named in capitals, a keyword of ours
rejected before another label was, a photo moved onto a path another photo's write holds.
Each must name what the write would change."""

from __future__ import annotations

from pathlib import Path

from app.cli.main import main
from app.core.index import PhotoIndex, running_writes
from app.core.metadata import journal
from app.core.scanner import scan
from tests.test_lightroom_sidecar_note import raw_pair
from tests.test_metadata_fields import LIGHTROOM_SIDECAR
from tests.test_metadata_support import add_photo
from tests.test_search_unwritten import _both_forms, _dry_run_changes, _library


def test_a_write_killed_before_it_reached_the_file_leaves_the_photo_unwritten(tmp_path, capsys) -> None:
    db, ids = _library(tmp_path)
    with PhotoIndex.open(db) as index:  # journalled, then killed before the file was written: no size_after
        batch = journal.start_batch(index)
        journal.begin_entry(index, batch, ids["accepted"], tmp_path / "lib" / "accepted.jpg", "jpeg", {},
                            {"label": "Colosseum", "state": "accepted"})
        running_writes.release_batch(index.conn, batch)
        index.conn.execute("UPDATE write_batches SET pid = NULL WHERE id = ?", (batch,))  # its process gone
    expected = {ids[name] for name in ("relabelled", "accepted", "rejected")}
    assert _dry_run_changes(capsys, db) == expected
    assert _both_forms(db, "is:unwritten") == (expected, expected)


def test_a_sidecar_named_in_capitals_counts_as_written(tmp_path, capsys) -> None:
    """DSC_0001.XMP, as Lightroom on Windows names it, copied over: our write goes into it."""
    sidecar = tmp_path / "lib" / "DSC_0001.XMP"
    db = str(tmp_path / "index.db")
    with PhotoIndex.open(db) as index:
        photo = add_photo(index, raw_pair(tmp_path / "lib", "DSC_0001"), "Petra")
    sidecar.write_text(LIGHTROOM_SIDECAR, encoding="utf-8")
    assert main(["--db", db, "write"]) == 0
    assert "Petra" in sidecar.read_text(encoding="utf-8")
    assert _dry_run_changes(capsys, db) == set()
    assert _both_forms(db, "is:unwritten") == (set(), set())
    with PhotoIndex.open(db) as index:
        index.set_state([photo], "rejected")
    assert _dry_run_changes(capsys, db) == {photo}
    assert _both_forms(db, "is:unwritten") == ({photo}, {photo})


def test_a_written_keyword_rejected_before_another_label_was_rejected_is_unwritten(tmp_path, capsys) -> None:
    """Petra written and rejected, then the photo labelled Trevi and that rejected too: the
    file still holds Petra, rejected though no longer the label, which `write` takes out."""
    db, ids = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        index.set_label(ids["rejected"], "Trevi Fountain", source="user", state="accepted")
        index.set_state([ids["rejected"]], "rejected")
    expected = {ids[name] for name in ("relabelled", "accepted", "rejected")}
    assert _dry_run_changes(capsys, db) == expected
    assert _both_forms(db, "is:unwritten") == (expected, expected)


def test_a_photo_moved_onto_a_written_files_path_is_not_judged_by_that_write(tmp_path, capsys) -> None:
    """untagged.jpg renamed over written.jpg (Petra, written for that photo): our newest write
    of the path is another photo's, so the unlabelled photo there has no label taken back."""
    db, ids = _library(tmp_path)
    lib = tmp_path / "lib"
    with PhotoIndex.open(db) as index:
        before = set(index.photo_ids("is:unwritten"))  # the list built and kept
        (lib / "untagged.jpg").replace(lib / "written.jpg")
        scan(index, [lib])
        assert index.get(ids["untagged"]).files == [str(lib / "written.jpg")]
        after = set(index.photo_ids("is:unwritten"))
    assert after == before == _dry_run_changes(capsys, db)
    assert _both_forms(db, "is:unwritten") == (after, after)

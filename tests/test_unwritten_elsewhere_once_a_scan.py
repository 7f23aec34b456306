"""A scan plans the writes of the photos it found changed once, at its end, not once a
folder's batch (each plan reads the whole write journal: a rescan after edits in many small
folders grew with changed photos x library, t_scale2-1); a scan killed before its plan
leaves the photos marked (photos_to_plan), and the next scan plans them though it finds no
file changed (app.core.unwritten_elsewhere)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.core import unwritten_elsewhere
from app.core.index import PhotoIndex
from app.core.metadata import plan
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_search_unwritten import _both_forms, _dry_run_changes
from tests.test_search_unwritten_elsewhere import _iptc_keyword_added_elsewhere


def _written_in_folders(tmp_path: Path, folders: int) -> tuple[str, set[int]]:
    """One JPEG a folder, labelled Colosseum and written; then another program adds IPTC
    Keywords to each."""
    lib = tmp_path / "lib"
    files = [write_jpeg(lib / f"f{n}" / "photo.jpg", color=(40 * n, 60, 10)) for n in range(folders)]
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(lib)]) == 0
    with PhotoIndex.open(db) as index:
        ids = {photo.id for photo in index.search("")}
        index.set_labels(list(ids), "Colosseum", source="user", state="accepted")
    assert main(["--db", db, "write"]) == 0
    for path in files:
        _iptc_keyword_added_elsewhere(path)
    return db, ids


def test_a_rescan_plans_the_changed_photos_of_many_folders_once(tmp_path, capsys, monkeypatch) -> None:
    db, ids = _written_in_folders(tmp_path, 3)
    plans = []
    real = plan.plan_writes
    monkeypatch.setattr(plan, "plan_writes", lambda index, query, *a, **k: plans.append(query) or real(
        index, query, *a, **k))
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    assert len(plans) == 1  # was 3: one a folder's batch
    monkeypatch.undo()
    assert _dry_run_changes(capsys, db) == ids
    assert _both_forms(db, "is:unwritten") == (ids, ids)


def test_a_scan_killed_before_its_plan_leaves_the_photos_to_the_next(tmp_path, capsys, monkeypatch) -> None:
    db, ids = _written_in_folders(tmp_path, 2)

    def killed(index) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(unwritten_elsewhere, "plan_marked", killed)
    with PhotoIndex.open(db) as index, pytest.raises(KeyboardInterrupt):
        scan(index, [tmp_path / "lib"])
    monkeypatch.undo()
    assert _both_forms(db, "is:unwritten") == (set(), set())  # the files read, not planned yet
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0  # finds no file changed: plans the marks
    assert _dry_run_changes(capsys, db) == ids
    assert _both_forms(db, "is:unwritten") == (ids, ids)
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("SELECT COUNT(*) FROM photos_to_plan").fetchone()[0] == 0

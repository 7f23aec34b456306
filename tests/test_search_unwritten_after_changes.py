"""is:unwritten of an open index after each kind of change made through it: unwritten_list
judges again only the photos the change touched (its temp triggers), and the next query
must still name the photos `write --dry-run` would change."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata.plan import plan_writes
from app.core.metadata.undo import undo_last_write
from app.core.metadata.writer import write_labels
from app.core.scanner import scan
from tests.test_index_support import write_tiff_raw
from tests.test_search_unwritten import _dry_run_changes, _library


def _label(index, ids, lib):
    index.set_label(ids["untagged"], "Petra", source="user", state="accepted")


def _state(index, ids, lib):
    index.set_state([ids["written"]], "rejected")


def _write(index, ids, lib):
    write_labels(index, plan_writes(index, f"id:{ids['accepted']}"))


def _undo(index, ids, lib):
    undo_last_write(index)


def _file_gone(index, ids, lib):
    (lib / "relabelled.jpg").unlink()
    scan(index, [lib])


def _rescan(index, ids, lib):
    write_tiff_raw(lib / "written.nef")  # joins its written JPEG, no sidecar with the label yet
    scan(index, [lib])


@pytest.mark.parametrize("change", [_label, _state, _write, _undo, _file_gone, _rescan])
def test_the_next_query_after_a_change_names_what_write_would_change(tmp_path, capsys, change) -> None:
    db, ids = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        before = set(index.photo_ids("is:unwritten"))  # the list built and kept
        change(index, ids, tmp_path / "lib")
        after = set(index.photo_ids("is:unwritten"))
    assert after != before
    assert after == _dry_run_changes(capsys, db)


def test_a_small_change_judges_only_its_photos_again(tmp_path) -> None:
    """A one-photo change is not paid with the whole list built again."""
    db, ids = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        index.photo_ids("is:unwritten")
        index.set_label(ids["untagged"], "Petra", source="user", state="accepted")
        statements: list[str] = []
        index.conn.set_trace_callback(statements.append)
        assert ids["untagged"] in index.photo_ids("is:unwritten")
        index.conn.set_trace_callback(None)
    fills = [s for s in statements if s.startswith("INSERT INTO temp.unwritten_photos")]
    assert len(fills) == 1 and "unwritten_changed" in fills[0]

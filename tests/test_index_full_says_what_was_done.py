"""A `scan`, `tag` or `undo` stopped by the index's disk filling up said only "cannot use
the index … free some space": not what it had done (stored photos, tagged photos, files
already put back by undo) nor that running it again carries on (hostile-2). Each now says
both, in one line. The full disk is simulated: SQLite's error raised where a block of the
command's work is stored."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from PIL import Image

from app.core import scan_folder_sync, tag_run
from app.core.metadata import journal
from tests.test_cli_core import run_cli
from tests.test_index_support import write_jpeg
from tests.test_write_safety_support import _library

DISK_FULL = "database or disk is full"


def _full_after(monkeypatch, owner, name: str, calls: int) -> None:
    """`owner.name` works `calls` times, then fails as SQLite does on a full disk."""
    real, seen = getattr(owner, name), []

    def then_full(*args, **kwargs):
        seen.append(1)
        if len(seen) > calls:
            raise sqlite3.OperationalError(DISK_FULL)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, then_full)


def test_a_scan_says_how_many_photos_it_stored_and_to_scan_again(tmp_path, capsys, monkeypatch) -> None:
    for folder, count in (("a", 2), ("b", 1)):  # one block stored per folder
        for i in range(count):
            write_jpeg(tmp_path / "lib" / folder / f"DSC_000{i}.JPG", color=(60 * i, 20, 20))
    db = str(tmp_path / "index.db")
    _full_after(monkeypatch, scan_folder_sync.FolderSync, "_write_group", 2)
    code, _, err = run_cli(capsys, "--db", db, "scan", str(tmp_path / "lib"))
    assert code == 2 and "Traceback" not in err
    assert (f"scan stopped, no space left on the disk holding the index ({db}): 2 new photos stored; free some "
            f"space, then `landmark-tagger --db {db} scan {tmp_path / 'lib'}` again carries on") in err, err
    monkeypatch.undo()
    assert run_cli(capsys, "--db", db, "scan", str(tmp_path / "lib"))[0] == 0


def test_a_tag_says_how_many_photos_it_tagged_of_how_many(tmp_path, capsys, monkeypatch, tiny_bundle) -> None:
    rng = np.random.default_rng(3)
    for i in range(3):
        (tmp_path / "lib").mkdir(exist_ok=True)
        Image.fromarray(rng.integers(0, 255, size=(40, 56, 3), dtype=np.uint8)).save(tmp_path / "lib" / f"p{i}.jpg")
    db = str(tmp_path / "index.db")
    _full_after(monkeypatch, tag_run, "store_embedding", 1)
    code, _, err = run_cli(capsys, "--db", db, "tag", "--model", str(tiny_bundle.path), "--workers", "0",
                           "--batch-size", "1", str(tmp_path / "lib"))
    assert code == 2 and "Traceback" not in err
    assert (f"tag stopped, no space left on the disk holding the index ({db}): 1 of 3 photos tagged; free some "
            f"space, then `landmark-tagger --db {db} tag {tmp_path / 'lib'}` again carries on") in err, err


def test_an_undo_says_how_far_it_got_and_that_its_batch_stays_open(tmp_path, capsys, monkeypatch) -> None:
    db, _ = _library(tmp_path, ["p0.jpg", "p1.jpg", "p2.jpg"])
    assert run_cli(capsys, "--db", str(db), "write")[0] == 0
    _full_after(monkeypatch, journal, "drop_entry", 1)
    code, _, err = run_cli(capsys, "--db", str(db), "undo")
    assert code == 2 and "Traceback" not in err
    assert (f"undo stopped, no space left on the disk holding the index ({db}): 1 of 3 files undone, the batch "
            f"stays open; free some space, then `landmark-tagger --db {db} undo` again restores the rest of the "
            "batch") in err, err
    monkeypatch.undo()
    code, _, err = run_cli(capsys, "--db", str(db), "undo")
    assert code == 0 and "undo: batch 1: 2 files restored, 0 failed" in err, err

"""A failed Windows replace left our temp as a sidecar's only copy (b1db49e): `write`
refuses that file and says "rename it", but `scan` said "0 changed" and named only temps
older than 10 minutes. Now a scan names at once, with the same advice, a temp of ours
whose file is missing, unless a write or undo of the index runs (it may be creating that
file now) or the temp is a few seconds young."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.core.index import PhotoIndex, running_writes
from app.core.metadata import only_copy_words
from app.core.scanner import scan
from tests.test_only_copy_temp_kept import _failed_windows_write


def _aged(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_scan_names_at_once_the_temp_left_as_a_missing_sidecars_only_copy(tmp_path, monkeypatch):
    db, sidecar, temp = _failed_windows_write(tmp_path, monkeypatch)
    _aged(temp, 60)  # a minute after the failed write
    with PhotoIndex.open(db) as index:
        summary = scan(index, [sidecar.parent])
    assert summary.kept_temps == [str(temp)]
    assert (f"in {sidecar.parent}, {sidecar.name} is missing and {temp.name} beside it is a hidden copy of it a "
            f"write of ours kept, maybe its only copy") in summary.line()
    assert f"rename it {sidecar.name}, then scan and write again" in summary.line()
    assert temp.exists() and not sidecar.exists()


def test_on_windows_the_temp_is_not_called_hidden(tmp_path, monkeypatch):
    db, sidecar, temp = _failed_windows_write(tmp_path, monkeypatch)
    _aged(temp, 60)
    monkeypatch.setattr(only_copy_words, "ON_WINDOWS", True)
    with PhotoIndex.open(db) as index:
        line = scan(index, [sidecar.parent]).line()
    assert f"{sidecar.name} is missing and {temp.name} beside it is a copy of it" in line and "hidden" not in line


def test_while_a_write_of_the_index_runs_the_temp_may_be_its_new_sidecar_and_is_not_named(tmp_path, monkeypatch):
    db, sidecar, temp = _failed_windows_write(tmp_path, monkeypatch)
    _aged(temp, 60)
    running = running_writes.RunningWrite(batch_id=7, pid=os.getpid(), host="here")
    monkeypatch.setattr(running_writes, "running_write", lambda conn, batch_id=None: running)
    with PhotoIndex.open(db) as index:
        summary = scan(index, [sidecar.parent])
    assert summary.kept_temps == [] and temp.name not in summary.line()
    assert temp.exists()


def test_a_temp_seconds_old_is_not_named_yet(tmp_path, monkeypatch):
    """Another index's write (not in this one's record) may be creating that sidecar now."""
    db, sidecar, temp = _failed_windows_write(tmp_path, monkeypatch)
    _aged(temp, 0)
    with PhotoIndex.open(db) as index:
        summary = scan(index, [sidecar.parent])
    assert summary.kept_temps == [] and temp.exists()

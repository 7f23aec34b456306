"""macOS names itself after the network it is on ("Mac.lan" at home, "name.local" at
work): a write a laptop left unfinished must stay this computer's after that, not be
taken for one running on another computer for a day (portability review F1)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from app.core import this_computer
from app.core.index import PhotoIndex, running_writes, scan_runs
from app.core.metadata import plan_writes, undo_last_write, write_labels
from app.core.metadata.plan import WriteOptions
from app.core.tag_lock import one_tag_at_a_time
from tests.test_write_rerun_carries_on import NAMES, _killed_write, _labelled
from tests.test_write_safety_support import _library

SCHEMA_BEFORE_IDS = 43  # the last schema that told computers by host name alone


def _on_another_network(monkeypatch) -> None:
    name = socket.gethostname()
    monkeypatch.setattr(socket, "gethostname", lambda: f"{name}.other-network.lan")


def _carried_on_and_undone(db: Path, ids: dict[Path, int]) -> None:
    with PhotoIndex.open(db) as index:
        assert running_writes.running_write(index.conn) is None
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert (rerun.batch_id, rerun.carried_on, rerun.written, rerun.failed) == (1, True, 4, 0)
        assert len(_labelled(ids)) == 6
        undone = undo_last_write(index)
        assert (undone.batch_id, undone.written, undone.failed) == (1, 6, 0)
    assert _labelled(ids) == []


def test_a_killed_write_is_carried_on_and_undone_after_the_host_name_changed(tmp_path, monkeypatch):
    db, ids = _library(tmp_path, NAMES)
    _killed_write(db, 2)  # its batch still says 'running', with this computer and a dead process
    _on_another_network(monkeypatch)
    _carried_on_and_undone(db, ids)


def test_a_write_an_older_version_left_is_this_computers_after_the_upgrade(tmp_path, monkeypatch):
    """Its row names the host alone: the upgrade gives the rows of this host its id, so
    the name the computer gets later leaves them its own. Another host's row keeps no id
    and is still taken for running there (a day's grace)."""
    db, ids = _library(tmp_path, NAMES)
    _killed_write(db, 2)
    with sqlite3.connect(db) as conn:  # as the version before ids left it
        conn.execute("INSERT INTO scan_runs (started_at, roots, status, pid, host, pid_started) "
                     "VALUES (?, '[]', 'running', 4242, 'nas-client', 1.0)",
                     (datetime.now(timezone.utc).isoformat(timespec="seconds"),))
        for table, columns in (("scan_runs", ("computer",)), ("write_batches", ("computer", "undo_computer"))):
            present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            for column in set(columns) & present:
                conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_BEFORE_IDS}")
    conn.close()
    with PhotoIndex.open(db) as index:  # upgraded here, under the name of then
        cursor = index.conn.execute("SELECT * FROM scan_runs WHERE host = 'nas-client'")
        other = dict(zip([column[0] for column in cursor.description], cursor.fetchone()))
        assert other["computer"] is None and scan_runs.is_running(index.conn, other)
        assert index.conn.execute("SELECT computer FROM write_batches").fetchall() == [(this_computer.computer_id(),)]
    _on_another_network(monkeypatch)
    _carried_on_and_undone(db, ids)


def test_another_computer_still_counts_as_running_and_is_named(tmp_path, monkeypatch):
    """The same host name on another computer (two Macs called "MacBook-Pro.local"):
    its id tells it apart; the message names its host."""
    db, ids = _library(tmp_path, NAMES[:2])
    _killed_write(db, 1)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE write_batches SET computer = 'id-of-another-computer', started_at = ?",
                     (datetime.now(timezone.utc).isoformat(timespec="seconds"),))
    conn.close()
    with PhotoIndex.open(db) as index, pytest.raises(running_writes.WriteRunningError) as refused:
        undo_last_write(index)
    assert f" on {socket.gethostname()}); undo when it has finished" in str(refused.value)


def test_a_tag_lock_this_computer_left_under_its_old_name_is_taken_over(tmp_path):
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        Path(f"{db}.tag-lock").write_text(json.dumps({  # the killed job: our parent's pid, another start
            "pid": os.getppid(), "host": "Mac.lan", "computer": this_computer.computer_id(), "pid_started": 1.0,
            "pid_boot": None, "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "token": "old"}), encoding="utf-8")
        with one_tag_at_a_time(index):
            claim = json.loads(Path(f"{db}.tag-lock").read_text(encoding="utf-8"))
    assert (claim["pid"], claim["host"], claim["computer"]) == (
        os.getpid(), socket.gethostname(), this_computer.computer_id())


def test_the_computer_id_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(this_computer, "os_machine_id", lambda: None)  # an OS that keeps no machine id
    monkeypatch.setenv("LANDMARK_TAGGER_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(this_computer, "_KNOWN", {})
    made = this_computer.computer_id()
    kept = tmp_path / "home" / "data" / this_computer.ID_FILE
    assert made is not None and kept.read_text(encoding="ascii").strip() == made
    monkeypatch.setattr(this_computer, "_KNOWN", {})  # another process
    assert this_computer.computer_id() == made
    assert sorted(p.name for p in kept.parent.iterdir()) == [this_computer.ID_FILE]  # no temporary file left


def test_a_damaged_id_file_is_replaced_and_a_folder_that_cannot_keep_one_tells_by_host_name(tmp_path, monkeypatch):
    monkeypatch.setattr(this_computer, "os_machine_id", lambda: None)
    monkeypatch.setattr(this_computer, "_KNOWN", {})
    monkeypatch.setenv("LANDMARK_TAGGER_HOME", str(tmp_path / "damaged"))
    damaged = tmp_path / "damaged" / "data" / this_computer.ID_FILE
    damaged.parent.mkdir(parents=True)
    damaged.write_text("", encoding="ascii")  # (no id: nothing recorded with it)
    assert this_computer.computer_id() == damaged.read_text(encoding="ascii").strip() != ""
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the home folder should be", encoding="utf-8")
    monkeypatch.setenv("LANDMARK_TAGGER_HOME", str(blocked))
    assert this_computer.computer_id() is None
    assert this_computer.is_this_computer(None, socket.gethostname())
    assert not this_computer.is_this_computer(None, "nas-client")

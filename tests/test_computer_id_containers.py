"""Two Linux containers that share a machine id (a bind-mounted /etc/machine-id, a D-Bus
id baked into the image) cannot see each other's processes: each must take the other's
live write for another computer's, never for its own killed one (review 5 F5), while the
rows a host recorded under the machine id alone stay its own."""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import machine_id, this_computer
from tests.test_computer_id_copied import _as_if_live_on_computer_a, _computer, _undo_refused
from tests.test_write_rerun_carries_on import NAMES, _killed_write
from tests.test_write_safety_support import _library

SHARED_ID = "0123456789abcdef0123456789abcdef"  # one /etc/machine-id, seen by two containers
REPO = Path(__file__).resolve().parents[1]


def _in_pid_namespace(monkeypatch, namespace: str) -> None:
    """This process sees others in `namespace`, as os.readlink('/proc/self/ns/pid') says."""
    real_readlink = os.readlink

    def readlink(path, *args, **kwargs):
        if Path(path) == Path("/proc/self/ns/pid"):
            return namespace
        return real_readlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "readlink", readlink)
    monkeypatch.setattr(this_computer, "_KNOWN", {})


def test_a_container_sharing_the_machine_id_never_takes_anothers_live_write(tmp_path, monkeypatch):
    db, _ = _library(tmp_path, NAMES[:2])
    _killed_write(db, 1)
    _computer(monkeypatch, tmp_path / "hA", SHARED_ID)
    _in_pid_namespace(monkeypatch, "pid:[4026532175]")
    a_id = this_computer.computer_id()
    _as_if_live_on_computer_a(db, a_id)  # A's write, alive in A's process table
    _computer(monkeypatch, tmp_path / "hB", SHARED_ID)
    _in_pid_namespace(monkeypatch, "pid:[4026532301]")
    assert this_computer.computer_id() != a_id
    assert _undo_refused(db).endswith("(batch 1, process 4242 on alice-old-mac); undo when it has finished")


def test_the_hosts_rows_from_the_machine_id_alone_stay_its_own(tmp_path, monkeypatch):
    """In the kernel's first pid namespace the id is what 67b665a recorded; inside a
    container it is another, so a host's rows are not the container's."""
    recorded_by_67b665a = hmac.new(b"landmark-tagger computer id", SHARED_ID.encode(), hashlib.sha256).hexdigest()[:32]
    _computer(monkeypatch, tmp_path / "h", SHARED_ID)
    _in_pid_namespace(monkeypatch, this_computer.INIT_PID_NAMESPACE)
    assert this_computer.computer_id() == recorded_by_67b665a
    assert this_computer.is_this_computer(recorded_by_67b665a, "another-name")
    _in_pid_namespace(monkeypatch, "pid:[4026532175]")
    assert not this_computer.is_this_computer(recorded_by_67b665a, "another-name")


def test_where_the_namespace_cannot_be_read_the_id_is_the_machine_ids(tmp_path, monkeypatch):
    recorded_by_67b665a = hmac.new(b"landmark-tagger computer id", SHARED_ID.encode(), hashlib.sha256).hexdigest()[:32]
    _computer(monkeypatch, tmp_path / "h", SHARED_ID)
    monkeypatch.setattr(machine_id, "LINUX_PID_NAMESPACE", tmp_path / "no-proc" / "pid")
    assert machine_id.linux_pid_namespace() is None
    assert this_computer.computer_id() == recorded_by_67b665a


def _can_unshare() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    try:
        return subprocess.run(["unshare", "-pf", "--mount-proc", "true"], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(not _can_unshare(), reason="unshare -pf --mount-proc is not available (or not allowed) here")
def test_undo_in_its_own_pid_namespace_refuses_a_live_write_of_the_host(tmp_path):
    """The reviewer's repro: a live write here, `undo` run under `unshare -pf --mount-proc`
    with the same machine id and the same index is refused."""
    db, _ = _library(tmp_path, NAMES[:2])
    _killed_write(db, 1)
    env = {**os.environ, "LANDMARK_TAGGER_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)}
    ours = subprocess.run([sys.executable, "-c", "from app.core import this_computer as t; print(t.computer_id())"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])  # the write, alive
    try:
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE write_batches SET status = 'running', pid = ?, host = 'vm', computer = ?, "
                         "pid_started = NULL, pid_boot = NULL, started_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', "
                         "'now', '+1 second') WHERE id = 1", (writer.pid, ours))
        conn.close()
        undo = subprocess.run(["unshare", "-pf", "--mount-proc", sys.executable, "-m", "app.cli.main",
                               "--db", str(db), "undo"], env=env, cwd=REPO, capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)
    finally:
        writer.kill()
        writer.wait()
    assert undo.returncode != 0, undo.stdout
    assert f"a write is running (batch 1, process {writer.pid} on vm)" in undo.stderr

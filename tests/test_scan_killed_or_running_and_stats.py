"""A scan killed or still running elsewhere: taken over or left alone, across upgrades, and what `stats` says."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil
import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.scanner import scan
from app.core.this_computer import computer_id
from tests.test_index_support import write_jpeg
from tests.test_scan_support import (
    _as_killed_before_migration_16,
    _killed_scan_still_taken_for_running,
    _last_scan_line,
    killed_scan,
    labelled_library,
    owed,
)


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_scan_still_running_in_another_process_keeps_its_work(tmp_path: Path) -> None:
    """Only a scan that no longer runs hands its unrecognised moves over: one running
    beside (its process alive) does them itself."""
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    db = tmp_path / "index.db"
    sleeper = _sleeper()
    try:
        with PhotoIndex.open(db) as index:
            with index.transaction() as conn:
                conn.execute("INSERT INTO scan_runs (started_at, roots, status, pid, host, photos_before, "
                             "pid_started) VALUES ('2020-01-01T00:00:00+00:00', '[]', 'running', ?, ?, 0, ?)",
                             (sleeper.pid, socket.gethostname(), psutil.Process(sleeper.pid).create_time()))
            scan(index, [tmp_path / "lib"])
            assert index.conn.execute("SELECT status, photos_before FROM scan_runs WHERE id = 1").fetchone() == (
                "running", 0)
    finally:
        sleeper.kill()
        sleeper.wait()
    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path / "lib"])
        assert index.conn.execute("SELECT status, photos_before FROM scan_runs WHERE id = 1").fetchone() == (
            "interrupted", None)


def test_stats_calls_a_killed_scan_interrupted(tmp_path: Path, capsys) -> None:
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    db = tmp_path / "index.db"
    killed_scan(db, tmp_path / "lib")
    last = _last_scan_line(db, capsys)
    assert "interrupted" in last and f"run `landmark-tagger --db {db} scan` again" in last, last
    assert "(running)" not in last and "0 photos" not in last
    assert main(["--db", str(db), "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["last_scan"]["status"] == "interrupted"


def test_stats_says_a_scan_running_in_another_process_runs(tmp_path: Path, capsys) -> None:
    db = tmp_path / "index.db"
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path / "lib"])
    sleeper = _sleeper()
    try:
        with PhotoIndex.open(db) as index, index.transaction() as conn:
            conn.execute("INSERT INTO scan_runs (started_at, roots, status, pid, host, pid_started) "
                         "VALUES (?, '[]', 'running', ?, ?, ?)",
                         (time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()), sleeper.pid, socket.gethostname(),
                          psutil.Process(sleeper.pid).create_time()))
        assert "running since" in _last_scan_line(db, capsys)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert "interrupted" in _last_scan_line(db, capsys)


def test_stats_during_a_scan_in_this_process_says_it_runs(tmp_path: Path, capsys) -> None:
    db = tmp_path / "index.db"
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    seen: list[str] = []

    def progress(update) -> None:
        if not seen:
            seen.append(_last_scan_line(db, capsys))

    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path / "lib"], progress=progress)
    assert "running since" in seen[0], seen
    assert "(done): 1 photo, 1 new" in _last_scan_line(db, capsys)


def test_stats_help_says_what_it_prints(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["stats", "--help"])
    text = capsys.readouterr().out
    description = text.split("\n\n")[1]
    assert not description.startswith(("options:", "positional")) and "last scan" in description, text


@pytest.mark.parametrize("recorded_start", [True, False], ids=["start time recorded", "row from before 17"])
def test_a_killed_scan_whose_pid_was_handed_out_again_is_taken_over(tmp_path: Path, capsys,
                                                                       recorded_start: bool) -> None:
    """Finding 3: a live process with the killed scan's pid (after a reboot, or later)
    is not the scan's when it started at another time than the one recorded, or, for a
    row from before start times were recorded, after the scan started."""
    lib, db, photo_id = _killed_scan_still_taken_for_running(tmp_path)
    sleeper = _sleeper()
    try:
        with PhotoIndex.open(db) as index, index.transaction() as conn:
            if recorded_start:  # the pid of this test's parent, which started long before
                conn.execute("UPDATE scan_runs SET host = ?, computer = ?, pid = ? WHERE status = 'running'",
                             (socket.gethostname(), computer_id(), psutil.Process().ppid()))
            else:  # a process started after the scan did
                conn.execute("UPDATE scan_runs SET host = ?, computer = ?, pid = ?, pid_started = NULL, started_at = ? "
                             "WHERE status = 'running'", (socket.gethostname(), computer_id(), sleeper.pid,
                                                          time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                                                                        time.gmtime(time.time() - 10))))
        assert "interrupted" in _last_scan_line(db, capsys)
        with PhotoIndex.open(db) as index:
            scan(index, [lib])
            (moved,) = index.search("colosseum.jpg")
        assert (moved.id, moved.label) == (photo_id, "Colosseum")
    finally:
        sleeper.kill()
        sleeper.wait()


def test_migration_17_records_the_scans_process_start(tmp_path: Path) -> None:
    """Since boot with the boot's id on Linux (migration 24), else psutil's create_time."""
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [tmp_path / "lib"])
        pid, started, boot = index.conn.execute("SELECT pid, pid_started, pid_boot FROM scan_runs").fetchone()
    if sys.platform.startswith("linux"):
        since_boot = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        assert (pid, started, boot) == (
            os.getpid(), since_boot, Path("/proc/sys/kernel/random/boot_id").read_text().strip())
    else:
        assert (pid, started, boot) == (os.getpid(), pytest.approx(psutil.Process().create_time(), abs=1), None)


def test_a_scan_killed_before_migration_16_is_completed_after_the_upgrade(tmp_path: Path) -> None:
    """Upgrade finding 2: the scan after the upgrade joins the photos that scan moved."""
    lib, db, old, photo_id = labelled_library(tmp_path, with_second=True)
    old.rename(lib / "rome" / "colosseum.jpg")
    killed_scan(db, lib)
    _as_killed_before_migration_16(db)

    with PhotoIndex.open(db) as index:
        assert owed(index) == (1, 1)  # migration 18: what the old scan owed
        summary = scan(index, [lib])
        (moved,) = index.search("colosseum.jpg")
        assert (moved.id, moved.label) == (photo_id, "Colosseum")
        assert index.count("is:missing") == 0 and owed(index) == (0, 0)
        assert (summary.moved, summary.new, summary.missing) == (1, 0, 0)
        assert index.conn.execute("SELECT status FROM scan_runs ORDER BY id").fetchall()[-2:] == [
            ("interrupted",), ("done",)]


def test_a_scan_killed_before_migration_16_owes_nothing_when_its_times_are_unclear(tmp_path: Path) -> None:
    """The scan before it ended in the same second: which photos it brought in is a guess."""
    lib, db, old, _ = labelled_library(tmp_path, with_second=True)
    old.rename(lib / "rome" / "colosseum.jpg")
    killed_scan(db, lib)
    conn = sqlite3.connect(db)
    with conn:
        (started,) = conn.execute("SELECT started_at FROM scan_runs ORDER BY id DESC LIMIT 1").fetchone()
        conn.execute("UPDATE scan_runs SET finished_at = ? WHERE id = 1", (started,))
    conn.close()
    _as_killed_before_migration_16(db, earlier_scans_at=None)

    with PhotoIndex.open(db) as index:
        assert owed(index) == (0, 0)


def test_stats_tells_to_scan_again_with_the_index_it_was_given(tmp_path: Path, capsys) -> None:
    """Finding 9: the hint to complete an interrupted scan keeps --db."""
    db = tmp_path / "my index.db"
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    killed_scan(db, tmp_path / "lib")
    line = _last_scan_line(db, capsys)
    assert f"run `landmark-tagger --db '{db}' scan` again to complete it" in line, line


def test_a_process_that_cannot_be_asked_is_not_taken_for_a_running_scan(monkeypatch) -> None:
    """A killed scan's id handed to a system process (macOS, Windows refuse to tell its
    start time): the scan is not taken for running, so its owed moves are not left for ever."""
    from app.core.index import scan_runs

    class SystemProcess:
        def __init__(self, pid: int) -> None:
            raise psutil.AccessDenied(pid)

    monkeypatch.setattr(scan_runs.psutil, "Process", SystemProcess)
    assert not scan_runs.process_alive(4242, pid_started=1_700_000_000.0)
    assert not scan_runs.process_alive(4242, pid_started=None, run_started=datetime.now(timezone.utc))

"""scan_runs: a scan running beside stays running when the wall clock is stepped (its
process known by its start since boot on Linux), and an index an older version was
killed in several scans gets back what each of them owed (migrations 18 and 24)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from app.core.index import PhotoIndex, schema
from app.core.index.migrations_recent import migration_18
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_scan_support import (
    REPO, _as_killed_before_migration_16, _last_scan_line, killed_scan, owed, two_labelled_photos,
)

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="psutil adds the boot time on Linux")

# a scan beside the test's: its row as start_run writes it, owing the photos after 0; then it runs on
SCAN_BESIDE = (
    "import sys, time; from app.core.index import PhotoIndex, scan_runs; "
    "ix = PhotoIndex.open(sys.argv[1]); conn = ix.conn; conn.execute('BEGIN IMMEDIATE'); "
    "run = scan_runs.start_run(conn, []); scan_runs.take_over_interrupted(conn, run, 0); conn.execute('COMMIT'); "
    "print(run, flush=True); time.sleep(60)"
)


@pytest.fixture
def scan_beside(tmp_path: Path):
    """(index file with a library scanned once, the run id of a scan running beside it)."""
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path / "lib"])
    beside = subprocess.Popen([sys.executable, "-c", SCAN_BESIDE, str(db)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        yield db, int(beside.stdout.readline())
    finally:
        beside.kill()
        beside.wait()
        beside.stdout.close()


def step_the_clock(monkeypatch, seconds: float) -> None:
    """The wall clock stepped (NTP's first sync, WSL2 after the host slept): psutil's
    create_time on Linux is the boot time, which moves with it, plus the ticks since boot."""
    import psutil._pslinux as pslinux

    boot_time = pslinux.boot_time
    monkeypatch.setattr(pslinux, "boot_time", lambda: boot_time() + seconds)


def run_row(db: Path, run_id: int) -> tuple[str, int | None]:
    with PhotoIndex.open(db) as index:
        return index.conn.execute("SELECT status, photos_before FROM scan_runs WHERE id = ?", (run_id,)).fetchone()


@linux
def test_a_scan_running_beside_keeps_its_work_when_the_clock_is_stepped(tmp_path: Path, scan_beside, capsys,
                                                                        monkeypatch) -> None:
    """Review 2, R9: taken for killed, its owed moves were taken over by this scan."""
    db, beside = scan_beside
    step_the_clock(monkeypatch, 3600)
    assert "running since" in _last_scan_line(db, capsys)
    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path / "lib"])
    assert run_row(db, beside) == ("running", 0)


@linux
def test_a_scan_recorded_before_boots_were_stays_running_when_the_clock_is_stepped(tmp_path: Path, scan_beside,
                                                                                     monkeypatch) -> None:
    """A row from before migration 24 (create_time, no boot): a step of a minute is within the slack."""
    db, beside = scan_beside
    with PhotoIndex.open(db) as index, index.transaction() as conn:
        (pid,) = conn.execute("SELECT pid FROM scan_runs WHERE id = ?", (beside,)).fetchone()
        conn.execute("UPDATE scan_runs SET pid_started = ?, pid_boot = NULL WHERE id = ?",
                     (psutil.Process(pid).create_time(), beside))
    step_the_clock(monkeypatch, 60)
    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path / "lib"])
    assert run_row(db, beside) == ("running", 0)


@linux
def test_a_scan_of_another_boot_is_taken_over(tmp_path: Path, scan_beside) -> None:
    """The same pid started at the same tick after a reboot is another process."""
    db, beside = scan_beside
    with PhotoIndex.open(db) as index, index.transaction() as conn:
        conn.execute("UPDATE scan_runs SET pid_boot = 'another-boot' WHERE id = ?", (beside,))
    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path / "lib"])
    assert run_row(db, beside) == ("interrupted", None)


# -- an older version killed in several scans -----------------------------------------------

def dated(db: Path, when: str) -> None:
    """The scans, and the photos added or marked, since the last call dated `when` (in
    2020): a test's steps run within a second, an older version's were seconds apart."""
    conn = sqlite3.connect(db)
    with conn:
        for table, column in (("scan_runs", "started_at"), ("scan_runs", "finished_at"),
                              ("photos", "added_at"), ("photos", "updated_at")):
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} NOT LIKE '2020-%'", (when,))
    conn.close()


def killed_twice_by_an_older_version(tmp_path: Path, done_between: bool) -> tuple[Path, Path]:
    """Two labelled photos moved, each seen by a scan of a version before 16 that was
    killed before it recognised moves (with a scan that finished between them when
    `done_between`): (library, index file)."""
    lib, db, first, second = two_labelled_photos(tmp_path)
    dated(db, "2020-01-01T00:00:00+00:00")
    (lib / "rome").mkdir()
    first.rename(lib / "rome" / "colosseum.jpg")
    killed_scan(db, lib)
    dated(db, "2020-01-01T00:00:10+00:00")
    if done_between:
        conn = sqlite3.connect(db)
        with conn:
            conn.execute("INSERT INTO scan_runs (started_at, finished_at, roots, status) "
                         "VALUES ('2020-01-01T00:00:20+00:00', '2020-01-01T00:00:21+00:00', '[]', 'done')")
        conn.close()
    (lib / "jordan").mkdir()
    second.rename(lib / "jordan" / "petra.jpg")
    killed_scan(db, lib)
    dated(db, "2020-01-01T00:00:30+00:00")
    conn = sqlite3.connect(db)
    with conn:  # an older version left both 'running' (this one's second scan took the first over)
        conn.execute("UPDATE scan_runs SET status = 'running' WHERE finished_at IS NULL")
    conn.close()
    _as_killed_before_migration_16(db, earlier_scans_at=None)
    return lib, db


def both_found_moved_with_their_labels(db: Path, lib: Path) -> None:
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        assert {Path(p.path).name: p.label for p in index.search()} == {"colosseum.jpg": "Colosseum",
                                                                        "petra.jpg": "Petra"}
        assert index.count("is:missing") == 0 and owed(index) == (0, 0)
        assert [status for (status,) in index.conn.execute(
            "SELECT status FROM scan_runs WHERE finished_at IS NULL OR status = 'interrupted'")] == [
            "interrupted", "interrupted"]


@pytest.mark.parametrize("done_between", [False, True], ids=["one after the other", "a finished scan between"])
def test_every_scan_an_older_version_was_killed_in_is_completed_after_the_upgrade(tmp_path: Path,
                                                                                  done_between: bool) -> None:
    """Migration 18 derived what the newest one owed only: IMG_1 stayed missing, its label with it."""
    lib, db = killed_twice_by_an_older_version(tmp_path, done_between)
    with PhotoIndex.open(db) as index:
        assert owed(index) == (2, 2)
    both_found_moved_with_their_labels(db, lib)


def test_an_index_upgraded_through_18_before_gets_the_older_killed_scans_too(tmp_path: Path, monkeypatch) -> None:
    """What they owed still reads from the index after 18 left them (18 ran on its own
    here: the upgrades after it do not touch scan_runs or the photos' times)."""
    lib, db = killed_twice_by_an_older_version(tmp_path, done_between=False)
    with monkeypatch.context() as before:
        before.setattr(schema, "LATEST_VERSION", schema.MIGRATIONS.index(migration_18) + 1)
        with PhotoIndex.open(db) as index:
            assert owed(index) == (1, 1)
    with PhotoIndex.open(db) as index:
        assert owed(index) == (2, 2)
    both_found_moved_with_their_labels(db, lib)

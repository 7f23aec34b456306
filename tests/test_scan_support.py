"""Helpers shared by the tests of scanning: an in-memory index, scans killed midway
(as kill -9 would) and the libraries and index states they leave."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_index_support import write_jpeg


@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


REPO = Path(__file__).resolve().parents[1]


# the scan dies (as kill -9 would) when its walk is over, before it recognises moves
KILLED_SCAN = (
    "import os, signal, sys; from pathlib import Path; from app.core.index import PhotoIndex; "
    "import app.core.scanner as s; "
    "s._Scan._recognise_moves = lambda self: os.kill(os.getpid(), signal.SIGKILL); "
    "ix = PhotoIndex.open(sys.argv[1]); s.scan(ix, [Path(p) for p in sys.argv[2:]])"
)


def killed_scan(db: Path, *roots: Path) -> None:
    done = subprocess.run([sys.executable, "-c", KILLED_SCAN, str(db), *map(str, roots)], cwd=REPO)
    assert done.returncode == -9


def owed(index: PhotoIndex) -> tuple[int, int]:
    """(photos pending, runs with photos to look at): what scans still owe the next one."""
    return (index.conn.execute("SELECT count(*) FROM moves_pending").fetchone()[0],
            index.conn.execute("SELECT count(*) FROM scan_runs WHERE photos_before IS NOT NULL").fetchone()[0])


def labelled_library(tmp_path: Path, with_second: bool = False) -> tuple[Path, Path, Path, int]:
    """lib/inbox/IMG_1.jpg (and IMG_2.jpg) scanned into index.db, IMG_1 labelled
    "Colosseum", and an empty lib/rome to move it to: (lib, db, IMG_1's file, its id)."""
    lib = tmp_path / "lib"
    old = write_jpeg(lib / "inbox" / "IMG_1.jpg", color=(1, 2, 3))
    if with_second:
        write_jpeg(lib / "inbox" / "IMG_2.jpg", color=(4, 5, 6))
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        photo_id = index.search("IMG_1")[0].id
        index.set_label(photo_id, "Colosseum")
    (lib / "rome").mkdir()
    return lib, db, old, photo_id


def two_labelled_photos(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """lib/inbox/IMG_1.jpg "Colosseum" and IMG_2.jpg "Petra" scanned into index.db:
    (lib, db, IMG_1's file, IMG_2's)."""
    lib = tmp_path / "lib"
    first = write_jpeg(lib / "inbox" / "IMG_1.jpg", color=(1, 2, 3))
    second = write_jpeg(lib / "inbox" / "IMG_2.jpg", color=(4, 5, 6))
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        ids = {p.path: p.id for p in index.search()}
        index.set_label(ids[str(first)], "Colosseum")
        index.set_label(ids[str(second)], "Petra")
    return lib, db, first, second


def _last_scan_line(db: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["--db", str(db), "stats"]) == 0
    (last,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("last scan:")]
    return last


def _killed_scan_still_taken_for_running(tmp_path: Path) -> tuple[Path, Path, int]:
    """A labelled photo moved, and the scan that saw it killed; its row then reads as a
    scan still running (on another computer, started now), so the next scan leaves its
    moves alone."""
    lib, db, old, photo_id = labelled_library(tmp_path, with_second=True)
    old.rename(lib / "rome" / "colosseum.jpg")
    killed_scan(db, lib)
    with PhotoIndex.open(db) as index, index.transaction() as conn:
        conn.execute("UPDATE scan_runs SET host = 'another-computer', computer = 'id-of-another-computer', "
                     "started_at = ? WHERE status = 'running'",
                     (datetime.now(timezone.utc).isoformat(timespec="seconds"),))
    return lib, db, photo_id


def _as_killed_before_migration_16(db: Path, earlier_scans_at: str | None = "2026-01-01T00:00:00+00:00") -> None:
    """The index as a version before 16 left it when its last scan was killed before
    recognising moves: schema 15, no record of what the scan owed, its row 'running'
    without a process. `earlier_scans_at`: when the scans and photos before it were."""
    conn = sqlite3.connect(db)
    with conn:
        (killed,) = conn.execute("SELECT max(id) FROM scan_runs").fetchone()
        (before,) = conn.execute("SELECT photos_before FROM scan_runs WHERE id = ?", (killed,)).fetchone()
        if earlier_scans_at is not None:
            conn.execute("UPDATE scan_runs SET started_at = ?, finished_at = ? WHERE id < ?",
                         (earlier_scans_at, earlier_scans_at, killed))
            conn.execute("UPDATE photos SET added_at = ? WHERE id <= ?", (earlier_scans_at, before))
        conn.execute("DROP TABLE moves_pending")
        columns = {row[1] for row in conn.execute("PRAGMA table_info(scan_runs)")}
        for column in ("photos_before", "pid", "host", "pid_started", "pid_boot"):
            if column in columns:
                conn.execute(f"ALTER TABLE scan_runs DROP COLUMN {column}")
        conn.execute("PRAGMA user_version = 15")
    conn.close()

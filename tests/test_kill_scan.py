"""A scan killed with SIGKILL at a random point leaves an index that opens,
passes PRAGMA integrity_check, and that a rescan completes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_index_support import jpeg_bytes

PHOTOS = 600


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kill-library")
    data = [jpeg_bytes(color=(n, 255 - n, 7), taken=f"2019:0{1 + n % 9}:1{n % 10} 10:00:00") for n in range(50)]
    for n in range(PHOTOS):
        folder = root / f"day{n // 40:02d}"
        folder.mkdir(exist_ok=True)
        # distinct bytes per file, so fingerprints differ (moves stay unambiguous)
        (folder / f"IMG_{n:04d}.jpg").write_bytes(data[n % 50] + n.to_bytes(4, "big"))
    return root


def start_scan(db: Path, root: Path, wait_before_scanning: bool = False) -> subprocess.Popen:
    """The scan in a process of its own; `wait_before_scanning`: it opens the index, says
    "opened" on stdout and waits to be killed, before the scan writes its row."""
    repo = Path(__file__).resolve().parents[1]
    code = (
        "import sys, time; from pathlib import Path; from app.core.index import PhotoIndex; "
        "from app.core.scanner import scan, ScanOptions; "
        "ix = PhotoIndex.open(sys.argv[1]); print('opened', flush=True); "
        "time.sleep(600) if sys.argv[3] == 'wait' else None; "
        "scan(ix, [Path(sys.argv[2])], options=ScanOptions(groups_per_transaction=7))"
    )
    return subprocess.Popen([sys.executable, "-c", code, str(db), str(root), "wait" if wait_before_scanning else "go"],
                            cwd=repo, stdout=subprocess.PIPE, text=True)


def assert_sound_after_kill(db: Path, library: Path, killed: bool, seed: object) -> None:
    """The index a scan left, killed or not: it passes integrity_check, its scan row
    tells how far the scan got, and a rescan completes it."""
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"seed {seed}"
        partial = index.count()
        print(f"seed {seed}: killed={killed} after {partial} photos")
        assert 0 <= partial <= PHOTOS
        statuses = [r[0] for r in index.conn.execute("SELECT status FROM scan_runs")]
        if killed:
            # the kill may land before the scan wrote its row (then it stored nothing), or
            # after it recorded "done" but before the process exited
            assert statuses in ([], ["running"], ["done"]), f"seed {seed}"
            assert statuses == ["running"] or partial == (PHOTOS if statuses else 0), f"seed {seed}"
        else:
            assert statuses == ["done"], f"seed {seed}"
        summary = scan(index, [library])
        assert (summary.photos, summary.errors, summary.missing) == (PHOTOS, 0, 0), f"seed {seed}"
        assert summary.new == PHOTOS - partial
        assert index.conn.execute("SELECT count(*) FROM photos_fts").fetchone()[0] == PHOTOS
        assert index.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))
def test_sigkill_during_scan_leaves_a_sound_index(tmp_path: Path, library: Path, attempt: int) -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    db = tmp_path / "index.db"
    process = start_scan(db, library)
    deadline = time.monotonic() + 60
    while not db.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    time.sleep(rng.uniform(0.05, 1.0))
    killed = process.poll() is None
    if killed:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(30)
    assert_sound_after_kill(db, library, killed, seed)


def test_sigkill_before_the_scan_wrote_its_row_leaves_a_sound_index(tmp_path: Path, library: Path) -> None:
    """The random kill above lands, now and then under load, before the scan's row is
    written: no row and no photo is a sound index too, which a rescan completes."""
    db = tmp_path / "index.db"
    process = start_scan(db, library, wait_before_scanning=True)
    try:
        assert process.stdout.readline().strip() == "opened"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        process.stdout.close()
    assert_sound_after_kill(db, library, killed=True, seed="(killed before the scan)")

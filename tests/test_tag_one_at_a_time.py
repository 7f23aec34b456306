"""Two `tag` runs of one index (a cron job still running when the next starts) would
both classify every photo: the second refuses, naming the first's process, exit 75,
and a lock left by a run killed with SIGKILL blocks nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.tag_lock import TagRunningError, lock_path, one_tag_at_a_time
from app.core.tagging import TagOptions, tag
from tests.test_cli_first_hour import photo

REPO = Path(__file__).resolve().parents[1]
# A tagging job's hold on the index, in a process of its own, until it is killed.
HOLD = """
import sys, time
from app.core.index import PhotoIndex
from app.core.tag_lock import one_tag_at_a_time
with PhotoIndex.open(sys.argv[1]) as index, one_tag_at_a_time(index):
    print("holding", flush=True)
    time.sleep(120)
"""


def _scanned(tmp_path: Path, capsys) -> tuple[str, Path]:
    trip = tmp_path / "Trip"
    for number in range(3):
        photo(trip / f"IMG_{number}.jpg", number)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(trip)]) == 0
    capsys.readouterr()
    return db, trip


def _unlabelled(db: str) -> int:
    with PhotoIndex.open(db) as index:
        return index.count("state:unlabelled")


def test_a_second_tag_refuses_while_the_first_runs_and_goes_on_once_it_was_killed(tmp_path, capsys, tiny_bundle):
    db, trip = _scanned(tmp_path, capsys)
    other = tmp_path / "Other"
    photo(other / "IMG_9.jpg")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, db], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert holder.stdout.readline().strip() == "holding"
        code = main(["--db", db, "tag", str(trip), str(other), "--model", str(tiny_bundle.path), "--workers", "0"])
        err = capsys.readouterr().err
        assert code == 75, err
        assert f"another tag is running on the index {db} (process {holder.pid}, started " in err
        assert "try again when it has finished" in err
        assert _unlabelled(db) == 3  # nothing classified
        with PhotoIndex.open(db) as index:
            assert index.roots() == [trip.resolve()]  # nor a folder added
    finally:
        holder.kill()  # SIGKILL: its lock file stays behind
        holder.wait()
    assert Path(f"{db}.tag-lock").exists()
    assert main(["--db", db, "tag", str(trip), "--model", str(tiny_bundle.path), "--workers", "0"]) == 0
    assert _unlabelled(db) == 0
    assert not Path(f"{db}.tag-lock").exists()  # released at the end


def test_jobs_of_one_process_share_the_lock(tmp_path, capsys, tiny_bundle):
    """The app's jobs run in one process: a tag inside another's hold is no overlap."""
    db, trip = _scanned(tmp_path, capsys)
    with PhotoIndex.open(db) as index, one_tag_at_a_time(index):
        summary = tag(index, [trip], TagOptions(model=tiny_bundle.path, workers=0))
        assert summary.tagged == 3
        assert lock_path(index).exists()
    assert not lock_path(index).exists()


def _lock_naming(db: str, **fields) -> None:
    lock = {"pid": os.getppid(), "host": socket.gethostname(), "pid_started": 1.0, "pid_boot": None,
            "started_at": "2026-01-01T00:00:00+00:00", "token": "old"}
    Path(f"{db}.tag-lock").write_text(json.dumps({**lock, **fields}), encoding="utf-8")


def test_a_lock_whose_process_id_another_process_has_now_is_taken_over(tmp_path, capsys, tiny_bundle):
    """The id of the killed run's process, handed to another one since (here this
    test's parent, started at another time), holds nothing."""
    db, trip = _scanned(tmp_path, capsys)
    _lock_naming(db)
    assert main(["--db", db, "tag", str(trip), "--model", str(tiny_bundle.path), "--workers", "0"]) == 0
    assert _unlabelled(db) == 0


def test_a_lock_of_another_computer_names_the_file_to_delete(tmp_path, capsys):
    from datetime import datetime, timezone

    db, _trip = _scanned(tmp_path, capsys)
    _lock_naming(db, host="nas-client", started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    with PhotoIndex.open(db) as index, pytest.raises(TagRunningError) as refused:
        with one_tag_at_a_time(index):
            pass
    assert "(process " in str(refused.value) and " on nas-client, started " in str(refused.value)
    assert str(refused.value).endswith(f"; if it was stopped, delete {db}.tag-lock")


def test_a_job_ending_leaves_the_lock_another_computer_took_over_in_place(tmp_path, capsys):
    """A long job past the other computers' grace: one on another computer took the lock
    over. This job ending must not delete that one's claim, or a third could start beside it."""
    from datetime import datetime, timezone

    db, _trip = _scanned(tmp_path, capsys)
    with PhotoIndex.open(db) as index:
        with one_tag_at_a_time(index):
            _lock_naming(db, host="nas-client", started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                         token="theirs")
        assert json.loads(lock_path(index).read_text(encoding="utf-8"))["token"] == "theirs"
        with pytest.raises(TagRunningError, match="on nas-client"):
            with one_tag_at_a_time(index):
                pass


# A tagging job killed while it claims the lock: after writing its claim, before renaming it in.
KILLED_CLAIMING = """
import os, sys
from app.core import tag_lock
from app.core.index import PhotoIndex
tag_lock.os.replace = lambda source, target: os.kill(os.getpid(), 9)
with PhotoIndex.open(sys.argv[1]) as index, tag_lock.one_tag_at_a_time(index):
    pass
"""


def test_the_claim_of_a_job_killed_while_claiming_is_removed_by_the_next_claim(tmp_path, capsys):
    db, _trip = _scanned(tmp_path, capsys)
    killed = subprocess.run([sys.executable, "-c", KILLED_CLAIMING, db], env={**os.environ, "PYTHONPATH": str(REPO)})
    assert killed.returncode != 0
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith("index.db.tag-lock")]
    assert len(left) == 1 and left[0].endswith(".tmp")  # its claim, never renamed in
    others = [tmp_path / "index.db.tag-lock.notes.tmp", tmp_path / "other.db.tag-lock.0123456789abcdef.tmp"]
    for other in others:
        other.write_text("not a claim of this index's")
    with PhotoIndex.open(db) as index, one_tag_at_a_time(index):
        assert sorted(p.name for p in tmp_path.iterdir() if ".tag-lock" in p.name) == sorted(
            ["index.db.tag-lock", *(other.name for other in others)])
    assert all(other.exists() for other in others) and not Path(f"{db}.tag-lock").exists()

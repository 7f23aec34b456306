"""A `write` stopped by SIGTERM (a shutdown, a logout, `kill`, a service manager) is not
the user's choice: its batch is left for the next write to carry on, as a killed one is
(tests/test_write_rerun_carries_on.py), so one `undo` after the rerun takes back every
file either run changed. Ctrl-C in the terminal (and the app's Cancel) is the user's
choice: that batch stays 'cancelled' and the rerun is a batch of its own, and the
summaries of the cancelled write, the rerun and the undo each say what undo takes back."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import journal, plan_writes, write_labels
from app.core.metadata.plan import WriteOptions
from app.core.progress import CancelToken
from tests.test_cli_sigterm import REPO, _labelled
from tests.test_write_safety_support import _library

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows delivers no SIGTERM or SIGINT by os.kill")

# landmark-tagger in a child process that sends itself `signal` right after its Nth file renamed into place.
SIGNAL_AFTER_RENAMES = """
import os, signal, sys
from app.core.metadata import atomic
sent, after = getattr(signal, sys.argv[1]), int(sys.argv[2])
real, done = atomic.replace_atomically, []
def then_signal(*args, **kwargs):
    result = real(*args, **kwargs)
    done.append(1)
    if len(done) == after:
        os.kill(os.getpid(), sent)
    return result
atomic.replace_atomically = then_signal
from app.cli.main import main
sys.argv = ["landmark-tagger", *sys.argv[3:]]
sys.exit(main())
"""


def _cli(*argv: str, stopped_by: tuple[str, int] | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "app.cli.main", *argv]
    if stopped_by is not None:
        command = [sys.executable, "-c", SIGNAL_AFTER_RENAMES, stopped_by[0], str(stopped_by[1]), *argv]
    return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=REPO, timeout=300)


def _photos(tmp_path: Path) -> dict[Path, bytes]:
    return {photo: photo.read_bytes() for photo in sorted((tmp_path / "lib").glob("*.jpg"))}


@pytest.mark.parametrize("stop", ["SIGTERM", pytest.param("SIGHUP", marks=pytest.mark.skipif(
    not hasattr(signal, "SIGHUP") or signal.getsignal(signal.SIGHUP) is signal.SIG_IGN,
    reason="no SIGHUP, or run under nohup: the child inherits SIGHUP ignored and rightly keeps it so"))])
def test_one_undo_after_a_write_stopped_by_a_signal_and_its_rerun_restores_every_file(tmp_path, stop) -> None:
    db = _labelled(tmp_path, 12)
    originals = _photos(tmp_path)
    stopped = _cli("--db", db, "write", stopped_by=(stop, 3))
    assert stopped.returncode != 0, stopped.stderr
    written = sum(data != originals[photo] for photo, data in _photos(tmp_path).items())
    assert 3 <= written < 12
    again = _cli("--db", db, "write")
    assert again.returncode == 0, again.stderr
    assert f"write: carried on batch 1 (stopped before it finished): {12 - written} more files written" \
        in again.stderr, again.stderr
    assert "batch 1 now holds 12 files" in again.stderr
    undone = _cli("--db", db, "undo")
    assert undone.returncode == 0 and "undo: batch 1: 12 files restored" in undone.stderr, undone.stderr
    assert _photos(tmp_path) == originals
    assert "no write batch to undo" in _cli("--db", db, "undo").stderr


def test_a_write_stopped_by_sigterm_says_the_rerun_carries_its_batch_on(tmp_path) -> None:
    db = _labelled(tmp_path, 12)
    stopped = _cli("--db", db, "write", "--json", stopped_by=("SIGTERM", 2))
    assert stopped.returncode == 143, stopped.stderr
    summary = json.loads(stopped.stdout.splitlines()[-1])
    assert summary["cancelled"] and summary["left_for_the_next_write"], summary
    files = f"{summary['batch_files']} file" + ("s" if summary["batch_files"] != 1 else "")
    # not "cancelled", nor a first hint that undo reverts it: the stop line says what undo and a rerun do
    assert stopped.stderr.splitlines()[-2] == f"write: {summary['written']} files written, 0 failed (stopped)"
    assert stopped.stderr.splitlines()[-1] == (
        f"write: stopped by SIGTERM; `landmark-tagger --db {db} write` again writes the rest into batch 1, so that "
        f"one `landmark-tagger --db {db} undo` takes back all its files (now it takes back these {files})")


def test_a_write_cancelled_with_ctrl_c_stays_cancelled_and_every_summary_says_what_undo_takes_back(tmp_path) -> None:
    db = _labelled(tmp_path, 12)
    originals = _photos(tmp_path)
    command = f"landmark-tagger --db {db}"
    cancelled = _cli("--db", db, "write", "--json", stopped_by=("SIGINT", 2))
    assert cancelled.returncode == 130, cancelled.stderr
    first = json.loads(cancelled.stdout.splitlines()[-1])["batch_files"]
    assert 2 <= first < 12
    assert cancelled.stderr.splitlines()[-1] == (
        f"write: stopped by Ctrl-C; `{command} undo` takes back the {first} files batch 1 holds; `{command} write` "
        "again writes the rest (a batch of its own, which `undo` takes back first)")
    with PhotoIndex.open(db) as index:
        assert journal.batch_status(index, 1) == "cancelled"

    rerun = _cli("--db", db, "write")
    assert rerun.returncode == 0 and f"{12 - first} files written" in rerun.stderr and "(batch 2;" in rerun.stderr
    assert (f"write: batch 1, a write you cancelled, still holds {first} files: a second `{command} undo` "
            "takes them back") in rerun.stderr.splitlines(), rerun.stderr

    undone = _cli("--db", db, "undo", "--json")
    assert json.loads(undone.stdout)["cancelled_batch"] == {"batch_id": 1, "files": first}
    assert undone.stderr.splitlines()[-1] == (
        f"undo: batch 1, a write you cancelled, still holds {first} files: `{command} undo` again takes them back")
    last = _cli("--db", db, "undo")
    assert f"undo: batch 1: {first} files restored" in last.stderr and "a write you cancelled" not in last.stderr
    assert _photos(tmp_path) == originals


def test_write_labels_cancelled_not_by_the_user_leaves_its_batch_to_the_next_write(tmp_path) -> None:
    db, ids = _library(tmp_path, [f"p{n}.jpg" for n in range(4)])
    cancel = CancelToken()
    with PhotoIndex.open(db) as index:
        plan = plan_writes(index)
        calls = []

        def stop_after_first(_progress) -> None:
            calls.append(1)
            cancel.cancel(by_user=False)

        first = write_labels(index, plan, WriteOptions(workers=1), progress=stop_after_first, cancel=cancel)
        assert first.cancelled and first.left_for_the_next_write and first.status == "cancelled"
        assert journal.batch_status(index, first.batch_id) == "running"
        rest = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert rest.carried_on and rest.batch_id == first.batch_id and rest.batch_files == 4
        assert journal.batch_status(index, first.batch_id) == "done"


def test_a_cancel_token_keeps_the_first_stops_reason() -> None:
    token = CancelToken()
    assert token.by_user
    token.cancel(by_user=False)
    token.cancel()  # a Ctrl-C while a SIGTERM's stop is under way: still not the user's
    assert token.cancelled and not token.by_user

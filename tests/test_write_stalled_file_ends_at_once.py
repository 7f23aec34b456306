"""A `write` whose file write stalls (a photo folder on a stalled SMB/NFS share), aborted
with Ctrl-C twice, then Ctrl-C pressed on past the held one: the process ends at once,
exit 130 (143 for SIGTERM), with a line naming the file being written and saying the
next write checks it, not the "batch 1 … holds N files" line of a closed batch (review14
F1: it printed that line, closed the index under the worker and its exit abandoned the
write). The photo is as it was; the next write carries the batch on and undo restores
every photo. Run in a child process, since the process really ends (os._exit)."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata import journal
from app.core.metadata.jpeg_fields import read_fields
from tests.test_write_ctrl_c_again import _accepted_library, _photos

REPO_ROOT = Path(__file__).resolve().parent.parent

# The write in a child: its 3rd file write blocks for good; each line on stdin ("INT", "TERM")
# is sent to its main thread; each signal handled is said on stdout.
CHILD = r"""
import signal, sys, threading, time
from app.cli.main import main
from app.core.metadata import atomic

real_replace, calls, lock = atomic.replace_atomically, [], threading.Lock()
def stalled_replace(*args, **kwargs):
    with lock:
        calls.append(1)
        third = len(calls) == 3
    if third:
        print("STALLED", args[0], flush=True)
        threading.Event().wait()  # a stalled share: never returns
    return real_replace(*args, **kwargs)
atomic.replace_atomically = stalled_replace

real_signal = signal.signal
def reporting(signum, handler):
    if callable(handler) and signum in (signal.SIGINT, signal.SIGTERM):
        inner = handler
        def handler(number, frame):
            try:
                inner(number, frame)
            finally:
                print("HANDLED", flush=True)
    return real_signal(signum, handler)
signal.signal = reporting

def send():
    for line in sys.stdin:
        time.sleep(0.2)  # let the main thread get to its wait and block: a signal sent as it goes to sleep
        # is handled only at its wakeup
        signal.pthread_kill(threading.main_thread().ident, getattr(signal, "SIG" + line.strip()))
threading.Thread(target=send, daemon=True).start()
sys.exit(main(["--db", sys.argv[1], "write"]))
"""


def _next_line(lines: queue.Queue, expected: str) -> str:
    line = lines.get(timeout=60)
    assert line.startswith(expected), line
    return line.strip()


@pytest.mark.skipif(not hasattr(signal, "pthread_kill") or sys.platform == "win32",
                    reason="needs signals sent to the child's main thread")
@pytest.mark.parametrize("last", ["INT", "TERM"])
def test_pressing_on_while_a_file_write_stalls_ends_at_once_and_the_next_write_recovers(tmp_path, last) -> None:
    db = _accepted_library(tmp_path, 8)
    originals = _photos(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", CHILD, db], cwd=REPO_ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in child.stdout], daemon=True).start()
    try:
        stalled = Path(_next_line(lines, "STALLED").split(" ", 1)[1])
        for send in ("INT", "INT", "INT"):  # stop after the files being written; abort; held (a key's repeat)
            child.stdin.write(f"{send}\n")
            child.stdin.flush()
            _next_line(lines, "HANDLED")
        child.stdin.write(f"{last}\n")  # pressed on, while the main thread waits for the stalled file: the way out
        child.stdin.flush()
        code = child.wait(60)
        err = child.stderr.read()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    word, expected_code = ("interrupted", 130) if last == "INT" else ("terminated", 143)
    command = f"landmark-tagger --db {db}"
    assert code == expected_code
    assert err.splitlines()[-1] == (
        f"landmark-tagger: {word}; stopped at once: {stalled} was being written; the next `{command} write` checks "
        f"it and carries batch 1 on (or `{command} undo` takes back what it holds)")
    assert not re.search(r"holds \d+ file", err)  # no count of the batch's files: it was not closed
    assert stalled.read_bytes() == originals[stalled]  # the write never reached it
    with PhotoIndex.open(db) as index:
        assert journal.batch_status(index, 1) == "running"  # left for the next write, as a kill leaves it

    assert main(["--db", db, "write"]) == 0  # carries batch 1 on
    assert all("Petra" in (read_fields(photo.read_bytes()).subject or []) for photo in originals)  # each complete
    assert not [name for name in (tmp_path / "lib").iterdir() if name.name.startswith(".")]  # no temp left
    assert main(["--db", db, "undo"]) == 0
    assert _photos(tmp_path) == originals

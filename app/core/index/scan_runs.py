"""The scan_runs table: one row per scan, and the work a scan that did not finish
leaves to the next one.

A scan commits its walk in many small transactions and recognises moves only at
the end (the new place of a moved photo is not known before the whole walk is
over). A scan killed in between (SIGKILL, a crash, a power cut) has written the
moved photos' new places as new photos and their old ones as missing, and no later
scan would pair them again: nothing there is new or goes missing any more. So the
pairing that is still owed is recorded in the index, in the same transactions as
the changes that owe it, and the next scan finishes it:

- `scan_runs.photos_before`: the newest photo id when the scan started; the photos
  after it came in with a scan whose move recognition has not run yet. Set to NULL
  when the recognition is over (then nothing is owed).
- `moves_pending`: the photos that went missing in such a scan, written in the
  transaction that marks them missing.

At its start a scan takes over what the scans that stopped without finishing owe
(`take_over_interrupted`): their pending photos become its own and its
`photos_before` reaches back to theirs, so a chain of killed scans passes the work
on. An unchanged library costs one small query on scan_runs, nothing else. (A scan
of a version before these records, killed at the same point, gets them from the
upgrade where what it did can be told: migration 18 in schema.py.)

Whether a scan whose row says 'running' still runs: its process (`pid` on `host`)
is alive and is the one that started the scan, its start time (`pid_started`, as
psutil gives it) the same to the second: a process id is handed out again, after a
reboot or simply later, to a process that has nothing to do with the scan. (A row from
before the index recorded start times: the process with that id must have started
before the scan did.) A scan in this very process is running while `_RUNNING_HERE`
says so (it may have raised and left its row saying 'running'). A scan on another
computer (an index on a shared drive) cannot be looked at: it is taken for running
for a day after it started.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from datetime import datetime, timedelta, timezone

import psutil

from app.core.index.connection import now_iso
from app.core.index.records import printable_path

# How long a scan started on another computer is taken for running (its process cannot be seen).
OTHER_COMPUTER_GRACE = timedelta(days=1)

# How far a process's start time may read apart from the one recorded (psutil computes
# it from boot time and clock ticks on Linux: it can move by a fraction of a second).
START_TIME_SLACK_S = 1.0

# (index file, run id) of the scans running in this process (the index file: '' for ":memory:").
_RUNNING_HERE: set[tuple[str, int]] = set()


def start_run(conn: sqlite3.Connection, roots: list[str]) -> int:
    """A row for a scan starting now in this process; returns its id."""
    cursor = conn.execute(
        "INSERT INTO scan_runs (started_at, roots, status, pid, host, pid_started) "
        "VALUES (?, ?, 'running', ?, ?, ?)",
        (now_iso(), json.dumps([printable_path(r) for r in roots]), os.getpid(), _host(), _this_process_started()),
    )
    run_id = int(cursor.lastrowid)
    _RUNNING_HERE.add((_index_file(conn), run_id))
    return run_id


def finish_run(conn: sqlite3.Connection, run_id: int, counts: dict[str, int], status: str,
               moves_recognised: bool) -> None:
    """Record the scan's counts and how it ended; `moves_recognised`: its move
    recognition ran to the end, so it owes nothing to the next scan."""
    conn.execute(
        "UPDATE scan_runs SET finished_at = ?, photos = ?, new = ?, changed = ?, moved = ?, missing = ?, "
        "errors = ?, status = ? WHERE id = ?",
        (now_iso(), counts["photos"], counts["new"], counts["changed"], counts["moved"],
         counts["missing"], counts["errors"], status, run_id),
    )
    if moves_recognised:
        conn.execute("UPDATE scan_runs SET photos_before = NULL WHERE id = ?", (run_id,))
        conn.execute("DELETE FROM moves_pending WHERE run_id = ?", (run_id,))


def stopped_here(conn: sqlite3.Connection, run_id: int) -> None:
    """The scan's process is done with it (after finish_run, or when it raised)."""
    _RUNNING_HERE.discard((_index_file(conn), run_id))


def previous_run_unfinished(conn: sqlite3.Connection, run_id: int) -> bool:
    """Whether the scan before this one stopped without finishing (killed: still
    'running', or 'interrupted' once a later scan saw it; or failed), leaving work
    that only the end of a scan does."""
    row = conn.execute("SELECT status FROM scan_runs WHERE id < ? ORDER BY id DESC LIMIT 1", (run_id,)).fetchone()
    return row is not None and row[0] not in ("done", "cancelled")


def take_over_interrupted(conn: sqlite3.Connection, run_id: int, newest_photo: int) -> int:
    """Make the move recognition that scans before `run_id` still owe (they stopped
    without finishing it and do not run any more) the work of scan `run_id`, which
    holds the write lock (`conn` in its transaction). Returns the newest photo id
    before the photos that recognition must look at (`newest_photo`, the newest one
    now, when nothing is owed); a killed 'running' scan is marked 'interrupted'."""
    owing = [
        row for row in _rows(conn,
            "SELECT id, status, pid, host, started_at, pid_started, photos_before FROM scan_runs "
            "WHERE id < ? AND photos_before IS NOT NULL", (run_id,))
        if row["status"] != "running" or not is_running(conn, row)
    ]
    since = min([newest_photo, *(int(row["photos_before"]) for row in owing)])
    if owing:
        marks = ",".join("?" * len(owing))
        owners = [int(row["id"]) for row in owing]
        conn.execute(f"UPDATE moves_pending SET run_id = ? WHERE run_id IN ({marks})", (run_id, *owners))
        conn.execute(
            f"UPDATE scan_runs SET photos_before = NULL, status = CASE status WHEN 'running' THEN 'interrupted' "
            f"ELSE status END WHERE id IN ({marks})", owners)
    conn.execute("UPDATE scan_runs SET photos_before = ? WHERE id = ?", (since, run_id))
    return since


def note_went_missing(conn: sqlite3.Connection, photo_id: int, run_id: int, other_spelling: bool = False) -> None:
    """The photo went missing in scan `run_id`, which has yet to look for where it went
    (in the transaction that marks it missing). `other_spelling`: it was indexed under
    another spelling of a library folder (see the scanner's _merge_other_spellings)."""
    conn.execute("INSERT OR REPLACE INTO moves_pending (photo_id, run_id, other_spelling) VALUES (?, ?, ?)",
                 (photo_id, run_id, int(other_spelling)))


def pending_moves(conn: sqlite3.Connection, run_id: int) -> list[tuple[int, bool]]:
    """(photo, indexed under another spelling) of the photos still missing whose moves
    scan `run_id` owes, oldest first."""
    return [(int(photo_id), bool(other)) for photo_id, other in conn.execute(
        "SELECT m.photo_id, m.other_spelling FROM moves_pending m JOIN photos p ON p.id = m.photo_id "
        "WHERE m.run_id = ? AND p.missing = 1 ORDER BY m.photo_id", (run_id,))]


def shown_status(conn: sqlite3.Connection, run: dict) -> str:
    """The status to show for a scan_runs row (with its `id`, `status`, `pid`, `host`,
    `started_at` and `pid_started`): 'interrupted' for one that says 'running' but no
    longer runs."""
    if run["status"] == "running" and not is_running(conn, run):
        return "interrupted"
    return run["status"]


def is_running(conn: sqlite3.Connection, run: dict) -> bool:
    """Whether the scan of this scan_runs row (see shown_status), which says 'running',
    still runs (see the module's docstring). A row written before the index knew
    processes (no pid) is taken as not running."""
    if run["pid"] is None:
        return False
    started_at = _parse_time(run["started_at"])
    if run["host"] != _host():
        return started_at is not None and datetime.now(timezone.utc) - started_at < OTHER_COMPUTER_GRACE
    if run["pid"] == os.getpid() and run.get("pid_started") is not None and _same_start(
            _this_process_started(), run["pid_started"]):
        return (_index_file(conn), run["id"]) in _RUNNING_HERE
    return process_alive(run["pid"], run.get("pid_started"), started_at)


def process_alive(pid: int, pid_started: float | None, run_started: datetime | None = None) -> bool:
    """Whether the process that started a scan (`pid`, started at `pid_started`, in
    seconds since the epoch) is alive on this computer, rather than another process that
    got its id since. Without `pid_started` (a row from before the index recorded it), a
    process with that id that started before the scan did (`run_started`) is the one."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False  # killed, its parent has not reaped it yet
        started = process.create_time()
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        # Our own processes can always be asked: one that cannot is another user's or the
        # system's (on macOS and Windows), which got the id of a scan killed since.
        return False
    if pid_started is not None:
        return _same_start(started, pid_started)
    return run_started is not None and started <= run_started.timestamp() + START_TIME_SLACK_S


def _same_start(started: float, recorded: float) -> bool:
    return abs(started - recorded) <= START_TIME_SLACK_S


def _this_process_started() -> float:
    return psutil.Process().create_time()


def _parse_time(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text or "")
    except ValueError:
        return None


def _rows(conn: sqlite3.Connection, sql: str, params: tuple) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def _host() -> str:
    return socket.gethostname()


def _index_file(conn: sqlite3.Connection) -> str:
    for _, name, path in conn.execute("PRAGMA database_list"):
        if name == "main":
            return path or ""
    return ""

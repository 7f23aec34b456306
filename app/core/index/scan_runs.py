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

Whether a scan whose row says 'running' still runs: its process (`pid` on the
computer `computer`, this_computer's id since migration 44; rows before it name the
computer by `host` alone) is alive and is the one that started the scan, by its start time: a process id is
handed out again, after a reboot or simply later, to a process that has nothing to do
with the scan. On Linux that is the start in seconds since boot (`pid_started`, from
/proc/<pid>/stat) on the same boot (`pid_boot`, the kernel's boot id), to the clock
tick: psutil's create_time there is the boot time plus that start, and the boot time
moves whenever the wall clock is stepped (NTP's first sync, WSL2 after the host slept),
which made a live scan look dead and a scan beside it take over its work. Elsewhere,
and in rows from before boots were recorded (`pid_boot` NULL), `pid_started` is
psutil's create_time, in seconds since the epoch, the same give or take
START_TIME_SLACK_S. (A row from before the index recorded start times: the process
with that id must have started before the scan did.) A scan in this very process is running while `_RUNNING_HERE`
says so (it may have raised and left its row saying 'running'). A scan on another
computer (an index on a shared drive) cannot be looked at: it is taken for running
for a day after it started.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psutil

from app.core.index.connection import now_iso
from app.core.index.records import printable_path
from app.core.this_computer import computer_id, host_name, is_this_computer

# How long a scan started on another computer is taken for running (its process cannot be seen).
OTHER_COMPUTER_GRACE = timedelta(days=1)

# How far a process's create_time may read apart from the one recorded in a row without
# `pid_boot` (psutil adds the boot time on Linux, which a step of the wall clock moves):
# a process that got the pid and started within this of the scan's process is taken for
# it, which only puts the take-over off until that process ends.
CREATE_TIME_SLACK_S = 120.0

# How far a process's create_time may be after the start of a scan recorded without it
# (a row from before migration 17) for the process to be the scan's.
START_TIME_SLACK_S = 1.0

# The kernel's id of the running boot (Linux): a start in seconds since boot holds for it only.
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")

# The scan_runs columns that tell a scan's process (is_running reads them).
PROCESS_COLUMNS = ("pid", "host", "computer", "pid_started", "pid_boot")

# (index file, run id) of the scans running in this process (the index file: '' for ":memory:").
_RUNNING_HERE: set[tuple[str, int]] = set()


def start_run(conn: sqlite3.Connection, roots: list[str]) -> int:
    """A row for a scan starting now in this process; returns its id."""
    started, boot = start_of_this_process()
    cursor = conn.execute(
        "INSERT INTO scan_runs (started_at, roots, status, pid, host, computer, pid_started, pid_boot) "
        "VALUES (?, ?, 'running', ?, ?, ?, ?, ?)",
        (now_iso(), json.dumps([printable_path(r) for r in roots]), os.getpid(), host_name(), computer_id(),
         started, boot),
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
            "SELECT id, status, pid, host, computer, started_at, pid_started, pid_boot, photos_before FROM scan_runs "
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
    """The status to show for a scan_runs row (with its `id`, `status`, `started_at`
    and PROCESS_COLUMNS): 'interrupted' for one that says 'running' but no longer runs."""
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
    if not is_this_computer(run.get("computer"), run["host"]):
        return started_at is not None and datetime.now(timezone.utc) - started_at < OTHER_COMPUTER_GRACE
    if run["pid"] == os.getpid() and run.get("pid_started") is not None and _started_as_recorded(
            psutil.Process(), run["pid_started"], run.get("pid_boot")):
        return (_index_file(conn), run["id"]) in _RUNNING_HERE
    return process_alive(run["pid"], run.get("pid_started"), started_at, run.get("pid_boot"))


def process_alive(pid: int, pid_started: float | None, run_started: datetime | None = None,
                  pid_boot: str | None = None) -> bool:
    """Whether the process that started a scan (`pid`, started at `pid_started`: seconds
    since boot `pid_boot`, or since the epoch without it) is alive on this computer,
    rather than another process that got its id since. Without `pid_started` (a row from
    before the index recorded it), a process with that id that started before the scan
    did (`run_started`) is the one."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False  # killed, its parent has not reaped it yet
        if pid_started is not None:
            return _started_as_recorded(process, pid_started, pid_boot)
        started = process.create_time()
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        # Our own processes can always be asked: one that cannot is another user's or the
        # system's (on macOS and Windows), which got the id of a scan killed since.
        return False
    return run_started is not None and started <= run_started.timestamp() + START_TIME_SLACK_S


def _started_as_recorded(process: psutil.Process, pid_started: float, pid_boot: str | None) -> bool:
    """Whether `process` started when the scan's process did (see the module's docstring)."""
    if pid_boot is None:
        return abs(process.create_time() - pid_started) <= CREATE_TIME_SLACK_S
    since_boot = _start_since_boot(process.pid)
    return since_boot is not None and since_boot[1] == pid_boot and \
        abs(since_boot[0] - pid_started) < 0.5 / os.sysconf("SC_CLK_TCK")  # the same clock tick


def start_of_this_process() -> tuple[float, str | None]:
    """(pid_started, pid_boot) for this process: since boot where the system tells it."""
    return _start_since_boot(os.getpid()) or (psutil.Process().create_time(), None)


def _start_since_boot(pid: int) -> tuple[float, str] | None:
    """(when process `pid` started, in seconds since boot; the boot's id) on Linux, where
    neither moves with the wall clock; None elsewhere, or when /proc does not tell."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        boot = _BOOT_ID.read_text().strip()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the fields after the command name (in parentheses, and it may hold anything): the
    # start, in clock ticks since boot, is field 22 of the line, the 20th of these
    ticks = int(stat.rsplit(")", 1)[1].split()[19])
    return ticks / os.sysconf("SC_CLK_TCK"), boot


def _parse_time(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text or "")
    except ValueError:
        return None


def _rows(conn: sqlite3.Connection, sql: str, params: tuple) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def _index_file(conn: sqlite3.Connection) -> str:
    for _, name, path in conn.execute("PRAGMA database_list"):
        if name == "main":
            return path or ""
    return ""

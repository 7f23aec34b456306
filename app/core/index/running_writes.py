"""Which write batch a live process is still writing.

A write journals its files into one batch as it goes, and `undo` reverts the newest
batch: an undo (or a second write) in another process (the app beside a cron job,
two terminals) must not take a batch that is still being written, or the write's
later files land in a batch already undone, beyond any undo. So a batch row records
its process (`pid`, `host`, `pid_started`, `pid_boot`, migration 25) as a scan_runs
row does, and is judged by scan_runs' own live-process check: a batch still saying
'running' whose writer was killed (SIGKILL, a power cut) is undoable as before. A
batch of this very process is running while `_WRITING_HERE` says so (its
bookkeeping may have failed and left the row saying 'running').
"""

from __future__ import annotations

import os
import socket
import sqlite3
from dataclasses import dataclass

from app.core.errors import TaggerError
from app.core.index import scan_runs

# What a second write and an undo say while a live process writes a batch.
WRITE_REFUSED = "another write is running ({who}); try again when it has finished"
UNDO_REFUSED = "a write is running ({who}); undo when it has finished"

# (index, batch id) of the batches this process is writing (the index: see _index_key).
_WRITING_HERE: set[tuple[str, int]] = set()


class WriteRunningError(TaggerError):
    """Another process is writing a batch into the photos of this index."""


@dataclass(frozen=True)
class RunningWrite:
    """A batch a live process is writing."""

    batch_id: int
    pid: int
    host: str

    def who(self) -> str:
        """'batch N, process P' (and its computer when it is another one)."""
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"batch {self.batch_id}, process {self.pid}{where}"


def claim_batch(conn: sqlite3.Connection, batch_id: int) -> None:
    """Record this process as the writer of `batch_id` (in the transaction that starts it)."""
    started, boot = scan_runs._start_of_this_process()  # as scan rows record it, for is_running
    conn.execute("UPDATE write_batches SET pid = ?, host = ?, pid_started = ?, pid_boot = ? WHERE id = ?",
                 (os.getpid(), socket.gethostname(), started, boot, batch_id))
    _WRITING_HERE.add((_index_key(conn), batch_id))


def release_batch(conn: sqlite3.Connection, batch_id: int) -> None:
    """This process is done with `batch_id` (finished, or it raised)."""
    _WRITING_HERE.discard((_index_key(conn), batch_id))


def running_write(conn: sqlite3.Connection, batch_id: int | None = None) -> RunningWrite | None:
    """The newest batch (or `batch_id`) that says 'running' and whose process still
    runs; None when there is none. Batches written before migration 25 (no pid) were
    cut short."""
    rows = conn.execute(
        "SELECT id, started_at, pid, host, pid_started, pid_boot FROM write_batches "
        "WHERE status = 'running' AND undone_at IS NULL AND pid IS NOT NULL AND (? IS NULL OR id = ?) "
        "ORDER BY id DESC", (batch_id, batch_id)).fetchall()
    for row in rows:
        run = dict(zip(("id", "started_at", "pid", "host", "pid_started", "pid_boot"), row))
        if _is_writing(conn, run):
            return RunningWrite(run["id"], run["pid"], run["host"])
    return None


def refuse_while_writing(conn: sqlite3.Connection, message: str) -> None:
    """Raise WriteRunningError with `message` (WRITE_REFUSED, UNDO_REFUSED: its `{who}`
    filled in by RunningWrite.who) when a live process is writing a batch."""
    running = running_write(conn)
    if running is not None:
        raise WriteRunningError(message.format(who=running.who()))


def _is_writing(conn: sqlite3.Connection, run: dict) -> bool:
    if run["pid"] == os.getpid() and run["host"] == socket.gethostname():
        return (_index_key(conn), run["id"]) in _WRITING_HERE  # an older process with our pid is gone
    return scan_runs.is_running(conn, run)


def _index_key(conn: sqlite3.Connection) -> str:
    """The index file `conn` has open; a private in-memory index is its connection alone."""
    for _, name, path in conn.execute("PRAGMA database_list"):
        if name == "main" and path:
            return path
    return f":memory:{id(conn)}"

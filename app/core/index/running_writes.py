"""Which write batch a live process is still writing, or undoing.

A write journals its files into one batch as it goes, and `undo` reverts the newest
batch: an undo (or a second write) in another process (the app beside a cron job,
two terminals) must not take a batch that is still being written, or the write's
later files land in a batch already undone, beyond any undo. So a batch row records
its process (`pid`, `host`, `pid_started`, `pid_boot`, migration 25; `computer`, migration
44) as a scan_runs row does, and is judged by scan_runs' own live-process check: a batch still saying
'running' whose writer was killed (SIGKILL, a power cut) is undoable as before. A
batch of this very process is running while `_WRITING_HERE` says so (its
bookkeeping may have failed and left the row saying 'running').

An undo claims the batch it takes the same way (`undo_pid`, `undo_host`,
`undo_pid_started`, `undo_pid_boot`, `undo_started_at`, migration 27; `undo_computer`,
44), in the
transaction that checks nothing else runs and picks the batch: a write planned while
an undo restores files would count those it has not reached yet as holding their
label, just before the undo takes it out, and a second undo would take the same
newest batch again. So both refuse while an undo's process lives; a killed undo
blocks nothing, and the next undo takes its batch over.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from app.core.errors import IndexBusyError
from app.core.index import scan_runs
from app.core.index.connection import now_iso
from app.core.this_computer import computer_id, host_name, is_this_computer

# What a second write and an undo say while a live process writes a batch.
WRITE_REFUSED = "another write is running ({who}); try again when it has finished"
UNDO_REFUSED = "a write is running ({who}); undo when it has finished"
# What a write and a second undo say while a live process undoes a batch.
WRITE_REFUSED_BY_UNDO = "an undo is running ({who}); write when it has finished"
UNDO_REFUSED_BY_UNDO = "another undo is running ({who}); try again when it has finished"

# (index, batch id) of the batches this process is writing (the index: see _index_key).
_WRITING_HERE: set[tuple[str, int]] = set()
# (index, batch id) of the batches this process is undoing.
_UNDOING_HERE: set[tuple[str, int]] = set()


class WriteRunningError(IndexBusyError):
    """Another process is writing a batch into the photos of this index."""


class UndoRunningError(WriteRunningError):
    """Another process is undoing a write batch of this index."""


@dataclass(frozen=True)
class RunningWrite:
    """A batch a live process is writing (or undoing)."""

    batch_id: int
    pid: int
    host: str
    computer: str | None = None  # this_computer's id; None in a row from before migration 44
    started_at: str | None = None
    pid_started: float | None = None
    pid_boot: str | None = None

    def who(self) -> str:
        """'batch N, process P' (and its computer when it is another one)."""
        where = "" if is_this_computer(self.computer, self.host) else f" on {self.host}"
        return f"batch {self.batch_id}, process {self.pid}{where}"

    def if_it_was_here(self, then: str) -> str:
        """What to do when the batch, taken for another computer's, names this computer's
        host and its process does not run here: that may be this computer under an id it
        no longer has (its data folder reset, its computer-id lost), whose killed write
        only the day's grace gives back (no command takes it over sooner). '' otherwise."""
        if is_this_computer(self.computer, self.host) or self.host != host_name():
            return ""
        started = _parse_time(self.started_at)
        if started is None or scan_runs.process_alive(self.pid, self.pid_started, started, self.pid_boot):
            return ""
        free = (started + scan_runs.OTHER_COMPUTER_GRACE).astimezone().strftime("%Y-%m-%d %H:%M")
        return (f". No process {self.pid} runs on this computer: if {self.host} was this computer when it "
                f"started (its computer id has changed since), it was stopped, and from {free}, a day after "
                f"it started, {then}")


def claim_batch(conn: sqlite3.Connection, batch_id: int) -> None:
    """Record this process as the writer of `batch_id`, in the transaction that checked
    no live process writes or undoes one (refuse_while_busy) and chose it. `started_at`
    becomes now, for a killed write's batch carried on too: another computer judges the
    batch live by it alone (a day's grace, scan_runs.is_running), and the killed run's
    start would make a batch carried on days later look dead there from its first second
    (an undo there would take it while this process writes into it). Every version that
    records a writer reads that column, so an older one sharing the index refuses too;
    when each file was written stays in its journal entry (`at`). Raises
    WriteRunningError when the batch is no longer one a killed write left."""
    started, boot = scan_runs.start_of_this_process()  # as scan rows record it, for is_running
    claimed = conn.execute(
        "UPDATE write_batches SET pid = ?, host = ?, computer = ?, pid_started = ?, pid_boot = ?, started_at = ? "
        "WHERE id = ? AND status = 'running' AND undone_at IS NULL",
        (os.getpid(), host_name(), computer_id(), started, boot, now_iso(), batch_id)).rowcount
    if claimed != 1:  # finished, undone or gone since it was chosen: never write into it
        raise WriteRunningError(WRITE_REFUSED.format(who=f"batch {batch_id}"))
    _WRITING_HERE.add((_index_key(conn), batch_id))


def release_batch(conn: sqlite3.Connection, batch_id: int) -> None:
    """This process is done with `batch_id` (finished, or it raised)."""
    _WRITING_HERE.discard((_index_key(conn), batch_id))


def claim_undo(conn: sqlite3.Connection, batch_id: int) -> None:
    """Record this process as the one undoing `batch_id` (in the transaction that chose it)."""
    started, boot = scan_runs.start_of_this_process()
    conn.execute("UPDATE write_batches SET undo_pid = ?, undo_host = ?, undo_computer = ?, undo_pid_started = ?, "
                 "undo_pid_boot = ?, undo_started_at = ? WHERE id = ?",
                 (os.getpid(), host_name(), computer_id(), started, boot, now_iso(), batch_id))
    _UNDOING_HERE.add((_index_key(conn), batch_id))


def release_undo(conn: sqlite3.Connection, batch_id: int) -> None:
    """This process is done undoing `batch_id` (finished, cancelled, or it raised)."""
    _UNDOING_HERE.discard((_index_key(conn), batch_id))
    conn.execute("UPDATE write_batches SET undo_pid = NULL, undo_host = NULL, undo_computer = NULL, "
                 "undo_pid_started = NULL, undo_pid_boot = NULL, undo_started_at = NULL WHERE id = ? AND undo_pid = ?",
                 (batch_id, os.getpid()))


def running_write(conn: sqlite3.Connection, batch_id: int | None = None) -> RunningWrite | None:
    """The newest batch (or `batch_id`) that says 'running' and whose process still
    runs; None when there is none. Batches written before migration 25 (no pid) were
    cut short."""
    return _live(conn, _WRITING_HERE,
                 "SELECT id, started_at, pid, host, computer, pid_started, pid_boot FROM write_batches "
                 "WHERE status = 'running' AND undone_at IS NULL AND pid IS NOT NULL AND (? IS NULL OR id = ?) "
                 "ORDER BY id DESC", (batch_id, batch_id))


def running_undo(conn: sqlite3.Connection) -> RunningWrite | None:
    """The batch a live process is undoing; None when there is none."""
    return _live(conn, _UNDOING_HERE,
                 "SELECT id, undo_started_at, undo_pid, undo_host, undo_computer, undo_pid_started, undo_pid_boot "
                 "FROM write_batches WHERE undo_pid IS NOT NULL ORDER BY id DESC", ())


def refuse_while_busy(conn: sqlite3.Connection, starting: str) -> None:
    """Raise WriteRunningError when a live process writes a batch, UndoRunningError
    when one undoes a batch; `starting` ("write" or "undo", what this process is about
    to do) picks the message, which says when to try again."""
    running = running_write(conn)
    if running is not None:
        message = WRITE_REFUSED if starting == "write" else UNDO_REFUSED
        raise WriteRunningError(message.format(who=running.who()) + running.if_it_was_here(
            "`write` carries that write on and `undo` takes it back"))
    running = running_undo(conn)
    if running is not None:
        message = WRITE_REFUSED_BY_UNDO if starting == "write" else UNDO_REFUSED_BY_UNDO
        raise UndoRunningError(message.format(who=running.who()) + running.if_it_was_here(
            "`undo` takes that undo over"))


def _live(conn: sqlite3.Connection, here: set[tuple[str, int]], sql: str, params: tuple) -> RunningWrite | None:
    """The first row of `sql` (id, its start, pid, host, computer, pid_started, pid_boot)
    whose process still runs; `here`: the batches this very process is busy with."""
    for row in conn.execute(sql, params).fetchall():
        run = dict(zip(("id", "started_at", "pid", "host", "computer", "pid_started", "pid_boot"), row))
        if _is_live(conn, run, here):
            return RunningWrite(run["id"], run["pid"], run["host"], run["computer"], run["started_at"],
                                run["pid_started"], run["pid_boot"])
    return None


def _is_live(conn: sqlite3.Connection, run: dict, here: set[tuple[str, int]]) -> bool:
    if run["pid"] == os.getpid() and is_this_computer(run["computer"], run["host"]):
        return (_index_key(conn), run["id"]) in here  # an older process with our pid is gone
    return scan_runs.is_running(conn, run)


def _parse_time(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text or "")
    except ValueError:
        return None


def _index_key(conn: sqlite3.Connection) -> str:
    """The index file `conn` has open; a private in-memory index is its connection alone."""
    for _, name, path in conn.execute("PRAGMA database_list"):
        if name == "main" and path:
            return path
    return f":memory:{id(conn)}"


def newest_batch(conn: sqlite3.Connection) -> int:
    """The id of the newest write batch (0: none yet), noted before a write starts."""
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM write_batches").fetchone()[0])


def files_journalled_since(conn: sqlite3.Connection, newest_before: int) -> tuple[int | None, int]:
    """(the batch started after batch `newest_before`, how many files its journal holds):
    what a write the index failed under (a full disk) had changed, which `undo` reverts,
    though the write could not finish its summary. (None, 0) when it started no batch."""
    batch, files = conn.execute(  # a file a killed run began and its rerun wrote has two entries: one file
        "SELECT max(b.id), count(DISTINCT j.path) FROM write_batches b LEFT JOIN write_journal j ON j.batch_id = b.id "
        "WHERE b.id > ?", (newest_before,)).fetchone()
    return (int(batch) if batch is not None else None), int(files)

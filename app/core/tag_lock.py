"""One tagging job at a time per index.

Two `tag` runs of one index (a cron job still running when the next one starts, the
app beside a terminal) would each select and classify the same photos: the results
are right, the CPU is spent twice. So a tagging job records itself in a file beside
the index (`index.db.tag-lock`: process id, computer (this_computer's id, and its
host name for messages), process start, start time), and
a second one refuses with TagRunningError naming that process and when it started.

Whether the recorded process still runs is judged as scan_runs judges a scan's (its
id and its start, through psutil, on every platform): a lock left by a killed run
(SIGKILL, a power cut) blocks nothing, the next job takes it over. The check and the
claim happen inside one write transaction of the index, so two jobs starting at once
cannot both find the lock free; no file locking (fcntl, msvcrt) is involved. One held
by another computer (an index on a shared drive), whose process cannot be looked at,
counts as running for scan_runs.OTHER_COMPUTER_GRACE after it started, and the message
names the file to delete if that run was stopped. Jobs of this very process (the app's)
share the lock. An in-memory index has none. The claim is written to
`index.db.tag-lock.<token>.tmp` and renamed into place; one a job killed between the two
left is removed by the next claim.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from app.core.errors import IndexBusyError
from app.core.index import scan_runs
from app.core.index.connection import now_iso
from app.core.this_computer import computer_id, host_name, is_this_computer

if TYPE_CHECKING:
    from app.core.index import PhotoIndex

LOCK_SUFFIX = ".tag-lock"

# lock files this process holds, with how many of its jobs hold each
_HELD_HERE: dict[str, int] = {}


class TagRunningError(IndexBusyError):
    """Another live process is tagging the photos of this index."""


@dataclass(frozen=True)
class TagHolder:
    """The process a lock file names."""

    pid: int
    host: str
    pid_started: float | None
    pid_boot: str | None
    started_at: str
    token: str
    computer: str | None = None  # this_computer's id; None in a lock an older version wrote

    def here(self) -> bool:
        """Whether the process that wrote the lock ran on this computer."""
        return is_this_computer(self.computer, self.host)

    def who(self) -> str:
        """'process 4242, started 2026-12-05 10:34:46' (and its computer when another)."""
        where = "" if self.here() else f" on {self.host}"
        return f"process {self.pid}{where}, started {_local_time(self.started_at)}"

    def runs(self) -> bool:
        """Whether the process that wrote the lock still runs (see the module's docstring)."""
        started_at = _parse_time(self.started_at)
        if not self.here():
            return started_at is not None and \
                datetime.now(timezone.utc) - started_at < scan_runs.OTHER_COMPUTER_GRACE
        if self.pid == os.getpid():
            # this process holds no lock of the index while it claims one: the file is
            # left from a job whose release failed, or from an earlier process with our id
            return False
        return scan_runs.process_alive(self.pid, self.pid_started, started_at, self.pid_boot)


def lock_path(index: "PhotoIndex") -> Path | None:
    """The lock file of `index`; None for an in-memory one."""
    if str(index.path) == ":memory:":
        return None
    return Path(f"{index.path}{LOCK_SUFFIX}")


@contextmanager
def one_tag_at_a_time(index: "PhotoIndex") -> Iterator[None]:
    """Hold the tagging lock of `index` while the block runs. Raises TagRunningError,
    changing nothing, while another live process holds it. A lock file that cannot be
    written (a folder the user may not write beside a writable index) is done without:
    refusing to tag for that would be worse than tagging twice."""
    path = lock_path(index)
    if path is None:
        yield
        return
    key = str(path)
    mine = _claim(index, path) if key not in _HELD_HERE else None
    _HELD_HERE[key] = _HELD_HERE.get(key, 0) + 1
    try:
        yield
    finally:
        _HELD_HERE[key] -= 1
        if not _HELD_HERE[key]:
            del _HELD_HERE[key]
            if mine is not None:
                _release(path, mine)


def holder(path: Path) -> TagHolder | None:
    """The process the lock file at `path` names; None when there is none (or it is
    unreadable: a half-written file is no claim, as the claim is written whole)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return TagHolder(int(data["pid"]), str(data["host"]), data.get("pid_started"), data.get("pid_boot"),
                         str(data["started_at"]), str(data.get("token", "")), data.get("computer"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _claim(index: "PhotoIndex", path: Path) -> str | None:
    """Write this process into the lock file, in a write transaction of the index (the
    other claims wait for it); returns its token, None when the file cannot be written."""
    with index.transaction():
        current = holder(path)
        if current is not None and current.runs():
            stale = "" if current.here() else f"; if it was stopped, delete {path}"
            raise TagRunningError(f"another tag is running on the index {index.path} ({current.who()}); "
                                  f"try again when it has finished{stale}")
        _remove_killed_claims(path)
        started, boot = scan_runs.start_of_this_process()
        token = secrets.token_hex(_TOKEN_BYTES)
        claim = {"pid": os.getpid(), "host": host_name(), "computer": computer_id(), "pid_started": started,
                 "pid_boot": boot, "started_at": now_iso(), "token": token}
        temporary = path.with_name(f"{path.name}.{token}.tmp")
        try:
            temporary.write_text(json.dumps(claim), encoding="utf-8")
            os.replace(temporary, path)  # whole or not at all: a reader never sees half a claim
        except OSError:
            temporary.unlink(missing_ok=True)
            return None
        return token


_TOKEN_BYTES = 8


def _remove_killed_claims(path: Path) -> None:
    """Remove the `<lock>.<token>.tmp` files of claims killed before their rename. Each
    claim writes and renames its own inside the index's write transaction, which the
    caller holds: any found now is no running claim's. Problems are ignored (clutter)."""
    killed = re.compile(re.escape(path.name) + r"\.[0-9a-f]{%d}\.tmp" % (2 * _TOKEN_BYTES))
    try:
        with os.scandir(path.parent) as entries:
            leftovers = [entry.path for entry in entries if killed.fullmatch(entry.name)]
    except OSError:
        return
    for leftover in leftovers:
        try:
            os.remove(leftover)
        except OSError:
            pass


def _release(path: Path, token: str) -> None:
    """Remove the lock file if it is still this job's (a later job may have taken
    over one this process seemed to have left, never while it runs)."""
    current = holder(path)
    if current is not None and current.token == token:
        try:
            path.unlink()
        except OSError:  # left behind: the next job finds this process gone and takes it over
            pass


def _parse_time(iso: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _local_time(iso: str) -> str:
    moment = _parse_time(iso)
    return iso if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")

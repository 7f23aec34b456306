"""One training at a time in a run folder.

Two trainings writing into one run_dir (a command started twice, SLURM tasks that
each believed they were alone) interleaved metrics.csv and overwrote each other's
checkpoints, and both ended "done". Rank 0 holds `run_dir/train.lock` for the whole
run: an exclusive, non-blocking lock on the open file (fcntl.flock; msvcrt.locking on
Windows), which the system releases when the process ends however it ends, so a
killed run leaves no lock to clear by hand. A process forked from the holder (a
DataLoader worker) closes its copy at once: a flock belongs to the open file, which
forked children share, and a killed run's workers held it for seconds after it died, so
an immediate --resume was refused naming a dead process. The file names its holder for
the message a second training gets, and is removed when the run ends.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from pathlib import Path

from training.errors import ConfigError, writing

LOCK_FILE = "train.lock"
# Windows locks byte ranges and refuses reads of a locked range: the lock is taken far
# past the holder's line, so a second training can still read who holds it.
_WINDOWS_LOCK_OFFSET = 1 << 20
_HELD_ELSEWHERE = {errno.EAGAIN, errno.EACCES, getattr(errno, "EWOULDBLOCK", errno.EAGAIN)}
_HELD_HERE: set[int] = set()  # this process's lock descriptors, closed in forked children
_fork_hook_registered = False


class RunFolderInUse(ConfigError):
    """Another training holds the run folder's lock."""


class RunLock:
    """The lock of one run folder, held from `acquire` until `release`.

    Raises RunFolderInUse when another process holds it. Where the file system cannot
    lock files at all, the run goes on unlocked (`held` stays False) and `note` says so.
    """

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / LOCK_FILE
        self.held = False
        self.note: str | None = None
        self._fd: int | None = None

    def acquire(self) -> "RunLock":
        with writing(self.path, "--run-dir"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            with writing(self.path, "--run-dir"):
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                _lock(fd)
            except OSError as exc:
                os.close(fd)
                if exc.errno in _HELD_ELSEWHERE:
                    raise RunFolderInUse(self._in_use_message()) from None
                self.note = (f"cannot lock {self.path} ({exc.strerror or exc}); nothing stops a second "
                             "training from writing into this run folder at the same time")
                return self
            # the holder before us removes the file as it lets go: a lock on a file no
            # longer at the path locks nothing, so take the one at the path
            if _same_file(fd, self.path):
                break
            os.close(fd)
        self._fd, self.held = fd, True
        _close_in_forked_children(fd)
        try:
            with writing(self.path, "--run-dir"):
                os.ftruncate(fd, 0)
                os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
        except BaseException:
            self.release()
            raise
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        _HELD_HERE.discard(self._fd)
        if sys.platform == "win32":
            os.close(self._fd)  # Windows removes no file open anywhere: let go first
            _remove(self.path)  # refused while another training has opened it: it stays
        else:
            _remove(self.path)  # first, so a training waiting on this file takes the next one
            os.close(self._fd)  # closing lets go of the lock
        self._fd, self.held = None, False

    def _in_use_message(self) -> str:
        try:
            holder = self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            holder = ""
        by = f" ({holder})" if holder else ""
        return (f"{self.path.parent} is in use by another training{by}; wait for it to end, or choose "
                "another --run-dir")

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _close_in_forked_children(fd: int) -> None:
    """Have a child forked while `fd` is held close it (Windows forks nothing)."""
    global _fork_hook_registered
    _HELD_HERE.add(fd)
    if not _fork_hook_registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_close_held_locks)
        _fork_hook_registered = True


def _close_held_locks() -> None:
    for fd in _HELD_HERE:
        try:
            os.close(fd)  # the child's copy only: the parent's lock stays
        except OSError:
            pass
    _HELD_HERE.clear()


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _same_file(fd: int, path: Path) -> bool:
    try:
        opened, named = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (opened.st_dev, opened.st_ino) == (named.st_dev, named.st_ino)


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:  # "Resource deadlock avoided" / permission denied: held by another
            raise OSError(errno.EACCES, exc.strerror or "locked") from exc
        finally:
            os.lseek(fd, 0, os.SEEK_SET)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

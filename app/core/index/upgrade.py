"""What an upgrade of the index to this version's schema must know besides the
migrations: whether another process still has the file open (an older app left open
would go on writing in its old ways into the upgraded schema, and what it adds would
stay wrong for good), and who to tell while it runs (it takes seconds to minutes on a
large library: the app shows a window, the command line says one line)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from app.core.index.backup import backup_before_upgrade, backup_folder, remove_half_upgrade_copies
from app.core.index.connection import held_by_another


def still_open_message(path: str) -> str:
    return (f"Landmark Tagger is still open on this index (perhaps an older version): {path}; "
            "close it and run the command again (the index was left as it was, and is upgraded then)")


def others_have_it_open(conn: sqlite3.Connection) -> bool:
    """Whether another connection (another process) has the WAL index file open. Every
    connection that has read a WAL file keeps a shared lock on it until closed, even idle,
    and leaving WAL needs that file to itself: `journal_mode = DELETE` fails at once
    (busy timeout 0) while any other is open, changing nothing; when it works, WAL is set
    back (the file was checkpointed, which loses nothing). A rollback-journal index (on a
    share) holds no lock while idle: nothing can be told, so False, as when the probe
    fails otherwise (the upgrade then meets that trouble and says it)."""
    if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        return False
    timeout = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        left = str(conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]).lower() == "delete"
    except sqlite3.OperationalError as error:  # busy: another holds it; else (a full disk) nothing to tell by
        return held_by_another(error)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {timeout}")
    if left:
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
    return False


@dataclass(frozen=True)
class UpgradeStep:
    """Where an upgrade of `index` from schema `old` to `new` stands: `reached` is the
    schema it is at (old until the first migration is done); `copy` the copy of the index
    as it was, once taken, in `copy_folder`."""

    index: str
    old: int
    new: int
    reached: int
    copy_folder: Path
    copy: Path | None = None


UpgradeWatcher = Callable[[UpgradeStep], None]


class UpgradeHooks:
    """schema.migrate's before_upgrade and progress for PhotoIndex.open: the copy of the
    index kept first, and `watcher` told when the upgrade starts, when the copy is kept
    and after each migration."""

    def __init__(self, index: str, watcher: UpgradeWatcher | None) -> None:
        self.index = index
        self.watcher = watcher
        self.step: UpgradeStep | None = None

    def keep_a_copy(self, old: int, new: int) -> None:
        """Runs under the upgrade's write lock: a half copy another upgrade left (killed
        while copying) cannot be written now, so it goes at once."""
        remove_half_upgrade_copies(self.index)
        self._tell(UpgradeStep(self.index, old, new, old, backup_folder(self.index)))
        copy = backup_before_upgrade(self.index, old, new)
        self._tell(UpgradeStep(self.index, old, new, old, copy.parent, copy))

    def reached(self, version: int) -> None:
        if self.step is not None:
            self._tell(UpgradeStep(self.step.index, self.step.old, self.step.new, version, self.step.copy_folder,
                                   self.step.copy))

    def _tell(self, step: UpgradeStep) -> None:
        self.step = step
        if self.watcher is not None:
            self.watcher(step)

"""What an upgrade of the index to this version's schema must know besides the
migrations: whether another process still has the file open (an older app left open
would go on writing in its old ways into the upgraded schema, and what it adds would
stay wrong for good)."""

from __future__ import annotations

import sqlite3

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

"""Which computer this is, as the index and the tag lock record it.

A scan, write, undo or tagging job records its process (pid and start) and its
computer, so that another process can tell a live job from a killed one: a process
of this computer is looked up, one of another computer (an index on a shared drive)
cannot be and counts as running for a day (scan_runs.OTHER_COMPUTER_GRACE). The
computer was told by socket.gethostname(), which macOS takes from the network it is
on unless a HostName is set ("Mac.lan" at home, "name.local" or "xyz.corp.example"
at work): a write a laptop left unfinished (the app closed mid-write, a SIGTERM) was
"running on another computer" once it joined another network, and every write and
undo was refused for a day. So a computer is told by a random id made once and kept
in the user's data folder (`computer-id`, beside the index); the host name is still
recorded, to name the computer in messages. Rows and lock files from before the id
was recorded carry the host name alone and are told by it, as before (migration 44
gave the rows this computer had written under its name at the upgrade its id).

Where the data folder cannot hold the file (read-only, full), there is no id and
processes are told by host name, as before. Two computers sharing one data folder
(LANDMARK_TAGGER_HOME on a stick) count as one: each looks for the other's jobs among
its own processes, and does not find them, so such a folder serves one computer at a
time (moved with its index from one to the other, a job killed on the first is taken
over on the second at once).
"""

from __future__ import annotations

import os
import re
import secrets
import socket
from pathlib import Path

from app.core.config import data_dir

ID_FILE = "computer-id"

# what an id file must hold (secrets.token_hex(16)): anything else was not written whole
_WELL_FORMED = re.compile(r"[0-9a-f]{32}")

# the id read or made for each data folder (tests switch folders to be another computer)
_KNOWN: dict[str, str | None] = {}


def computer_id() -> str | None:
    """This computer's id, made the first time one is asked for; None where the data
    folder cannot keep it (processes are then told by host name)."""
    folder = data_dir()
    key = str(folder)
    if key not in _KNOWN:
        _KNOWN[key] = _read_or_make(folder / ID_FILE)
    return _KNOWN[key]


def host_name() -> str:
    """The name this computer has on its network now: for messages, never to tell it by."""
    return socket.gethostname()


def is_this_computer(computer: str | None, host: str | None) -> bool:
    """Whether a job recorded with `computer` (its id; None in a row or lock file from
    before ids were recorded) and `host` ran on this computer."""
    if computer is not None:
        return computer == computer_id()
    return host == host_name()


def _read_or_make(path: Path) -> str | None:
    """The id in `path`; a new one written there when it has none (two processes making
    one at once keep the same: the file is linked into place whole, never replaced,
    unless what it holds is no id)."""
    found = _read(path)
    if found is not None:
        return found
    temporary = path.with_name(f".{ID_FILE}.{secrets.token_hex(8)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "x", encoding="ascii") as out:
            out.write(secrets.token_hex(16) + "\n")
            out.flush()
            os.fsync(out.fileno())  # a power cut must not leave an empty id behind
        try:
            os.link(temporary, path)  # fails when another process made one first: theirs is kept
        except FileExistsError:
            if _read(path) is None:  # a damaged file: replaced
                os.replace(temporary, path)
        except OSError:  # no hard links on this file system
            os.replace(temporary, path)
    except OSError:
        return None
    finally:
        try:
            temporary.unlink()
        except OSError:
            pass
    return _read(path)


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return text if _WELL_FORMED.fullmatch(text) else None

"""Which computer this is, as the index and the tag lock record it.

A scan, write, undo or tagging job records its process (pid and start) and its
computer, so that another process can tell a live job from a killed one: a process
of this computer is looked up, one of another computer (an index on a shared drive)
cannot be and counts as running for a day (scan_runs.OTHER_COMPUTER_GRACE). The host
name cannot tell the computer: macOS takes it from the network it is on ("Mac.lan" at
home, "name.local" at work), and a write a laptop left unfinished was "running on
another computer" for a day once it joined another network. Nor can a file in the
user's data folder alone: that folder is copied whole to another computer (macOS
Migration Assistant, a restore from a backup, a cloned disk, a copied %LOCALAPPDATA%),
and the old and the new computer, used side by side on one library, would each take
the other's live write for its own killed one (`undo` taking it over mid-write).

So a computer is told by the id its operating system keeps for the machine
(app/core/machine_id.py), hashed with this app's salt (the index may sit on a share:
the raw id is the machine's, for every program). What the id answers is "can a pid
check here tell whether that process runs?": two Linux containers sharing a machine id
(a bind-mounted /etc/machine-id, a D-Bus id baked into the image) cannot see each
other's processes, and each took the other's live write for its own killed one. So
outside the kernel's first pid namespace the namespace and the boot id are hashed in
too: another container is another computer (and a restarted one, whose namespace is
new, waits the day's grace for the write it left). In the first namespace (a host, a
container run with the host's pids) the id is the machine id's alone, as 67b665a
recorded it, so the rows written then stay this computer's. Where none can be read, a random id
made once in the data folder (`computer-id`) stands in: made only when the file is
missing, never replaced because it could not be read this time (a lock, a
permission: processes are then told by host name), and replaced with a warning when
it holds no id. The host name is still recorded, to name the computer in messages.
Rows and lock files from before ids were recorded carry the host name alone and are
told by it, as before (migration 44 gave the rows this computer had written under its
name at the upgrade its id).

Jobs recorded by the version that kept the random id only stay this computer's: that
id, read from the file, counts as this computer's too, once the file is known to have
been made here: the first time this computer reads it with its own machine id, it
notes that id beside it (`computer-id-machine`); a copy of the folder carries the
note, so another machine reading the copy sees the note is not its own and takes the
jobs under that id for another computer's. (A copy made before the first computer
ran this version has no note: whichever of the two reads it first takes it.)
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from app.core.config import data_dir
from app.core import machine_id
from app.core.machine_id import os_machine_id

ID_FILE = "computer-id"
MACHINE_NOTE_FILE = "computer-id-machine"  # which machine's the random id in ID_FILE is

# mixed into the hash of the OS's machine id, so that the id in the index is this app's alone
_SALT = b"landmark-tagger computer id"

# the kernel's first pid namespace (PROC_PID_INIT_INO): a host's own, and a container's
# that shares the host's pids
INIT_PID_NAMESPACE = "pid:[4026531836]"

# what an id file must hold (secrets.token_hex(16)): anything else was not written whole
_WELL_FORMED = re.compile(r"[0-9a-f]{32}")

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Ids:
    own: str | None  # what this computer records now
    earlier: str | None  # the random id an earlier version recorded here, when it is this computer's


# the ids read or made for each data folder (tests switch folders to be another computer)
_KNOWN: dict[str, _Ids] = {}


def computer_id() -> str | None:
    """This computer's id; None where the OS keeps none and the data folder cannot keep
    one (processes are then told by host name)."""
    return _ids().own


def host_name() -> str:
    """The name this computer has on its network now: for messages, never to tell it by."""
    return socket.gethostname()


def is_this_computer(computer: str | None, host: str | None) -> bool:
    """Whether a job recorded with `computer` (its id; None in a row or lock file from
    before ids were recorded) and `host` ran on this computer."""
    if computer is not None:
        ids = _ids()
        return computer in (ids.own, ids.earlier)
    return host == host_name()


def _ids() -> _Ids:
    folder = data_dir()
    key = str(folder)
    if key not in _KNOWN:
        machine = os_machine_id()
        if machine is None:
            _KNOWN[key] = _Ids(_read_or_make(folder / ID_FILE), None)
        else:
            hashed = _with_process_table(machine)
            own = hmac.new(_SALT, hashed.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
            _KNOWN[key] = _Ids(own, _earlier_id_made_here(folder, own))
    return _KNOWN[key]


def _with_process_table(machine: str) -> str:
    """What is hashed into the id: the machine id, with the pid namespace and boot id
    outside the first namespace (a container: see the module's docstring); the machine id
    alone where the namespace cannot be read (not Linux), as before."""
    namespace = machine_id.linux_pid_namespace()
    if namespace is None or namespace == INIT_PID_NAMESPACE:
        return machine
    return f"{machine}\n{namespace}\n{machine_id.linux_boot_id() or ''}"


def _earlier_id_made_here(folder: Path, own: str) -> str | None:
    """The random id an earlier version kept in `folder`, when it was made on this
    machine (see the module's docstring); None when there is none or it was another's."""
    try:
        earlier = _read(folder / ID_FILE)
    except OSError:
        return None
    if earlier is None or not _WELL_FORMED.fullmatch(earlier):
        return None
    note = folder / MACHINE_NOTE_FILE
    try:
        noted_now = _create_whole(note, own)
    except OSError:  # cannot note it: the id is taken as this computer's, as that version took it
        return earlier
    if noted_now:
        return earlier
    try:  # noted before: here, or on the computer the folder was copied from
        return earlier if _read(note) == own else None
    except OSError:  # unreadable now: not taken for ours (at worst a day's wait, never a take-over)
        return None


def _read_or_make(path: Path) -> str | None:
    """The id in `path`; a new one written there when there is no file (two processes
    making one at once keep the same: the file is linked into place whole). A file
    that cannot be read now is left alone (None: told by host name this time); one
    that holds no id is replaced, with a warning."""
    try:
        found = _read(path)
    except OSError:
        return None
    if found is not None and _WELL_FORMED.fullmatch(found):
        return found
    made = secrets.token_hex(16)
    try:
        if found is None:
            if not _create_whole(path, made):  # another process made one first: theirs is kept
                return _well_formed(path)
        else:
            _log.warning("%s held no computer id (%r); a new one replaces it: a job this computer left "
                         "unfinished under the old one is taken for another computer's for a day", path, found[:40])
            _write_whole(path, made, replace=True)
    except OSError:
        return None
    return _well_formed(path)


def _read(path: Path) -> str | None:
    """What `path` holds, stripped; None when there is no such file (OSError when it
    cannot be read)."""
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        return None


def _well_formed(path: Path) -> str | None:
    try:
        text = _read(path)
    except OSError:
        return None
    return text if text is not None and _WELL_FORMED.fullmatch(text) else None


def _create_whole(path: Path, text: str) -> bool:
    """Write `text` into `path` whole when there is no such file; False when there was."""
    return _write_whole(path, text, replace=False)


def _write_whole(path: Path, text: str, replace: bool) -> bool:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "x", encoding="ascii") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())  # a power cut must not leave an empty id behind
        if replace:
            os.replace(temporary, path)
            return True
        try:
            os.link(temporary, path)  # fails when another process made one first
        except FileExistsError:
            return False
        except OSError:  # no hard links on this file system
            if path.exists():
                return False
            os.replace(temporary, path)
        return True
    finally:
        try:
            temporary.unlink()
        except OSError:
            pass

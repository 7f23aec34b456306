"""What `write` and `scan` say of a temp of ours beside a missing file: recorded as that
file's only copy (a Windows ReplaceFileW removed the file, then the rename of our temp
failed), the user is told its exact name and to rename it; else it is a copy a stopped
write made while the file was there, which a file deleted on purpose leaves as clutter. On Windows a name
beginning with a dot is not hidden, so it is not called a hidden copy there."""

from __future__ import annotations

import os
import re
from pathlib import Path

from app.core.metadata.temp_names import is_written_by_us, may_be_cut

ON_WINDOWS = os.name == "nt"
_TEMP_NAME = re.compile(r"\.(?P<stem>.*)\.(?P<digits>[0-9a-f]{8})\.tmp", re.DOTALL)  # as atomic's


def a_kept_copy() -> str:
    """'a hidden copy', or on Windows, where a dot does not hide a file, 'a copy'."""
    return "a copy" if ON_WINDOWS else "a hidden copy"


def file_a_temp_copies(folder: Path, temp_name: str) -> str | None:
    """The name of the file (a JPEG or a sidecar) the temp `temp_name` is a copy of,
    where its name says it whole; None for a cut name (only the file's own name, when
    there, tells) or one not of ours."""
    match = _TEMP_NAME.fullmatch(temp_name)
    if match is None or may_be_cut(folder, match["stem"]) or not is_written_by_us(match["stem"]):
        return None
    return match["stem"]


def only_copy_words(path: Path, temps: list[str]) -> str:
    """'<path> is missing and <temp> beside it is a hidden copy of it …: rename it <name>'."""
    return (f"{path} is missing and {' or '.join(temps)} beside it is {a_kept_copy()} of it a write of ours kept, "
            f"maybe its only copy (its old file removed, the new one not renamed into place): rename it {path.name}, "
            "then scan and write again")


def looks_whole(temp: Path) -> bool:
    """Whether a temp holds a whole file (an XMP packet closed, a JPEG's end marker): one a
    write was killed while filling is empty or cut short, nothing to rename into place."""
    try:
        data = temp.read_bytes()
    except OSError:
        return False
    if temp.name.lower().endswith((".xmp.tmp",)) or b"<x:xmpmeta" in data[:4096]:
        return b"</x:xmpmeta>" in data
    return data.rstrip(b"\0").endswith(b"\xff\xd9")


def cut_copy_words(name: str, temps: list[str]) -> str:
    """A temp beside a missing file that holds no whole file: a write killed while making it."""
    return (f"{name} is missing and {' or '.join(temps)} beside it is an unfinished copy of it a stopped write of "
            f"ours left (empty or cut short): it holds nothing you need, delete it (the next write of {name} does)")


def stopped_copy_words(name: str, temps: list[str]) -> str:
    """'<name> is missing and <temp> beside it is a hidden copy of it a stopped write of ours
    left …': made while the file was there (no replace of ours removed it), so it holds
    what the user removed if they did so on purpose (darktable's discarded history)."""
    return (f"{name} is missing and {' or '.join(temps)} beside it is {a_kept_copy()} of it a stopped write of "
            f"ours left (no write of ours removed {name}): if you removed {name} on purpose, delete it (the next "
            f"write of {name} keeps it as {name}.before-landmark-tagger-<date>.bak); else rename it {name}")

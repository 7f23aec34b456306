"""Counts in words people read: "1 photo", "2 photos", "1,204 photos"."""

from __future__ import annotations

import os


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` with `noun`, plural unless it is exactly 1, thousands separated."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


# After "folder not found": what to do when the folder moved (the app says it in its words).
RELOCATE_HINT = (" If the library folder moved, relocate it: `landmark-tagger relocate OLD NEW`, or Locate "
                 "folder… in the app.")

# For a photo a scan found missing (deleted, or moved out of the library): the way to be done with it.
FORGET_MISSING_HINT = "forget the photo (`landmark-tagger forget --missing`, or Forget missing photos… in the app)"


# Whether commands we suggest are typed into cmd or PowerShell (tests set it).
ON_WINDOWS = os.name == "nt"

# Characters cmd.exe (or PowerShell) would take as its own in a bare word.
_WINDOWS_SPECIAL = set("&|<>^()%!;,'`$@{}")


def shell_quote(text: str) -> str:
    """`text` as one word of a command to type: POSIX quoting ('it'\\''s') on macOS and
    Linux; on Windows double quotes where needed (cmd.exe takes single quotes as part of
    the word, and shlex would quote every path for its backslashes)."""
    import shlex
    import subprocess

    if not ON_WINDOWS:
        return shlex.quote(text)
    quoted = subprocess.list2cmdline([text])
    if quoted == text and _WINDOWS_SPECIAL.intersection(text):
        quoted = f'"{text}"'
    return quoted

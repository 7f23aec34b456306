"""Counts in words people read: "1 photo", "2 photos", "1,204 photos"."""

from __future__ import annotations

import os
import re
import shlex


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` with `noun`, plural unless it is exactly 1, thousands separated."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


# After "folder not found": what to do when the folder moved (the app says it in its words).
RELOCATE_HINT = (" If the library folder moved, relocate it: `landmark-tagger relocate OLD NEW`, or Locate "
                 "folder… in the app.")

# For a photo a scan found missing (deleted, or moved out of the library): the way to be done with it.
FORGET_MISSING_HINT = "forget the photo (`landmark-tagger forget --missing`, or Forget missing photos… in the app)"


# Whether commands we suggest are typed into PowerShell, Windows' own terminal (tests set it).
ON_WINDOWS = os.name == "nt"

# A word PowerShell takes as it is: letters (é too), digits and path marks; a word starting
# with "-" only of letters (PowerShell cuts `-a.b` in two for a program).
_BARE_ON_WINDOWS = re.compile(r"(?!-)[\w\\/:.+=-]+|-[\w-]*")
# PowerShell ends a single-quoted string at any of these; doubled, each stands for itself.
_POWERSHELL_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


def shell_quote(text: str) -> str:
    """`text` as one word of a command to paste: POSIX quoting ('it'\\''s') on macOS and
    Linux; on Windows PowerShell's single quotes ('it''s'), inside which $, `, &, ; and
    " are plain characters (cmd.exe's and MSVCRT's rules would break at a folder named
    "Rome & Petra"); a plain path (C:\\Photos) stays bare."""
    if not ON_WINDOWS:
        return _with_bytes_escaped(text) if _NOT_UTF8.search(text) else shlex.quote(text)
    if _BARE_ON_WINDOWS.fullmatch(text):
        return text
    return "'" + "".join(c + c if c in _POWERSHELL_SINGLE_QUOTES else c for c in text) + "'"


def photo_file_word(path: object) -> str:
    """One photo file as the query word of a command to paste (`write --jpeg`, `accept
    --release-held`): `path:"…"` on macOS and Linux; on Windows the file's path alone,
    which the CLI makes that same term (app.core.path_query, the file being there).
    Windows PowerShell 5.1, the one Windows ships, leaves the " inside an argument for
    the program's C runtime to take out, and 'path:"D:\\Trips 2019\\…"' reached it split
    at its spaces: no photo found, "0 files written"."""
    if ON_WINDOWS:
        return shell_quote(str(path))
    return shell_quote('path:"' + str(path).replace('"', '""') + '"')


def pasted_whole(text: str) -> bool:
    """Whether `text` as shell_quote writes it reaches the program whole: not on Windows
    when it holds a " (Windows PowerShell 5.1 takes it out, PowerShell 7.3+ keeps it,
    and no quoting gets it through both); a message says another way there."""
    return not (ON_WINDOWS and '"' in text)


# os.fsdecode's stand-ins for the bytes of a file name that are not UTF-8 (b"\\xff": "\\udcff")
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _with_bytes_escaped(text: str) -> str:
    """A non-UTF-8 name in bash's and zsh's $'...' quotes, its odd bytes as \\xff: quoted
    as it reads ('bad\\udcff.jpg'), pasted it named no file."""
    out = []
    for char in text:
        if _NOT_UTF8.fullmatch(char):
            out.append(f"\\x{ord(char) - 0xDC00:02x}")
        elif char in "\\'":
            out.append("\\" + char)
        elif not char.isprintable():
            out.append("".join(f"\\x{byte:02x}" for byte in char.encode("utf-8")))
        else:
            out.append(char)
    return "$'" + "".join(out) + "'"


def in_which_shell() -> str:
    """The shell a quoted command is for, said where it is not a POSIX one: "in PowerShell, ",
    else nothing."""
    return "in PowerShell, " if ON_WINDOWS else ""


def written_before_way(photos: int, another_label: int, command=lambda verb: verb) -> str:
    """How to take out the keyword an earlier version's `write` put into `photos` files
    whose accept or label was taken back (unwritten_term.written_before_state): `reject`
    then `write` takes out a suggestion's own keyword; of the `another_label` holding
    another (a `label` taken back), `accept` then `write` puts the suggestion in its place.
    `command` marks each command word (the CLI's backticks; the app's plain words)."""
    them = "it" if photos == 1 else "them"
    reject, accept, write, undo = (command(verb) for verb in ("reject", "accept", "write", "undo"))
    if not another_label:
        return f"{reject} {them} and {write}, or {undo} that write"
    if another_label == photos:
        return f"{undo} that write, or {accept} {them} and {write} (the suggestion replacing the label taken back)"
    return (f"{undo} that write, or {reject} the {photos - another_label:,} holding their suggestion, {accept} "
            f"the {another_label:,} holding another label (the suggestion replacing the label taken back), "
            f"and {write}")

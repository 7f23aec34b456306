"""Both command lines (landmark-tagger, whose `gui` is the app, and landmark-train) run
with UTF-8 as Python's file system encoding, whatever the locale.

In the POSIX locale with Python's UTF-8 mode and locale coercion turned off
(PYTHONUTF8=0 PYTHONCOERCECLOCALE=0 LC_ALL=C), or under a legacy locale
(LANG=en_US.ISO-8859-1), Python decodes file names in ASCII or Latin-1. A folder
"Côte d'Azur" read from disk then differed from the UTF-8 path the index stored: a scan
reported every photo under it missing (and `forget --missing` dropped their labels),
typed paths found nothing and UTF-8 labels were refused. So such a run starts again
at once in Python's UTF-8 mode (`-X utf8`), as Windows (PEP 529) and macOS always are,
with the command's words as the bytes that were typed. Where it cannot, it stops with
one line before the index is touched."""

from __future__ import annotations

import codecs
import os
import sys

# Set for the run started again, so that one still not in UTF-8 mode stops rather than
# start itself again forever; that run takes it out of its environment, so a later
# command it starts (the app's) checks for itself.
RESTARTED_MARKER = "LANDMARK_TAGGER_RESTARTED_IN_UTF8_MODE"
EXIT_USAGE = 2


class Utf8ModeUnavailable(Exception):
    """The run could not be started again in UTF-8 mode; the message says why."""


def run_in_utf8_mode(program: str) -> None:
    """Return at once where file names are UTF-8 (Windows, macOS, a UTF-8 locale, UTF-8
    mode); else replace this process by the same command in UTF-8 mode (never returns),
    or, where that fails, say so in one line and exit 2. Call it first in a main() that
    runs the process's own command line, never one given arguments by a test."""
    restarted = os.environ.pop(RESTARTED_MARKER, None) is not None
    if not needs_utf8_mode():
        return
    try:
        if restarted:
            raise Utf8ModeUnavailable("it was started again with `-X utf8` and still is not in UTF-8 mode")
        _restart_in_utf8_mode()
    except Utf8ModeUnavailable as error:
        print(f"{program}: error: file names here are read as {sys.getfilesystemencoding()}, not UTF-8, and "
              f"{program} could not restart itself in Python's UTF-8 mode ({error}); set LANG=C.UTF-8 (or "
              "PYTHONUTF8=1) and run it again", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_USAGE) from None


def needs_utf8_mode() -> bool:
    """True on a POSIX system whose Python reads file names in another encoding than UTF-8."""
    if os.name != "posix" or sys.flags.utf8_mode:
        return False
    try:
        return codecs.lookup(sys.getfilesystemencoding()).name != "utf-8"
    except LookupError:
        return True


def utf8_mode_command() -> list[bytes]:
    """The command line of this process, as Python saw it (its options, `-m app`, a console
    script's path, the arguments), with `-X utf8` added; each word as the bytes typed
    (a word Python could not decode is surrogate-escaped: os.fsencode gives back its bytes),
    so the new run decodes them as UTF-8 as it does the file names on disk."""
    executable = sys.executable
    words = list(getattr(sys, "orig_argv", None) or [])
    if not executable or len(words) < 2:
        raise Utf8ModeUnavailable("the Python interpreter or its command line is unknown (an embedded Python?)")
    return [os.fsencode(word) for word in (executable, "-X", "utf8", *words[1:])]


def _restart_in_utf8_mode() -> None:
    command = utf8_mode_command()
    environment = {**os.environb, RESTARTED_MARKER.encode(): b"1"}  # (POSIX only: bytes as they were)
    for stream in (sys.stdout, sys.stderr):  # (nothing is written yet; the same file descriptors go on)
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    try:
        os.execve(command[0], command, environment)
    except OSError as error:
        raise Utf8ModeUnavailable(f"{error.strerror or error}") from None

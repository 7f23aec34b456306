"""What both command lines (landmark-tagger and landmark-train) share: standard output
that takes every name, a quiet stop when its reader went away (`… | head`), and the
argparse type of a count.

On Windows a stdout redirected to a file or a pipe (`search > list.txt`, `| findstr`,
`landmark-train evaluate > report.txt`) is in the ANSI code page (cp1252) and strict, so a
folder "Łódź" or the "μAP" of a report ended the command with UnicodeEncodeError, and JSON
lines were not UTF-8."""

from __future__ import annotations

import argparse
import codecs
import sys

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool killed by it (`… | head`)


def make_stdout_safe() -> None:
    """Not a terminal: UTF-8, as JSON tools and editors read it; a character the stream
    still cannot encode (a terminal's code page) is shown escaped, never raised. A stream
    replaced by one without reconfigure (an embedding program's) is left as it is."""
    stream = sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return
    try:
        terminal = stream.isatty()
        encoding = codecs.lookup(stream.encoding or "ascii").name
    except (ValueError, OSError, LookupError):  # closed, or an encoding Python does not know
        return
    errors = getattr(stream, "errors", None) or "strict"
    errors = "backslashreplace" if errors == "strict" else errors  # surrogateescape (POSIX) stays
    if terminal or encoding == "utf-8":
        changes = {"errors": errors}
    else:
        changes = {"encoding": "utf-8", "errors": errors}  # errors, or it falls back to strict
    try:
        reconfigure(**changes)
    except (ValueError, OSError, LookupError):
        pass


def silence_stdout() -> None:
    """The reader of stdout went away (`… | head`): send the rest, and the flush at
    exit, to the null device, so that nothing more is raised."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout replaced (tests) or closed
        pass
    finally:
        os.close(devnull)


def count(text: str) -> int:
    """argparse type of a count (--errors N, --limit N, --workers N, --retries N): a
    whole number, 0 or more."""
    return _whole_number(text, least=0)


def at_least_one(text: str) -> int:
    """argparse type of a number of parallel downloads or threads: a whole number, 1 or more."""
    return _whole_number(text, least=1)


def _whole_number(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number ({least} or more), got {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be {least} or more, not {value}")
    return value


def threshold_figure(text: str) -> float:
    """argparse type of --threshold: a figure, typed with a decimal point or, as German
    or French users write it, a decimal comma ("0,8"): under 1 a comma can mean nothing
    else. Its range is the command's to check (one line, with the figure)."""
    figure = text.strip()
    if figure.count(",") == 1 and "." not in figure:
        figure = figure.replace(",", ".")
    try:
        return float(figure)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number from 0 to 1; use a decimal point: --threshold 0.8") from None

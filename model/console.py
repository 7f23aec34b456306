"""What both command lines (landmark-tagger and landmark-train) share: standard output
that takes every name, a quiet stop when its reader went away (`… | head`), a
stdout that cannot be written (a full disk, closed) said in one line, and the argparse
type of a count.

On Windows a stdout redirected to a file or a pipe (`search > list.txt`, `| findstr`,
`landmark-train evaluate > report.txt`) is in the ANSI code page (cp1252) and strict, so a
folder "Łódź" or the "μAP" of a report ended the command with UnicodeEncodeError, and JSON
lines were not UTF-8."""

from __future__ import annotations

import argparse
import codecs
import errno
import os
import sys
from contextlib import contextmanager
from typing import Iterator

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool killed by it (`… | head`)
# stdout could not be written (`--json > log` on a full disk, `>&-`): EX_IOERR of
# sysexits.h. Not 1 (some files failed) nor 2 (nothing done): the command's work is done,
# only its output is incomplete, and a script must be able to tell.
EXIT_OUTPUT_LOST = 74


def make_stdout_safe() -> None:
    """Not a terminal: UTF-8, as JSON tools and editors read it; a character the stream
    still cannot encode (a terminal's code page) is shown escaped, never raised. ASCII,
    terminal or not, is the POSIX locale with Python's UTF-8 mode and locale coercion
    turned off by hand (PYTHONUTF8=0 PYTHONCOERCECLOCALE=0 LC_ALL=C): there stdout's
    surrogateescape raised on any real non-ASCII character ("Château"), so both streams
    write UTF-8 as Python's UTF-8 mode would in that locale, a path's characters as the
    bytes that name the file on disk (surrogate escapes as the bytes they came from) and
    not `\xe2` escapes nobody can paste. A stream replaced by one without reconfigure (an
    embedding program's) is left as it is."""
    _reconfigure(sys.stdout)
    _reconfigure(sys.stderr, only_ascii=True)


def reopen_closed_stderr() -> None:
    """Python has no stderr (`2>&-`, a service that closes it: it sets sys.stderr to None):
    descriptor 2 gets the null device and sys.stderr a stream on it. Else a progress check
    (`sys.stderr.isatty()`) ended the job silently, every `print(..., file=sys.stderr)`
    went to stdout, into a `--json` stream, and the next file opened (the index) could
    become descriptor 2 and take whatever a library writes to stderr."""
    if sys.stderr is not None:
        return
    try:
        os.fstat(2)
    except OSError:
        _reserve_descriptor(2)
    try:
        stream = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    except OSError:
        return
    sys.stderr = stream


def stderr_is_a_terminal() -> bool:
    """Whether progress lines may be drawn: stderr is a terminal. False for a stderr
    that is gone or replaced by a stream without isatty (an embedding program's)."""
    try:
        return bool(getattr(sys.stderr, "isatty", lambda: False)())
    except (ValueError, OSError):  # closed
        return False


def _reconfigure(stream, only_ascii: bool = False) -> None:
    """make_stdout_safe for one stream; `only_ascii`: change it only where it is ASCII."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return
    try:
        terminal = stream.isatty()
        encoding = codecs.lookup(stream.encoding or "ascii").name
    except (ValueError, OSError, LookupError):  # closed, or an encoding Python does not know
        return
    if only_ascii and encoding != "ascii":
        return
    errors = getattr(stream, "errors", None) or "strict"
    errors = "backslashreplace" if errors == "strict" else errors  # surrogateescape (POSIX) stays
    if encoding == "utf-8" or terminal and encoding != "ascii":
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


class GuardedStdout:
    """sys.stdout for the length of a command: a write or flush that fails (ENOSPC, EIO,
    EBADF) is remembered and the rest of the output goes to the null device, so the
    command does its work, prints its summary on stderr and ends with one line instead
    of a traceback (see output_guarded). A broken pipe is raised as before: the reader
    went away and the command stops quietly."""

    def __init__(self, stream, failure: OSError | None = None) -> None:
        self._stream = stream
        self.failure = failure  # set before the first write when stdout was closed at start
        self._closed_at_start = failure is not None
        self.written = False  # anything the command meant to print (a closed stdout loses only that)

    def write(self, text: str) -> int:
        self.written = self.written or bool(text)
        if self.failure is not None:
            return len(text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as error:
            self._lose(error)
            return len(text)

    def flush(self) -> None:
        if self.failure is not None and not self._closed_at_start:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            self._lose(error)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def lost(self) -> OSError | None:
        """Why part of the output never reached stdout, or None when all of it did."""
        if self._closed_at_start:
            return self.failure if self.written else None
        return self.failure

    def _lose(self, error: OSError) -> None:
        self.failure = error
        silence_stdout()  # what is still buffered, and the flush at exit, go nowhere

    def __getattr__(self, name: str):  # encoding, isatty, fileno, reconfigure, buffer…
        return getattr(self._stream, name)


@contextmanager
def output_guarded() -> Iterator[GuardedStdout]:
    """sys.stdout as a GuardedStdout while a command runs. A stdout closed at start
    (`>&-`) is first given the null device, so that no file the command opens (a
    photo being written, its temporary copy) takes its descriptor and receives what a
    child process prints."""
    original = sys.stdout
    closed = _stdout_closed()
    if closed is not None:
        stream = open(os.devnull, "w", encoding="utf-8")
        guard = GuardedStdout(stream, closed)
    else:
        stream = None
        guard = GuardedStdout(original)
    sys.stdout = guard
    try:
        yield guard
    finally:
        sys.stdout = original
        if stream is not None:
            stream.close()


def lost_output_code(prog: str, guard: GuardedStdout, code: int) -> int:
    """The exit code of a command whose output `guard` held: EXIT_OUTPUT_LOST, with one
    line on stderr, when part of its output could not be written and the command
    otherwise ended done (0) or with some files failed (1); a usage error (2), a stop
    (130, 143) or a reader gone away (141) says more and stays."""
    guard.flush()  # what is still buffered: a full disk is often found only here
    error = guard.lost()
    if error is None:
        return code
    reason = "it is closed" if error.errno == errno.EBADF else (error.strerror or str(error))
    print(f"{prog}: error: cannot write the output to stdout: {reason}; the output is incomplete, "
          "what the command did is done and kept", file=sys.stderr, flush=True)
    return EXIT_OUTPUT_LOST if code in (0, 1) else code


def code_of_parser_exit(prog: str, guard: GuardedStdout, stop: SystemExit) -> int:
    """The exit code when argparse ended the command (--help, --version, a usage error):
    141 when the reader went away before its text was written, lost_output_code's when
    stdout could not be written; else `stop` is raised again, as argparse meant."""
    try:
        guard.flush()
    except BrokenPipeError:  # `--version | true`: the reader gone before the flush
        silence_stdout()
        return EXIT_BROKEN_PIPE
    if guard.lost() is None or not isinstance(stop.code, (int, type(None))):
        raise stop
    return lost_output_code(prog, guard, stop.code or 0)


def _stdout_closed() -> OSError | None:
    """An EBADF error when Python has no stdout (`>&-`: it sets sys.stdout to None), else
    None. A descriptor 1 that is not open gets the null device (_reserve_descriptor)."""
    if sys.stdout is not None:
        return None
    try:
        os.fstat(1)
    except OSError as error:
        _reserve_descriptor(1)
        return error
    return OSError(errno.EBADF, os.strerror(errno.EBADF))  # open, but Python could not use it


def _reserve_descriptor(fd: int) -> None:
    """The null device as the closed descriptor `fd` (1, 2), so that no file opened later takes it."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    if devnull != fd:
        try:
            os.dup2(devnull, fd)
        except OSError:
            pass
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

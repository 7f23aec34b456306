"""Helpers every CLI command shares: opening the index, JSON lines, progress
bars on a terminal, and the one-line summary."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO

from app.core.folders_joined import folders_joined_for_files  # the commands that take photo files use it from here
from app.core.progress import Progress, ProgressCallback
from model import console

EXIT_INTERRUPTED = 130  # as a shell reports a job ended by Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # … and one ended by SIGTERM (128 + SIGTERM): `timeout`, systemd, `kill`
# A reader of stdout gone away: landmark-train stops the same way (model.console)
EXIT_BROKEN_PIPE = console.EXIT_BROKEN_PIPE
silence_stdout = console.silence_stdout


def one_line(text: str) -> str:
    """Text for one line of human output (app.core.index.records.one_line_text)."""
    from app.core.index.records import one_line_text

    return one_line_text(text)


def add_json_flag(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON lines (one object per line) on stdout")


def refuse_file_as_name(name: str, usage: str) -> None:
    """UsageError when a landmark NAME argument is a photo's path: the arguments were
    swapped (`label DSC_8188.JPG Colosseum` for `label QUERY NAME`), and taking the path
    as the name would label the photo "DSC_8188.JPG" (and write that keyword). A name
    without a separator may still be a folder of the working directory ("Colosseum")."""
    from pathlib import Path

    from app.core.errors import UsageError

    path = Path(name).expanduser()
    has_separator = "/" in name or "\\" in name
    try:
        is_path = path.is_file() or (has_separator and path.exists())
    except OSError:  # a name too long for a path, or one the system refuses
        is_path = False
    if is_path:
        raise UsageError(f"{name!r} is a file or folder, not a landmark name: {usage}")


# Commands that add photos to the library: the first of them creates the index (and
# its folder); every other command needs one there already.
INDEX_CREATING_COMMANDS = frozenset({"scan", "tag", "teach"})


def open_index(args):
    """The PhotoIndex chosen by --db, else $LANDMARK_TAGGER_DB, else the user data folder.
    UsageError when there is none and the command does not add photos: a mistyped
    --db must not leave a new folder and an empty index behind."""
    from app.core.index import PhotoIndex

    path = getattr(args, "db", None) or None
    if getattr(args, "command", None) not in INDEX_CREATING_COMMANDS:
        require_index(path)
    new = not index_exists(path)
    index = PhotoIndex.open(path, say_upgrade)
    if new and index.path != ":memory:":  # said once: a user who expected an index there finds out now
        print(f"landmark-tagger: created a new index at {index.path}", file=sys.stderr, flush=True)
    if getattr(index.conn, "shown_from_copy", False):  # its -wal read from a copy (read_only_files)
        from app.core.index.read_only_files import READ_ONLY_DISK_NOTE

        print(f"landmark-tagger: {READ_ONLY_DISK_NOTE} ({index.path})", file=sys.stderr, flush=True)
    return index


def say_upgrade(step) -> None:
    """One line on stderr (never stdout: --json) once an upgrade of an older index has kept
    its copy: the command takes longer this once, and older versions open only that copy."""
    if step.copy is not None and step.reached == step.old:
        print(f"landmark-tagger: upgrading the index {step.index} from schema {step.old} to {step.new} "
              f"(one time; older versions cannot open it then); a copy of it as it was is kept at {step.copy}",
              file=sys.stderr, flush=True)


def require_index(path: str | None) -> None:
    """UsageError naming the index file when it does not exist (None: the default one)."""
    from app.core.config import default_db_path
    from app.core.errors import UsageError
    from app.core.index.connection import missing_index_folder

    if not index_exists(path):
        if (folder := missing_index_folder(path)) is not None:  # a drive not connected, not a first run
            raise UsageError(f"no index at {path or default_db_path()}: its folder {folder} does not exist "
                             "(is its drive connected?)")
        # with --db in the hint: following it without would create the default index instead
        raise UsageError(f"no index at {path or default_db_path()}; `{command_with_index(path)} scan FOLDER` creates it")


def index_exists(path: str | None) -> bool:
    """Whether the index chosen (None: the default one) is there already."""
    from pathlib import Path

    from app.core.config import default_db_path

    target = path or default_db_path()
    return str(target) == ":memory:" or Path(target).expanduser().exists()


def paths_there(paths: list[str], what: str, say_missing: bool = True, db: str | None = None,
                photos_in_icloud: bool = False) -> list[str]:
    """The files or folders given (to scan, tag, teach) that are there. UsageError when none of
    them is, before the command opens (and would create) the index: nothing can be done.
    One missing among others is said in an `error:` line and left out, as a folder
    whose drive is not connected: the command does the rest and exits 1 (see
    exit_code_with_missing). `what`: "folder", "file or folder", for the message. A
    missing library folder of the index `db` (None: the default one) is said as `stats`
    says it, with the `relocate` that follows it when it moved. A photo whose iCloud
    stand-in lies in its place (app/core/cloud_files.py) is said to be in iCloud, not
    missing; with `photos_in_icloud` it counts as there (`tag` skips it with that note)."""
    from app.core.cloud_files import icloud_stand_in_note
    from app.core.errors import UsageError

    from app.core.path_case import in_other_unicode_form

    there, missing, in_icloud = [], [], {}
    for given in paths:
        try:
            found = Path(given).expanduser().exists()
            if not found and (spelled := in_other_unicode_form(given)) is not None:
                there.append(str(spelled))  # a Mac's decomposed name typed composed: as the disk spells it
                continue
            if not found and (note := icloud_stand_in_note(Path(given).expanduser())) is not None:
                in_icloud[given] = f"{given}: {note}"
                found = photos_in_icloud
        except (OSError, ValueError):  # a name too long, a NUL byte
            found = False
        (there if found else missing).append(given)
    gone = library_folders_gone(missing, db)
    why = {given: in_icloud.get(given) or gone.get(given) or not_found(given, what) for given in missing}
    if paths and not there:
        raise UsageError(why[missing[0]] if len(missing) == 1 else "; ".join(why.values()) if gone else
                         f"none of {', '.join(missing)} is there; check the paths (is the drive mounted?)")
    for given in missing if say_missing else ():  # (teach names them with its other failures)
        print_summary(f"error: {why[given]}")
    return there


def library_folders_gone(missing: list[str], db: str | None) -> dict[str, str]:
    """Why each of the `missing` paths that is a library folder of the index `db` is not
    found: a drive not connected, or a folder moved, which `relocate` follows (or one a
    sync tool respelled, named with the very relocate command). The index is only read,
    and only when it is there already."""
    import os

    from app.core.relocate import twin_message, twin_of_missing
    from app.core.wording import shell_quote

    if not missing or not index_exists(db):
        return {}
    from app.core.index import PhotoIndex

    with PhotoIndex.open(db, say_upgrade) as index:
        roots = {str(root): str(root) for root in index.roots()}
    gone: dict[str, str] = {}
    for given in missing:
        typed = Path(given).expanduser().absolute()
        forms = (os.path.normpath(typed), os.path.join(os.path.realpath(typed.parent), typed.name))
        root = next((roots[form] for form in forms if form in roots), None)
        if root is None:
            continue
        twin = twin_of_missing(root)
        gone[given] = twin_message(root, twin) if twin is not None else (
            f"{given}: library folder not found (is the drive mounted? if the folder moved: "
            f"`{command_with_index(db)} relocate {shell_quote(root)} NEW_PLACE`)")
    return gone


def not_found(path: str, what: str) -> str:
    """Why a file or folder given is left out: it is not there."""
    return f"{path}: {what} not found; check the path (is the drive mounted?)"


def exit_code_with_missing(code: int, paths: list[str], there: list[str]) -> int:
    """A command's exit code: 1 instead of 0 when paths_there left some of `paths` out."""
    return 1 if code == 0 and len(there) < len(paths) else code


def command_as_typed() -> str:
    """How to run this tool again from here, for messages that suggest a command:
    `landmark-tagger` when the shell finds this one under that name, else the path it
    was started by (`make run` starts `.venv/bin/landmark-tagger`, not on PATH)."""
    import shutil

    from app.core.wording import shell_quote

    started = sys.argv[0] if sys.argv else ""
    if _as_program(os.path.basename(started)) != "landmark-tagger" or not os.path.dirname(started):
        return "landmark-tagger"
    on_path = shutil.which("landmark-tagger")
    if on_path is not None and _as_program(os.path.realpath(on_path)) == _as_program(os.path.realpath(started)):
        return "landmark-tagger"
    return shell_quote(started)


def _as_program(path: str) -> str:
    """`path` as the shell tells programs apart. On Windows case does not count, nor an
    extension of PATHEXT: pip's launcher leaves `.exe` out of sys.argv[0] while
    shutil.which finds `landmark-tagger.EXE`, and both are the same program."""
    if os.name != "nt":
        return path
    stem, extension = os.path.splitext(os.path.normcase(path))
    runnable = os.environ.get("PATHEXT", ".COM;.EXE;.BAT;.CMD").lower().split(";")
    return stem if extension and extension in runnable else stem + extension


def command_with_index(db: str | None) -> str:
    """`command_as_typed()` with the index given by --db (a suggested command would
    otherwise act on the default index)."""
    from app.core.wording import shell_quote

    return command_as_typed() + (f" --db {shell_quote(db)}" if db else "")


def add_folders_given(index, paths) -> None:
    """Folders the user names become library folders with the folders below them, also
    one that a photo given by its file brought in for itself alone. A folder typed in
    another case (on a case-insensitive disk) is the library folder it names: say so."""
    from pathlib import Path

    for given in paths:
        typed = Path(given).expanduser()
        if typed.is_dir():
            known = index.roots()
            root = index.add_root(given)
            if root in known and root != typed.resolve():
                print_summary(f"{given} is already in the library as {root}")


def say_folders_joined(joined: list[tuple[Path, int]]) -> None:
    """One line per folder a photo given by its file brought into the library (`tag
    FILE`, `teach NAME FILE`): its other photos joined too, and the user should know."""
    from app.core.folders_joined import joined_text
    from app.core.wording import shell_quote

    for folder, photos in joined:
        quoted = shell_quote(str(folder))
        print_summary(joined_text(str(folder), photos, f"`landmark-tagger scan {quoted}` adds the folders in it "
                                                       f"too, `landmark-tagger forget {quoted}` takes it out"))


def print_json_line(obj: Any, stream: TextIO | None = None) -> None:
    """One JSON object per line, always valid UTF-8: a non-UTF-8 file name's
    surrogate escapes would go out as raw bytes (stdout's surrogateescape), making
    the line unreadable to JSON tools, so every string is made printable, as
    `search --json` shows the names (U+FFFD for the undecodable bytes)."""
    out = stream or sys.stdout
    out.write(json.dumps(_printable(obj), ensure_ascii=False, default=str) + "\n")


def _printable(value: Any) -> Any:
    from app.core.index.records import printable_path

    if isinstance(value, str):
        return printable_path(value)
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable(v) for v in value]
    return value


def write_above_bar(text: str) -> None:
    """A message on stderr that does not tear a progress bar apart."""
    from model.console import stderr_is_a_terminal

    if stderr_is_a_terminal():
        from tqdm import tqdm

        tqdm.write(text, file=sys.stderr)
    else:
        print(text, file=sys.stderr, flush=True)


def print_summary(text: str, stream: TextIO | None = None) -> None:
    """The line every job ends with (or a per-file error), on stderr so stdout stays
    machine-readable."""
    print(one_line(text), file=stream or sys.stderr, flush=True)


class Terminated(KeyboardInterrupt):
    """A second SIGTERM while a job was stopping (or its first in a command that does
    not stop between files): the command ends at once, exit EXIT_TERMINATED."""


class EndedAtOnce(KeyboardInterrupt):
    """Ctrl-C or SIGTERM pressed on while a worker thread still writes a file (a stalled
    share): main says the line (`word`: "interrupted", "terminated"; the message: what the
    next run does) and ends the process at once (end_the_process_now), since the
    interpreter's exit would wait for that thread."""

    def __init__(self, message: str, word: str, exit_code: int) -> None:
        super().__init__(message)
        self.word, self.exit_code = word, exit_code


def end_the_process_now(code: int) -> None:
    """Exit with `code` without waiting for worker threads (os._exit), as a kill would:
    what they were writing is journalled first and replaced atomically."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken stream: the exit code still tells
            pass
    os._exit(code)


class StopRequest:
    """What stopped a job that stop_on_ctrl_c watched: Ctrl-C (SIGINT), SIGTERM (cron's
    `timeout`, systemd, `kill`) or nothing yet. The job's summary names it and its exit
    code is the shell's for that signal, so a script can tell a timeout from a Ctrl-C."""

    def __init__(self) -> None:
        self.signal_name: str | None = None
        self.aborted = False  # a second signal aborted the job: the next one is held (hold_after_abort)
        self.held_one = False  # … and was: one more ends the process

    @property
    def by(self) -> str:
        """How the summary names the stop: "Ctrl-C", "SIGTERM"."""
        return self.signal_name or "Ctrl-C"

    @property
    def exit_code(self) -> int:
        return EXIT_TERMINATED if self.signal_name == "SIGTERM" else EXIT_INTERRUPTED


# the handlers a job's stop_on_ctrl_c put aside when it was aborted (hold_after_abort): given
# back by main once the job's last line is said (release_held_signals)
_HELD_HANDLERS: dict = {}


def release_held_signals() -> None:
    """Give back the handlers stop_on_ctrl_c held after an abort, once the line saying
    what the aborted job left is printed (main), so that no later Ctrl-C replaces it."""
    import signal

    while _HELD_HANDLERS:
        signum, handler = _HELD_HANDLERS.popitem()
        signal.signal(signum, handler)


@contextmanager
def stop_on_ctrl_c(cancel, message: str, say: Callable[[str], None] | None = None,
                   hold_after_abort: bool = False) -> Iterator[StopRequest]:
    """First Ctrl-C or SIGTERM: set `cancel` and say `message`, so the job stops between
    files and its summary (what was done, how to undo or go on) still comes; a bare
    KeyboardInterrupt, or Python's default death by SIGTERM, would skip it. Second one:
    abort (KeyboardInterrupt, Terminated). SIGTERM tells `cancel` the stop is not the
    user's (CancelToken.by_user): a write leaves its batch for the next write to carry on.
    Windows delivers no SIGTERM this way: only Ctrl-C is handled there, and a closed
    console, Ctrl-Break or TerminateProcess end the process as a kill does (its batch
    is carried on too); SIGHUP (a closed terminal, a logout) keeps its default, a kill.
    `hold_after_abort`: once aborted, the next Ctrl-C or SIGTERM (a held key's repeat) is
    held, here and after, until main has said what the aborted job left (release_held_signals);
    a Python handler, so Windows' Ctrl-C is held too. One more ends the process at once
    (KeyboardInterrupt, Terminated), the line unsaid: a close stalled on a dead share must
    not need kill -9, and the journal recovers what the write left."""
    import signal
    import threading

    from app.core.held_at_commit import held_while_a_transaction_ends

    stop = StopRequest()
    names = {signal.SIGINT: "Ctrl-C"}
    if hasattr(signal, "SIGTERM") and sys.platform != "win32":
        names[signal.SIGTERM] = "SIGTERM"

    def handle(signum, frame) -> None:
        if stop.aborted:  # the job is closing after an abort: its last line must not be lost …
            if not stop.held_one:
                stop.held_one = True
                return
            raise Terminated if signum != signal.SIGINT else KeyboardInterrupt  # … unless pressed on
        if cancel.cancelled:
            stop.aborted = hold_after_abort
            raise Terminated if signum != signal.SIGINT else KeyboardInterrupt
        stop.signal_name = names.get(signum, "Ctrl-C")
        cancel.cancel(by_user=signum == signal.SIGINT)  # SIGTERM: not given in this terminal
        said = message if signum == signal.SIGINT else f"SIGTERM: {message.replace('Ctrl-C again', 'SIGTERM again')}"
        (say or print_summary)(said)

    if threading.current_thread() is not threading.main_thread():  # only it may set handlers
        yield stop
        return
    # (a signal handled as an index transaction ends is held until it has ended: held_at_commit)
    installed = held_while_a_transaction_ends(handle)
    previous = {signum: signal.signal(signum, installed) for signum in names}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            if stop.aborted:  # this handler stays, holding them, until main has said the last line
                _HELD_HANDLERS.setdefault(signum, handler)
            else:
                signal.signal(signum, handler)


@contextmanager
def progress_bar(description: str, total: int | None = None, stream: TextIO | None = None) -> Iterator[ProgressCallback]:
    """A progress callback that draws a tqdm bar on stderr when it is a terminal,
    and does nothing otherwise (pipes and logs stay clean)."""
    out = stream or sys.stderr
    if not getattr(out, "isatty", lambda: False)():
        yield lambda _progress: None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=description, unit="file", file=out, leave=False, dynamic_ncols=True)

    def update(progress: Progress) -> None:
        if progress.total is not None and bar.total != progress.total:
            bar.total = progress.total
        bar.n = progress.done
        if progress.message:
            bar.set_postfix_str(_shorten(progress.message), refresh=False)
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


def _shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]

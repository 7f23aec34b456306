"""The line a `write` aborted by a second signal ends with names the files its batch
holds and the next step, as the batch was left: Ctrl-C pressed on (a held key) while
the aborted write closes its index no longer replaces it with a bare "interrupted";
SIGTERM then Ctrl-C (the batch left 'running' for the next write) no longer says "a
write you cancelled"; Ctrl-C then SIGTERM (the batch closed 'cancelled') no longer says
only "terminated". One more signal after the held one ends the process at once: a close
stalled on a dead share no longer needs kill -9 (review8 F4)."""

from __future__ import annotations

import signal
import sys
import threading
import time

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex, connection, running_writes
from app.core.metadata import atomic, journal
from tests.test_write_ctrl_c_again import _accepted_library, _photos

needs_sigterm = pytest.mark.skipif(not hasattr(signal, "SIGTERM") or not hasattr(signal, "raise_signal")
                                   or signal.SIGTERM == signal.SIGINT or sys.platform == "win32",  # not handled there
                                   reason="no SIGTERM to raise, or the CLI leaves it to its default")


def _two_signals_after_the_first_file(monkeypatch, first: int, second: int | None) -> threading.Event:
    """`first` once the first file is renamed into place, `second` (None: none) once the
    write said it stops; returns the event set once it said so."""
    import app.cli.commands.write as write_command

    said_stopping = threading.Event()
    say = write_command.say_above_progress
    monkeypatch.setattr(write_command, "say_above_progress", lambda text: (say(text), said_stopping.set()))
    real, renamed = atomic.replace_atomically, []

    def replace_then_signal_twice(*args, **kwargs):
        result = real(*args, **kwargs)
        renamed.append(1)
        if len(renamed) == 1:
            signal.raise_signal(first)
            assert said_stopping.wait(30)
            if second is not None:
                signal.raise_signal(second)
        return result

    monkeypatch.setattr(atomic, "replace_atomically", replace_then_signal_twice)
    return said_stopping


def _changed(tmp_path, originals) -> int:
    return sum(data != originals[photo] for photo, data in _photos(tmp_path).items())


def _write_stopped_by(tmp_path, monkeypatch, capsys, first: int, second: int, code: int):
    """A write of 12 accepted photos stopped by two signals after its first file, exiting
    with `code`: the index, the photos before it, the command prefix and how many changed."""
    db = _accepted_library(tmp_path, 12)
    originals = _photos(tmp_path)
    _two_signals_after_the_first_file(monkeypatch, first, second)
    capsys.readouterr()
    assert main(["--db", db, "write"]) == code
    monkeypatch.undo()
    return db, originals, f"landmark-tagger --db {db}", _changed(tmp_path, originals)


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


@pytest.mark.parametrize("held_while", ["the line is worked out", "the index closes"])
def test_ctrl_c_pressed_on_while_the_aborted_write_closes_keeps_its_line(tmp_path, monkeypatch, capsys,
                                                                         held_while) -> None:
    db = _accepted_library(tmp_path, 12)
    originals = _photos(tmp_path)
    _two_signals_after_the_first_file(monkeypatch, signal.SIGINT, signal.SIGINT)
    if held_while == "the line is worked out":
        counting = running_writes.files_journalled_since
        monkeypatch.setattr(running_writes, "files_journalled_since",
                            lambda *args: (signal.raise_signal(signal.SIGINT), counting(*args))[1])
    else:
        closing = PhotoIndex.close
        monkeypatch.setattr(PhotoIndex, "close", lambda self: (signal.raise_signal(signal.SIGINT), closing(self))[1])
    capsys.readouterr()
    assert main(["--db", db, "write"]) == 130
    monkeypatch.undo()

    command = f"landmark-tagger --db {db}"
    changed = _changed(tmp_path, originals)
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"landmark-tagger: interrupted; batch 1, a write you cancelled, holds {_files(changed)}: "
        f"`{command} undo` takes them back; `{command} write` again writes the rest")
    with PhotoIndex.open(db) as index:
        assert journal.batch_status(index, 1) == "cancelled"
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C is the default's again once the line is said
        signal.raise_signal(signal.SIGINT)


def test_ctrl_c_pressed_on_just_after_an_index_block_begins_leaves_the_batch_as_the_line_says(
        tmp_path, monkeypatch, capsys) -> None:
    """A signal's handler runs at the next bytecode check, here just after the BEGIN of the
    write loop's own index block: the transaction it cut short is rolled back, not left open
    for every later block to join and the close to throw away ('cancelled', the journal)."""
    db = _accepted_library(tmp_path, 12)
    originals = _photos(tmp_path)
    said_stopping = _two_signals_after_the_first_file(monkeypatch, signal.SIGINT, None)
    begin, pressed_on = connection._begin_immediate, []

    def begin_then_ctrl_c(conn) -> None:
        begin(conn)
        if said_stopping.is_set() and not pressed_on and threading.current_thread() is threading.main_thread():
            pressed_on.append(1)
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(connection, "_begin_immediate", begin_then_ctrl_c)
    capsys.readouterr()
    assert main(["--db", db, "write"]) == 130
    monkeypatch.undo()

    assert pressed_on
    command = f"landmark-tagger --db {db}"
    changed = _changed(tmp_path, originals)
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"landmark-tagger: interrupted; batch 1, a write you cancelled, holds {_files(changed)}: "
        f"`{command} undo` takes them back; `{command} write` again writes the rest")
    with PhotoIndex.open(db) as index:
        assert journal.batch_status(index, 1) == "cancelled"
        assert running_writes.files_journalled_since(index.conn, 0) == (1, changed)
    assert main(["--db", db, "undo"]) == 0  # the journal holds every file changed
    assert _photos(tmp_path) == originals


@needs_sigterm
def test_sigterm_then_ctrl_c_says_the_next_write_carries_the_batch_on(tmp_path, monkeypatch, capsys) -> None:
    db, _, command, changed = _write_stopped_by(tmp_path, monkeypatch, capsys,
                                                signal.SIGTERM, signal.SIGINT, 130)
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"landmark-tagger: interrupted; batch 1, stopped before it finished, holds {_files(changed)}: "
        f"`{command} write` again writes the rest into batch 1, so that one `{command} undo` takes back all its "
        f"files (now it takes back these {_files(changed)})")
    with PhotoIndex.open(db) as index:
        assert journal.batch_status(index, 1) == "running"
    assert main(["--db", db, "write"]) == 0
    assert "batch 1 now holds 12 files" in capsys.readouterr().err


@needs_sigterm
def test_ctrl_c_then_sigterm_says_what_the_cancelled_batch_holds(tmp_path, monkeypatch, capsys) -> None:
    db, originals, command, changed = _write_stopped_by(tmp_path, monkeypatch, capsys,
                                                        signal.SIGINT, signal.SIGTERM, 143)
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"landmark-tagger: terminated; batch 1, a write you cancelled, holds {_files(changed)}: "
        f"`{command} undo` takes them back; `{command} write` again writes the rest")
    with PhotoIndex.open(db) as index:
        assert journal.batch_status(index, 1) == "cancelled"
    assert main(["--db", db, "undo"]) == 0
    assert _photos(tmp_path) == originals


@pytest.mark.parametrize("last", ["Ctrl-C", "SIGTERM"])
def test_a_signal_after_the_held_one_ends_a_stalled_close(tmp_path, monkeypatch, capsys, last) -> None:
    """The index on a stalled share: the close waits (here up to 30 s in short sleeps, so that
    a handler runs between them on every platform); the held Ctrl-C does not end it, the next
    Ctrl-C or SIGTERM does, without its line (the journal carries the batch)."""
    if last == "SIGTERM" and needs_sigterm.args[0]:
        pytest.skip(needs_sigterm.kwargs["reason"])
    last_signal, code, word = ((signal.SIGINT, 130, "interrupted") if last == "Ctrl-C"
                               else (signal.SIGTERM, 143, "terminated"))
    db = _accepted_library(tmp_path, 12)
    _two_signals_after_the_first_file(monkeypatch, signal.SIGINT, signal.SIGINT)
    closing, waits = PhotoIndex.close, []

    def stalled_close(self) -> None:
        signal.raise_signal(signal.SIGINT)  # held: a key's repeat
        for wait in range(600):
            waits.append(wait)
            if wait == 1:
                signal.raise_signal(last_signal)  # pressed on: the way out
            time.sleep(0.05)
        closing(self)

    monkeypatch.setattr(PhotoIndex, "close", stalled_close)
    capsys.readouterr()
    assert main(["--db", db, "write"]) == code
    monkeypatch.undo()
    assert waits == [0, 1]  # the close's wait ended at the signal after the held one
    assert capsys.readouterr().err.splitlines()[-1] == f"landmark-tagger: {word}"
    with PhotoIndex.open(db) as index:  # the journal says what the aborted write left
        assert journal.batch_status(index, 1) in ("cancelled", "running")

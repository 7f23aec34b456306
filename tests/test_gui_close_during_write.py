"""Closing the window during a write or an undo, and the app after it (review 9 F1, F3,
F4): the close waits a bounded time (the window repainting, its status line saying what
it finishes), so a file whose write hangs (a network share that stopped answering) does not
freeze the app and the state it leaves recovers as after a kill; Cancel and the close stop
an Undo after the file in hand, the next Undo restoring the rest; and the app, opened
again, says that a write was left unfinished and what Write and Undo do about it."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QTimer  # noqa: E402

from app.core.index import PhotoIndex  # noqa: E402
from app.core.metadata import atomic, journal, plan_writes, undo_last_write, write_labels  # noqa: E402
from app.core.metadata.plan import WriteOptions  # noqa: E402
from app.gui.job_words import write_moment  # noqa: E402
from tests.test_gui_support import close_main_window  # noqa: E402
from tests.test_gui_write_cancelled_batch import (  # noqa: E402
    PHOTOS, _after_renames, _close_with_a_file_in_hand, _labelled_library, _write)
from tests.test_gui_write_cancelled_batch import window  # noqa: E402,F401  (the fixture)

pytestmark = pytest.mark.gui


def _changed(originals: dict) -> list:
    return [photo for photo, data in originals.items() if photo.read_bytes() != data]


def _hang_at_rename(monkeypatch, count: int) -> tuple[threading.Event, threading.Event]:
    """The write's `count`th file hangs before its rename (as on a share that stopped
    answering) until the second event is set; the first says it hangs now."""
    real, calls = atomic.replace_atomically, []
    hanging, let_go = threading.Event(), threading.Event()

    def hooked(*args, **kwargs):
        calls.append(1)
        if len(calls) == count:
            hanging.set()
            let_go.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(atomic, "replace_atomically", hooked)
    return hanging, let_go


def test_closing_while_a_file_write_hangs_returns_with_the_window_repainting_and_the_state_recovers(
        qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui import job_host

    originals = _labelled_library(qtbot, window, tmp_path, monkeypatch)
    db = window.db_path
    monkeypatch.setattr(job_host, "CLOSE_WAIT_MS", 500)  # the close's bound, short for the test
    messages: list[str] = []
    monkeypatch.setattr(window, "show_message", lambda text, *args, **kwargs: messages.append(text))
    hanging, let_go = _hang_at_rename(monkeypatch, 3)
    threading.Timer(30, let_go.set).start()  # a watchdog: an unbounded close would end the test only then
    assert window.jobs.write(plan_writes(window.index))
    assert hanging.wait(30)
    ticks: list[int] = []
    timer = QTimer(interval=20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    window.close()
    timer.stop()
    still_hanging = not let_go.is_set() and not window.jobs.runner.wait(0)
    let_go.set()
    assert still_hanging  # the close returned while the file's write still hung
    assert ticks  # the window kept its event loop (repaints) while it waited
    said = [text for text in messages if text.startswith("Finishing the file being written…")]
    assert said and "for up to 0.5 s; a file not written by then is left as it was" in said[0], messages  # true words
    assert window.jobs.runner.wait(30000)
    with PhotoIndex.open(db) as index:  # what a quit at the close leaves: a kill's state, recovered
        assert journal.batch_status(index, 1) == "running"
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert (rerun.batch_id, rerun.carried_on, rerun.batch_files, rerun.failed) == (1, True, PHOTOS, 0)
        assert undo_last_write(index).written == PHOTOS
    assert not _changed(originals)


def test_the_app_quits_leaving_a_hung_write_as_a_kill_does(qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui import app as gui_app, job_host

    _labelled_library(qtbot, window, tmp_path, monkeypatch)
    monkeypatch.setattr(job_host, "CLOSE_WAIT_MS", 200)
    hanging, let_go = _hang_at_rename(monkeypatch, 2)
    assert window.jobs.write(plan_writes(window.index))
    assert hanging.wait(30)
    window.close()
    ended = []
    monkeypatch.setattr(gui_app.os, "_exit", ended.append)
    closed = []  # the index is closed before the exit (kept open here for the job's end in this test)
    monkeypatch.setattr(window.index, "close", lambda: closed.append(list(ended)))
    gui_app.end_of_run(window, 0)  # run_gui's end after the event loop
    let_go.set()
    assert closed == [[]] and ended == [0]  # Python's exit would wait for the hung thread forever
    assert window.jobs.runner.wait(30000)


def test_cancel_stops_an_undo_after_the_file_in_hand_and_the_next_undo_restores_the_rest(
        qtbot, window, tmp_path, monkeypatch) -> None:
    originals = _labelled_library(qtbot, window, tmp_path, monkeypatch)
    _write(qtbot, window)
    assert len(_changed(originals)) == PHOTOS
    messages: list[str] = []
    monkeypatch.setattr(window, "show_message", lambda text, *args, **kwargs: messages.append(text))
    _after_renames(monkeypatch, 2, window.jobs.runner.cancel)  # the job bar's Cancel after 2 files restored
    assert window.jobs.undo()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=30000)
    assert len(_changed(originals)) == PHOTOS - 2
    assert not journal.batch_undone(window.index, 1)
    when = write_moment(journal.batch_started_at(window.index, 1))  # named as Undo write's question names it
    assert when and messages[-1] == ("Undoing last write: cancelled — 2 files restored, 0 failed; Undo again "
                                     f"restores the rest of the write made {when}"), messages
    assert window.jobs.undo()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=30000)
    assert not _changed(originals) and journal.batch_undone(window.index, 1)


def test_closing_during_an_undo_stops_it_after_the_file_in_hand(qtbot, window, tmp_path, monkeypatch) -> None:
    originals = _labelled_library(qtbot, window, tmp_path, monkeypatch)
    _write(qtbot, window)
    db = window.db_path
    _close_with_a_file_in_hand(monkeypatch, window, window.jobs.undo)
    assert window.jobs.runner.wait(30000)
    assert PHOTOS - 2 <= len(_changed(originals)) < PHOTOS  # not the whole batch: the files in hand
    with PhotoIndex.open(db) as index:
        assert not journal.batch_undone(index, 1)
        undone = undo_last_write(index)  # the next Undo restores the rest
        assert (undone.batch_id, undone.failed) == (1, 0)
    assert not _changed(originals)


def test_the_app_opened_after_a_write_stopped_by_closing_it_says_so(qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui.app import open_main_window

    originals = _labelled_library(qtbot, window, tmp_path, monkeypatch)
    db = window.db_path
    _close_with_a_file_in_hand(monkeypatch, window, lambda: window.jobs.write(plan_writes(window.index)),
                               let_go_after_s=0.3)
    assert window.jobs.runner.wait(30000)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=5000)  # its stop reported: the window's index stays open
    written = len(_changed(originals))
    assert 2 <= written < PHOTOS

    again = open_main_window(db)
    qtbot.addWidget(again)
    try:
        messages: list[str] = []
        monkeypatch.setattr(again, "show_message", lambda text, *args, **kwargs: messages.append(text))
        assert again.check_library_folders()
        qtbot.waitUntil(lambda: not again.jobs.busy and bool(messages), timeout=30000)
        qtbot.waitUntil(lambda: any("stopped before it finished" in text for text in messages), timeout=5000)
        said = [text for text in messages if "stopped before it finished" in text][-1]
        when = write_moment(journal.batch_started_at(again.index, 1))  # not "left batch 1", a number never shown
        assert when and said.startswith(f"A write started {when} stopped before it finished (the app was closed or "
                                        f"ended) with {written} files written: Write labels… finishes it, Undo takes "
                                        "them back. ")
    finally:
        close_main_window(again)

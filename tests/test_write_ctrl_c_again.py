"""A `write` the user stops with Ctrl-C pressed twice (the second one aborts instead of
waiting for the batch's summary): its batch still ends 'cancelled', never 'done', the
CLI says how many files it holds and that `undo` takes them back, every photo is either
as it was or completely and verifiably written, and the index is whole. Ctrl-C pressed
yet again while the files being written finish, or while the batch is closed, changes
none of it."""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata import atomic, journal
from app.core.metadata.closing_a_write import close_the_batch
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.verify import verify_jpeg
from tests.test_index_support import write_jpeg


def _accepted_library(tmp_path: Path, photos: int) -> str:
    for i in range(photos):
        write_jpeg(tmp_path / "lib" / f"IMG_{i}.jpg", color=(i, 60, 10))
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    with PhotoIndex.open(db) as index:
        for photo in index.search(""):
            index.set_label(photo.id, "Petra", source="user", state="accepted")
    return db


def _photos(tmp_path: Path) -> dict[Path, bytes]:
    return {photo: photo.read_bytes() for photo in sorted((tmp_path / "lib").glob("*.jpg"))}


def _ctrl_c_twice_after_the_first_file(monkeypatch) -> None:
    """The user's Ctrl-C once the first file is renamed into place, and again once the
    write has said it stops after the files being written (the second one aborts)."""
    import app.cli.commands.write as write_command

    said_stopping = threading.Event()
    say = write_command.say_above_progress

    def say_then_note(text: str) -> None:
        say(text)
        said_stopping.set()

    real, renamed = atomic.replace_atomically, []

    def replace_then_ctrl_c_twice(*args, **kwargs):
        result = real(*args, **kwargs)
        renamed.append(1)
        if len(renamed) == 1:
            signal.raise_signal(signal.SIGINT)
            assert said_stopping.wait(30)
            signal.raise_signal(signal.SIGINT)
        return result

    monkeypatch.setattr(write_command, "say_above_progress", say_then_note)
    monkeypatch.setattr(atomic, "replace_atomically", replace_then_ctrl_c_twice)


def test_a_write_aborted_by_a_second_ctrl_c_ends_cancelled_and_says_what_undo_takes_back(tmp_path, monkeypatch,
                                                                                          capsys) -> None:
    db = _accepted_library(tmp_path, 12)
    originals = _photos(tmp_path)
    _ctrl_c_twice_after_the_first_file(monkeypatch)
    capsys.readouterr()
    assert main(["--db", db, "write"]) == 130
    monkeypatch.undo()

    now = _photos(tmp_path)
    changed = [photo for photo, data in now.items() if data != originals[photo]]
    assert 1 <= len(changed) < 12
    for photo in changed:  # a complete write: our keyword in, the picture untouched
        fields = read_fields(now[photo], str(photo))
        assert "Petra" in (fields.subject or [])
        verify_jpeg(photo, originals[photo], fields)
    command = f"landmark-tagger --db {db}"
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"landmark-tagger: interrupted; batch 1, a write you cancelled, holds {len(changed)} "
        f"file{'s' if len(changed) != 1 else ''}: `{command} undo` takes them back; `{command} write` again "
        "writes the rest")
    with PhotoIndex.open(db) as index:
        assert journal.batch_status(index, 1) == "cancelled"
        assert index.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    assert main(["--db", db, "undo"]) == 0
    assert _photos(tmp_path) == originals


def test_a_write_labels_loop_cut_short_by_keyboard_interrupt_closes_its_batch_as_cancelled(tmp_path) -> None:
    from app.core.metadata import plan_writes, write_labels
    from app.core.metadata.plan import WriteOptions
    from app.core.progress import CancelToken

    db = _accepted_library(tmp_path, 4)
    cancel = CancelToken()

    def ctrl_c_twice(progress) -> None:  # the handler sets the token, then the second press raises
        cancel.cancel()
        raise KeyboardInterrupt

    with PhotoIndex.open(db) as index:
        with pytest.raises(KeyboardInterrupt):
            write_labels(index, plan_writes(index), WriteOptions(workers=1), progress=ctrl_c_twice, cancel=cancel)
        assert journal.batch_status(index, 1) == "cancelled"


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs a signal sent to the main thread")
def test_ctrl_c_pressed_on_while_a_file_write_stalls_names_it_and_leaves_its_worker_alive(monkeypatch) -> None:
    """A file write stalled (a stalled share) and Ctrl-C pressed on during the wait for it:
    the wait ends naming the file, and the worker still counts as running (on Python 3.11
    a thread join cut short by the handler's exception marked it stopped, so the process
    then closed the index under it and its exit abandoned the write; review14 F1)."""
    import app.core.metadata.closing_a_write as closing

    started, finish, waiting = threading.Event(), threading.Event(), threading.Event()
    lock = closing.WriterLock()
    pool = ThreadPoolExecutor(max_workers=1)

    def stalled_write() -> None:  # a file write that stalls, then journals through the lock
        started.set()
        finish.wait(30)
        with lock:
            pass

    stalled = pool.submit(stalled_write)
    assert started.wait(30)
    real_wait = closing.wait
    monkeypatch.setattr(closing, "wait", lambda futures: (waiting.set(), real_wait(futures))[1])

    def press_on() -> None:
        waiting.wait(30)
        time.sleep(0.2)  # let the main thread block: a signal sent as it goes to sleep is handled only at its wakeup
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    pressing_on = threading.Thread(target=press_on)
    pressing_on.start()
    try:
        with pytest.raises(closing.StoppedWhileWriting) as stopped:
            closing.let_the_files_being_written_finish(pool, {stalled: SimpleNamespace(target=Path("IMG_2.jpg"))}, 7,
                                                       lock)
        assert stopped.value.paths == [Path("IMG_2.jpg")] and stopped.value.batch_id == 7
        assert type(stopped.value.signal_exception) is KeyboardInterrupt
        assert [thread.is_alive() for thread in pool._threads] == [True]  # still writing, and known to be
    finally:
        finish.set()
        pressing_on.join(30)
    # the index closes once the write gave up: the worker may not reach into it after (a closed SQLite
    # connection used from another thread crashed the process: a segfault in a CI run)
    with pytest.raises(closing.WriteAbandoned):
        stalled.result(30)


def test_a_file_landed_before_ctrl_c_was_handled_lets_the_batch_close(monkeypatch) -> None:
    import app.core.metadata.closing_a_write as closing

    pool = ThreadPoolExecutor(max_workers=1)
    landed = pool.submit(lambda: "written")
    landed.result(30)

    def pressed_as_it_landed(futures):
        raise KeyboardInterrupt

    monkeypatch.setattr(closing, "wait", pressed_as_it_landed)
    closing.let_the_files_being_written_finish(pool, {landed: SimpleNamespace(target=Path("IMG_1.jpg"))}, 1)


def test_ctrl_c_while_the_batch_is_closed_closes_it_all_the_same(tmp_path) -> None:
    db = _accepted_library(tmp_path, 1)
    with PhotoIndex.open(db) as index:
        tries = []

        def close_pressed_once() -> None:
            tries.append(1)
            with index.transaction() as conn:
                conn.execute("INSERT INTO write_batches (started_at, status) VALUES ('now', 'cancelled')")
                if len(tries) == 1:
                    raise KeyboardInterrupt  # rolled back, then run again

        close_the_batch(index, close_pressed_once)
        assert len(tries) == 2
        assert index.conn.execute("SELECT count(*) FROM write_batches").fetchone()[0] == 1

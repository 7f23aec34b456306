"""The app after a write stopped half-way (review 6, F1): a write the user cancelled and
a second Write leave two batches, and the app says, as the CLI does, that one Undo takes
back the second only (the status line after the Write and after the Undo, and the Undo
question). Closing the window during a write is no Cancel of the user's: the write
finishes the files in hand, journalled (within the close's wait: one that hangs is
tests/test_gui_close_during_write.py's), and leaves its batch for the next write to carry
on, so one Undo then takes back both runs' files."""

from __future__ import annotations

import re
import threading

import pytest

pytest.importorskip("pytestqt")

from app.core.index import PhotoIndex  # noqa: E402
from app.core.metadata import atomic, journal, plan_writes, undo_last_write, write_labels  # noqa: E402
from app.core.metadata.jpeg_fields import read_fields  # noqa: E402
from app.core.metadata.plan import WriteOptions  # noqa: E402
from app.gui.job_words import write_moment  # noqa: E402
from tests.test_gui_support import added_folder, close_main_window, wait_for_results  # noqa: E402

pytestmark = pytest.mark.gui
PHOTOS = 8


@pytest.fixture
def window(qtbot, tmp_path):
    from app.gui.app import create_application, open_main_window

    create_application()
    win = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(win)
    win.show()
    wait_for_results(qtbot, win)
    yield win
    close_main_window(win)


def _labelled_library(qtbot, win, tmp_path, monkeypatch) -> dict:
    """PHOTOS photos labelled "Petra"; their files' bytes as they were. The app's writes use
    one thread, so that a stop after the second file leaves files unwritten."""
    from dataclasses import replace

    from app.gui import job_work

    options = job_work.write_options
    monkeypatch.setattr(job_work, "write_options", lambda settings: replace(options(settings), workers=1))
    folder = added_folder(qtbot, win, tmp_path, count=PHOTOS)
    for row in range(win.grid_model.rowCount()):
        win.index.set_label(win.grid_model.photo_id(row), "Petra", source="user", state="accepted")
    return {photo: photo.read_bytes() for photo in sorted(folder.rglob("*.jpg"))}


def _after_renames(monkeypatch, count: int, then) -> None:
    """`then()` in the writing thread right after the write's `count`th file is renamed into
    place (the next `count` renames: once done, it is not called again)."""
    real, done = atomic.replace_atomically, []

    def hooked(*args, **kwargs):
        result = real(*args, **kwargs)
        done.append(1)
        if len(done) == count:
            then()
        return result

    monkeypatch.setattr(atomic, "replace_atomically", hooked)


def _close_with_a_file_in_hand(monkeypatch, win, start_job, let_go_after_s: float = 0.5) -> None:
    """Start a job with `start_job()` and close the window while its thread holds the file
    after its 2nd rename (a slow disk), let go `let_go_after_s` seconds into the close: what
    the close does with a file in hand, within its wait."""
    in_hand, let_go = threading.Event(), threading.Event()

    def slow_file() -> None:
        in_hand.set()
        let_go.wait(30)

    _after_renames(monkeypatch, 2, slow_file)
    assert start_job()
    assert in_hand.wait(30)
    threading.Timer(let_go_after_s, let_go.set).start()  # the GUI thread is in the close meanwhile
    win.close()


def _write(qtbot, win) -> None:
    assert win.jobs.write(plan_writes(win.index))
    qtbot.waitUntil(lambda: not win.jobs.busy, timeout=30000)


def test_after_a_cancelled_write_and_a_second_one_the_app_says_undo_again_takes_the_first_back(
        qtbot, window, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    originals = _labelled_library(qtbot, window, tmp_path, monkeypatch)
    messages: list[str] = []
    monkeypatch.setattr(window, "show_message", lambda text, *args, **kwargs: messages.append(text))
    _after_renames(monkeypatch, 2, window.jobs.runner.cancel)  # the job bar's Cancel
    _write(qtbot, window)
    cancelled = journal.batch_size(window.index, 1).files
    assert journal.batch_status(window.index, 1) == "cancelled" and 2 <= cancelled < PHOTOS

    _write(qtbot, window)  # the rest: a batch of its own (the hook is past its 2nd rename)
    # named by when it was made, as the Undo write question names it, never "batch 1"
    when = r"(today|on \d+ \w+) at \d\d:\d\d"
    left = rf"a write you cancelled {when} still holds {cancelled} files"
    qtbot.waitUntil(lambda: any(text.startswith("Writing labels: done") for text in messages), timeout=5000)
    written = [text for text in messages if text.startswith("Writing labels: done")][-1]
    assert re.search(rf"; {left}: a second Undo takes them back$", written), written
    assert "batch" not in written

    asked = []

    def answer(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    assert window.jobs.undo_after_asking()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=30000)
    # the write named by when it was made, never by a batch number the user never saw
    assert re.match(rf"Take back the labels written to {PHOTOS - cancelled} photos {when}\?", asked[-1])
    assert re.search(rf" A write you cancelled {when} still holds {cancelled} files: Undo again takes them back\.$",
                     asked[-1]), asked[-1]
    assert "batch" not in asked[-1].lower()
    qtbot.waitUntil(lambda: any(text.startswith("Undoing last write: done") for text in messages), timeout=5000)
    undone = [text for text in messages if text.startswith("Undoing last write: done")][-1]
    assert re.search(rf"; {left}: Undo again takes them back$", undone) and "batch" not in undone, undone

    assert window.jobs.undo_after_asking()  # the second Undo the app named
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=30000)
    assert "a write you cancelled" not in asked[-1]
    assert {photo: photo.read_bytes() for photo in originals} == originals
    assert not window.jobs.undo_after_asking()  # both writes undone: nothing asked
    assert messages[-1] == "Nothing to undo: every write was undone already."


def test_closing_the_window_during_a_write_finishes_the_file_in_hand_and_leaves_the_batch_to_carry_on(
        qtbot, window, tmp_path, monkeypatch) -> None:
    originals = _labelled_library(qtbot, window, tmp_path, monkeypatch)
    db = window.db_path
    _close_with_a_file_in_hand(monkeypatch, window, lambda: window.jobs.write(plan_writes(window.index)))

    assert window.jobs.runner.wait(0)  # no write runs on after the window closed
    with PhotoIndex.open(db) as index:
        assert journal.batch_status(index, 1) == "running"  # left for the next write, not cancelled
        journalled = journal.batch_size(index, 1).files
        changed = [photo for photo, data in originals.items() if photo.read_bytes() != data]
        assert 2 <= journalled == len(changed) < PHOTOS  # every file changed is journalled, the slow one too
        assert all(read_fields(photo.read_bytes()).subject == ["Petra"] for photo in changed)
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert (rerun.batch_id, rerun.carried_on, rerun.batch_files) == (1, True, PHOTOS)
        undone = undo_last_write(index)
        assert (undone.batch_id, undone.written, undone.failed) == (1, PHOTOS, 0)
    assert {photo: photo.read_bytes() for photo in originals} == originals


def test_a_write_the_user_cancels_says_what_undo_write_and_write_labels_do_next(
        qtbot, window, tmp_path, monkeypatch) -> None:
    """The CLI's next steps after a stopped write ("`undo` takes back the 2 files batch 1
    holds; `write` again writes the rest…"), in the app's words: its Undo write and Write labels…."""
    _labelled_library(qtbot, window, tmp_path, monkeypatch)
    messages: list[str] = []
    monkeypatch.setattr(window, "show_message", lambda text, *args, **kwargs: messages.append(text))
    _after_renames(monkeypatch, 2, window.jobs.runner.cancel)  # the job bar's Cancel
    _write(qtbot, window)
    files = journal.batch_size(window.index, 1).files
    assert journal.batch_status(window.index, 1) == "cancelled" and 2 <= files < PHOTOS
    qtbot.waitUntil(lambda: any(text.startswith("Writing labels: cancelled") for text in messages), timeout=5000)
    said = [text for text in messages if text.startswith("Writing labels: cancelled")][-1]
    when = write_moment(journal.batch_started_at(window.index, 1))  # as Undo write's question names it
    assert when and said == (f"Writing labels: cancelled — {files} files written, 0 failed; Undo write takes back the "
                             f"{files} files of the write started {when}; Write labels… again writes the rest (as a "
                             "write of its own, which Undo write takes back first)")

"""Tag jobs in the desktop app: run to the end, labels stream into the grid, cancel
stops them, and the event loop keeps running while the model works."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QTimer  # noqa: E402

from tests.test_gui_support import close_main_window, make_photo_folder  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.slow]

# How long the GUI thread stalls during a tag job and how soon Cancel stops one (issue 5's
# 100 ms and 1 s) are wall-clock figures: benchmarks/gui_responsiveness.py measures them
# against a baseline in the same run. These tests assert the behaviour behind them.
HANG_GUARD_MS = 60000  # only so that a broken cancel fails instead of hanging the suite


@pytest.fixture
def tagging_window(qtbot, tmp_path, tiny_bundle):
    from app.gui.app import create_application, open_main_window

    create_application()
    win = open_main_window(tmp_path / "index.db")
    win.settings = replace(win.settings, model_bundle=str(tiny_bundle.path))
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    yield win
    close_main_window(win, job_wait_ms=30000)


class Heartbeat:
    """A 10 ms timer on the GUI thread; the largest gap between ticks is how long the
    event loop was blocked."""

    def __init__(self) -> None:
        self.timer = QTimer(interval=10)
        self.timer.timeout.connect(self._tick)
        self.last = None
        self.max_gap = 0.0
        self.ticks = 0

    def start(self) -> None:
        self.last = time.monotonic()
        self.timer.start()

    def _tick(self) -> None:
        now = time.monotonic()
        self.max_gap = max(self.max_gap, now - self.last)
        self.last = now
        self.ticks += 1

    def stop(self) -> None:
        self.timer.stop()


def test_a_tag_job_runs_to_the_end_and_labels_reach_the_grid(qtbot, tagging_window, tmp_path) -> None:
    win = tagging_window
    folder = tmp_path / "photos"
    make_photo_folder(folder, 10)
    win.add_folder(folder)
    qtbot.waitUntil(lambda: not win.jobs.busy, timeout=30000)
    progress = []
    win.jobs.runner.progressed.connect(progress.append)

    with qtbot.waitSignal(win.jobs.runner.finished, timeout=120000) as finished:
        assert win.tag_folder()
        assert win.job_bar.isVisible()
    qtbot.waitUntil(lambda: not win.jobs.busy and not win.results.busy, timeout=20000)
    summary = finished.args[1]
    assert summary.tagged == 10 and not summary.cancelled
    assert progress and progress[-1].done == 10 and progress[-1].total == 10
    assert not win.job_bar.isVisible()
    states = {win.grid_model.record(row).state for row in range(win.grid_model.rowCount())}
    assert states == {"suggested"}
    assert win.index.count("state:suggested") == 10
    win.grid.setCurrentIndex(win.grid_model.index(0))
    assert win.detail.predictions_box.count() == 3  # the tiny bundle knows 3 landmarks


def test_cancel_stops_a_tag_job_soon_and_keeps_what_was_done(qtbot, tagging_window, tmp_path) -> None:
    win = tagging_window
    folder = tmp_path / "many"
    make_photo_folder(folder, 300)
    win.add_folder(folder)
    qtbot.waitUntil(lambda: not win.jobs.busy, timeout=60000)
    items = []
    win.jobs.runner.item_done.connect(items.append)
    assert win.tag_folder()
    qtbot.waitUntil(lambda: len(items) >= 8, timeout=120000)
    asked = time.monotonic()
    with qtbot.waitSignal(win.jobs.runner.cancelled, timeout=HANG_GUARD_MS) as cancelled:
        win.job_bar.cancel_button.click()
    stopped_after = time.monotonic() - asked
    summary = cancelled.args[1]
    assert summary is None or summary.cancelled
    tagged = win.index.count("-state:unlabelled")
    assert 8 <= tagged < 300  # what was done is kept, the rest is left
    print(f"cancel took {stopped_after:.2f} s (benchmarks/gui_responsiveness.py measures it)")


def test_the_event_loop_keeps_running_during_a_tag_job(qtbot, tagging_window, tmp_path) -> None:
    win = tagging_window
    folder = tmp_path / "photos"
    make_photo_folder(folder, 60)
    win.add_folder(folder)
    qtbot.waitUntil(lambda: not win.jobs.busy, timeout=60000)
    refreshed_before_the_end = []
    finished = []
    win.jobs.runner.finished.connect(lambda *args: finished.append(True))
    show_changes = win.photos_changed

    def spy(photo_ids) -> None:
        if not finished:
            refreshed_before_the_end.extend(photo_ids)
        show_changes(photo_ids)

    win.photos_changed = spy
    win.jobs._refresh_timer.setInterval(50)  # the tiny model is fast: look more often than 300 ms
    heartbeat = Heartbeat()
    ticks_at_item = []
    win.jobs.runner.item_done.connect(lambda _item: ticks_at_item.append(heartbeat.ticks))
    heartbeat.start()
    with qtbot.waitSignal(win.jobs.runner.stopped, timeout=180000):
        assert win.tag_folder()
    heartbeat.stop()
    print(f"ticks {heartbeat.ticks}, largest gap {heartbeat.max_gap * 1000:.0f} ms "
          "(benchmarks/gui_responsiveness.py measures it against a baseline)")
    assert len(ticks_at_item) == 60
    assert ticks_at_item[-1] > ticks_at_item[0]  # the GUI thread ran its timers while the job ran
    assert refreshed_before_the_end  # labels reached the grid while the job was running


def test_a_new_user_goes_from_empty_library_to_written_labels_without_the_cli(
        qtbot, tagging_window, tmp_path, monkeypatch) -> None:
    from PySide6.QtCore import Qt

    from app.gui import job_controller, main_window
    from app.gui.main_window import PAGE_FIRST_RUN, PAGE_REVIEW
    from app.gui.write_dialog import WritePlanDialog

    win = tagging_window
    qtbot.waitUntil(lambda: not win.results.busy, timeout=20000)
    assert win.stack.currentIndex() == PAGE_FIRST_RUN
    folder = tmp_path / "holiday"
    make_photo_folder(folder, 4)
    monkeypatch.setattr(main_window.QFileDialog, "getExistingDirectory", lambda *args, **kw: str(folder))
    qtbot.mouseClick(win.first_run.add_button, Qt.MouseButton.LeftButton)  # "Add folder…"
    qtbot.waitUntil(lambda: not win.jobs.busy and not win.results.busy and win.grid_model.rowCount() == 4,
                    timeout=60000)
    win.tag_folder_action.trigger()
    qtbot.waitUntil(lambda: not win.jobs.busy and not win.results.busy, timeout=120000)
    label = win.grid_model.record(0).label
    assert label and win.index.count("state:suggested") == 4
    qtbot.keyClicks(win.search_bar.field, f'label:"{label}"')
    qtbot.waitUntil(lambda: win.search_bar.count_label.text() == "4 photos", timeout=20000)
    win.review_action.trigger()
    qtbot.waitUntil(lambda: win.stack.currentIndex() == PAGE_REVIEW and win.review_model.rowCount() == 4, timeout=20000)
    win.review.list.setFocus()
    for _ in range(4):
        qtbot.keyClick(win.review.list, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: not win.results.busy and win.review_model.rowCount() == 0, timeout=20000)
    assert win.index.count("state:accepted") == 4
    monkeypatch.setattr(job_controller.WritePlanDialog, "exec", lambda dialog: WritePlanDialog.DialogCode.Accepted)
    win.write_action.trigger()
    qtbot.waitUntil(lambda: not win.jobs.busy and not win.job_bar.isVisible(), timeout=60000)
    qtbot.waitUntil(lambda: all(label.encode() in path.read_bytes() for path in folder.rglob("*.jpg")),
                    timeout=30000)

"""Jobs of the desktop app that are cancelled or fail, and the Problems panel that collects per-file errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from app.core.index import PhotoIndex  # noqa: E402
from tests.test_gui_support import (  # noqa: E402,F401
    added_folder,
    close_main_window,
    make_photo_folder,
    wait_for_job,
    window,
)

pytestmark = pytest.mark.gui


def test_a_cancelled_job_stops_and_reports_cancelled(qtbot) -> None:
    from app.core.progress import Progress
    from app.gui.job_runner import JobRunner

    runner = JobRunner()
    done_items = []

    def slow_work(progress, cancel, emit):
        for i in range(1000):
            if cancel.cancelled:
                return {"done": i}
            time.sleep(0.01)
            emit(i)
            progress(Progress(i + 1, 1000))
        return {"done": 1000}

    runner.item_done.connect(done_items.append)
    assert runner.start("slow", slow_work)
    assert not runner.start("second", slow_work)  # one job at a time
    qtbot.waitUntil(lambda: len(done_items) >= 5, timeout=20000)
    with qtbot.waitSignal(runner.cancelled, timeout=1000) as blocker:
        runner.cancel()
    assert blocker.args[0] == "slow" and blocker.args[1]["done"] < 1000
    assert not runner.busy


def test_a_job_whose_index_goes_bad_reports_what_to_do(qtbot) -> None:
    import sqlite3

    from app.gui.job_runner import JobRunner

    def work(progress, cancel, emit):
        raise sqlite3.DatabaseError("database disk image is malformed")

    runner = JobRunner()
    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        assert runner.start("Tagging", work)
    assert "is damaged" in blocker.args[-1] and "scan your folders again" in blocker.args[-1]


def test_a_model_bundle_gone_is_reported_without_a_traceback(qtbot, capfd, tmp_path) -> None:
    """A bundle chosen in Settings and gone since printed a Python traceback on the
    console: the user's to mend, like a missing file, not a bug of ours."""
    from app.gui.job_runner import JobRunner
    from model.bundle import load_bundle

    def work(progress, cancel, emit):
        load_bundle(tmp_path / "usb" / "landmarks-v2.ltbundle")

    runner = JobRunner()
    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        assert runner.start("Tagging", work)
    assert "does not exist" in blocker.args[-1]
    assert "Traceback" not in capfd.readouterr().err


def test_problems_from_a_job_collect_in_the_panel_not_in_dialogs(qtbot, window, tmp_path) -> None:
    folder = tmp_path / "photos"
    make_photo_folder(folder, 2)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 this is not really a JPEG")
    window.add_folder(folder)
    wait_for_job(qtbot, window)
    problems = window.errors_panel.problems()
    assert any(path.endswith("broken.jpg") for path, _stage, _message in problems)
    assert window.errors_dock.isVisible()
    assert window.errors_action.text() == f"Problems ({len(problems)})"


def test_the_problems_the_index_holds_are_listed_when_the_app_opens(qtbot, tmp_path) -> None:
    """A broken file stays broken between sessions; the Problems panel started empty on
    every opening although the index (and `landmark-tagger stats`) still held them."""
    from app.gui.app import create_application, open_main_window

    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        nef = tmp_path / "photos" / "DSC_0001.NEF"
        index.record_error(nef, "decode", f"cannot decode {nef}: truncated RAW file")
        index.record_error(tmp_path / "photos" / "DSC_0002.JPG", "scan", "cannot read the file")
    create_application()
    win = open_main_window(db)
    qtbot.addWidget(win)
    try:
        problems = win.errors_panel.problems()
        assert [(Path(path).name, stage, message) for path, stage, message in problems] == [
            ("DSC_0002.JPG", "scan", "cannot read the file"),
            ("DSC_0001.NEF", "decode", f"cannot decode {nef}: truncated RAW file")]
        # the File column names the file; the problem does not repeat its whole path (the tooltip has it)
        assert win.errors_panel.item(1, 2).text() == "cannot decode DSC_0001.NEF: truncated RAW file"
        assert win.errors_action.text() == "Problems (2)"
        assert not win.errors_dock.isVisible()  # counted on its button, not opened over the photos
    finally:
        close_main_window(win)


def test_the_problems_panel_keeps_one_row_a_file_and_stage(qtbot, window, tmp_path, monkeypatch) -> None:
    """Every rescan meets the same broken files again; the list used to grow by all of
    them after each job (and after each start, now that the app checks its folders)."""
    folder = added_folder(qtbot, window, tmp_path, count=3)
    (folder / "broken.jpg").write_bytes(b"not a photo" * 50)
    (folder / "empty.jpg").write_bytes(b"")
    for _ in range(3):
        assert window.check_library_folders()
        wait_for_job(qtbot, window)
    rows = window.errors_panel.problems()
    assert sorted(Path(path).name for path, _stage, _message in rows) == ["broken.jpg", "empty.jpg"]
    window.errors_panel.add_problem(None, "Tagging", "no model bundle")
    window.errors_panel.add_problem(None, "Tagging", "no model bundle")
    window.errors_panel.add_problem(str(folder / "broken.jpg"), "decode", "cannot decode")
    assert len(window.errors_panel.problems()) == 4
    window.errors_panel.clear_problems()
    window.errors_panel.add_problem(str(folder / "broken.jpg"), "scan", "again")
    assert len(window.errors_panel.problems()) == 1
    from app.gui import errors_panel

    monkeypatch.setattr(errors_panel, "MAX_ROWS", 3)  # the oldest rows go, and their files may come back
    for name in ("a", "b", "c", "d", "a"):
        window.errors_panel.add_problem(str(folder / f"{name}.jpg"), "scan", "bad")
    assert [Path(path).name for path, _stage, _message in window.errors_panel.problems()] == ["a.jpg", "d.jpg", "c.jpg"]

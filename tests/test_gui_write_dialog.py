"""The write list on a laptop's screen, and a write that does what its list said: the
files it showed as impossible are left out, not tried again as new failures."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from app.core.metadata.keywords import KeywordFields  # noqa: E402
from app.core.metadata.plan import PlannedWrite  # noqa: E402
from tests.test_gui_support import added_folder, wait_for_results  # noqa: E402
from tests.test_gui_laptop_width import laptop_window  # noqa: E402,F401

pytestmark = pytest.mark.gui


@pytest.fixture
def window(laptop_window):
    """The app at 1,024 × 640, as on a laptop."""
    return laptop_window

DEEP = "/Volumes/Photo archive 2019/Trips/Notre-Dame de la Garde and the Vieux Port of Marseille"


def planned(path: str, label: str | None, before: list[str], after: list[str],
            problem: str | None = None) -> PlannedWrite:
    return PlannedWrite(photo_id=1, source=Path(path), target=Path(path), kind="jpeg", label=label,
                        previous_label=None, before=KeywordFields(subject=before),
                        after=KeywordFields(subject=after), problem=problem)


def test_the_write_list_shows_every_column_within_the_dialog_with_long_paths(qtbot) -> None:
    """A whole path in the first column pushed Label and Status (then Problem) off the dialog."""
    from app.gui.write_dialog import WritePlanDialog

    plan = [planned(f"{DEEP}/08e2b89c9dd7.jpg", "Notre-Dame de la Garde", [], ["Notre-Dame de la Garde"]),
            planned(f"{DEEP}/10951c5784e7.jpg", "Vieux Port de Marseille", [], ["Vieux Port de Marseille"],
                    problem="the file is read-only; make it writable for this app to change it")]
    dialog = WritePlanDialog(plan, include_suggested=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table, header = dialog.table, dialog.table.horizontalHeader()
    shown = table.viewport().width()
    for column in range(table.columnCount()):
        assert header.sectionViewportPosition(column) + 40 <= shown, table.horizontalHeaderItem(column).text()
    label = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index("Label")
    assert header.sectionViewportPosition(label) + header.sectionSize(label) <= shown  # read whole
    problem = table.columnCount() - 1
    assert header.sectionSize(problem) >= 250  # room to read the reason; cut, it is whole in the tooltip
    assert table.item(0, 0).text() == "08e2b89c9dd7.jpg"
    assert table.item(0, 0).toolTip() == f"{DEEP}/08e2b89c9dd7.jpg"
    assert table.item(1, problem).toolTip() == "the file is read-only; make it writable for this app to change it"


def test_the_summary_counts_no_landmark_photos_as_nothing_to_write_as_their_rows_say(qtbot) -> None:
    from app.gui.write_dialog import WritePlanDialog

    plan = [planned("/p/a.jpg", "Petra", [], ["Petra"]), planned("/p/b.jpg", "Petra", ["Petra"], ["Petra"]),
            planned("/p/c.jpg", None, [], []), planned("/p/d.jpg", None, ["Holiday"], ["Holiday"])]
    dialog = WritePlanDialog(plan, include_suggested=False)
    qtbot.addWidget(dialog)
    assert dialog.summary.text().startswith(
        "1 file would be written, 1 already carries the label, 2 have no landmark (nothing to write).")
    rows = [dialog.table.item(row, 4).text() for row in range(4)]
    assert rows.count("Nothing to write (no landmark)") == 2


def test_write_leaves_out_the_files_the_list_showed_as_impossible_and_says_so(
        qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui import job_controller
    from app.gui.write_dialog import WritePlanDialog

    messages: list[str] = []
    monkeypatch.setattr(window, "show_message", messages.append)
    added_folder(qtbot, window, tmp_path, count=3)
    ids = [window.grid_model.photo_id(row) for row in range(3)]
    writable, read_only, nothing = (Path(window.index.get(i).path) for i in ids)
    window.index.set_label(ids[0], "Pont du Gard", source="user", state="accepted")
    window.index.set_label(ids[1], "Pont du Gard", source="user", state="accepted")
    window.index.set_label(ids[2], None, source="user", state="accepted")
    read_only.chmod(0o444)
    shown = {}

    def review_plan(dialog: WritePlanDialog) -> int:
        shown["summary"], shown["button"] = dialog.summary.text(), dialog.write_button.text()
        return WritePlanDialog.DialogCode.Accepted

    monkeypatch.setattr(job_controller.WritePlanDialog, "exec", review_plan)
    finished = []
    window.jobs.runner.finished.connect(lambda name, summary: finished.append(summary))
    try:
        assert window.write_labels()
        qtbot.waitUntil(lambda: bool(finished) and hasattr(finished[-1], "written"), timeout=30000)
        qtbot.waitUntil(lambda: not window.jobs.busy, timeout=20000)
        wait_for_results(qtbot, window)
        qtbot.waitUntil(lambda: any("could not be" in m for m in messages), timeout=5000)
    finally:
        read_only.chmod(0o644)
    assert shown["button"] == "Write 1 file"
    assert shown["summary"].startswith("1 file would be written, 1 has no landmark (nothing to write), 1 cannot be")
    summary = finished[-1]
    assert (summary.written, summary.failed, summary.unchanged) == (1, 0, 0)  # only what Write counted
    assert messages[-1].startswith("Writing labels: done — 1 file written, 0 failed; 1 could not be, as the write "
                                   "list showed")
    assert not [p for p in window.errors_panel.problems() if p[1] == "write"]  # no new Problems rows
    assert "Pont du Gard".encode() in writable.read_bytes()
    assert "Pont du Gard".encode() not in read_only.read_bytes()
    assert nothing.exists()


def test_cancel_while_preparing_a_write_stops_the_plan_and_writes_nothing(qtbot, window, tmp_path,
                                                                          monkeypatch) -> None:
    """Cancel during "Preparing write" did nothing until every file of a big library was
    read; then the status line said "the work done so far is kept" (there was none)."""
    import threading

    from app.core.metadata import plan
    from app.core.metadata.journal import last_batch_id
    from app.gui import job_controller

    messages: list[str] = []
    monkeypatch.setattr(window, "show_message", messages.append)
    added_folder(qtbot, window, tmp_path, count=3)
    ids = [window.grid_model.photo_id(row) for row in range(3)]
    before = {i: Path(window.index.get(i).path).read_bytes() for i in ids}
    for photo_id in ids:
        window.index.set_label(photo_id, "Pont du Gard", source="user", state="accepted")
    plan_file, planned, first_planned, pressed = plan._plan_file, [], threading.Event(), threading.Event()

    def slow_plan_file(*args, **kwargs):  # the first photo's file is read until Cancel is pressed
        planned.append(args[2])
        first_planned.set()
        pressed.wait(10)
        return plan_file(*args, **kwargs)

    monkeypatch.setattr(plan, "_plan_file", slow_plan_file)
    shown = []
    monkeypatch.setattr(job_controller.WritePlanDialog, "exec", lambda dialog: shown.append(dialog) or 0)
    cancelled = []
    window.jobs.runner.cancelled.connect(lambda name, summary: cancelled.append(name))
    assert window.write_labels()
    qtbot.waitUntil(first_planned.is_set, timeout=10000)
    window.job_bar.cancel_button.click()
    assert window.jobs.runner.cancelling
    pressed.set()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=20000)
    assert cancelled == ["Preparing write"]
    assert len(planned) == 1  # stopped after the file in hand, not after the whole library
    assert messages[-1] == "Preparing write: cancelled — nothing written"
    qtbot.wait(50)  # a follow-up would come on the next turn of the event loop
    assert not shown  # no write list
    assert last_batch_id(window.index) is None  # no write batch opened
    assert {i: Path(window.index.get(i).path).read_bytes() for i in ids} == before

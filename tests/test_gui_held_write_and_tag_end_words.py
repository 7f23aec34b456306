"""GUI tester findings F4-F6 (findings11): the question about a file changed in another
program said "them" of one file without naming it, under the title "1 held file" (the app's
own word), and a later status "already accepted or not tagged yet" when the app knew which;
Write labels… listed already written files under "Problem", replacing their own label, with
"atomically" and "How: jpeg"; a stopped tagging run said "cancelled" twice, "0 without a
landmark", "(see Problems) in 2.3 s", and nothing while it finished the photos in progress."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from app.core.metadata.keywords import KeywordFields  # noqa: E402
from app.core.metadata.plan import PlannedWrite  # noqa: E402
from app.core.scan_summary import ScanSummary  # noqa: E402
from app.core.tagging import TagSummary  # noqa: E402
from tests.test_gui_support import window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def asked_about(monkeypatch, held: list[str], selected: int) -> dict:
    """The question ask_to_write_held_again shows, answered with its default button."""
    from PySide6.QtWidgets import QMessageBox

    from app.gui.held_files_question import ask_to_write_held_again

    shown: dict = {}

    def answer(box: QMessageBox) -> int:
        shown.update(title=box.windowTitle(), text=box.text(), default=box.defaultButton().text(),
                     buttons=sorted(button.text() for button in box.buttons()))
        box.defaultButton().click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)
    shown["write"] = ask_to_write_held_again(None, held, selected)
    return shown


def test_the_question_names_one_file_and_counts_more_in_the_users_words(qtbot, monkeypatch) -> None:
    one = asked_about(monkeypatch, ["/lib/Rome/IMG_001.jpg"], 1)
    assert one["title"] == "Changed in another program"  # not "1 held file"
    assert one["text"].startswith("This photo's file IMG_001.jpg was changed in another program")
    assert one["text"].endswith("Write labels leaves it alone.")
    assert one["buttons"] == ["Leave it alone", "Write it again"] and one["default"] == "Leave it alone"
    assert one["write"] is False
    several = asked_about(monkeypatch, [f"/lib/Rome/IMG_00{n}.jpg" for n in range(3)], 5)
    assert several["text"].startswith("3 files of these photos were changed in another program")
    assert several["text"].endswith("Write labels leaves them alone.")
    assert several["buttons"] == ["Leave them alone", "Write them again"]


def test_a_photo_left_unchanged_says_whether_it_was_accepted_already_or_not_tagged() -> None:
    from app.gui.label_actions import unchanged_words

    before = {1: ("Petra", "accepted"), 2: (None, "unlabelled"), 3: ("Petra", "accepted")}
    assert unchanged_words("accepted", [1], before, 1, alone=True) == "the photo is already accepted"
    assert unchanged_words("accepted", [2], before, 1, alone=True) == "the photo is not tagged yet"
    assert unchanged_words("accepted", [1, 3], before, 2, alone=True) == "the selected photos are already accepted"
    assert unchanged_words("accepted", [1, 2, 3], before, 3, alone=False) == "2 already accepted, 1 not tagged yet"


def planned(name: str, before: list[str], kind: str = "jpeg") -> PlannedWrite:
    return PlannedWrite(photo_id=1, source=Path(name), target=Path(name), kind=kind, label="Colosseum",
                        previous_label="Colosseum", before=KeywordFields(subject=before),
                        after=KeywordFields(subject=["Colosseum"]))


def test_the_write_list_says_already_written_as_a_status_not_a_problem(qtbot) -> None:
    from app.gui.write_dialog import WritePlanDialog

    dialog = WritePlanDialog([planned("/p/a.jpg", ["Pantheon"]), planned("/p/b.jpg", ["Colosseum"]),
                              planned("/p/DSC_0100.NEF.xmp", ["Pantheon"], kind="sidecar")], include_suggested=False)
    qtbot.addWidget(dialog)
    table = dialog.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert "Problem" not in headers and "How" not in headers
    rows = {table.item(row, 0).text(): {headers[c]: table.item(row, c).text() for c in range(len(headers))}
            for row in range(table.rowCount())}
    assert rows["b.jpg"]["Status"] == "Already written"
    assert rows["b.jpg"]["Replaces"] == "—"  # not its own label
    assert rows["a.jpg"]["Written into"] == "Into the photo"
    assert rows["DSC_0100.NEF.xmp"]["Written into"] == "Into a sidecar (.xmp)"
    assert "atomically" not in dialog.summary.text()
    assert "the original stays until the new one is complete" in dialog.summary.text()


def test_a_stopped_tagging_run_says_stopped_once_and_what_is_left(window) -> None:
    stopped = TagSummary(selected=17, tagged=16, no_landmark=6, damaged=1, cancelled=True, seconds=3.9,
                         scan=ScanSummary(photos=17, errors=2))
    window.jobs._on_cancelled("Tagging library", stopped)
    assert window.statusBar().currentMessage() == (
        "Tagging library: stopped — tagged 16 of 17 photos, 1 left for next time, 6 without a landmark, "
        "1 damaged photo labelled from the part that could be read, 2 files could not be read (see Problems)")
    again = TagSummary(selected=1, tagged=1, up_to_date=16, damaged_before=1, seconds=2.3)
    window.jobs._on_finished("Tagging library", again)
    said = window.statusBar().currentMessage()
    assert said == ("Tagging library: done — tagged 1 photo, 16 already up to date, 1 unchanged photo labelled "
                    "before from a damaged picture (see Problems)")  # no "0 without a landmark", no "… in 2.3 s"
    assert TagSummary(tagged=1, seconds=2.3).line().startswith("tagged 1 photo, 0 without a landmark in 2.3 s")  # CLI


def test_the_bar_says_a_cancelled_tagging_run_finishes_the_photos_in_progress(qtbot) -> None:
    from app.gui.job_bar import JobBar
    from app.gui.job_host import cancelling_text
    from app.gui.job_runner import JobProgress

    bar = JobBar()
    qtbot.addWidget(bar)
    bar.begin("Tagging library")
    bar.update_progress(JobProgress(done=8, total=17, message="", rate=4.0, eta_s=2.0))
    bar.cancelling(cancelling_text("Tagging library", writes_photos=False))
    assert bar.detail.full_text() == "8 / 17  ·  Cancelling: finishing the photos in progress…"
    bar.update_progress(JobProgress(done=12, total=17, message="", rate=4.0, eta_s=1.0))
    assert bar.detail.full_text() == "12 / 17  ·  Cancelling: finishing the photos in progress…  ·  4.0 photos/s"
    assert not bar.cancel_button.isEnabled()
    bar.begin("Reading folder")  # the next job starts without the words
    bar.update_progress(JobProgress(done=1, total=3, message="", rate=None, eta_s=5.0))
    assert bar.detail.full_text() == "1 / 3  ·  ETA 0:05"
    assert cancelling_text("Writing labels", writes_photos=True) == "Cancelling: finishing the file being written…"

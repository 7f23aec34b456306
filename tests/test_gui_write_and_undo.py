"""Writing labels from the desktop app: the dry run first, the write dialog's counts and reasons, and undo."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.test_gui_support import added_folder, wait_for_results, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_write_shows_the_dry_run_first_then_writes_and_undo_restores(qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui import job_controller
    from app.gui.write_dialog import WritePlanDialog

    messages: list[str] = []
    monkeypatch.setattr(window, "show_message", messages.append)
    folder = added_folder(qtbot, window, tmp_path, count=3)
    assert "Reading folder: done — 3 photos, 3 new" in messages  # no zero counts
    assert messages[-1].endswith("3 new. Press Tag folder to recognise the landmarks in them.")  # what comes next
    photo_id = window.grid_model.photo_id(0)
    window.index.set_label(photo_id, "Pont du Gard", source="user", state="accepted")
    path = Path(window.index.get(photo_id).path)
    original = path.read_bytes()
    shown = {}

    def review_plan(dialog: WritePlanDialog) -> int:
        shown["rows"] = dialog.table.rowCount()
        shown["text"] = [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
        shown["file_untouched"] = path.read_bytes() == original
        return WritePlanDialog.DialogCode.Accepted

    monkeypatch.setattr(job_controller.WritePlanDialog, "exec", review_plan)
    finished = []
    window.jobs.runner.finished.connect(lambda name, summary: finished.append(name))
    assert not window.undo_action.isEnabled()  # nothing written yet
    assert not window.jobs.undo_after_asking()  # its key: nothing asked
    assert messages[-1] == "Nothing to undo: no labels have been written yet."
    assert window.write_labels()
    qtbot.waitUntil(lambda: "Writing labels" in finished, timeout=30000)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=20000)
    wait_for_results(qtbot, window)
    assert window.undo_action.isEnabled()
    assert shown["rows"] == 1 and shown["file_untouched"]
    assert any("Pont du Gard" in text for text in shown["text"])
    assert "Pont du Gard".encode() in path.read_bytes()
    assert window.jobs.undo()
    qtbot.waitUntil(lambda: "Undoing last write" in finished, timeout=30000)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=20000)
    assert "Pont du Gard".encode() not in path.read_bytes()
    assert folder.is_dir()
    # the status bar says it in words, as the CLI does
    assert "Writing labels: done — 1 file written, 0 failed" in messages
    assert "Undoing last write: done — 1 file restored, 0 failed" in messages
    # Undo write again: the write was undone, not "never written" (guitest-3)
    assert not window.jobs.undo_after_asking()
    assert messages[-1] == "Nothing to undo: the last write was undone already."


def test_the_write_dialog_counts_only_the_files_that_would_change(qtbot) -> None:
    from app.core.metadata.keywords import KeywordFields
    from app.core.metadata.plan import PlannedWrite
    from app.gui.write_dialog import WritePlanDialog

    def planned(name: str, before: list[str], problem: str | None = None) -> PlannedWrite:
        return PlannedWrite(photo_id=1, source=Path(name), target=Path(name), kind="jpeg", label="Petra",
                            previous_label=None, before=KeywordFields(subject=before),
                            after=KeywordFields(subject=["Petra"]), problem=problem)

    plan = [planned("/p/a.jpg", []), planned("/p/b.jpg", ["Petra"]), planned("/p/c.jpg", [], "the file is read-only")]
    dialog = WritePlanDialog(plan, include_suggested=False)
    qtbot.addWidget(dialog)
    assert dialog.summary.text().startswith("1 file would be written, 1 already carries the label, 1 cannot be")
    assert dialog.write_button.text() == "Write 1 file" and dialog.write_button.isEnabled()
    shown = [[dialog.table.item(row, column).text() for column in (0, 4)] for row in range(3)]
    assert shown == [["a.jpg", "—"], ["c.jpg", "the file is read-only"],  # what happens first
                     ["b.jpg", "Already written"]]
    assert dialog.table.item(0, 0).toolTip() == "/p/a.jpg"  # the whole path on hover
    nothing = WritePlanDialog([planned("/p/b.jpg", ["Petra"])], include_suggested=False)
    qtbot.addWidget(nothing)
    assert not nothing.write_button.isEnabled()


def test_the_write_dialog_says_why_there_is_nothing_to_write_and_what_to_do_in_the_apps_words(qtbot) -> None:
    from app.core.metadata.keywords import KeywordFields
    from app.core.metadata.plan import PlannedWrite
    from app.gui.write_dialog import WritePlanDialog

    changed = PlannedWrite(photo_id=1, source=Path("/p/a.jpg"), target=Path("/p/a.jpg"), kind="jpeg", label="Petra",
                           previous_label=None, before=KeywordFields(subject=[]),
                           after=KeywordFields(subject=["Petra"]),
                           problem="changed on disk since it was indexed; run 'scan' again, then 'write'")
    dialog = WritePlanDialog([changed], include_suggested=False)
    qtbot.addWidget(dialog)
    problem = dialog.table.item(0, 4).text()
    assert problem == "changed on disk since it was indexed; read its folder again (Tag folder), then Write labels… again"
    assert dialog.table.item(0, 4).toolTip() == problem
    assert dialog.summary.text() == "0 files would be written, 1 cannot be (see Status)."  # no word on undoing nothing
    # a library fresh from tagging: suggestions only, nothing accepted, so nothing to write yet
    empty = WritePlanDialog([], include_suggested=False)
    qtbot.addWidget(empty)
    assert "0 files" not in empty.summary.text()
    assert "Accept labels in Review (A)" in empty.summary.text() and "include the suggested" in empty.summary.text()
    assert not empty.write_button.isEnabled()
    none_at_all = WritePlanDialog([], include_suggested=True)
    qtbot.addWidget(none_at_all)
    assert none_at_all.summary.text().startswith("No photo here has a label to write")


def test_an_undo_refused_for_permissions_says_where_the_app_lists_the_files(window) -> None:
    """The command line names them on stderr above its summary ("named above"); the app, in Problems."""
    from collections import Counter

    from app.core.metadata.undo_outcome import what_to_do

    for cause in ("permission", "another user's"):
        window.show_message(f"Undoing last write: done — 0 files restored, 2 failed; "
                            f"{what_to_do(0, Counter({cause: 2}), False, [])}")
        shown = window.statusBar().currentMessage()  # (whole; the message bar shows it whole too)
        assert "listed in Problems" in shown and "above" not in shown, shown

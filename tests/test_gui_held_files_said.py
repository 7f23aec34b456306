"""A file Write labels… leaves alone (held: another program took our XMP out, or an older
copy was put back) is said in the app's words: the write list's Problem cell named a
terminal's `landmark-tagger --db … accept --release-held 'path:"…"'` and showed ~45
characters of it, and the detail pane said only "accepted · by model" (GUI tester F1, F7)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from app.core.index import PhotoIndex  # noqa: E402
from app.core.metadata import plan_writes  # noqa: E402
from tests.test_gui_support import wait_for_job  # noqa: E402
from tests.test_hold_release_undo import _held_beside_an_older_label  # noqa: E402


def test_the_write_lists_problem_of_a_held_file_names_the_apps_keys_and_shows_whole(qtbot, tmp_path, capsys):
    from app.gui.write_dialog import WritePlanDialog

    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo, other = _held_beside_an_older_label(tmp_path, index, capsys)
        plan = plan_writes(index)
    dialog = WritePlanDialog(plan, False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    problem = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index("Status")
    rows = {Path(table.item(row, 0).toolTip()).name: row for row in range(table.rowCount())}
    held = table.item(rows[photo.name], problem)

    assert "landmark-tagger" not in held.text() and "--release-held" not in held.text()
    assert held.text() == ("changed in another program since our write of “Colosseum” (its XMP taken out, or an "
                           "older copy put back): left alone. Select it and press A or L to write it again, R to reject")
    assert held.toolTip() == held.text()
    # wrapped in a taller row, so its "what to do" shows without hovering
    assert table.wordWrap()
    qtbot.waitUntil(lambda: table.rowHeight(rows[photo.name]) > table.rowHeight(rows[other.name]))
    assert table.columnWidth(problem) < table.fontMetrics().horizontalAdvance(held.text())


def test_the_detail_pane_of_a_held_photo_says_write_labels_leaves_its_file_alone(qtbot, tmp_path, capsys):
    from tests.test_gui_support import close_main_window, shown_window
    from tests.test_gui_teaching import select

    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo, other = _held_beside_an_older_label(tmp_path, index, capsys)
        ids = {Path(row.path): row.id for row in index.search("")}
    win = shown_window(qtbot, tmp_path / "index.db")
    try:
        wait_for_job(qtbot, win)
        select(win, [ids[photo]])
        qtbot.waitUntil(lambda: win.detail.record is not None and win.detail.record.id == ids[photo])
        assert win.detail.problem_line.isVisible()
        assert win.detail.problem_line.text() == (
            "Write labels leaves DSC_0004.JPG alone: changed in another program since our write (its XMP taken "
            "out, or an older copy put back). A or L writes it again (they ask), R takes the label off")

        select(win, [ids[other]])  # written as it is: nothing held
        qtbot.waitUntil(lambda: win.detail.record.id == ids[other])
        assert not win.detail.problem_line.isVisible()
    finally:
        close_main_window(win)

"""The app says what the CLI's write and review say: a written file with other names
(hard links), the photos tagged "no landmark" in the status bar's counts, and an accept
taken back after Write labels… whose keyword stays in the files until the next write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.test_gui_support import added_folder, suggest, wait_for_job, wait_for_results, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def written_through_the_app(qtbot, win, monkeypatch) -> tuple[object, list[str]]:
    """Write labels… with its list accepted as shown: (the list's dialog, the status bar's messages)."""
    from app.gui import job_controller
    from app.gui.write_dialog import WritePlanDialog

    shown, messages = [], []
    monkeypatch.setattr(win, "show_message", lambda text, announced=False: messages.append(text))

    def review_plan(dialog: WritePlanDialog) -> int:
        shown.append(dialog)
        return WritePlanDialog.DialogCode.Accepted

    monkeypatch.setattr(job_controller.WritePlanDialog, "exec", review_plan)
    finished = []
    win.jobs.runner.finished.connect(lambda name, summary: finished.append(name))
    assert win.write_labels()
    qtbot.waitUntil(lambda: "Writing labels" in finished, timeout=30000)
    wait_for_job(qtbot, win)
    return shown[0], messages


@pytest.mark.skipif(not hasattr(os, "link"), reason="no hard links here")
def test_write_labels_says_which_written_file_has_other_names(qtbot, window, tmp_path, monkeypatch) -> None:
    folder = added_folder(qtbot, window, tmp_path, count=2)
    linked_id, alone_id = window.grid_model.photo_id(0), window.grid_model.photo_id(1)
    linked, alone = (Path(window.index.get(i).path) for i in (linked_id, alone_id))
    backup = tmp_path / "backup"
    backup.mkdir()
    os.link(linked, backup / linked.name)
    if os.stat(linked).st_nlink != 2:
        pytest.skip("this file system does not count links")
    for photo_id in (linked_id, alone_id):
        window.index.set_label(photo_id, "Petra", source="user", state="accepted")

    dialog, messages = written_through_the_app(qtbot, window, monkeypatch)

    listed = dialog.hard_links_note.text()
    assert not dialog.hard_links_note.isHidden()
    assert listed.startswith(f"{linked.name} has other names (hard links): those names will keep the file as it was")
    assert alone.name not in listed
    closing = [text for text in messages if text.startswith("Writing labels: done")]
    assert len(closing) == 1 and closing[0].count("(hard links)") == 1
    assert f"; note: {linked.name} has other names (hard links): those names keep the file as it was" in closing[0]
    from app.gui.app_words import in_app_words

    why = "(a write saves a new file under the name it writes; nothing is lost)"  # the app's user has no README
    shown = in_app_words(closing[0])  # as show_message shows it
    assert listed.endswith(why) and why in shown and "README" not in listed + shown
    assert b"Petra" not in (backup / linked.name).read_bytes() and b"Petra" in linked.read_bytes()  # as said
    assert folder.is_dir()


def test_a_write_of_files_with_no_other_name_says_nothing_of_hard_links(qtbot, window, tmp_path, monkeypatch) -> None:
    added_folder(qtbot, window, tmp_path, count=1)
    window.index.set_label(window.grid_model.photo_id(0), "Petra", source="user", state="accepted")

    dialog, messages = written_through_the_app(qtbot, window, monkeypatch)

    assert dialog.hard_links_note.isHidden()
    assert "Writing labels: done — 1 file written, 0 failed" in messages
    assert not any("hard links" in text for text in messages)


def test_the_status_bar_counts_the_photos_tagged_no_landmark(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=4)
    ids = [window.grid_model.photo_id(row) for row in range(4)]
    window.index.set_label(ids[0], "Petra", source="user", state="accepted")
    window.index.set_label(ids[1], None, source="user", state="accepted")  # "no landmark"
    window.index.set_label(ids[2], None, source="model", state="rejected")  # rejected: not counted
    suggest(window.index, ids[3], "Colosseum", 0.7)
    window.library_changed()
    qtbot.waitUntil(lambda: "1 to review" in window.status_label.text(), timeout=10000)
    # labelled counts the suggestion too (stats' "with a landmark"); the rejected photo is in neither
    assert "4 photos  ·  2 labelled  ·  1 \"no landmark\"  ·  1 to review" in window.status_label.text()


def accepted_in_the_app_then_written(qtbot, win, tmp_path, count: int) -> int:
    """A folder of `count` photos whose first photo's suggestion is accepted in the app (A:
    Ctrl+Z's step), then written: that photo's id."""
    from app.core.metadata import WriteOptions, plan_writes, write_labels

    added_folder(qtbot, win, tmp_path, count=count)
    photo_id = win.grid_model.photo_id(0)
    suggest(win.index, photo_id, "Colosseum", 0.7)
    win.library_changed()
    wait_for_results(qtbot, win)
    win.grid.setCurrentIndex(win.grid_model.index(0))
    win.accept_selected()
    assert win.index.get(photo_id).state == "accepted"
    assert write_labels(win.index, plan_writes(win.index, "", False, WriteOptions()), WriteOptions()).written == 1
    return photo_id


def test_ctrl_z_of_an_accept_after_a_write_says_the_keyword_stays_until_write(qtbot, window, tmp_path,
                                                                              monkeypatch) -> None:
    photo_id = accepted_in_the_app_then_written(qtbot, window, tmp_path, count=2)

    assert window.undo_review()

    assert window.index.get(photo_id).state == "suggested"
    said = window.statusBar().currentMessage()
    assert said.endswith("; 1 photo still has its keyword in the files: Write labels… takes it out"), said
    window.search_bar.set_text("is:unwritten")
    wait_for_results(qtbot, window)
    assert [window.grid_model.photo_id(row) for row in range(window.grid_model.rowCount())] == [photo_id]


def test_ctrl_z_of_an_accept_an_earlier_version_wrote_says_write_leaves_its_keyword(qtbot, window, tmp_path) -> None:
    """Its journal entry holds no state (t_upgrade2-1): the keyword stays, and Ctrl+Z says so."""
    accepted_in_the_app_then_written(qtbot, window, tmp_path, count=1)
    window.index.conn.execute("UPDATE write_journal SET after = json_remove(after, '$.state')")
    window.index.conn.commit()

    assert window.undo_review()

    said = window.statusBar().currentMessage()
    assert "1 photo still has its keyword in the files, written by an earlier version" in said, said
    assert "Write labels… leaves it" in said and "takes it out" not in said


def test_ctrl_z_of_an_l_an_earlier_version_wrote_says_its_keyword_stays_and_a_then_write_takes_it_out(
        qtbot, window, tmp_path, monkeypatch) -> None:
    """L over a suggestion, written by a version that recorded no state: after Ctrl+Z the
    file keeps the label taken back, and R acts on the suggestion, not on it (review5-2)."""
    from app.core.metadata import WriteOptions, plan_writes, write_labels
    from tests.test_gui_outside_changes import review_list_of
    from tests.test_gui_undo_label import labelled_with_l

    (photo_id,) = review_list_of(qtbot, window, tmp_path, 1)
    labelled_with_l(qtbot, window, monkeypatch, [0], "Trevi Fountain")
    assert write_labels(window.index, plan_writes(window.index, "", False, WriteOptions()), WriteOptions()).written == 1
    window.index.conn.execute("UPDATE write_journal SET after = json_remove(after, '$.state')")
    window.index.conn.commit()

    assert window.undo_review()

    said = window.statusBar().currentMessage()
    assert window.index.get(photo_id).label == "Colosseum"
    assert "1 photo still has its keyword in the files, written by an earlier version" in said, said
    assert "undo that write, or accept it and write" in said and "reject" not in said, said

"""Where the folder pickers open. Locate folder… asks the disk for the folder a sync tool
respelled it to and its nearest parent there off the GUI thread, so a network drive that
stopped answering does not freeze the window: the picker opens at once, in home. Add
folder… opens beside the folder it added last (kept in the settings), in home when that
folder is gone or its drive does not answer."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import make_photo_folder, wait_for_job  # noqa: E402
from tests import test_gui_folder_twins  # noqa: E402

window = test_gui_support.window  # the suite's window fixture, closed after the test
stalled_listing = test_gui_folder_twins.stalled_listing  # listing tmp_path hangs until let go

pytestmark = pytest.mark.gui


@pytest.fixture
def pickers(monkeypatch):
    """QFileDialog.getExistingDirectory records where it opens; it answers each of `answers`
    in turn (then cancels, as Esc does)."""
    from PySide6.QtWidgets import QFileDialog

    opened, answers = [], []

    def picker(_parent, _title, start, *_options):
        opened.append(start)
        return answers.pop(0) if answers else ""

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", picker)
    return opened, answers


def test_locate_folder_opens_at_once_when_the_folders_drive_does_not_answer(window, tmp_path, stalled_listing,
                                                                            pickers) -> None:
    _let_go, listed = stalled_listing  # listing tmp_path hangs, as a dead network mount does
    opened, _answers = pickers

    assert not window.locate_folder(str(tmp_path / "Trip"))  # the picker cancelled

    assert not listed.is_set()  # it opened, and closed, while the listing still hung: no frozen window
    assert opened == [str(Path.home())]


def test_locate_folder_opens_on_the_respelled_twin_or_the_nearest_parent_there(window, tmp_path, pickers) -> None:
    opened, _answers = pickers
    (tmp_path / "drive" / "trip").mkdir(parents=True)  # "Trip" respelled in case by a sync tool

    window.locate_folder(str(tmp_path / "drive" / "gone" / "Trip"))
    window.locate_folder(str(tmp_path / "drive" / "Trip"))

    assert opened[0] == str(tmp_path / "drive")
    if not (tmp_path / "drive" / "TRIP").exists():  # a disk that tells case apart
        assert opened[1] == str(tmp_path / "drive" / "trip")


def test_add_folder_opens_beside_the_folder_added_last_and_remembers_it(qtbot, window, tmp_path, pickers) -> None:
    from app.core.settings import load_settings

    opened, answers = pickers
    card = tmp_path / "card" / "DCIM"
    make_photo_folder(card, 2)
    answers.append(str(card))

    window.choose_folder()  # Ctrl+O
    wait_for_job(qtbot, window)
    window.choose_folder()

    assert opened[1] == str(tmp_path / "card")
    assert load_settings().last_added_folder == str(card)  # for the next start too


def test_add_folder_opens_in_home_when_the_folder_added_last_is_gone(window, tmp_path, pickers) -> None:
    opened, _answers = pickers
    window.settings = replace(window.settings, last_added_folder=str(tmp_path / "unplugged" / "DCIM"))

    window.choose_folder()

    assert opened == [str(Path.home())]


def test_add_folder_opens_at_once_in_home_when_the_last_folders_drive_does_not_answer(window, tmp_path, pickers,
                                                                                      monkeypatch) -> None:
    opened, _answers = pickers
    drive = tmp_path / "nas"
    drive.mkdir()
    let_go = threading.Event()
    isdir = os.path.isdir
    monkeypatch.setattr(os.path, "isdir", lambda path: (let_go.wait(10) or True) if str(path) == str(drive)
                        else isdir(path))
    window.settings = replace(window.settings, last_added_folder=str(drive / "DCIM"))
    try:
        window.choose_folder()
        assert opened == [str(Path.home())] and not let_go.is_set()
    finally:
        let_go.set()


def test_locate_folder_clicked_again_on_a_dead_drive_starts_no_second_check(qtbot, window, tmp_path,
                                                                           stalled_listing, pickers,
                                                                           monkeypatch) -> None:
    """Each click left one more thread stuck on the drive until it answered: they piled up."""
    from app.gui import picker_start

    let_go, _listed = stalled_listing
    opened, _answers = pickers
    looked = test_gui_folder_twins.counted_lookups(monkeypatch, picker_start)
    missing = str(tmp_path / "Trip")

    for _ in range(3):
        window.locate_folder(missing)

    assert looked == [missing]  # one check, still hanging
    assert opened == [str(Path.home())] * 3
    let_go.set()  # the drive answers again: the next click asks it again
    qtbot.waitUntil(lambda: not picker_start.CHECKS.running(missing))
    window.locate_folder(missing)
    assert looked == [missing, missing] and opened[-1] == str(tmp_path)


def test_add_folder_clicked_again_on_a_dead_drive_starts_no_second_check(window, tmp_path, pickers,
                                                                        monkeypatch) -> None:
    opened, _answers = pickers
    drive = tmp_path / "nas"
    drive.mkdir()
    let_go, asked = threading.Event(), []
    isdir = os.path.isdir

    def hanging_isdir(path) -> bool:
        if str(path) != str(drive):
            return isdir(path)
        asked.append(path)
        return let_go.wait(10) or True

    monkeypatch.setattr(os.path, "isdir", hanging_isdir)
    window.settings = replace(window.settings, last_added_folder=str(drive / "DCIM"))
    try:
        for _ in range(3):
            window.choose_folder()
        assert len(asked) == 1 and opened == [str(Path.home())] * 3
    finally:
        let_go.set()


def test_a_folder_added_that_the_settings_file_cannot_keep_is_said_with_the_path_and_why(qtbot, window, tmp_path,
                                                                                        pickers) -> None:
    """It was dropped without a word: the next start's Add folder… opened in home."""
    from app.core.settings import settings_path

    opened, answers = pickers
    card = tmp_path / "card" / "DCIM"
    make_photo_folder(card, 2)
    answers.append(str(card))
    settings_path().unlink(missing_ok=True)
    settings_path().mkdir(parents=True)  # the disk refuses the file (even for root)

    window.choose_folder()

    message = window.statusBar().currentMessage()
    assert "not kept" in message and str(settings_path()) in message, repr(message)
    wait_for_job(qtbot, window)  # the read's own line takes the status bar: Problems keeps it
    assert [m for _path, stage, m in window.errors_panel.problems() if stage == "settings"] == [message]
    window.choose_folder()
    assert opened[1] == str(tmp_path / "card")  # kept for this start all the same

"""Showing a photo in the system's file manager hands the file manager a command line it
reads: the tests record the command instead of starting Finder or Explorer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.gui import file_places


@pytest.fixture
def started(monkeypatch) -> list:
    commands: list = []
    monkeypatch.setattr(file_places.subprocess, "Popen", lambda command, **_: commands.append(command))
    return commands


def command_line(command: list[str] | str) -> str:
    """The command line Windows gets: a list is quoted argument by argument, a string as is."""
    return command if isinstance(command, str) else subprocess.list2cmdline(command)


def test_explorer_selects_a_photo_whose_path_has_spaces(tmp_path, started, monkeypatch) -> None:
    photo = tmp_path / "My Photos" / "Rome, day 2" / "DSC 0001.JPG"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"photo")
    monkeypatch.setattr(file_places.sys, "platform", "win32")
    assert file_places.show_in_file_manager(photo)
    assert [command_line(c) for c in started] == [f'explorer /select,"{photo}"']


def test_finder_reveals_the_photo_as_one_argument(tmp_path, started, monkeypatch) -> None:
    photo = tmp_path / "My Photos" / "DSC 0001.JPG"
    photo.parent.mkdir()
    photo.write_bytes(b"photo")
    monkeypatch.setattr(file_places.sys, "platform", "darwin")
    assert file_places.show_in_file_manager(photo)
    assert started == [["open", "-R", str(photo)]]


def test_a_photo_gone_from_its_folder_opens_the_folder(tmp_path, started, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(file_places.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    monkeypatch.setattr(file_places.sys, "platform", "win32")
    assert file_places.show_in_file_manager(tmp_path / "gone.jpg")
    assert started == [] and opened == [str(tmp_path)]
    assert not file_places.show_in_file_manager(Path(tmp_path / "no folder" / "gone.jpg"))

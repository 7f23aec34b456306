"""A reviewer's Windows and macOS findings, simulated on Linux: the other platform's
separator, console encoding, shell (no wildcard expansion), junctions and
case-insensitive disks are put in place with monkeypatch."""

from __future__ import annotations

import ntpath
import os
import types
from pathlib import PureWindowsPath

import pytest


def _as_windows(monkeypatch, module) -> None:
    """`module` sees os as on Windows: its separator and path functions."""
    fake = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if not name.startswith("__")})
    fake.sep, fake.altsep, fake.path, fake.name = "\\", "/", ntpath, "nt"
    monkeypatch.setattr(module, "os", fake)


# 1. A drive that comes back under another letter (relocate's first use case).

def test_relocating_a_drive_root_keeps_single_separators(monkeypatch):
    from app.core import relocate

    _as_windows(monkeypatch, relocate)
    assert relocate._moved("E:\\DCIM\\100CANON\\IMG_0001.JPG", "E:\\", "F:\\") == "F:\\DCIM\\100CANON\\IMG_0001.JPG"
    assert relocate._moved("E:\\", "E:\\", "F:\\") == "F:\\"  # the library folder itself
    assert relocate._moved("D:\\Card\\IMG_0001.JPG", "D:\\Card", "F:\\") == "F:\\IMG_0001.JPG"
    assert relocate._moved("E:\\IMG_0001.JPG", "E:\\", "F:\\Card") == "F:\\Card\\IMG_0001.JPG"


def test_relocating_to_or_from_the_posix_root_keeps_single_separators():
    from app.core.relocate import _moved

    assert _moved("/Volumes/Card/DCIM/a.jpg", "/Volumes/Card", "/") == "/DCIM/a.jpg"
    assert _moved("/DCIM/a.jpg", "/", "/Volumes/Card") == "/Volumes/Card/DCIM/a.jpg"
    assert _moved("/Volumes/Card", "/Volumes/Card", "/") == "/"


def test_the_locate_dialog_names_a_whole_drive_by_its_letter(monkeypatch):
    from app.gui import library_actions

    monkeypatch.setattr(library_actions, "Path", PureWindowsPath)
    assert library_actions.folder_title("E:\\") == "E:"
    assert library_actions.folder_title("E:\\Trip 2019") == "Trip 2019"
    assert library_actions.folder_title("\\\\nas\\photos\\") == "\\\\nas\\photos"


def test_the_locate_dialog_names_the_posix_root():
    from app.gui.library_actions import folder_title

    assert folder_title("/") == "/"

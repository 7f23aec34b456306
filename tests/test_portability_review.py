"""A portability review's findings on names and paths, macOS and Windows simulated on
Linux with monkeypatch: a backslash inside a POSIX file name, pip's Windows launcher
without `.exe`, and a temp path over Windows' MAX_PATH."""

from __future__ import annotations

import errno
import os
import shutil
import sys
import types

import pytest

from app.cli import common
from app.core import library
from app.core.errors import MetadataWriteError
from app.core.metadata import atomic
from tests.test_cross_platform_review import _as_windows

# ---------------------------------------------------------------- a file's shown name


@pytest.mark.skipif(sys.platform == "win32", reason="a backslash separates folders there")
def test_a_backslash_in_a_macos_or_linux_file_name_is_part_of_the_name(tmp_path):
    assert library.display_name(os.path.join(str(tmp_path), "AC\\DC live.jpg")) == "AC\\DC live.jpg"


def test_a_windows_path_is_cut_at_either_separator(monkeypatch):
    _as_windows(monkeypatch, library)
    assert library.display_name("C:\\Photos\\Trip\\DSC_0001.JPG") == "DSC_0001.JPG"
    assert library.display_name("C:/Photos/Trip/DSC_0002.JPG") == "DSC_0002.JPG"


# ---------------------------------------------------------------- the command suggested

SCRIPTS = "C:\\Users\\me\\trip\\.venv\\Scripts\\"


def _started_on_windows(monkeypatch, started: str, on_path: str | None) -> None:
    _as_windows(monkeypatch, common)
    monkeypatch.setenv("PATHEXT", ".COM;.EXE;.BAT;.CMD;.PY")
    monkeypatch.setattr(sys, "argv", [started, "scan"])
    monkeypatch.setattr(shutil, "which", lambda name: on_path)


@pytest.mark.parametrize("started", [SCRIPTS + "landmark-tagger", SCRIPTS + "landmark-tagger.exe",
                                     SCRIPTS.lower() + "LANDMARK-TAGGER"])
def test_the_launcher_found_on_path_is_named_bare_on_windows(monkeypatch, started):
    """pip's launcher leaves `.exe` out of sys.argv[0]; shutil.which finds `.EXE` through
    PATHEXT, and Windows does not count case: the same program."""
    _started_on_windows(monkeypatch, started, SCRIPTS + "landmark-tagger.EXE")
    assert common.command_as_typed() == "landmark-tagger"


def test_another_landmark_tagger_on_path_is_not_taken_for_this_one_on_windows(monkeypatch):
    _started_on_windows(monkeypatch, SCRIPTS + "landmark-tagger", "C:\\Tools\\landmark-tagger.EXE")
    assert common.command_as_typed() != "landmark-tagger" and "trip" in common.command_as_typed()


# ---------------------------------------------------------------- a temp path over MAX_PATH


def _photo_in_a_folder_leaving_no_room(tmp_path, monkeypatch):
    """A JPEG whose folder alone is over Windows' 259 units, as if on Windows (long paths
    switched on, or the temp could not be made at all)."""
    monkeypatch.setattr(atomic.sys, "platform", "win32")
    folder = tmp_path.joinpath(*[("Trips 2019 " * 12).strip()] * 3)
    folder.mkdir(parents=True)
    assert len(str(folder)) > atomic.MAX_WINDOWS_PATH
    photo = folder / "DSC_0001.JPG"
    photo.write_bytes(b"old")
    return photo


def _refusing_temp_files(monkeypatch, code: int) -> None:
    """os.open, for atomic only, fails for a temp file as Windows does with `code`."""
    fake = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if not name.startswith("__")})

    def refuse(path, *args, **kwargs):
        if os.fspath(path).endswith(".tmp"):
            raise OSError(code, "The system cannot find the path specified", os.fspath(path))
        return os.open(path, *args, **kwargs)

    fake.open = refuse
    monkeypatch.setattr(atomic, "os", fake)


def test_a_temp_path_over_max_path_is_named_too_long_not_unwritable(tmp_path, monkeypatch):
    """Windows reports a path over MAX_PATH as ENOENT; the user must read that a shorter
    name would do, not that the folder must be writable."""
    photo = _photo_in_a_folder_leaving_no_room(tmp_path, monkeypatch)
    _refusing_temp_files(monkeypatch, errno.ENOENT)
    with pytest.raises(MetadataWriteError, match="a shorter file or folder name would do") as raised:
        atomic.replace_atomically(photo, b"new")
    assert "writable" not in str(raised.value) and photo.read_bytes() == b"old"


def test_enoent_for_a_short_temp_path_still_names_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic.sys, "platform", "win32")
    photo = tmp_path / "DSC_0001.JPG"
    photo.write_bytes(b"old")
    _refusing_temp_files(monkeypatch, errno.ENOENT)
    with pytest.raises(MetadataWriteError, match="the folder must be writable"):
        atomic.replace_atomically(photo, b"new")


def test_a_temp_whose_name_was_cut_to_nothing_is_swept(tmp_path, monkeypatch):
    """With long paths on, the temp of a photo whose folder leaves no room is
    `..<hex>.tmp`; one a kill left must be found as ours like any other."""
    photo = _photo_in_a_folder_leaving_no_room(tmp_path, monkeypatch)
    temp = atomic.temp_path_for(photo)
    assert temp.name.startswith("..") and atomic.named_as_our_temp(temp.name)
    temp.write_bytes(b"half")
    os.utime(temp, (1_000_000_000, 1_000_000_000))
    assert atomic.remove_stale_temps_in(photo.parent) == 1
    assert [p.name for p in photo.parent.iterdir()] == [photo.name]

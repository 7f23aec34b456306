"""The user docs (docs/guide/platforms.md) name the folders where the index, settings and
thumbnails go on Linux, macOS and Windows. It said the thumbnails went to `~/Library/Application Support/…` on macOS
(they go to platformdirs' cache folder, ~/Library/Caches) and named no Linux folder.
Each platform's folders come from platformdirs' own classes for that platform."""

from __future__ import annotations

import ntpath

import platformdirs
import pytest
from platformdirs.macos import MacOS
from platformdirs.unix import Unix
from platformdirs.windows import Windows

from tests.docs_text import user_docs_text

FAKE_HOME = "/home/someone"
LOCALAPPDATA = "%LOCALAPPDATA%"  # what get_win_folder answers on Windows, as the README writes it


def _as_readme_writes(path: str, windows: bool) -> str:
    if windows:
        return path.replace("/", ntpath.sep)
    return "~" + path.removeprefix(FAKE_HOME)


@pytest.mark.parametrize("platform", [Unix, MacOS, Windows], ids=["linux", "macos", "windows"])
def test_readme_names_the_folders_the_app_uses(platform, monkeypatch):
    monkeypatch.delenv("LANDMARK_TAGGER_HOME", raising=False)
    monkeypatch.delenv("LANDMARK_TAGGER_DB", raising=False)
    for variable in ("XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", FAKE_HOME)
    monkeypatch.setattr("platformdirs.windows.get_win_folder", lambda csidl: LOCALAPPDATA)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: platform(*a, **k).user_data_dir)
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: platform(*a, **k).user_cache_dir)
    from app.core.config import default_db_path
    from app.core.settings import settings_path
    from app.core.thumbnails import thumbnail_cache_dir

    assert default_db_path().parent == settings_path().parent  # one data folder
    readme = " ".join(user_docs_text().split())
    windows = platform is Windows
    for folder in (default_db_path().parent, thumbnail_cache_dir()):
        assert f"`{_as_readme_writes(str(folder), windows)}`" in readme, folder

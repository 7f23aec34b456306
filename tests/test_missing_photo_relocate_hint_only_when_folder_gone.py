"""A missing photo's hint said "If the library folder moved, … Locate folder…" even when
the photo's folder was there (a GUI tester: taj1.jpg deleted from lib2/New, which is
there): relocating is a way out only when the folder itself is gone."""

from __future__ import annotations

from pathlib import Path

from app.core.teaching_embedder import MissingPhotoError, missing_photo
from app.core.wording import RELOCATE_HINT


def test_a_photo_deleted_from_a_folder_that_is_there_gets_no_relocate_hint(tmp_path: Path) -> None:
    folder = tmp_path / "New"
    folder.mkdir()
    message = str(MissingPhotoError(str(folder / "taj1.jpg")))
    assert "put the file back and tag its folder again" in message
    assert "relocate" not in message and "Locate folder" not in message


def test_a_photo_whose_folder_is_gone_keeps_the_relocate_hint(tmp_path: Path) -> None:
    message = missing_photo(str(tmp_path / "Gone" / "taj1.jpg"), "cannot learn from it")
    assert message.endswith(RELOCATE_HINT)

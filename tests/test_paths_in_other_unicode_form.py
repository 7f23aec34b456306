"""A file copied from a Mac has its name decomposed (NFD), and a keyboard types it
composed (NFC) (t_unicode-5): `label` and `search` found the photo, but `teach PHOTO` said
it "does not exist" and `tag FILE` "file or folder not found". They now take the name in
the other Unicode form that is there (path_case.in_other_unicode_form)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from app.cli.common import paths_there
from app.core.index import PhotoIndex
from app.core.path_case import in_other_unicode_form
from app.core.scanner import scan
from app.core.teaching_targets import resolve_photo_ids
from tests.test_index_support import write_jpeg

FOLDER, FILE = "Séville", "Séville 1.jpg"


@pytest.fixture
def mac_copy(tmp_path: Path) -> tuple[Path, Path]:
    """(the photo as the disk spells it, decomposed; the path as typed, composed)."""
    photo = tmp_path / unicodedata.normalize("NFD", FOLDER) / unicodedata.normalize("NFD", FILE)
    write_jpeg(photo)
    typed = tmp_path / FOLDER / FILE
    if os.path.exists(typed):  # a disk that folds Unicode forms itself (macOS APFS): nothing to find
        pytest.skip("this file system opens either form")
    return photo, typed


def test_the_name_in_the_other_form_is_found(mac_copy, tmp_path) -> None:
    photo, typed = mac_copy
    assert in_other_unicode_form(typed) == photo
    assert in_other_unicode_form(photo) is None  # there as typed
    assert in_other_unicode_form(tmp_path / FOLDER / "Séville 2.jpg") is None


def test_tag_and_scan_take_the_path_as_the_disk_spells_it(mac_copy) -> None:
    photo, typed = mac_copy
    assert paths_there([str(typed)], "file or folder") == [str(photo)]


def test_teach_finds_the_photo_typed_composed(mac_copy, tmp_path) -> None:
    photo, typed = mac_copy
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [photo.parent])
        ids, problems = resolve_photo_ids(index, [typed])
        assert problems == [] and ids == index.photo_ids()

"""A folder linked into a library folder is indexed under the link's path (README):
dropping or tagging one of its photos by that path must find the photo the library
has, not make the link's target a second library folder that indexes it twice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from app.core import library as library_view
from app.core.index import PhotoIndex
from app.core.scanner import scan
from app.core.tagging import TagOptions, tag

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")


@pytest.fixture
def index() -> PhotoIndex:
    opened = PhotoIndex.open(":memory:")
    yield opened
    opened.close()


@pytest.fixture
def linked(tmp_path) -> tuple[Path, Path]:
    """(library folder, the folder linked into it as library/Shared), the library scanned
    into no index yet: a photo of its own, and one good and one unreadable JPEG in the linked folder."""
    library, elsewhere = tmp_path / "library", tmp_path / "drive" / "Shared"
    library.mkdir()
    elsewhere.mkdir(parents=True)
    Image.new("RGB", (64, 48), (120, 90, 60)).save(library / "DSC_0009.JPG")
    Image.new("RGB", (64, 48), (20, 90, 160)).save(elsewhere / "DSC_0001.JPG")
    (elsewhere / "broken.jpg").write_bytes(b"not a jpeg at all" * 8)
    (library / "Shared").symlink_to(elsewhere, target_is_directory=True)
    return library, elsewhere


def indexed_paths(index: PhotoIndex) -> list[str]:
    return sorted(os.fsdecode(path) for (path,) in index.conn.execute("SELECT path FROM files"))


def test_a_photo_dropped_by_its_path_through_a_linked_folder_is_in_the_library(index, linked):
    library, elsewhere = linked
    scan(index, [library])
    assert str(library / "Shared" / "DSC_0001.JPG") in indexed_paths(index)  # under the link's path
    Image.new("RGB", (64, 48), (200, 10, 60)).save(elsewhere / "DSC_0002.JPG")  # not scanned yet
    dropped = [library / "Shared" / "DSC_0001.JPG", library / "DSC_0009.JPG", library / "Shared" / "DSC_0002.JPG"]
    assert library_view.photos_not_in_library(index, dropped) == [library / "Shared" / "DSC_0002.JPG"]


def test_tagging_a_photo_by_its_path_through_a_linked_folder_keeps_the_library_as_it_is(index, linked, tiny_bundle):
    library, _ = linked
    scan(index, [library])
    before = indexed_paths(index)
    given = [library / "Shared" / "DSC_0001.JPG", library / "Shared" / "broken.jpg"]
    summary = tag(index, given, TagOptions(model=Path(tiny_bundle.path), workers=0, batch_size=2, threads=1))
    assert index.roots() == [library]  # the link's target did not join the library
    assert indexed_paths(index) == before  # no photo indexed a second time
    assert summary.tagged == 1
    assert [path for path, _ in summary.scan_problems] == [str(library / "Shared" / "broken.jpg")]
    shared = index.photo_ids(f'folder:"{library / "Shared"}"')
    assert len(shared) == 1 and index.predictions(shared[0])  # the library's photo got the predictions

"""Review of scanning (tester t_scan, findings 1, 2 and 6): moves a killed scan did not
recognise, folders reached through links, and what `stats` says of a scan that did
not finish."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.index.forget import forget_folder
from app.core.scanner import scan
from tests.test_index_support import write_jpeg

symlinks = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")


# -- 2. folders reached through a link -----------------------------------------------------

@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


def present(index: PhotoIndex) -> set[str]:
    return {row[0] for row in index.conn.execute("SELECT primary_path FROM photos WHERE NOT missing")}


@symlinks
def test_a_linked_in_folder_is_indexed_under_the_link(tmp_path: Path, index: PhotoIndex) -> None:
    lib = tmp_path / "Pictures"
    write_jpeg(lib / "Trip" / "DSC_0001.JPG")
    write_jpeg(tmp_path / "Drive" / "Italy" / "DSC_0002.JPG", color=(9, 9, 9))
    (lib / "Italy").symlink_to(tmp_path / "Drive" / "Italy")
    summary = scan(index, [lib])
    assert (summary.new, summary.photos) == (2, 2)
    assert present(index) == {str(lib / "Trip" / "DSC_0001.JPG"), str(lib / "Italy" / "DSC_0002.JPG")}
    assert [Path(p.path).name for p in index.search(f'folder:"{lib / "Italy"}"')] == ["DSC_0002.JPG"]
    again = scan(index, [lib])
    assert (again.photos, again.new, again.changed, again.missing) == (2, 0, 0, 0)


@symlinks
def test_a_linked_in_folder_leaves_the_library_with_its_link(tmp_path: Path, index: PhotoIndex) -> None:
    lib = tmp_path / "Pictures"
    write_jpeg(lib / "Trip" / "DSC_0001.JPG")
    write_jpeg(tmp_path / "Drive" / "Italy" / "DSC_0002.JPG", color=(9, 9, 9))
    (lib / "Italy").symlink_to(tmp_path / "Drive" / "Italy")
    assert scan(index, [lib]).new == 2
    (lib / "Italy").unlink()
    assert scan(index, [lib]).missing == 1
    assert present(index) == {str(lib / "Trip" / "DSC_0001.JPG")}


@symlinks
def test_forgetting_the_library_folder_takes_its_linked_in_photos(tmp_path: Path, index: PhotoIndex) -> None:
    lib = tmp_path / "Pictures"
    write_jpeg(lib / "Trip" / "DSC_0001.JPG")
    write_jpeg(tmp_path / "Drive" / "Italy" / "DSC_0002.JPG", color=(9, 9, 9))
    (lib / "Italy").symlink_to(tmp_path / "Drive" / "Italy")
    scan(index, [lib])
    forget_folder(index, lib)
    assert index.conn.execute("SELECT count(*) FROM photos").fetchone()[0] == 0


@symlinks
def test_a_link_to_an_ancestor_does_not_index_folders_outside_the_library(tmp_path: Path, index: PhotoIndex) -> None:
    lib = tmp_path / "Pictures"
    write_jpeg(lib / "Trip" / "DSC_0001.JPG")
    write_jpeg(tmp_path / "Documents" / "private" / "scan.jpg", color=(9, 9, 9))
    (lib / "Trip" / "home").symlink_to(tmp_path)  # a loop: up to the user's home
    summary = scan(index, [lib])
    assert present(index) == {str(lib / "Trip" / "DSC_0001.JPG")}
    assert (summary.new, summary.photos, summary.errors) == (1, 1, 0)


@symlinks
@pytest.mark.parametrize("link_name", ["A best of", "zz best of"])  # met before or after the real folder
def test_links_into_the_library_and_loops_index_each_photo_once(tmp_path: Path, index: PhotoIndex,
                                                                link_name: str) -> None:
    lib, archive = tmp_path / "Pictures", tmp_path / "Archive"
    write_jpeg(lib / "Rome" / "DSC_0001.JPG")
    write_jpeg(tmp_path / "Drive" / "Italy" / "DSC_0002.JPG", color=(9, 9, 9))
    write_jpeg(archive / "2019" / "DSC_0003.JPG", color=(90, 9, 9))
    (lib / link_name).symlink_to(lib / "Rome")
    (lib / "old").symlink_to(archive / "2019")  # into a folder scanned with it (after it)
    (lib / "Italy").symlink_to(tmp_path / "Drive" / "Italy")
    (lib / "Italy again").symlink_to(tmp_path / "Drive" / "Italy")  # one outside folder, two links
    (tmp_path / "Drive" / "Italy" / "up").symlink_to(tmp_path / "Drive")  # a loop inside the linked folder
    (tmp_path / "Drive" / "Italy" / "rome").symlink_to(lib / "Rome")  # back into the library
    for _ in range(2):
        summary = scan(index, [lib, archive])
        assert present(index) == {str(lib / "Rome" / "DSC_0001.JPG"), str(lib / "Italy" / "DSC_0002.JPG"),
                                  str(archive / "2019" / "DSC_0003.JPG")}
        assert (summary.photos, summary.errors, summary.missing) == (3, 0, 0)

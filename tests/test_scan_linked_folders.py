"""Folders and files reached through links: each photo indexed once, under the library, and gone with its link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.index.forget import forget_folder
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_scan_support import index  # noqa: F401


symlinks = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")


# -- 2. folders reached through a link -----------------------------------------------------
def present(index: PhotoIndex) -> set[str]:
    return {row[0] for row in index.conn.execute("SELECT primary_path FROM photos WHERE NOT missing")}


def pictures_linking_a_drive(tmp_path: Path) -> Path:
    """Pictures/Trip/DSC_0001.JPG, and Pictures/Italy a link to Drive/Italy (DSC_0002.JPG)."""
    lib = tmp_path / "Pictures"
    write_jpeg(lib / "Trip" / "DSC_0001.JPG")
    write_jpeg(tmp_path / "Drive" / "Italy" / "DSC_0002.JPG", color=(9, 9, 9))
    (lib / "Italy").symlink_to(tmp_path / "Drive" / "Italy")
    return lib


@symlinks
def test_a_linked_in_folder_is_indexed_under_the_link(tmp_path: Path, index: PhotoIndex) -> None:
    lib = pictures_linking_a_drive(tmp_path)
    summary = scan(index, [lib])
    assert (summary.new, summary.photos) == (2, 2)
    assert present(index) == {str(lib / "Trip" / "DSC_0001.JPG"), str(lib / "Italy" / "DSC_0002.JPG")}
    assert [Path(p.path).name for p in index.search(f'folder:"{lib / "Italy"}"')] == ["DSC_0002.JPG"]
    again = scan(index, [lib])
    assert (again.photos, again.new, again.changed, again.missing) == (2, 0, 0, 0)


@symlinks
def test_a_linked_in_folder_leaves_the_library_with_its_link(tmp_path: Path, index: PhotoIndex) -> None:
    lib = pictures_linking_a_drive(tmp_path)
    assert scan(index, [lib]).new == 2
    (lib / "Italy").unlink()
    assert scan(index, [lib]).missing == 1
    assert present(index) == {str(lib / "Trip" / "DSC_0001.JPG")}


@symlinks
def test_forgetting_the_library_folder_takes_its_linked_in_photos(tmp_path: Path, index: PhotoIndex) -> None:
    lib = pictures_linking_a_drive(tmp_path)
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


@symlinks
@pytest.mark.parametrize("file_link", ["latest.jpg", "A latest.jpg"])  # named before or after the folder link
def test_a_file_link_into_a_linked_folder_beside_it_is_one_photo(tmp_path: Path, index: PhotoIndex,
                                                                 file_link: str) -> None:
    """Finding 5: the folder links of a listing are claimed before its file links, so a
    file link into a linked folder is an alias, whatever the names."""
    lib = tmp_path / "Pictures"
    lib.mkdir()
    photo = write_jpeg(tmp_path / "Drive" / "Italy" / "DSC_0002.JPG", color=(9, 9, 9))
    (lib / "Italy").symlink_to(tmp_path / "Drive" / "Italy")
    (lib / file_link).symlink_to(photo)
    for _ in range(2):
        scan(index, [lib])
        assert present(index) == {str(lib / "Italy" / "DSC_0002.JPG")}


@symlinks
@pytest.mark.parametrize("inner", ["a", "c"])  # the inner link's folder listed before or after the outer link
def test_a_link_to_a_folder_holding_a_linked_folder_walks_the_rest(tmp_path: Path, index: PhotoIndex,
                                                                   inner: str) -> None:
    """Finding 6: a link to a folder that holds a folder walked through another link is
    walked; only that folder is left to the other link, so every photo is indexed once."""
    lib = tmp_path / "Pictures"
    (lib / inner).mkdir(parents=True)
    (lib / "b").mkdir()
    write_jpeg(tmp_path / "Drive" / "Italy" / "DSC_0002.JPG", color=(9, 9, 9))
    write_jpeg(tmp_path / "Drive" / "Spain" / "DSC_0003.JPG", color=(90, 9, 9))
    (lib / inner / "Italy").symlink_to(tmp_path / "Drive" / "Italy")
    (lib / "b" / "Drive").symlink_to(tmp_path / "Drive")
    scan(index, [lib])
    names = sorted(Path(p).name for p in present(index))
    assert names == ["DSC_0002.JPG", "DSC_0003.JPG"], present(index)
    assert str(lib / "b" / "Drive" / "Spain" / "DSC_0003.JPG") in present(index)


@symlinks
def test_a_link_spelled_in_another_case_into_the_library_is_not_walked(tmp_path: Path, index: PhotoIndex,
                                                                       monkeypatch) -> None:
    """Finding 8, on a simulated case-insensitive disk (macOS): a link whose text says
    `…/pictures/Rome` leads into the library folder `…/Pictures`; realpath keeps the
    link's spelling, the library keeps the disk's. Its photos are indexed once."""
    import app.core.path_case as path_case

    lib = tmp_path / "Pictures"
    write_jpeg(lib / "Rome" / "DSC_0001.JPG")
    (lib / "Best of").symlink_to(lib / "Rome")
    real, identity = os.path.realpath, path_case._identity
    # what macOS's realpath returns for the link, and its disk's answer for either spelling
    monkeypatch.setattr(os.path, "realpath",
                        lambda p, *a, **k: real(p, *a, **k).replace("/Pictures/Rome", "/pictures/Rome"))
    monkeypatch.setattr(path_case, "_identity",
                        lambda p: identity(Path(str(p).replace("/pictures", "/Pictures"))))
    scan(index, [lib])
    assert present(index) == {str(lib / "Rome" / "DSC_0001.JPG")}

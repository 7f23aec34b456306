"""A folder linked into a library folder is indexed under the link's path (README):
dropping or tagging one of its photos by that path must find the photo the library
has, not make the link's target a second library folder that indexes it twice."""

from __future__ import annotations

import json
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


@pytest.fixture
def linked_twice(tmp_path) -> tuple[Path, Path, Path]:
    """(libA, libB, the folder) with the folder linked into both as Shared: two photos."""
    library_a, library_b, elsewhere = tmp_path / "libA", tmp_path / "libB", tmp_path / "drive" / "Shared"
    for folder in (library_a, library_b, elsewhere):
        folder.mkdir(parents=True)
    Image.new("RGB", (64, 48), (20, 90, 160)).save(elsewhere / "DSC_0001.JPG")
    Image.new("RGB", (64, 48), (200, 10, 60)).save(elsewhere / "DSC_0002.JPG")
    for library in (library_a, library_b):
        (library / "Shared").symlink_to(elsewhere, target_is_directory=True)
    return library_a, library_b, elsewhere


def test_one_folder_linked_into_two_library_folders_scanned_alone_is_indexed_once(index, linked_twice):
    library_a, library_b, _ = linked_twice
    assert scan(index, [library_a]).new == 2
    second = scan(index, [library_b])
    assert (second.new, second.photos) == (0, 0)
    assert second.same_folders == [(str(library_b / "Shared"), str(library_a / "Shared"))]
    assert second.line().endswith(f"; {library_b / 'Shared'} is the same folder as {library_a / 'Shared'}, "
                                  "already in the library; skipped")
    kept = [str(library_a / "Shared" / "DSC_0001.JPG"), str(library_a / "Shared" / "DSC_0002.JPG")]
    assert indexed_paths(index) == kept
    for roots in ([library_a, library_b], [library_b], [library_b, library_a], [library_a], [library_b]):
        again = scan(index, roots)  # in any order: no photo invented, moved or gone missing
        assert (again.new, again.changed, again.moved, again.missing) == (0, 0, 0, 0), roots
        assert indexed_paths(index) == kept and not index.photo_ids("is:missing")


def test_a_link_skipped_is_said_once_and_when_the_user_scans_it(index, linked_twice):
    """"…/libB/Shared is the same folder as …/libA/Shared, already in the library; skipped"
    came again at every rescan of libB or of the library: now at the scan that first skips
    it, and at a scan of that link itself; same_folders (scan --json) lists it every time."""
    library_a, library_b, _ = linked_twice
    said = f"{library_b / 'Shared'} is the same folder as {library_a / 'Shared'}, already in the library; skipped"
    skipped = [(str(library_b / "Shared"), str(library_a / "Shared"))]
    scan(index, [library_a])
    assert said in scan(index, [library_b]).line()
    for roots in ([library_b], [library_a, library_b], [library_b]):
        again = scan(index, roots)
        assert again.same_folders == skipped and again.to_json()["same_folders"] == [
            {"path": skipped[0][0], "same_as": skipped[0][1]}]
        assert said not in again.line() and "said_before" not in again.to_json(), again.line()
    assert said in scan(index, [index.add_root(library_b / "Shared")]).line()  # the user asks for it


def test_a_scan_of_the_second_link_itself_skips_it(index, linked_twice):
    library_a, library_b, _ = linked_twice
    scan(index, [library_a])
    scan(index, [library_b])
    shared_b = index.add_root(library_b / "Shared")  # as `scan libB/Shared` and the app's Add folder do
    assert shared_b == library_b / "Shared"
    summary = scan(index, [shared_b])
    assert summary.new == 0
    assert summary.same_folders == [(str(library_b / "Shared"), str(library_a / "Shared"))]
    assert index.roots() == [library_a, library_b]
    assert len(indexed_paths(index)) == 2


def test_adding_a_folder_linked_into_a_library_folder_keeps_the_link_path(index, linked):
    library, _ = linked
    scan(index, [library])
    before = indexed_paths(index)
    root = index.add_root(library / "Shared")
    assert root == library / "Shared"
    assert index.roots() == [library]  # the link's target did not join the library
    summary = scan(index, [root])
    assert (summary.new, summary.moved, summary.missing) == (0, 0, 0)
    assert indexed_paths(index) == before


def test_a_joint_scan_names_the_second_link_it_skips_as_scans_in_either_order_do(index, linked_twice):
    library_a, library_b, _ = linked_twice
    skipped = [(str(library_b / "Shared"), str(library_a / "Shared"))]
    first = scan(index, [library_a, library_b])  # the second link was dropped without a word
    assert (first.new, first.same_folders) == (2, skipped)
    assert first.line().endswith(f"; {library_b / 'Shared'} is the same folder as {library_a / 'Shared'}, "
                                 "already in the library; skipped")
    for roots in ([library_a, library_b], [library_b, library_a], [library_b]):
        assert scan(index, roots).same_folders == skipped, roots
    assert len(indexed_paths(index)) == 2


@pytest.fixture
def scanned_twice(index, linked_twice) -> tuple[Path, Path, Path]:
    """linked_twice, libA and libB scanned one at a time: the photos are libA's, libB/Shared skipped."""
    library_a, library_b, elsewhere = linked_twice
    scan(index, [library_a])
    scan(index, [library_b])
    return library_a, library_b, elsewhere


def test_a_path_through_the_skipped_link_finds_the_photo_under_the_link_kept(index, scanned_twice):
    from app.core.path_query import path_terms, query_with_paths

    library_a, library_b, _ = scanned_twice
    typed = library_b / "Shared" / "DSC_0001.JPG"
    kept = str(library_a / "Shared" / "DSC_0001.JPG")
    assert [found.path for found in index.search(query_with_paths(str(typed), exact=True))] == [kept]
    assert len(index.photo_ids(query_with_paths(str(library_b / "Shared") + os.sep, exact=True))) == 2
    assert [found.path for found in index.search(" ".join(path_terms([str(typed)], exact=True)))] == [kept]
    assert library_view.photos_not_in_library(index, [typed]) == []  # dropped on the window: not tagged again
    assert index.search(query_with_paths(kept, exact=True))[0].path == kept  # the kept link as it was


def test_labelling_a_photo_by_its_path_through_the_skipped_link_labels_the_library_photo(
        tmp_path, linked_twice, capsys):
    from app.cli.main import main

    library_a, library_b, _ = linked_twice
    db = str(tmp_path / "index.db")
    for library in (library_a, library_b):
        assert main(["--db", db, "scan", str(library)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "label", str(library_b / "Shared" / "DSC_0001.JPG"), "Matterhorn"]) == 0
    assert "no photo matches" not in capsys.readouterr().err
    assert main(["--db", db, "search", "label:Matterhorn", "--json"]) == 0
    found = [json.loads(line)["path"] for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert found == [str(library_a / "Shared" / "DSC_0001.JPG")]


def test_tagging_through_the_skipped_link_tags_the_library_photos_and_new_ones(index, scanned_twice, tiny_bundle):
    library_a, library_b, elsewhere = scanned_twice
    Image.new("RGB", (64, 48), (90, 200, 30)).save(elsewhere / "DSC_0003.JPG")  # not scanned yet
    given = [library_b / "Shared" / "DSC_0001.JPG", library_b / "Shared" / "DSC_0003.JPG"]
    summary = tag(index, given, TagOptions(model=Path(tiny_bundle.path), workers=0, batch_size=2, threads=1))
    assert summary.tagged == 2
    assert indexed_paths(index) == [str(library_a / "Shared" / name)
                                    for name in ("DSC_0001.JPG", "DSC_0002.JPG", "DSC_0003.JPG")]
    assert index.roots() == [library_a, library_b]


def test_a_symbolic_link_is_no_junction(tmp_path, linked_twice):
    from app.core.path_case import is_junction

    library_a, _, elsewhere = linked_twice
    assert not is_junction(library_a / "Shared") and not is_junction(elsewhere)


def test_a_typed_path_term_through_the_skipped_link_finds_the_photo_under_the_link_kept(index, scanned_twice):
    library_a, library_b, _ = scanned_twice
    kept = str(library_a / "Shared" / "DSC_0001.JPG")
    typed = library_b / "Shared" / "DSC_0001.JPG"
    assert [found.path for found in index.search(f'path:"{typed}"')] == [kept]  # by hand, not found on disk
    assert len(index.photo_ids(f'folder:"{library_b / "Shared"}"')) == 2
    assert index.photo_ids(f'-path:"{typed}"') == index.photo_ids(f'-path:"{kept}"')
    assert index.photo_ids(f'path:"{library_b / "Shared" / "nothing.jpg"}"') == []


@pytest.fixture
def drive_and_a_folder_of_it(tmp_path) -> tuple[Path, Path]:
    """(lib1, lib2): lib1/d links to the drive /x/Drive (a photo) and lib2/i to its folder Drive/Italy (two)."""
    library_1, library_2, drive = tmp_path / "lib1", tmp_path / "lib2", tmp_path / "x" / "Drive"
    for folder in (library_1, library_2, drive / "Italy"):
        folder.mkdir(parents=True)
    Image.new("RGB", (64, 48), (20, 90, 160)).save(drive / "DSC_0001.JPG")
    Image.new("RGB", (64, 48), (200, 10, 60)).save(drive / "Italy" / "DSC_0002.JPG")
    Image.new("RGB", (64, 48), (90, 200, 30)).save(drive / "Italy" / "DSC_0003.JPG")
    (library_1 / "d").symlink_to(drive, target_is_directory=True)
    (library_2 / "i").symlink_to(drive / "Italy", target_is_directory=True)
    return library_1, library_2


@pytest.mark.parametrize("drive_first", [True, False])
def test_a_drive_and_a_folder_of_it_linked_from_two_library_folders_are_indexed_once(
        index, drive_and_a_folder_of_it, drive_first):
    library_1, library_2 = drive_and_a_folder_of_it
    italy_through_drive, italy = library_1 / "d" / "Italy", library_2 / "i"
    first, second = (library_1, library_2) if drive_first else (library_2, library_1)
    assert scan(index, [first]).new == (3 if drive_first else 2)
    summary = scan(index, [second])
    skipped, kept = (italy, italy_through_drive) if drive_first else (italy_through_drive, italy)
    assert summary.new == (0 if drive_first else 1)
    assert summary.same_folders == [(str(skipped), str(kept))]
    assert summary.line().endswith(f"; {skipped} is the same folder as {kept}, already in the library; skipped")
    held = sorted([str(library_1 / "d" / "DSC_0001.JPG"), str(kept / "DSC_0002.JPG"), str(kept / "DSC_0003.JPG")])
    assert indexed_paths(index) == held
    for roots in ([library_1, library_2], [library_2, library_1], [library_1], [library_2], [skipped]):
        again = scan(index, roots)  # in any order, or the skipped folder itself: nothing invented, moved or missing
        assert (again.new, again.changed, again.moved, again.missing) == (0, 0, 0, 0), roots
        assert indexed_paths(index) == held and not index.photo_ids("is:missing"), roots
    for path in (skipped / "DSC_0002.JPG", kept / "DSC_0002.JPG"):  # found on disk, or typed by hand
        from app.core.path_query import query_with_paths

        assert [found.path for found in index.search(query_with_paths(str(path), exact=True))] == \
            [str(kept / "DSC_0002.JPG")], path
        assert [found.path for found in index.search(f'path:"{path}"')] == [str(kept / "DSC_0002.JPG")], path
    assert len(index.photo_ids(f'folder:"{skipped}"')) == 2
    assert library_view.photos_not_in_library(index, [skipped / "DSC_0003.JPG"]) == []

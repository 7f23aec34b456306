"""A library folder holding many folder links: each scan checks every link it meets
against the links walked before (one folder indexed once, scan_links._held_elsewhere).
Done by resolving every walked link again for each link met, a rescan of 800 links took
a minute (the app's start-up check is one). The tests count work, not time: each
walked link is resolved a bounded number of times, a rescan of unchanged links writes
no row of them, and the walk's own checks of the links it walks (is the folder reached
through one, does one hold this link's target) are no loop over every link."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from app.core import folder_paths, path_case, scan_links
from app.core.index import PhotoIndex, linked_folders
from app.core.scanner import scan

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")

LINKS = 120


@pytest.fixture
def many_links(tmp_path):
    """(index, library folder) with LINKS folder links, one photo behind each, scanned once."""
    library = tmp_path / "library"
    library.mkdir()
    for number in range(LINKS):
        album = tmp_path / "drive" / f"album{number:03d}"
        album.mkdir(parents=True)
        Image.new("RGB", (16, 12), (number % 255, 0, 0)).save(album / f"IMG_{number:03d}.JPG")
        (library / f"album{number:03d}").symlink_to(album, target_is_directory=True)
    index = PhotoIndex.open(tmp_path / "index.db")
    assert scan(index, [library]).new == LINKS
    yield index, library
    index.close()


@pytest.fixture
def resolutions(monkeypatch) -> list[str]:
    """The paths resolved to their stored spelling (each canonical_path, wherever called)."""
    calls: list[str] = []
    as_stored = path_case._as_stored

    def counted(path, names):
        calls.append(str(path))
        return as_stored(path, names)

    monkeypatch.setattr(path_case, "_as_stored", counted)
    return calls


def test_a_rescan_resolves_each_link_a_bounded_number_of_times(many_links, resolutions):
    index, library = many_links
    summary = scan(index, [library])
    assert (summary.new, summary.missing) == (0, 0)
    assert len(resolutions) <= 5 * LINKS, (
        f"a rescan of {LINKS} unchanged links resolved paths {len(resolutions):,} times")


def test_a_search_by_paths_through_the_links_resolves_each_link_a_bounded_number_of_times(
        many_links, resolutions):
    index, library = many_links
    paths = [str(library / f"album{number:03d}" / f"IMG_{number:03d}.JPG") for number in range(LINKS)]
    assert scan_links.kept_link_spellings(index, paths) == {}  # each link walked keeps its folder
    assert len(resolutions) <= 5 * LINKS, (
        f"looking up {LINKS} paths through links resolved paths {len(resolutions):,} times")


def test_a_rescan_of_unchanged_links_writes_none_of_their_rows(many_links):
    index, library = many_links
    statements: list[str] = []
    index.conn.set_trace_callback(statements.append)
    try:
        scan(index, [library])
    finally:
        index.conn.set_trace_callback(None)
    writes = [sql for sql in statements if sql.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE"))
              and ("linked_folders" in sql or "skipped_links" in sql)]
    assert writes == [], f"a rescan of {LINKS} unchanged links wrote {len(writes)} link rows: {writes[:3]}"


def test_a_rescan_checks_the_links_it_walks_without_a_loop_over_all_of_them(many_links, monkeypatch):
    index, library = many_links
    calls = [0]
    within = folder_paths.is_within

    def counted(*args, **kwargs):
        calls[0] += 1
        return within(*args, **kwargs)

    monkeypatch.setattr(scan_links, "is_within", counted)
    scan(index, [library])
    assert calls[0] <= 10 * LINKS, f"a rescan of {LINKS} links asked is_within {calls[0]:,} times"


def _link_row_writes(index, roots) -> tuple[list[str], int]:
    """(the statements a scan of `roots` wrote to the link tables, its write transactions)."""
    statements: list[str] = []
    index.conn.set_trace_callback(statements.append)
    try:
        scan(index, roots)
    finally:
        index.conn.set_trace_callback(None)
    writes = [sql for sql in statements if sql.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE"))
              and ("linked_folders" in sql or "skipped_links" in sql)]
    return writes, sum(sql.lstrip().upper().startswith("BEGIN") for sql in statements)


def test_a_rescan_of_links_skipped_as_the_same_folder_writes_none_of_their_rows(tmp_path):
    """One folder linked into two library folders: each rescan met the second link and
    wrote its skipped_links row again, a write transaction a link (200 links: 206 a rescan)."""
    for lib in ("libA", "libB"):
        (tmp_path / lib).mkdir()
    for number in range(20):
        album = tmp_path / "drive" / f"album{number:02d}"
        album.mkdir(parents=True)
        Image.new("RGB", (16, 12), (number, 0, 0)).save(album / "IMG.JPG")
        for lib in ("libA", "libB"):
            (tmp_path / lib / album.name).symlink_to(album, target_is_directory=True)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        first = scan(index, [tmp_path / "libA", tmp_path / "libB"])
        assert (first.new, len(first.same_folders)) == (20, 20)
        _, plain = _link_row_writes(index, [tmp_path / "libA"])  # no link skipped in it
        for roots in ([tmp_path / "libA", tmp_path / "libB"], [tmp_path / "libB"], [tmp_path / "libB"]):
            writes, transactions = _link_row_writes(index, roots)
            assert writes == [], f"a rescan of 20 unchanged skipped links wrote {len(writes)} rows: {writes[:2]}"
            assert transactions <= plain + 1  # (a second library folder: its own)
        assert len(linked_folders.skipped(index.conn)) == 20  # still kept for paths typed through them


def test_a_rescan_of_a_link_with_a_folder_left_out_writes_none_of_its_rows(tmp_path):
    """`lib1/Drive -> X/Drive` beside `lib2/Italy -> X/Drive/Italy` (indexed first): each
    rescan of lib1 wrote the link's row and its left-out folder's again."""
    drive = tmp_path / "X" / "Drive"
    (drive / "Italy").mkdir(parents=True)
    Image.new("RGB", (16, 12), (1, 2, 3)).save(drive / "Italy" / "I.JPG")
    Image.new("RGB", (16, 12), (3, 2, 1)).save(drive / "D.JPG")
    for lib, name, target in (("lib2", "Italy", drive / "Italy"), ("lib1", "Drive", drive)):
        (tmp_path / lib).mkdir()
        (tmp_path / lib / name).symlink_to(target, target_is_directory=True)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert scan(index, [tmp_path / "lib2"]).new == 1
        assert scan(index, [tmp_path / "lib1"]).new == 1  # Drive/Italy left to lib2/Italy
        for roots in ([tmp_path / "lib1"], [tmp_path / "lib1", tmp_path / "lib2"]):
            writes, _ = _link_row_writes(index, roots)
            assert writes == [], f"a rescan of an unchanged link wrote {writes}"
        assert linked_folders.skipped(index.conn) == [(str(tmp_path / "lib1" / "Drive" / "Italy"),
                                                       str(tmp_path / "lib2" / "Italy"))]
        (tmp_path / "lib2" / "Italy").unlink()  # gone: lib1/Drive walks Italy again
        assert scan(index, [tmp_path / "lib1", tmp_path / "lib2"]).moved == 1
        assert linked_folders.skipped(index.conn) == []

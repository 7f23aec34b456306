"""A library folder links to a folder of a drive (library/d -> X/Drive), and the library
holds its photos under the link. `scan X` (the folder holding X/Drive, not X/Drive itself)
made X a library folder and indexed every photo of X/Drive a second time: X's own photos
now join the library and X/Drive is left to the link, at the first scan and every rescan
in any order, said once in the summary (and the app's Add folder), listed by every `scan
--json`. X scanned first keeps
X/Drive: the link into it, added later, is a link into the library and is not walked."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from app.core import scanner
from app.core.index import PhotoIndex
from tests.test_cli_core import run_cli

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt",
                                reason="symbolic links need privileges on Windows")


def _photo(path, shade: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (40 * shade, 90, 160)).save(path)


@pytest.fixture
def drive_in_x(tmp_path):
    """(db, library, X): X/Drive (D1, sub/D2) linked into the library as `d`, X/X1.JPG beside it."""
    x, library = tmp_path / "X", tmp_path / "library"
    _photo(x / "Drive" / "D1.JPG", 1)
    _photo(x / "Drive" / "sub" / "D2.JPG", 2)
    _photo(x / "X1.JPG", 3)
    _photo(library / "L1.JPG", 4)
    (library / "d").symlink_to(x / "Drive", target_is_directory=True)
    return str(tmp_path / "index.db"), library, x


def _indexed(db: str) -> tuple[list, list[str], int]:
    """(library folders, paths of the photos found, photo rows with the missing ones)."""
    with PhotoIndex.open(db) as index:
        rows = index.conn.execute("SELECT count(*) FROM photos").fetchone()[0]
        return sorted(index.roots()), sorted(record.path for record in index.search("")), rows


def _under_the_link(library, x) -> list[str]:
    return sorted(str(path) for path in (
        x / "X1.JPG", library / "L1.JPG", library / "d" / "D1.JPG", library / "d" / "sub" / "D2.JPG"))


def _left_line(library, x) -> str:
    return f"{x / 'Drive'} is in the library as {library / 'd'}; left there"


def _library_then_x(db, library, x, capsys) -> None:
    assert run_cli(capsys, "--db", db, "scan", str(library))[0] == 0
    code, out, err = run_cli(capsys, "--db", db, "scan", str(x))
    assert code == 0, err
    assert "1 photo, 1 new, 0 changed, 0 moved, 0 missing" in err, err  # X1 alone
    assert err.count(_left_line(library, x)) == 1, err


def test_scan_of_a_folder_holding_a_linked_folder_leaves_that_folder_to_the_link(drive_in_x, capsys) -> None:
    db, library, x = drive_in_x
    _library_then_x(db, library, x, capsys)
    assert _indexed(db) == (sorted([library, x]), _under_the_link(library, x), 4)  # each photo once


@pytest.mark.parametrize("again", [(), ("X",), ("library",), ("library", "X"), ("X", "library")])
def test_rescans_in_any_order_keep_each_photo_once_under_the_link(drive_in_x, capsys, again) -> None:
    db, library, x = drive_in_x
    _library_then_x(db, library, x, capsys)
    folders = {"X": str(x), "library": str(library)}
    for _ in range(2):
        code, out, err = run_cli(capsys, "--db", db, "scan", *(folders[name] for name in again))
        assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing" in err, err
        assert "left there" not in err, err  # said once, at the scan of X that left it
        assert _indexed(db) == (sorted([library, x]), _under_the_link(library, x), 4)


def test_the_folder_left_is_said_once_and_listed_by_every_scan_json(drive_in_x, capsys) -> None:
    """The line repeated at every rescan of X or of the whole library; `scan --json` tells
    a script what each scan did, so it lists the folder left every time."""
    import json

    db, library, x = drive_in_x
    _library_then_x(db, library, x, capsys)
    for again in ((), (str(x),), (str(library), str(x))):
        code, out, err = run_cli(capsys, "--db", db, "scan", *again)
        assert code == 0 and "0 new" in err and "left there" not in err, err
        code, out, err = run_cli(capsys, "--db", db, "scan", "--json", *again)
        assert json.loads(out.splitlines()[0])["summary"]["left_to_links"] == [
            {"path": str(x / "Drive"), "held_as": str(library / "d")}], out
        assert "left there" not in err, err


def test_a_photo_copied_into_the_drive_since_joins_under_the_link(drive_in_x, capsys) -> None:
    db, library, x = drive_in_x
    _library_then_x(db, library, x, capsys)
    _photo(x / "Drive" / "NEW.JPG", 5)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "1 new, 0 changed, 0 moved, 0 missing" in err, err
    assert _indexed(db)[1] == sorted([*_under_the_link(library, x), str(library / "d" / "NEW.JPG")])


def test_the_drive_by_its_real_path_is_the_links_once_x_is_in_the_library(drive_in_x, capsys) -> None:
    """`scan X/Drive` and `label X/Drive/D1.JPG` went to X's copy; now to the link's photos."""
    db, library, x = drive_in_x
    _library_then_x(db, library, x, capsys)
    code, out, err = run_cli(capsys, "--db", db, "scan", str(x / "Drive"))
    assert code == 0 and f"{x / 'Drive'} is in the library as {library / 'd'}; scanned it there" in err, err
    assert "0 new, 0 changed, 0 moved, 0 missing" in err, err
    assert run_cli(capsys, "--db", db, "label", str(x / "Drive" / "D1.JPG"), "Colosseum")[0] == 0
    assert _indexed(db) == (sorted([library, x]), _under_the_link(library, x), 4)
    with PhotoIndex.open(db) as index:
        assert [record.path for record in index.search("label:Colosseum")] == [str(library / "d" / "D1.JPG")]
        typed = sorted(record.path for record in index.search(f'folder:"{x / "Drive"}"'))  # no disk read
    assert typed == [str(library / "d" / "D1.JPG"), str(library / "d" / "sub" / "D2.JPG")]
    code, out, err = run_cli(capsys, "--db", db, "search", "--json", str(x / "Drive" / "sub"))
    assert code == 0 and str(library / "d" / "sub" / "D2.JPG") in out, (out, err)


@pytest.mark.parametrize("then", [(), ("library", "X"), ("X", "library")])
def test_x_scanned_first_keeps_the_drive_and_the_link_into_it_is_not_walked(drive_in_x, capsys, then) -> None:
    db, library, x = drive_in_x
    held = sorted(str(path) for path in (
        x / "X1.JPG", x / "Drive" / "D1.JPG", x / "Drive" / "sub" / "D2.JPG", library / "L1.JPG"))
    assert run_cli(capsys, "--db", db, "scan", str(x))[0] == 0
    code, out, err = run_cli(capsys, "--db", db, "scan", str(library))
    assert code == 0 and "1 photo, 1 new, 0 changed, 0 moved, 0 missing" in err and "left there" not in err, err
    folders = {"X": str(x), "library": str(library)}
    code, out, err = run_cli(capsys, "--db", db, "scan", *(folders[name] for name in then))
    assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing" in err and "left there" not in err, err
    assert _indexed(db) == (sorted([library, x]), held, 4)
    assert run_cli(capsys, "--db", db, "label", str(library / "d" / "D1.JPG"), "Colosseum")[0] == 0
    with PhotoIndex.open(db) as index:  # the path through the link is the photo X holds
        assert [record.path for record in index.search("label:Colosseum")] == [str(x / "Drive" / "D1.JPG")]
    assert _indexed(db)[2] == 4


def test_an_index_an_older_version_doubled_keeps_each_photo_once_after_a_rescan(drive_in_x, capsys,
                                                                                   monkeypatch) -> None:
    """Made as before this fix (X's walk took X/Drive too): the rescan leaves X/Drive to
    the link again, the labels given meanwhile kept (its photos joined as moves)."""
    db, library, x = drive_in_x
    assert run_cli(capsys, "--db", db, "scan", str(library))[0] == 0
    with monkeypatch.context() as old:
        old.setattr(scanner.ScanLinks, "left_to_a_walked_link", lambda self, folder: False)
        assert "3 new" in run_cli(capsys, "--db", db, "scan", str(x))[2]
    assert _indexed(db)[2] == 6  # D1 and D2 twice
    with PhotoIndex.open(db) as index:
        [photo_id] = index.photo_ids(f'path:"{x / "Drive" / "D1.JPG"}"')
        index.set_label(photo_id, "Colosseum", source="user", state="accepted")
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and _left_line(library, x) in err, err
    assert _indexed(db)[:2] == (sorted([library, x]), _under_the_link(library, x))
    with PhotoIndex.open(db) as index:
        assert [record.path for record in index.search("label:Colosseum")] == [str(library / "d" / "D1.JPG")]


def test_a_link_removed_leaves_the_drive_to_x_and_made_again_is_a_link_into_the_library(drive_in_x, capsys) -> None:
    """Once the link is gone X holds the drive's photos (moved there, labels kept); a link
    made again into X/Drive is then a link into the library, as when X came first: the
    photos stay where they are rather than moving back under the link."""
    db, library, x = drive_in_x
    _library_then_x(db, library, x, capsys)
    assert run_cli(capsys, "--db", db, "label", str(library / "d" / "D1.JPG"), "Colosseum")[0] == 0
    held = sorted(str(path) for path in (
        x / "X1.JPG", x / "Drive" / "D1.JPG", x / "Drive" / "sub" / "D2.JPG", library / "L1.JPG"))
    (library / "d").unlink()
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "2 moved, 0 missing" in err and "left there" not in err, err
    assert _indexed(db)[1] == held
    (library / "d").symlink_to(x / "Drive", target_is_directory=True)
    for again in ((), (str(library),), (str(x),)):
        code, out, err = run_cli(capsys, "--db", db, "scan", *again)
        assert code == 0 and "0 new, 0 changed, 0 moved, 0 missing" in err and "left there" not in err, err
        assert _indexed(db) == (sorted([library, x]), held, 4)
    with PhotoIndex.open(db) as index:
        assert [record.path for record in index.search("label:Colosseum")] == [str(x / "Drive" / "D1.JPG")]
        typed = sorted(record.path for record in index.search(f'folder:"{x / "Drive"}"'))
    assert typed == [str(x / "Drive" / "D1.JPG"), str(x / "Drive" / "sub" / "D2.JPG")]


def test_scan_json_names_the_folder_left_and_the_link_given_is_no_news(drive_in_x, capsys) -> None:
    """`scan library/d` said "library/d is in the library as library/d; scanned it there"."""
    import json

    db, library, x = drive_in_x
    _library_then_x(db, library, x, capsys)
    code, out, err = run_cli(capsys, "--db", db, "scan", "--json", str(x))
    assert code == 0 and json.loads(out.splitlines()[0])["summary"]["left_to_links"] == [
        {"path": str(x / "Drive"), "held_as": str(library / "d")}], out
    code, out, err = run_cli(capsys, "--db", db, "scan", str(library / "d"))
    assert code == 0 and "is in the library as" not in err and "0 new, 0 changed, 0 moved, 0 missing" in err, err


@pytest.mark.parametrize("order", [("library", "X"), ("X", "library")])
def test_both_scanned_together_at_first_leave_the_drive_to_x(drive_in_x, capsys, order) -> None:
    """Neither came first: the folder the user gave holds its own folder, the link into it unwalked."""
    db, library, x = drive_in_x
    folders = {"X": str(x), "library": str(library)}
    code, out, err = run_cli(capsys, "--db", db, "scan", *(folders[name] for name in order))
    assert code == 0 and "4 new" in err and "left there" not in err, err
    assert _indexed(db) == (sorted([library, x]), sorted(str(path) for path in (
        x / "X1.JPG", x / "Drive" / "D1.JPG", x / "Drive" / "sub" / "D2.JPG", library / "L1.JPG")), 4)


@pytest.mark.parametrize("typed", ["as found", "folder: term"])
def test_a_folder_holding_the_drive_finds_its_photos_under_the_link_too(drive_in_x, capsys, monkeypatch,
                                                                         typed) -> None:
    """`search X`, `accept X`, `write X` and `cd X; search .` found X's own photo only: the
    drive's photos are indexed under library/d, and X's folder term did not reach them
    (found by a tester). A folder holding a folder scans skip now stands for its kept path too."""
    db, library, x = drive_in_x
    _library_then_x(db, library, x, capsys)
    query = str(x) if typed == "as found" else f'folder:"{x}"'
    def paths(out: str) -> list[str]:
        return sorted(line.split("\t")[0] for line in out.splitlines())

    code, out, _ = run_cli(capsys, "--db", db, "search", query)
    assert code == 0 and paths(out) == sorted(
        [str(x / "X1.JPG"), str(library / "d" / "D1.JPG"), str(library / "d" / "sub" / "D2.JPG")]), out
    code, out, _ = run_cli(capsys, "--db", db, "search", "--", f"-folder:{x}")
    assert code == 0 and paths(out) == [str(library / "L1.JPG")], out
    monkeypatch.chdir(x)
    code, out, _ = run_cli(capsys, "--db", db, "search", ".")
    assert code == 0 and len(paths(out)) == 3, out


def test_a_folder_term_typed_in_another_case_finds_the_drives_photos_too(drive_in_x, capsys) -> None:
    """`folder:"…/x"` (X typed in lower case, as macOS and Windows open it) found X's own
    photo only: the folders below it that scans skip were compared with their case
    (found by a reviewer)."""
    db, library, x = drive_in_x
    _library_then_x(db, library, x, capsys)
    typed = str(x.parent / "x")
    code, out, _ = run_cli(capsys, "--db", db, "search", f'folder:"{typed}"')
    found = sorted(line.split("\t")[0] for line in out.splitlines())
    assert code == 0 and str(library / "d" / "D1.JPG") in found and str(library / "d" / "sub" / "D2.JPG") in found, out


def test_a_folder_of_another_case_on_a_disk_that_tells_case_apart_is_another_folder(drive_in_x, capsys) -> None:
    """c6ebe1f compared the folders scans skip case aside on every disk: on Linux, with
    a folder x beside X, `label 'folder:"…/x"' NAME` also labelled the linked drive's
    photos under X (found by a reviewer)."""
    db, library, x = drive_in_x
    _photo(x.parent / "x" / "small1.JPG", 6)
    _library_then_x(db, library, x, capsys)
    assert run_cli(capsys, "--db", db, "scan", str(x.parent / "x"))[0] == 0
    code, out, _ = run_cli(capsys, "--db", db, "search", f'folder:"{x.parent / "x"}"')
    assert code == 0 and [line.split("\t")[0] for line in out.splitlines()] == [str(x.parent / "x" / "small1.JPG")]


@pytest.mark.parametrize("disk", ["ignores case", "tells case apart"])
def test_a_folder_holding_only_the_drive_typed_in_another_case(drive_in_x, capsys, tmp_path, monkeypatch,
                                                               disk) -> None:
    """X holding nothing but the linked drive: `folder:"…/x"` found nothing on macOS and
    Windows after 0c10731 (no photo of X's own told respell_folders its spelling; found by
    a reviewer). The skipped folders are compared case aside where the disk ignores case."""
    from tests.test_path_case import simulate_case_insensitive_disk

    db, library, x = drive_in_x
    (x / "X1.JPG").unlink()
    for folder in (library, x):
        assert run_cli(capsys, "--db", db, "scan", str(folder))[0] == 0
    if disk == "ignores case":
        simulate_case_insensitive_disk(tmp_path, monkeypatch)
    code, out, _ = run_cli(capsys, "--db", db, "search", f'folder:"{x.parent / "x"}"')
    found = sorted(line.split("\t")[0] for line in out.splitlines())
    expected = [str(library / "d" / "D1.JPG"), str(library / "d" / "sub" / "D2.JPG")] if disk == "ignores case" else []
    assert found == expected, out

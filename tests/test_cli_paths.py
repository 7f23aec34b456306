"""Paths typed as the query: a shell completes them (and expands globs), so
`accept Rome/DSC_0042.JPG` must find that photo rather than nothing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from PIL import Image

from app.cli.main import main
from app.core.path_query import pasted_path_query, path_term, query_with_paths
from tests.test_metadata_support import make_jpeg


@pytest.fixture
def archive(tmp_path, monkeypatch):
    """Two folders of small JPEGs (one pair with a RAW), scanned; the current folder is the archive."""
    root = tmp_path / "archive"
    for folder, stems in {"Rome": ["DSC_0041", "DSC_0042"], "2019 Provence/day 1": ["DSC_8181", "DSC_8182"]}.items():
        (root / folder).mkdir(parents=True)
        for stem in stems:
            Image.new("RGB", (32, 24), (120, 90, 60)).save(root / folder / f"{stem}.JPG")
    (root / "2019 Provence/day 1/DSC_8181.NEF").write_bytes(b"II*\x00" + bytes(64))
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(root)]) in (0, 1)  # the stub NEF may be listed as a problem
    monkeypatch.chdir(root)
    return db


def found(capsys, db: str, *query: str) -> list[str]:
    capsys.readouterr()
    assert main(["--db", db, "search", *query]) == 0
    return sorted(Path(line.split("\t")[0]).name for line in capsys.readouterr().out.splitlines())


def test_a_file_or_folder_typed_as_the_query_finds_its_photos(archive, capsys):
    assert found(capsys, archive, "Rome/DSC_0042.JPG") == ["DSC_0042.JPG"]
    assert found(capsys, archive, "2019 Provence/day 1/DSC_8181.NEF") == ["DSC_8181.JPG"]  # the pair's RAW finds it
    assert found(capsys, archive, "2019 Provence/day 1") == ["DSC_8181.JPG", "DSC_8182.JPG"]
    assert found(capsys, archive, "./Rome") == ["DSC_0041.JPG", "DSC_0042.JPG"]
    # a shell glob: several files, any of them
    assert found(capsys, archive, "Rome/DSC_0041.JPG", "2019 Provence/day 1/DSC_8182.JPG") == [
        "DSC_0041.JPG", "DSC_8182.JPG"]
    assert found(capsys, archive, "Rome/DSC_0099.JPG") == []  # no such file: plain words, no match


def test_dot_and_dot_dot_are_this_folder_and_the_one_above(archive, capsys, monkeypatch):
    """`search .` said "'.' has no letters or digits to search for", while `search ./` and
    `tag .` took the folder: `accept .` is the obvious way to act on this folder."""
    monkeypatch.chdir("Rome")
    assert found(capsys, archive, ".") == found(capsys, archive, "./") == ["DSC_0041.JPG", "DSC_0042.JPG"]
    assert len(found(capsys, archive, "..")) == 4
    assert main(["--db", archive, "label", ".", "Colosseum"]) == 0
    assert "2 of 2 matching photos changed" in capsys.readouterr().err
    assert found(capsys, archive, "label:Colosseum") == ["DSC_0041.JPG", "DSC_0042.JPG"]
    assert main(["--db", archive, "label", "..", "Arles"]) == 0
    assert "4 of 4 matching photos changed" in capsys.readouterr().err
    assert main(["--db", archive, "reject", "."]) == 0 and main(["--db", archive, "accept", "."]) == 0
    assert main(["--db", archive, "write", "--dry-run", "."]) in (0, 1)  # a plan, not a refused query
    assert "no letters or digits" not in capsys.readouterr().err


def test_label_and_reject_take_the_files_a_shell_glob_gives(archive, capsys):
    assert main(["--db", archive, "label", "Rome/", "Colosseum"]) == 0
    assert "2 of 2 matching photos changed" in capsys.readouterr().err
    assert main(["--db", archive, "reject", "Rome/DSC_0041.JPG", "Rome/DSC_0042.JPG"]) == 0
    assert "2 of 2 matching photos changed" in capsys.readouterr().err
    assert found(capsys, archive, "state:rejected") == ["DSC_0041.JPG", "DSC_0042.JPG"]
    with pytest.raises(SystemExit) as refused:  # not a path: still refused, as before
        main(["--db", archive, "accept", "Rome/DSC_0041.JPG", "not-a-file"])
    assert refused.value.code == 2
    assert "unrecognized arguments: not-a-file" in capsys.readouterr().err


def test_words_that_are_not_paths_stay_words(archive):
    assert path_term("Rome") is None  # a bare folder name is a free word (it may be a label too)
    assert path_term("label:Rome") is None and path_term("-Rome") is None
    # a path after a "-" is that photo left out (tests/test_negated_paths.py), not a NOT of its words
    assert path_term("-Rome/DSC_0041.JPG") == f'-path:"{Path("Rome/DSC_0041.JPG").resolve()}"'
    assert path_term("") is None and path_term("Rome/DSC_0099.JPG") is None
    assert path_term("DSC_0041.JPG") is None  # not in the current folder
    term = path_term("Rome/DSC_0041.JPG")
    assert term == f'path:"{Path("Rome/DSC_0041.JPG").resolve()}"'
    assert path_term("Rome" + os.sep) == f'folder:"{Path("Rome").resolve()}"'
    assert query_with_paths(["Rome/DSC_0041.JPG", "eiffel"]) == [term, "eiffel"]
    assert query_with_paths("label:Rome") == "label:Rome"


def test_a_quote_in_a_folder_name_survives(tmp_path, monkeypatch, capsys):
    folder = tmp_path / 'the "best" trip'
    folder.mkdir()
    Image.new("RGB", (32, 24), (10, 200, 60)).save(folder / "IMG_1.jpg")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(folder)]) == 0
    monkeypatch.chdir(tmp_path)
    assert found(capsys, db, 'the "best" trip/IMG_1.jpg') == ["IMG_1.jpg"]
    assert found(capsys, db, 'the "best" trip/') == ["IMG_1.jpg"]


def test_a_pasted_path_is_taken_only_when_absolute_and_there(archive):
    photo = Path("Rome/DSC_0041.JPG").resolve()
    term = f'path:="{photo}"'  # found on disk as written: never respelled to a case twin
    assert pasted_path_query(str(photo)) == term
    assert pasted_path_query(f'  "{photo}" ') == term  # Windows' "Copy as path"
    assert pasted_path_query(photo.as_uri()) == term  # a drag from a file manager
    assert pasted_path_query("Rome/DSC_0041.JPG") == "Rome/DSC_0041.JPG"  # relative: the app has no current folder
    assert pasted_path_query('"eiffel tower"') == '"eiffel tower"'  # a phrase stays a phrase
    assert pasted_path_query(str(photo.parent / "gone.JPG")) == str(photo.parent / "gone.JPG")


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_link_to_a_photo_finds_the_links_own_entry(tmp_path, monkeypatch, capsys):
    """A link to a photo outside the library is a photo under the link's name (a "best
    of" folder of links into a drive): the path typed finds that entry. A link to a
    photo of the library is that photo (one photo, not two): the path typed finds it."""
    originals, best = tmp_path / "originals", tmp_path / "best"
    originals.mkdir()
    best.mkdir()
    Image.new("RGB", (32, 24), (120, 90, 60)).save(originals / "DSC_0001.JPG")
    (best / "pick.jpg").symlink_to(originals / "DSC_0001.JPG")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(best)]) == 0
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["--db", db, "search", "best/pick.jpg"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.split("\t")[0] == str((best / "pick.jpg").absolute())

    library = str(tmp_path / "library.db")
    assert main(["--db", library, "scan", str(best), str(originals)]) == 0
    capsys.readouterr()
    for typed in ("best/pick.jpg", "originals/DSC_0001.JPG"):
        assert main(["--db", library, "search", typed]) == 0
        (line,) = capsys.readouterr().out.splitlines()
        assert line.split("\t")[0] == str((originals / "DSC_0001.JPG").absolute())
    assert main(["--db", library, "search", "best/pick.jpg", "-has:raw"]) == 0  # with other terms too
    assert len(capsys.readouterr().out.splitlines()) == 1

@pytest.mark.skipif(os.name == "nt" or sys.platform == "darwin", reason="needs a case-sensitive file system")
def test_a_pasted_or_dropped_path_of_a_photo_not_indexed_yet_never_finds_its_case_twin(tmp_path):
    """The app respelled a pasted path of img_0001.jpg (new, not scanned yet) to the
    indexed IMG_0001.JPG, another picture, and showed that one."""
    from app.core.index import PhotoIndex
    from app.core.path_query import path_terms
    from app.core.scanner import scan

    folder = tmp_path / "Trip"
    folder.mkdir()
    Image.new("RGB", (32, 24), (10, 200, 60)).save(folder / "IMG_0001.JPG")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        Image.new("RGB", (32, 24), (200, 10, 60)).save(folder / "img_0001.jpg")
        assert index.photo_ids(pasted_path_query(str(folder / "img_0001.jpg"))) == []
        assert index.photo_ids(" ".join(filter(None, path_terms([str(folder / "img_0001.jpg")], exact=True)))) == []
        assert len(index.photo_ids(pasted_path_query(str(folder / "IMG_0001.JPG")))) == 1


@pytest.fixture
def dashed_trip(tmp_path, monkeypatch, capsys):
    """Trip/-x.jpg, a.jpg (labelled "Piazza Grande" by the user) and b.jpg, scanned; the
    current folder is Trip."""
    trip = tmp_path / "Trip"
    trip.mkdir()
    for name, colour in (("-x.jpg", (200, 10, 10)), ("a.jpg", (10, 200, 10)), ("b.jpg", (10, 10, 200))):
        Image.new("RGB", (32, 24), colour).save(trip / name)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(trip)]) == 0
    assert main(["--db", db, "label", str(trip / "a.jpg"), "Piazza Grande"]) == 0
    monkeypatch.chdir(trip)
    return db


@pytest.mark.parametrize("words", [["-x.jpg"], ["--", "-x.jpg"]])
def test_a_file_named_with_a_leading_dash_is_that_file_not_a_not_term(dashed_trip, capsys, words):
    """`label -x.jpg Duomo` (as a shell completes it, with `--` or not) labelled every
    OTHER photo, the user's own labels included: the word was read as NOT x.jpg."""
    assert found(capsys, dashed_trip, *words) == ["-x.jpg"]
    assert main(["--db", dashed_trip, "label", *words, "Duomo"]) == 0
    assert found(capsys, dashed_trip, "label:Duomo") == ["-x.jpg"]
    assert found(capsys, dashed_trip, 'label:"Piazza Grande"') == ["a.jpg"]
    # no such file: not that file, and a NOT of a photo file's name no photo has leaves out
    # nothing, so it is named as the typo `accept y.jpg` would be (tests/test_negated_paths.py)
    assert main(["--db", dashed_trip, "search", "-y.jpg"]) == 1
    assert "search: y.jpg: no such file or folder" in capsys.readouterr().err


def test_scan_of_a_dashed_file_suggests_a_tag_command_that_works(dashed_trip, capsys):
    capsys.readouterr()
    assert main(["--db", dashed_trip, "scan", "--", "-x.jpg"]) == 2
    err = capsys.readouterr().err
    assert f"`landmark-tagger --db {dashed_trip} tag {os.path.join(os.curdir, '-x.jpg')}`" in err  # not `tag -x.jpg`: an option


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_photo_in_a_linked_folder_is_found_and_labelled_by_the_path_search_prints(tmp_path, monkeypatch, capsys,
                                                                                  tiny_bundle):
    """A folder linked into a library folder is indexed under the link's path (README),
    but that path typed as the query was resolved to the link's target, which the index
    does not hold: nothing found, and `label` named a path the user never typed."""
    elsewhere, library = tmp_path / "drive" / "Shared", tmp_path / "library"
    elsewhere.mkdir(parents=True)
    library.mkdir()
    Image.new("RGB", (32, 24), (120, 90, 60)).save(elsewhere / "DSC_0001.JPG")
    (library / "Shared").symlink_to(elsewhere, target_is_directory=True)
    (tmp_path / "to library").symlink_to(library, target_is_directory=True)  # a link from outside into it
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(library)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "search", ""]) == 0
    printed = capsys.readouterr().out.split("\t")[0]
    assert printed == str(library / "Shared" / "DSC_0001.JPG")  # indexed under the link's path
    monkeypatch.chdir(tmp_path)
    for typed in (printed, "library/Shared/DSC_0001.JPG", "library/Shared", "to library/Shared/DSC_0001.JPG"):
        assert found(capsys, db, typed) == ["DSC_0001.JPG"], typed
    assert main(["--db", db, "label", "library/Shared/", "Colosseum"]) == 0
    assert found(capsys, db, "label:Colosseum") == ["DSC_0001.JPG"]

    Image.new("RGB", (32, 24), (20, 90, 60)).save(elsewhere / "DSC_0002.JPG")  # not scanned yet
    capsys.readouterr()
    for command in ("accept", "reject"):
        assert main(["--db", db, command, "library/Shared/DSC_0002.JPG"]) == 1
        err = capsys.readouterr().err
        # the words typed, not the query's terms (`path:="…/drive/Shared/DSC_0002.JPG"`, never typed)
        assert f"{command}: library/Shared/DSC_0002.JPG: not in the library yet" in err, err
        assert "path:" not in err and str(elsewhere) not in err
    assert main(["--db", db, "label", "library/Shared/DSC_0002.JPG", "Colosseum"]) == 0  # added first, as tag does
    assert str(elsewhere) not in capsys.readouterr().err
    assert found(capsys, db, "label:Colosseum") == ["DSC_0001.JPG", "DSC_0002.JPG"]
    # teach scanned a new photo's folder by the link's target: a second library folder, each photo twice
    make_jpeg(elsewhere / "DSC_0003.JPG")  # a scene, which teach takes (not a blank frame)
    capsys.readouterr()
    assert main(["--db", db, "teach", "--model", str(tiny_bundle.path), "Our cabin", "library/Shared/DSC_0003.JPG"]) == 0
    assert str(elsewhere) not in capsys.readouterr().err
    assert found(capsys, db, "") == ["DSC_0001.JPG", "DSC_0002.JPG", "DSC_0003.JPG"]

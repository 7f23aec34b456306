"""A path typo that still matches as words (`accept Rom/`: "Rom" finds the Rome photos
as a word) was taken as a search, so the whole Rome folder was accepted, labelled,
rejected or written. A word written only as a path is (it ends with a separator, starts
at a root, home or the current folder, names a photo file in a folder, or a name in a
folder that is there) and names no file or folder there and no indexed photo is now the
typo paths_typed names, exit 1, nothing done. A separator inside a search word (`AC/DC`)
and `label:"AC/DC Tower"` still search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo, scanned_trip


@pytest.fixture
def trip(tmp_path, capsys, monkeypatch) -> str:
    db, rome = scanned_trip(tmp_path, capsys, photos=2)
    monkeypatch.chdir(rome.parent)
    return db


def _count(db, capsys, query) -> int:
    code, out, _ = run_cli(capsys, "--db", db, "search", "--count", query)
    return int(out.strip())


@pytest.mark.parametrize("argv", [
    ["accept", "Rom/"], ["reject", "Rom/"], ["label", "Rom/", "Colosseum"], ["accept", "./Rom"],
    ["accept", "Rom/DSC_0001.JPG"], ["accept", "Rome/DSC_0009"],
])
def test_a_path_typo_that_matches_as_words_changes_nothing(trip, capsys, argv):
    code, out, err = run_cli(capsys, "--db", trip, argv[0], "--json", *argv[1:])
    summary = json.loads(out)
    assert code == 1 and summary["matched"] == 0 and summary["changed"] == 0, (argv, out, err)
    assert f"{argv[0]}: {Path(argv[1])}: no such file or folder" in err, err
    assert _count(trip, capsys, "state:unlabelled") == 2


def test_write_of_a_path_typo_that_matches_as_words_writes_nothing(trip, capsys):
    assert run_cli(capsys, "--db", trip, "label", "Rome/", "Colosseum")[0] == 0
    code, _, err = run_cli(capsys, "--db", trip, "write", "Rom/")
    assert code == 1 and "write: Rom: no such file or folder" in err, err
    assert _count(trip, capsys, "is:unwritten") == 2


def test_a_separator_inside_a_search_word_still_searches(trip, capsys):
    assert run_cli(capsys, "--db", trip, "label", "Rome/DSC_0001.JPG", "AC/DC Tower", "--new")[0] == 0
    for query in ("AC/DC", 'label:"AC/DC Tower"'):
        code, out, err = run_cli(capsys, "--db", trip, "accept", "--json", query)
        assert code == 0 and json.loads(out)["matched"] == 1, (query, out, err)


def test_a_name_typed_in_a_folder_that_is_there_is_a_typo_though_it_matches_as_words(trip, capsys, monkeypatch):
    """`Pictures/Rom` (no extension, in a folder that is there): "Pictures Rom" finds the
    Rome photos as words, but it is written as only a path is, so it is a typo."""
    monkeypatch.chdir(Path.cwd().parent)
    assert _count(trip, capsys, "Pictures/Rom") == 2  # what it would have acted on
    code, out, err = run_cli(capsys, "--db", trip, "reject", "--json", "Pictures/Rom")
    assert code == 1 and json.loads(out)["changed"] == 0, (out, err)
    assert f"reject: {Path('Pictures/Rom')}: no such file or folder" in err, err
    assert _count(trip, capsys, "state:unlabelled") == 2


def test_a_negated_folder_is_a_not_term_not_a_typo(trip, capsys):
    """`label -Rome/ NAME` labels the photos outside Rome: `-Rome/` is a NOT term (of the
    Rome folder, tests/test_negated_paths.py), never the path typo `Rome/` would be."""
    photo(Path("Paris") / "IMG_0001.JPG", 3)
    assert run_cli(capsys, "--db", trip, "scan", "Paris")[0] == 0
    code, out, err = run_cli(capsys, "--db", trip, "label", "--json", "-Rome/", "Eiffel Tower", "--new")
    assert code == 0 and json.loads(out)["changed"] == 1, (out, err)
    assert _count(trip, capsys, 'label:"Eiffel Tower"') == 1 and _count(trip, capsys, "state:unlabelled") == 2

"""A path typed after a "-" leaves that photo or folder out (`search -Rome/DSC_0001.JPG`,
`label -Rome/ NAME`). It was taken as a NOT of words: `-Rome/DSC_0001.JPG` left out
nothing, so `reject -Rome/DSC_0001.JPG` acted on the very photo meant to be left out,
`-Rome/typo.jpg` matched every photo without naming the typo, and `-Rome/` also left out
the photos elsewhere whose words hold "Rome". In the app's search field a pasted
absolute path after a "-" does the same (pasted_path_query)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.path_query import any_of_the_paths, pasted_path_query, path_alternatives
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo, scanned_trip


@pytest.fixture
def trip(tmp_path, capsys, monkeypatch) -> str:
    """Pictures/Rome/DSC_0001.JPG, DSC_0002.JPG and Pictures/Paris/IMG_0001.JPG, scanned;
    the current folder is Pictures."""
    db, rome = scanned_trip(tmp_path, capsys, photos=2)
    photo(rome.parent / "Paris" / "IMG_0001.JPG", 3)
    monkeypatch.chdir(rome.parent)
    assert run_cli(capsys, "--db", db, "scan", "Paris")[0] == 0
    return db


def _count(db, capsys, *query) -> int:
    code, out, err = run_cli(capsys, "--db", db, "search", "--count", *query)
    assert code == 0, err
    return int(out.strip())


def test_a_negated_file_leaves_that_photo_out(trip, capsys):
    assert _count(trip, capsys, "-Rome/DSC_0001.JPG") == 2
    assert _count(trip, capsys, "Rome/", "-Rome/DSC_0001.JPG") == 1
    assert _count(trip, capsys, "Rome/", "Paris/", "-Rome/DSC_0001.JPG") == 2  # NOT stays out of the folders' OR
    code, out, err = run_cli(capsys, "--db", trip, "label", "--json", "-Rome/DSC_0001.JPG", "Colosseum", "--new")
    assert code == 0 and json.loads(out)["changed"] == 2, (out, err)
    assert _count(trip, capsys, "label:Colosseum", "Rome/DSC_0001.JPG") == 0


def test_a_negated_folder_is_that_folder_not_its_words(trip, capsys):
    """`-Rome/` leaves out the Rome folder only, not a Paris photo labelled "Rome Fountain"."""
    assert run_cli(capsys, "--db", trip, "label", "Paris/IMG_0001.JPG", "Rome Fountain", "--new")[0] == 0
    assert _count(trip, capsys, "-Rome/") == 1


def test_a_negated_photo_the_index_holds_whose_file_is_gone_is_left_out(trip, capsys):
    Path("Rome/DSC_0002.JPG").unlink()
    assert _count(trip, capsys, "-Rome/DSC_0002.JPG") == 2


@pytest.mark.parametrize("argv", [["reject", "-Rome/typo.jpg"], ["label", "-Romx/", "Colosseum", "--new"],
                                  ["write", "-Rome/typo.jpg"], ["search", "-Rome/typo.jpg"]])
def test_a_negated_path_typo_is_named_and_nothing_done(trip, capsys, argv):
    code, out, err = run_cli(capsys, "--db", trip, *argv)
    assert code == 1 and f"{argv[0]}: {Path(argv[1][1:])}: no such file or folder" in err, (argv, out, err)
    assert argv[0] != "search" or out == ""  # search lists nothing
    assert _count(trip, capsys, "state:unlabelled") == 3


def test_negated_terms_stay_out_of_the_or_of_the_paths():
    alternatives = [['folder:"/a"'], ['folder:"/b"'], ['-path:"/a/x.JPG"'], []]
    assert any_of_the_paths(["a/", "b/", "-a/x.JPG", "rome"], alternatives) == [
        'folder:"/a" OR folder:"/b"', '-path:"/a/x.JPG"', "rome"]


def test_a_negated_path_on_disk_becomes_its_negated_terms(tmp_path, monkeypatch):
    picture = photo(tmp_path / "Rome" / "DSC_0001.JPG")
    monkeypatch.chdir(tmp_path)
    assert path_alternatives(["-Rome/DSC_0001.JPG", "-Rome/", "-Rome", "-has:gps"], exact=True) == [
        [f'-path:="{picture}"'], [f'-folder:="{picture.parent}"'], [], []]
    assert pasted_path_query(f'-"{picture}"') == f'-path:="{picture}"'  # the app's search field


def test_a_negated_path_with_a_space_its_drive_not_mounted_is_left_out(trip, capsys):
    """`-Old Town/` (one argument, a space in the folder's name) of a folder only the
    index holds was a NOT of the words "Old" and "Town/", which matched no photo."""
    photo(Path("Old Town") / "my photo.jpg", 4)
    assert run_cli(capsys, "--db", trip, "scan", "Old Town")[0] == 0
    Path("Old Town").rename("Old Town unmounted")
    assert _count(trip, capsys, "-Old Town/") == 3
    assert _count(trip, capsys, "-Old Town/my photo.jpg") == 3
    assert _count(trip, capsys, "-Rome/ Paris/") == 1  # one argument of two terms, as before: Paris, not Rome

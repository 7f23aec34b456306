"""Paths typed to accept, reject, label, write and suggest are checked wherever they stand. A
typo after a good path (`write Rome/ Romx/`) used to be argparse's "unrecognized
arguments" (exit 2) while the same typo first was named as not found (exit 1) and
`reject` acted on the other paths: now each one is named, exit 1, and nothing is done.
With the library's drive not mounted, a path the index holds a photo or folder at is
that path's term, as `path:"…"` is: `accept /Volumes/X/Rome/DSC_0001.JPG` said "no photo
matches" and `search` of it found none, and every path after the first was "unrecognized"."""

from __future__ import annotations

import json

import pytest

from tests.test_cli_core import run_cli
from tests.test_path_typo_matching_as_words import _count, trip  # noqa: F401 (trip: a fixture)


@pytest.mark.parametrize("argv", [
    ["accept", "Rome/", "Romx/"], ["reject", "Rome/DSC_0001.JPG", "Rome/DSC_0009.JPG"],
    ["label", "Rome/DSC_0001.JPG", "Rome/DSC_0009.JPG", "Colosseum"], ["write", "Rome/", "Romx/"],
    ["suggest", "Rome/", "Romx/"],  # "Romx/ Rome/" said "no photo matches", "Rom/" took the Rome photos
])
def test_a_typo_after_a_good_path_is_named_and_nothing_is_done(trip, capsys, argv):
    code, _, err = run_cli(capsys, "--db", trip, *argv)
    assert code == 1 and "no such file or folder" in err and "unrecognized" not in err, (argv, err)
    assert f"{argv[0]}: nothing {'written' if argv[0] == 'write' else 'changed'}" in err, err
    assert _count(trip, capsys, "state:unlabelled") == 2


def test_each_typo_is_named(trip, capsys):
    code, out, err = run_cli(capsys, "--db", trip, "reject", "--json", "Romx/", "Rome/", "Rome/DSC_0009.JPG")
    assert code == 1 and json.loads(out)["left_out"] == ["Romx", "Rome/DSC_0009.JPG"], (out, err)
    assert "correct the paths above" in err, err


def test_a_word_that_is_no_path_after_the_query_is_still_refused(trip, capsys):
    with pytest.raises(SystemExit) as refused:
        run_cli(capsys, "--db", trip, "accept", "Rome/", "Colosseum")
    assert refused.value.code == 2 and "unrecognized arguments: Colosseum" in capsys.readouterr().err


@pytest.fixture
def unmounted(trip, tmp_path):
    """The library's drive not mounted: its folder gone after the scan (renamed away)."""
    (tmp_path / "Pictures").rename(tmp_path / "Pictures_off")
    return trip, tmp_path / "Pictures" / "Rome"


def test_a_photo_of_a_drive_not_mounted_is_found_by_its_path(unmounted, capsys):
    db, rome = unmounted
    code, out, _ = run_cli(capsys, "--db", db, "search", "--json", str(rome / "DSC_0001.JPG"))
    assert [json.loads(line)["path"] for line in out.splitlines()] == [str(rome / "DSC_0001.JPG")]
    code, out, err = run_cli(capsys, "--db", db, "accept", "--json", str(rome / "DSC_0001.JPG"),
                             str(rome / "DSC_0002.JPG"))
    assert code == 0 and json.loads(out)["matched"] == 2, (out, err)
    assert _count(db, capsys, str(rome) + "/") == 2


def test_a_typo_on_a_drive_not_mounted_is_named(unmounted, capsys):
    db, rome = unmounted
    code, out, err = run_cli(capsys, "--db", db, "accept", "--json", str(rome / "DSC_0001.JPG"),
                             str(rome / "DSC_0009.JPG"))
    assert code == 1 and json.loads(out)["left_out"] == [str(rome / "DSC_0009.JPG")], (out, err)

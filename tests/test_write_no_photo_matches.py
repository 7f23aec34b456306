"""write with a query that matches no photo at all (`write Colosseun`, a typo): named as
accept names it, with the landmark it likely misspells, exit 1, "matched": 0 under --json;
it used to say "0 files written" and send the user to `tag` and `accept`, exit 0. A query
matching photos that hold no accepted label keeps that hint, exit 0."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.test_cli_core import run_cli
from tests.test_write_names_a_mistyped_path import _labelled_trip

TYPO_LINE = "write: no photo matches 'Colosseun' (did you mean label:\"Colosseum\"?)"


@pytest.mark.parametrize("options", [[], ["--dry-run"]])
def test_a_misspelt_landmark_is_named_and_fails(tmp_path, capsys, monkeypatch, options):
    db = _labelled_trip(tmp_path, capsys, monkeypatch)
    code, out, err = run_cli(capsys, "--db", db, "write", *options, "Colosseun")
    assert code == 1 and TYPO_LINE in err, err
    assert "accept QUERY" not in err and "files written" not in err and out == "", err


def test_a_query_matching_nothing_says_so_under_json_too(tmp_path, capsys, monkeypatch):
    db = _labelled_trip(tmp_path, capsys, monkeypatch)
    code, out, err = run_cli(capsys, "--db", db, "write", "--json", "zzqx")
    assert code == 1 and "write: no photo matches 'zzqx' (try it with `landmark-tagger" in err, err
    assert f"--db {db} search`)" in err, err
    summary = json.loads(out)
    assert summary["matched"] == 0 and summary["written"] == 0 and summary["batch_id"] is None, out


def test_photos_matched_without_an_accepted_label_keep_the_hint(tmp_path, capsys, monkeypatch):
    db = _labelled_trip(tmp_path, capsys, monkeypatch)
    code, _, err = run_cli(capsys, "--db", db, "write", "Rome -Colosseum")
    assert code == 0 and "no matching photo has an accepted label to write" in err, err
    assert "no photo matches" not in err, err


def test_accept_names_the_misspelt_landmark_too(tmp_path, capsys, monkeypatch):
    db = _labelled_trip(tmp_path, capsys, monkeypatch)
    code, _, err = run_cli(capsys, "--db", db, "accept", "Colosseun")
    assert code == 1 and "accept: no photo matches 'Colosseun' (did you mean label:\"Colosseum\"?)" in err, err


def test_a_query_of_filters_matching_nothing_is_an_empty_result_not_a_typo(tmp_path, capsys, monkeypatch):
    # `write is:unwritten` in a cron job with every file written: nothing to do, exit 0
    db = _labelled_trip(tmp_path, capsys, monkeypatch)
    assert run_cli(capsys, "--db", db, "write", "is:unwritten")[0] == 0  # writes the Colosseum
    for query in ("is:unwritten", "is:unwritten folder:Rome", "state:suggested", "date:2030", "camera:Canon"):
        for options in ([], ["--dry-run"]):
            code, _, err = run_cli(capsys, "--db", db, "write", *options, query)
            assert code == 0 and "no photo matches" not in err, (query, options, err)
    code, _, err = run_cli(capsys, "--db", db, "write", "--dry-run", "label:Colosseun")  # a name: a typo
    assert code == 1 and "write: no photo matches 'label:Colosseun'" in err, err


def test_a_folder_the_index_does_not_hold_is_a_typo_as_a_path_is(tmp_path, capsys, monkeypatch):
    # `write folder:/…/zwoo/p` (a letter doubled) said "no matching photo has an accepted
    # label … tag FOLDER", exit 0, where `write path:/typo.jpg` says "no photo matches", exit 1
    db = _labelled_trip(tmp_path, capsys, monkeypatch)
    rome = next(tmp_path.rglob("Rome"))
    for query in ("folder:Rmoe", f'folder:"{rome.parent / "Rmoe"}"', "folder:Rmoe OR folder:Pariss"):
        code, out, err = run_cli(capsys, "--db", db, "write", "--dry-run", query)
        assert code == 1 and "write: no photo matches" in err and "accept QUERY" not in err, (query, err)
    # a folder the index holds, its photos matching no more: an empty result, exit 0
    for query in (f'folder:"{rome}" state:rejected', "folder:Rome -folder:Rmoe state:rejected"):
        code, _, err = run_cli(capsys, "--db", db, "write", "--dry-run", query)
        assert code == 0 and "no photo matches" not in err, (query, err)
    # its photos missing (the drive not mounted): the folder is still the library's, no typo
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE photos SET missing = 1")
    code, _, err = run_cli(capsys, "--db", db, "write", "--dry-run", "folder:Rome")
    assert code == 0 and "no photo matches" not in err, err



def test_a_folder_on_disk_is_no_typo_as_its_plain_path_is_not(tmp_path, capsys, monkeypatch):
    # `write folder:…/empty` (a library folder holding no photo), `folder:…/link/Rome` (a link
    # to a library folder: macOS /tmp, a NAS mount) and `folder:…/x/../Rome` said "no photo
    # matches", exit 1, where the plain path writes nothing, exit 0
    db = _labelled_trip(tmp_path, capsys, monkeypatch)
    rome = next(tmp_path.rglob("Rome"))
    (rome.parent / "empty").mkdir()
    spellings = [rome.parent / "empty", rome.parent / "empty" / ".." / "Rome"]
    try:
        (tmp_path / "link").symlink_to(rome.parent, target_is_directory=True)
        spellings.append(tmp_path / "link" / "Rome")
    except OSError:  # (Windows without the right to make links)
        pass
    for folder in spellings:
        code, _, err = run_cli(capsys, "--db", db, "write", "--dry-run", f'folder:"{folder}" is:unwritten')
        assert code == 0 and "no photo matches" not in err, (folder, err)


@pytest.mark.parametrize(("query", "typo"), [
    ("Colosseun", True), ("path:{}", True), ("Colosseun is:unwritten", True),
    ("Colosseun OR Pantheonn", True), ("is:unwritten OR label:Colosseun", True), ("date:", True),
    ("-Colosseum", False), ("is:unwritten -label:Colosseum", False), ("-path:{}", False),
    ("is:unwritten OR state:suggested", False)],
    ids=["a word", "a path", "a word beside a filter", "OR of words", "a label OR'd with a filter",
         "does not parse: said where it is run", "a NOT word", "a filter and a NOT label", "a NOT path",
         "OR of filters"])
def test_what_could_be_a_typo(tmp_path, query, typo) -> None:
    """A name or path a query needs to match (in an OR group or beside a filter too) could
    be mistyped; a filter or a NOT term matching nothing is an empty result."""
    from app.cli.no_match import could_be_a_typo

    mistyped = tmp_path / "DSC_0O01.JPG"  # path: takes a whole path
    assert could_be_a_typo(query.format(f'"{mistyped}"')) is typo


def test_a_mistyped_path_or_a_typo_beside_a_filter_fails_and_a_not_term_does_not(tmp_path, capsys, monkeypatch):
    # a cron `write path:…` with the name mistyped must not exit 0 as if there were nothing to do
    db = _labelled_trip(tmp_path, capsys, monkeypatch)
    mistyped = next(tmp_path.rglob("Rome")) / "DSC_0O01.JPG"
    for query in (f'path:"{mistyped}"', "Colosseun is:unwritten"):
        code, _, err = run_cli(capsys, "--db", db, "write", "--dry-run", query)
        assert code == 1 and f"write: no photo matches {query!r}" in err, (query, err)
    code, _, err = run_cli(capsys, "--db", db, "write", "--dry-run", "-Rome")  # every photo is in Rome
    assert code == 0 and "no photo matches" not in err, err

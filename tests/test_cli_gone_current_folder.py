"""A command started from a folder deleted meanwhile (the terminal sat in it): `tag`
ended in a traceback however its paths were given (multiprocessing's spawn asks for
the current folder) and `scan .` too. Now a relative path gets one line and exit 2,
and a job given absolute paths runs from the index's folder."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from app.cli.gone_folder import GONE_MESSAGE, leave_a_gone_current_folder
from app.core.errors import UsageError

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows does not delete a process's current folder")


@pytest.fixture
def in_a_deleted_folder(tmp_path: Path, monkeypatch) -> Path:
    card = tmp_path / "card"
    card.mkdir()
    monkeypatch.chdir(card)  # (put back after the test)
    card.rmdir()
    return tmp_path


def test_a_relative_path_is_refused_in_one_line(in_a_deleted_folder, capsys) -> None:
    from app.cli.main import main

    assert main(["--db", str(in_a_deleted_folder / "index.db"), "scan", "."]) == 2
    assert capsys.readouterr().err.strip() == f"landmark-tagger: error: {GONE_MESSAGE}"
    assert not (in_a_deleted_folder / "index.db").exists()  # nothing done


@pytest.mark.parametrize("argv", [["--db", "index.db", "stats"], ["search", "lib/Petra"], ["write", "./Petra"]])
def test_every_relative_path_typed_is_refused(in_a_deleted_folder, argv) -> None:
    args = argparse.Namespace(command=argv[-2], db=None, query=argv[-1])
    if argv[0] == "--db":
        args = argparse.Namespace(command="stats", db=argv[1])
    with pytest.raises(UsageError, match="current folder no longer exists"):
        leave_a_gone_current_folder(args, Path(args.db or in_a_deleted_folder / "index.db"))


def test_a_job_given_absolute_paths_runs_from_the_index_s_folder(in_a_deleted_folder) -> None:
    db = in_a_deleted_folder / "index.db"
    args = argparse.Namespace(command="tag", db=str(db), paths=[str(in_a_deleted_folder)], model="default")
    leave_a_gone_current_folder(args, db)
    assert Path(os.getcwd()) == in_a_deleted_folder  # spawned decode workers can start from here


@pytest.mark.parametrize("command, typed", [
    ("label", {"query": 'path:="{photo}"', "query_as_typed": ["{photo}"], "new": False}),  # a path typed became a term
    ("search", {"query": ['folder:="{folder}"', "-path:{photo}"]}),  # field terms written with an absolute path
    ("teach", {"name": "Petra", "paths": ["{photo}"], "new": False, "model": None}),  # --new is a flag, no path
])
def test_absolute_photo_paths_are_not_taken_for_relative_ones(in_a_deleted_folder, command, typed) -> None:
    db = in_a_deleted_folder / "index.db"
    names = {"photo": str(in_a_deleted_folder / "p" / "a.jpg"), "folder": str(in_a_deleted_folder / "p")}
    given = {key: [word.format(**names) for word in value] if isinstance(value, list)
             else value.format(**names) if isinstance(value, str) else value for key, value in typed.items()}
    args = argparse.Namespace(command=command, db=str(db), **given)
    leave_a_gone_current_folder(args, db)  # not refused
    assert Path(os.getcwd()) == in_a_deleted_folder

"""A path typed where argparse had no room for it ended in its usage block and
"unrecognized arguments": one after the folder of `forget`, `relocate` or `gui` (a
typo, a second folder), and one after `--` that follows `scan`'s or `tag`'s options
(`scan lib --json -- -x`). The first is now one line naming the path, exit 2 as for any
path those commands cannot use; the second is a path like any other. A mistyped option
keeps argparse's usage and exit 2."""

from __future__ import annotations

import json

import pytest

from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo


@pytest.fixture
def library(tmp_path, capsys, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)
    photo(tmp_path / "lib" / "a.jpg")
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", "lib")[0] == 0
    return db


@pytest.mark.parametrize("argv, takes", [
    (["forget", "lib", "nothere", "--yes"], "`forget` takes one FOLDER"),
    (["forget", "lib", "--yes", "nothere"], "`forget` takes one FOLDER"),
    (["relocate", "lib", "lib2", "nothere"], "`relocate` takes OLD and NEW"),
    (["gui", "lib", "nothere"], "`gui` takes one FOLDER"),
])
def test_a_word_after_a_commands_folders_is_named_as_a_path_not_found(library, capsys, argv, takes):
    code, _, err = run_cli(capsys, "--db", library, *argv)
    assert code == 2
    assert err == f"landmark-tagger: error: nothere: not found; check the path (is the drive mounted?); {takes}\n"
    assert run_cli(capsys, "--db", library, "search", "--count")[1].strip() == "1"  # nothing forgotten


def test_a_second_folder_that_is_there_is_said_so(library, capsys, tmp_path):
    (tmp_path / "other").mkdir()
    code, _, err = run_cli(capsys, "--db", library, "forget", "lib", "other", "--yes")
    assert code == 2
    assert err == "landmark-tagger: error: `forget` takes one FOLDER, not also other: run `forget` once for each\n"


def test_a_mistyped_option_keeps_argparses_usage(library, capsys):
    with pytest.raises(SystemExit) as stop:
        run_cli(capsys, "--db", library, "forget", "lib", "--yse")
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "usage:" in err and "unrecognized arguments: --yse" in err


def test_paths_after_double_dash_following_the_options_are_paths(library, capsys, tmp_path):
    photo(tmp_path / "-dashed" / "b.jpg")
    code, out, err = run_cli(capsys, "--db", library, "scan", "lib", "--json", "--", "-dashed", "nothere")
    assert code == 1, err  # nothere is named and left out, the rest is done
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["summary"]["photos"] == 2
    assert "error: nothere: folder not found" in err and "unrecognized" not in err

"""A hint that names a command to run next carries the --db the user gave: followed
without it, the command would act on (or create) the default index instead."""

from __future__ import annotations

import shlex

from app.core.teaching_suggest import SuggestReport, close_hint, untagged_hint
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo


def test_no_index_hint_names_the_index_given(tmp_path, capsys):
    db = str(tmp_path / "no such index.db")
    code, _, err = run_cli(capsys, "--db", db, "stats")
    assert code == 2 and f"`landmark-tagger --db {shlex.quote(db)} scan FOLDER` creates it" in err


def test_teach_without_photos_hint_names_the_index_given(tmp_path, capsys):
    db = str(tmp_path / "index.db")
    code, _, err = run_cli(capsys, "--db", db, "teach", "Our cabin")
    assert code == 2 and f"landmark-tagger --db {shlex.quote(db)} teach \"Our cabin\" PHOTO…" in err


def test_suggest_with_nothing_taught_hint_names_the_index_given(tmp_path, capsys, tiny_bundle):
    db = str(tmp_path / "index.db")
    photo(tmp_path / "Trip" / "a.jpg")
    assert run_cli(capsys, "--db", db, "scan", str(tmp_path / "Trip"))[0] == 0
    code, _, err = run_cli(capsys, "--db", db, "suggest", "--model", str(tiny_bundle.path))
    assert f"`landmark-tagger --db {shlex.quote(db)} teach \"Our cabin\" PHOTO…`" in err, err


def test_suggest_hints_name_the_program_given():
    program = "landmark-tagger --db /tmp/other.db"
    untagged = SuggestReport(taught=1, tagged=1, untagged=2)
    assert f"run `{program} tag` first" in untagged_hint(untagged, program=program)
    assert f"`{program} search`" in close_hint(SuggestReport(taught=1, matched=0), program=program)
    assert f"`{program} tag FOLDER`" in close_hint(SuggestReport(taught=1, matched=3), program=program)

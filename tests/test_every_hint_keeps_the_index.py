"""Every command a message quotes carries the --db the run was given, wherever the
message was made (the CLI, the core, a problem stored in the index): followed without
it, the command would act on, or create, the default index instead."""

from __future__ import annotations

import json
import re
import shlex

from app.cli.hints import keep_the_index, keep_the_index_in_json
from app.core.index import PhotoIndex
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo
from tests.test_metadata_support import add_photo, make_jpeg

QUOTED = re.compile(r"`(landmark-tagger[^`]*)`")


def _quoted_commands(text: str) -> list[str]:
    return QUOTED.findall(text)


def test_stats_and_forget_hints_name_the_index_given(tmp_path, capsys):
    db = str(tmp_path / "my index.db")
    trip = tmp_path / "Trip"
    photo(trip / "a.jpg")
    (trip / "broken.jpg").write_bytes(b"not a jpeg")
    gone = tmp_path / "Gone"
    photo(gone / "b.jpg")
    assert run_cli(capsys, "--db", db, "scan", str(trip), str(gone))[0] == 1
    for path in gone.iterdir():
        path.unlink()
    gone.rmdir()
    code, out, _ = run_cli(capsys, "--db", db, "stats")
    assert code == 0
    said = _quoted_commands(out)
    # errors' `stats --errors`, taught's `teach NAME PHOTO…`, the folder not found's `relocate`
    assert {shlex.split(command)[3] for command in said} >= {"stats", "teach", "relocate"}, out
    assert all(command.startswith(f"landmark-tagger --db {shlex.quote(db)} ") for command in said), out
    code, _, err = run_cli(capsys, "--db", db, "forget", str(trip), "--yes")
    assert code == 0 and f"`landmark-tagger --db {shlex.quote(db)} scan {trip.resolve()}` adds it again" in err


def test_a_label_given_in_teachs_order_is_answered_with_the_index_given(tmp_path, capsys):
    db = str(tmp_path / "index.db")
    with PhotoIndex.open(db) as index:
        add_photo(index, [make_jpeg(tmp_path / "DSC_0204.jpg")], "Palais des Papes", state="suggested")
    code, _, err = run_cli(capsys, "--db", db, "label", "Pont du Gard", "DSC_0204")
    assert code == 1
    assert f"the query comes first: `landmark-tagger --db {db} label DSC_0204 'Pont du Gard'`" in err, err


def test_a_quoted_command_made_elsewhere_gets_the_index_and_the_program_as_typed(monkeypatch):
    db = "/tmp/other index.db"
    text = "not found (`landmark-tagger forget /photos --yes`, or `landmark-tagger relocate OLD NEW`)"
    assert keep_the_index(text, db) == (f"not found (`landmark-tagger --db '{db}' forget /photos --yes`, "
                                        f"or `landmark-tagger --db '{db}' relocate OLD NEW`)")
    assert keep_the_index(text, None) == text
    # one the CLI built with the index already, and one of a command that reads no index, stay
    assert keep_the_index(f"`landmark-tagger --db '{db}' scan FOLDER`", db) == f"`landmark-tagger --db '{db}' scan FOLDER`"
    assert keep_the_index("`landmark-tagger models` lists them", db) == "`landmark-tagger models` lists them"
    assert keep_the_index("landmark-tagger: error: landmark-tagger scan", db) == "landmark-tagger: error: landmark-tagger scan"
    monkeypatch.setattr("sys.argv", ["/opt/lt/.venv/bin/landmark-tagger", "stats"])
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert keep_the_index("`landmark-tagger stats --errors`", db) == \
        f"`/opt/lt/.venv/bin/landmark-tagger --db '{db}' stats --errors`"


def test_json_lines_are_left_as_they_are(tmp_path, capsys):
    """A --json run's stdout is data: only its stderr messages are respelled."""
    db = str(tmp_path / "index.db")
    photo(tmp_path / "`landmark-tagger stats`" / "a.jpg")
    assert run_cli(capsys, "--db", db, "scan", str(tmp_path / "`landmark-tagger stats`"))[0] == 0
    code, out, _ = run_cli(capsys, "--db", db, "search", "--json")
    assert code == 0 and "/`landmark-tagger stats`/a.jpg" in out


def test_json_message_fields_carry_the_index_and_paths_stay(tmp_path, capsys):
    """`scan --json`'s `error` line for a library folder not found, and `stats --json`'s
    `problems`, quoted `landmark-tagger relocate OLD NEW` without the --db given."""
    db = str(tmp_path / "my index.db")
    gone = tmp_path / "`landmark-tagger stats`"  # a path that looks like a hint: data, left as it is
    photo(tmp_path / "Trip" / "a.jpg")
    photo(gone / "b.jpg")
    assert run_cli(capsys, "--db", db, "scan", str(tmp_path / "Trip"), str(gone))[0] == 0
    for path in gone.iterdir():
        path.unlink()
    gone.rmdir()
    relocate = f"`landmark-tagger --db {shlex.quote(db)} relocate OLD NEW`"
    code, out, _ = run_cli(capsys, "--db", db, "scan", "--json")
    [error] = [line for line in map(json.loads, out.splitlines()) if "error" in line]
    assert relocate in error["error"] and error["path"] == str(gone), error
    code, out, _ = run_cli(capsys, "--db", db, "stats", "--json", "--errors", "5")
    stats = json.loads(out)
    [problem] = stats["problems"]
    assert relocate in problem["message"] and problem["path"] == str(gone), problem
    assert stats["folders_not_found"] == [str(gone)]


def test_a_json_line_keeps_its_form_where_nothing_is_respelled():
    line = json.dumps({"path": "/p/ä `landmark-tagger x`", "score": 0.1 + 0.2, "top": [1, None]},
                      ensure_ascii=False) + "\n"
    assert keep_the_index_in_json(line, "/tmp/x.db") == line
    assert keep_the_index_in_json("`landmark-tagger stats` (not JSON)\n", "/tmp/x.db") == \
        "`landmark-tagger stats` (not JSON)\n"
    said = keep_the_index_in_json('{"notes": [{"path": "a", "message": "`landmark-tagger write`"}]}\n', "/tmp/x.db")
    assert json.loads(said) == {"notes": [{"path": "a", "message": "`landmark-tagger --db /tmp/x.db write`"}]}

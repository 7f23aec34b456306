"""--json lines that a script reads the same way every time: `models` gives an absolute
path for a bundle typed as a relative one, `scan` a line for a folder given that is not
there (as `tag` does), `stats` its `problems` key at every run."""

from __future__ import annotations

import json

from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_models_gives_a_bundle_typed_as_a_relative_path_absolute(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "models", "--json", "bad.ltbundle")
    assert code == 1
    (bad,) = [line for line in _lines(out) if line["error"]]
    assert bad["path"] == str(tmp_path / "bad.ltbundle")


def test_scan_gives_a_line_for_a_folder_given_that_is_not_there(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    photo(tmp_path / "lib" / "a.jpg")
    code, out, err = run_cli(capsys, "--db", str(tmp_path / "index.db"), "scan", "--json", "lib", "nothere")
    assert code == 1
    summary, missing = _lines(out)
    assert summary["summary"]["photos"] == 1
    assert missing == {"error": "nothere: folder not found; check the path (is the drive mounted?)",
                       "path": str(tmp_path / "nothere")}
    assert "error: nothere: folder not found" in err  # still said to a person too


def test_stats_has_its_problems_at_every_run(tmp_path, capsys):
    db = str(tmp_path / "index.db")
    photo(tmp_path / "lib" / "a.jpg")
    (tmp_path / "lib" / "broken.jpg").write_bytes(b"")
    assert run_cli(capsys, "--db", db, "scan", str(tmp_path / "lib"))[0] == 1
    for errors, listed in (([], 0), (["--errors", "0"], 0), (["--errors", "5"], 1)):
        code, out, _ = run_cli(capsys, "--db", db, "stats", "--json", *errors)
        (stats,) = _lines(out)
        assert code == 0 and stats["errors"] == 1
        assert len(stats["problems"]) == listed, errors

"""suggest --json ends with one summary line, whatever it found: with no suggestion it
used to print no JSON line at all, and a script waiting for one summary line got none."""

from __future__ import annotations

import json

from app.cli.main import main
from tests.test_cli_first_hour import scanned_trip


def test_suggest_with_nothing_found_prints_its_summary_with_zero_counts(tmp_path, capsys, tiny_bundle):
    db, _ = scanned_trip(tmp_path, capsys)  # scanned, nothing taught: nothing to suggest
    for options in ([], ["--dry-run"]):
        assert main(["--db", db, "suggest", "--model", str(tiny_bundle.path), "--json", *options]) == 0
        out = capsys.readouterr().out
        assert [json.loads(line) for line in out.splitlines()] == [{"summary": {
            "matched": None, "taught": 0, "scored": 0, "suggested": 0, "withdrawn": 0, "dry_run": bool(options)}}], out

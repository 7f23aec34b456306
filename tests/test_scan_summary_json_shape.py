"""The scan summary a script reads (`scan --json`'s `summary`, `relocate --json`'s
`scan`) has one shape: the same keys at every run, the lists empty when there is
nothing in them (`jq '.summary.cards_not_connected[]'` must work on a normal run),
and no key that is only the scanner's own (said_before)."""

from __future__ import annotations

import json

from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo

LISTS = ("same_folders", "left_to_links", "cards_not_connected", "kept_temps", "sidecars_in_icloud", "split_notes")


def test_scan_json_summary_always_holds_the_lists(tmp_path, capsys):
    trip = tmp_path / "Trip"
    photo(trip / "a.jpg")
    code, out, _ = run_cli(capsys, "--db", str(tmp_path / "index.db"), "scan", "--json", str(trip))
    summary = json.loads(out.splitlines()[0])["summary"]
    assert code == 0 and {key: summary[key] for key in LISTS} == dict.fromkeys(LISTS, [])
    assert "said_before" not in summary


def test_relocate_json_gives_the_scan_summary_in_the_same_shape(tmp_path, capsys):
    db = str(tmp_path / "index.db")
    trip = tmp_path / "Trip"
    photo(trip / "a.jpg")
    code, out, _ = run_cli(capsys, "--db", db, "scan", "--json", str(trip))
    scanned = json.loads(out.splitlines()[0])["summary"]
    moved = trip.rename(tmp_path / "Trip (archive)")
    code, out, _ = run_cli(capsys, "--db", db, "relocate", "--json", str(trip), str(moved))
    relocated = json.loads(out)["scan"]
    assert code == 0 and list(relocated) == list(scanned)
    assert {key: relocated[key] for key in LISTS} == dict.fromkeys(LISTS, [])

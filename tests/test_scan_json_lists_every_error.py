"""`scan --json` is read by scripts that count or record the files that failed: every
error gets its line, whatever `--errors N` (the cap of the lines said to a person, 10
by default) is; without --json the cap stays and the rest is counted."""

from __future__ import annotations

import json

from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo

DAMAGED = 12  # more than the default cap of 10


def _folder_with_damaged_files(tmp_path):
    folder = tmp_path / "Trip"
    photo(folder / "good.jpg")
    for number in range(DAMAGED):
        (folder / f"broken_{number:02}.jpg").write_bytes(b"")  # empty: an error each
    return folder


def test_scan_json_prints_a_line_for_every_file_that_failed(tmp_path, capsys):
    folder = _folder_with_damaged_files(tmp_path)
    code, out, _ = run_cli(capsys, "--db", str(tmp_path / "index.db"), "scan", "--json", "--errors", "2", str(folder))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and lines[0]["summary"]["errors"] == DAMAGED
    failed = sorted(line["path"] for line in lines[1:])
    assert failed == sorted(str(folder / f"broken_{number:02}.jpg") for number in range(DAMAGED))


def test_scan_without_json_keeps_the_cap_and_counts_the_rest(tmp_path, capsys):
    folder = _folder_with_damaged_files(tmp_path)
    code, out, err = run_cli(capsys, "--db", str(tmp_path / "index.db"), "scan", "--errors", "3", str(folder))
    said = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 1 and out == "" and len(said) == 3
    assert f"… and {DAMAGED - 3} more errors" in err

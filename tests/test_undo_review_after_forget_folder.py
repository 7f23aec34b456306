"""`undo --review` takes back `teach --forget`, not `forget FOLDER` (README said "…teach or
forget"): after a folder's forget it says so and names the way back, `scan FOLDER` and
`restore-index` of the copy forget named."""

from __future__ import annotations

from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import scanned_trip


def test_undo_review_after_a_folders_forget_names_the_way_back(tmp_path, capsys, monkeypatch):
    db, rome = scanned_trip(tmp_path, capsys, photos=1)
    monkeypatch.chdir(rome.parent)
    assert run_cli(capsys, "--db", db, "label", "Rome/DSC_0001.JPG", "Colosseum", "--new")[0] == 0
    assert run_cli(capsys, "--db", db, "forget", str(rome.parent), "--yes")[0] == 0
    code, _, err = run_cli(capsys, "--db", db, "undo", "--review")
    assert code == 1 and "`forget FOLDER` is not taken back by undo" in err and "restore-index COPY" in err, err
    assert "scan FOLDER" in err, err
    code, _, err = run_cli(capsys, "--db", db, "undo", "--review")
    assert code == 0 and "no accept, reject, label, teach or teach --forget to take back" in err, err

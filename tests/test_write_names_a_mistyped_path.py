"""write given a path that names nothing (`write Pictures/Provnce`, a typo): named as
accept and label name it, exit 1, an error line under --json, nothing written, even
beside good paths; it used to say "0 files written" and send the user to `tag` and
`accept`, exit 0. A folder of the library with nothing to write is no error."""

from __future__ import annotations

import json

from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import scanned_trip


def _labelled_trip(tmp_path, capsys, monkeypatch):
    db, rome = scanned_trip(tmp_path, capsys, photos=2)
    monkeypatch.chdir(rome.parent)
    assert run_cli(capsys, "--db", db, "label", "Rome/DSC_0001.JPG", "Colosseum", "--new")[0] == 0
    return db


def test_a_mistyped_folder_is_named_and_nothing_is_written(tmp_path, capsys, monkeypatch):
    db = _labelled_trip(tmp_path, capsys, monkeypatch)
    for options in ([], ["--dry-run"]):
        code, out, err = run_cli(capsys, "--db", db, "write", *options, "Rmoe/")
        assert code == 1 and "write: Rmoe: no such file or folder" in err, (options, err)
        assert "accept QUERY" not in err and out == "", (options, err)
    code, out, _ = run_cli(capsys, "--db", db, "write", "--dry-run", "--json", "DSC_0009.JPG")
    assert code == 1 and json.loads(out) == {"id": None, "path": "DSC_0009.JPG", "error": json.loads(out)["error"]}
    assert "no such file" in json.loads(out)["error"]


def test_a_mistyped_file_beside_a_real_one_writes_nothing(tmp_path, capsys, monkeypatch):
    """The real one used to be written: fixing the typo beats half the command done."""
    db = _labelled_trip(tmp_path, capsys, monkeypatch)
    code, out, err = run_cli(capsys, "--db", db, "write", "Rome/DSC_0009.JPG", "Rome/DSC_0001.JPG")
    assert code == 1 and "write: Rome/DSC_0009.JPG: no such file" in err and "write: nothing written" in err, err
    assert "file written" not in err and "files written" not in err, err


def test_a_library_folder_with_nothing_to_write_is_no_error(tmp_path, capsys, monkeypatch):
    db = _labelled_trip(tmp_path, capsys, monkeypatch)
    (tmp_path / "Pictures" / "Rome" / "empty").mkdir()
    code, _, err = run_cli(capsys, "--db", db, "write", "Rome/empty")
    assert code == 0 and "0 files written" in err and "no such file" not in err, err

"""Ctrl-C in the CLI: a scan stopped by it is recorded as stopped (not failed), with the
counts of what it stored and `stats` saying to run it again; `tag` stopped during its
scan still names its model; a Ctrl-C while the commands are still loading ends
with one line and exit 130, not a traceback, as one while `write` plans does, saying
that nothing was written."""

from __future__ import annotations

import importlib
import signal
from pathlib import Path

import pytest

from app.cli.main import main
from tests.test_index_support import write_jpeg


@pytest.fixture
def two_folders(tmp_path: Path) -> list[Path]:
    folders = [tmp_path / "Rome", tmp_path / "Petra"]
    for number, folder in enumerate(folders):
        for i in range(3):
            write_jpeg(folder / f"IMG_{i}.jpg", color=(i, number, 3))
    return folders


def _ctrl_c_before_the_second_folder(monkeypatch, press) -> None:
    """`press()` (the user's Ctrl-C) when the scan comes to its second folder."""
    import app.core.scanner as scanner

    walk = scanner._Scan._walk_root
    walked: list[str] = []

    def walk_then_ctrl_c(self, root):
        if walked:
            press()
        walked.append(root)
        return walk(self, root)

    monkeypatch.setattr(scanner._Scan, "_walk_root", walk_then_ctrl_c)


def _last_scan(db: str, capsys) -> tuple[str, str]:
    """(the `photos:` line, the `last scan:` line) of `stats`."""
    assert main(["--db", db, "stats"]) == 0
    lines = capsys.readouterr().out.splitlines()
    return (next(line for line in lines if line.startswith("photos:")),
            next(line for line in lines if line.startswith("last scan:")))


def _ctrl_c() -> None:
    signal.raise_signal(signal.SIGINT)  # as the terminal sends it: through the SIGINT handler in place


def _ctrl_c_again() -> None:
    raise KeyboardInterrupt  # what the second Ctrl-C raises (stop_on_ctrl_c), or one with no handler


def test_ctrl_c_stops_a_scan_between_files_as_cancelled_with_the_counts_it_stored(tmp_path, two_folders,
                                                                                 monkeypatch, capsys) -> None:
    _ctrl_c_before_the_second_folder(monkeypatch, _ctrl_c)
    db = str(tmp_path / "index.db")
    code = main(["--db", db, "scan", *map(str, two_folders)])
    err = capsys.readouterr().err
    assert code == 130
    assert "stopping after the files being read" in err
    assert "scanned: 3 photos, 3 new, 0 changed, 0 moved, 0 missing, 0 errors (cancelled)" in err
    assert f"run `landmark-tagger --db {db} scan` again to complete it" in err
    photos, last_scan = _last_scan(db, capsys)
    assert photos.startswith("photos:     3 ")
    assert (f"(cancelled: stopped before the end; run `landmark-tagger --db {db} scan` again to complete it): "
            "3 photos, 3 new,") in last_scan, last_scan
    monkeypatch.undo()
    assert main(["--db", db, "scan"]) == 0  # run again, it completes the library
    photos, last_scan = _last_scan(db, capsys)
    assert photos.startswith("photos:     6 ") and "(done): 6 photos, 3 new," in last_scan, last_scan


def test_a_scan_aborted_at_once_is_recorded_as_interrupted_not_failed(tmp_path, two_folders, monkeypatch,
                                                                     capsys) -> None:
    _ctrl_c_before_the_second_folder(monkeypatch, _ctrl_c_again)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", *map(str, two_folders)]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == "landmark-tagger: interrupted"
    _, last_scan = _last_scan(db, capsys)
    assert "(failed)" not in last_scan
    assert f"(interrupted: it did not finish; run `landmark-tagger --db {db} scan` again to complete it)" in last_scan


def test_tag_stopped_during_its_scan_names_its_model(tmp_path, two_folders, tiny_bundle, monkeypatch,
                                                     capsys) -> None:
    import app.core.tagging as tagging

    scan = tagging._scan

    def scan_then_ctrl_c(*args, **kwargs):
        summary = scan(*args, **kwargs)
        _ctrl_c()  # the handler of `tag` (stop_on_ctrl_c) cancels
        return summary

    monkeypatch.setattr(tagging, "_scan", scan_then_ctrl_c)
    code = main(["--db", str(tmp_path / "index.db"), "tag", "--model", str(tiny_bundle.path), "--workers", "0",
                 str(two_folders[0])])
    assert code == 130
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert summary.startswith("tagged 0 photos")
    assert summary.endswith(f"; cancelled, the rest is left for the next run — model {tiny_bundle.name} "
                            f"({tiny_bundle.id})"), summary


def test_ctrl_c_while_the_commands_are_loading_says_interrupted(monkeypatch, capsys) -> None:
    """The command modules are imported before any command runs (up to a second on a
    slow machine): a Ctrl-C then printed a traceback and no line of ours."""
    load = importlib.import_module

    def load_until_ctrl_c(name, *args, **kwargs):
        if name == "app.cli.commands.tag":
            raise KeyboardInterrupt
        return load(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", load_until_ctrl_c)
    try:
        code = main(["stats"])
    except KeyboardInterrupt:
        pytest.fail("the Ctrl-C went through main() (a traceback for the user)")
    assert code == 130
    assert capsys.readouterr().err == "landmark-tagger: interrupted\n"


def test_ctrl_c_while_a_write_is_planned_says_nothing_was_written(tmp_path, two_folders, monkeypatch,
                                                                  capsys) -> None:
    """Planning reads every file (minutes on a big library) before the write opens its batch:
    a Ctrl-C then ends the command with one line saying that nothing was written, and exit 130."""
    from app.core.index import PhotoIndex
    from app.core.metadata import plan
    from app.core.metadata.journal import last_batch_id

    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(two_folders[0])]) == 0
    with PhotoIndex.open(db) as index:
        for photo in index.search(""):
            index.set_label(photo.id, "Petra", source="user", state="accepted")
    before = {path: path.read_bytes() for path in two_folders[0].iterdir()}
    capsys.readouterr()
    plan_file, planned = plan._plan_file, []

    def plan_file_then_ctrl_c(*args, **kwargs):
        planned.append(args[2])
        _ctrl_c()
        return plan_file(*args, **kwargs)

    monkeypatch.setattr(plan, "_plan_file", plan_file_then_ctrl_c)
    assert main(["--db", db, "write"]) == 130
    assert capsys.readouterr().err == "landmark-tagger: interrupted; nothing written\n"
    assert len(planned) == 1
    assert {path: path.read_bytes() for path in two_folders[0].iterdir()} == before
    assert sorted(two_folders[0].iterdir()) == sorted(before)  # no sidecar either
    with PhotoIndex.open(db) as index:
        assert last_batch_id(index) is None

"""Every "another run holds the index, try again later" refusal exits 75 (EX_TEMPFAIL,
what schedulers take as "retry"): `tag` did while another tag ran, but `write` and
`undo` exited 2, as for a usage error, while a write or an undo ran
(test_write_undo_concurrency), and so did any command while another program held
SQLite's lock past its wait. 2 stays for usage errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.errors import IndexBusyError
from app.core.index import PhotoIndex, connection
from app.core.index.running_writes import UndoRunningError, WriteRunningError
from app.core.tag_lock import TagRunningError
from tests.test_index_support import write_jpeg


@pytest.fixture
def scanned(tmp_path: Path, capsys) -> str:
    write_jpeg(tmp_path / "Trip" / "IMG_0001.jpg")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "Trip")]) == 0
    capsys.readouterr()
    return db


def test_every_refusal_to_wait_for_another_run_is_one_kind() -> None:
    for refusal in (TagRunningError, WriteRunningError, UndoRunningError):
        assert issubclass(refusal, IndexBusyError)


def test_a_command_finding_the_index_locked_by_another_program_exits_75(scanned, monkeypatch, capsys) -> None:
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 100)
    other = sqlite3.connect(scanned, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program writing, past our busy timeout
    try:
        assert main(["--db", scanned, "label", "IMG_0001", "Eiffel Tower"]) == 75
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "busy" in capsys.readouterr().err
    assert main(["--db", scanned, "label", "IMG_0001", "Eiffel Tower"]) == 0  # its turn now
    with PhotoIndex.open(scanned) as index:
        assert index.search("")[0].label == "Eiffel Tower"


def test_a_usage_error_still_exits_2(scanned, capsys) -> None:
    assert main(["--db", scanned, "label", "IMG_0001", ""]) == 2
    assert "the label NAME is empty" in capsys.readouterr().err


def test_the_app_on_an_index_another_program_holds_exits_75(tmp_path, monkeypatch, capsys) -> None:
    """`landmark-tagger gui` exited 2 when the index was held, as for a damaged one."""
    pytest.importorskip("pytestqt")
    from PySide6.QtWidgets import QMessageBox

    from app.core.errors import IndexInUseError, IndexStoreError
    from app.gui import app as gui_app

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    held = f"another copy of Landmark Tagger is using the index {tmp_path}; try again when it has finished"
    for error, code in ((IndexInUseError(held), 75), (IndexStoreError("not a usable index"), 2)):
        def refused(*args, error=error):
            raise error

        monkeypatch.setattr(gui_app, "open_main_window", refused)
        assert gui_app.run_gui(tmp_path / "index.db") == code
    assert shown == [held, "not a usable index"]
    assert f"landmark-tagger: error: {held}" in capsys.readouterr().err

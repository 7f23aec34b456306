"""A `label` typed in a terminal while the app's bulk Accept held the index waited for it,
then changed nothing and said "label: 0 of 1 matching photo changed", exit 0: it read each
photo's label before the wait and left the photo the app had accepted meanwhile (review4
F2). It reads them in its own transaction now, so the user's label applies after the
app's; and a wait for another run's hold on the index is said on stderr, not a silent hang."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main
from app.core import journalled_labels
from app.core.index import PhotoIndex, connection
from tests.test_index_support import write_jpeg


def scan_suggested_colosseum(tmp_path: Path, capsys, names: tuple[str, ...]) -> str:
    """The index (its path) of `names` in tmp_path/Trip, scanned, each suggested "Colosseum"."""
    for name in names:
        write_jpeg(tmp_path / "Trip" / name)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "Trip")]) == 0
    with PhotoIndex.open(db) as index:
        index.set_labels(index.photo_ids(""), "Colosseum", source="model", state="suggested")
    capsys.readouterr()
    return db


@pytest.fixture
def scanned(tmp_path: Path, capsys) -> str:
    return scan_suggested_colosseum(tmp_path, capsys, ("IMG_0001.jpg",))


def test_a_label_that_waited_for_the_app_s_accept_applies_after_it(scanned, monkeypatch, capsys) -> None:
    place_named = journalled_labels._place_named

    def app_accepts_meanwhile(*args, **kwargs):  # the app's bulk Accept commits while `label` waits
        with PhotoIndex.open(scanned) as app:
            app.set_state(app.photo_ids(""), "accepted")
        return place_named(*args, **kwargs)

    monkeypatch.setattr(journalled_labels, "_place_named", app_accepts_meanwhile)
    code = main(["--db", scanned, "label", "IMG_0001", "Petra", "--new"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "1 of 1 matching photo changed" in err
    with PhotoIndex.open(scanned) as index:
        record = index.search("")[0]
        assert (record.label, record.state) == ("Petra", "accepted")
    monkeypatch.undo()
    assert main(["--db", scanned, "undo", "--review"]) == 0  # the journal holds the label as the app left it
    with PhotoIndex.open(scanned) as index:
        record = index.search("")[0]
        assert (record.label, record.state) == ("Colosseum", "accepted")


def test_a_label_whose_photo_left_the_library_while_it_waited_says_so(scanned, monkeypatch, capsys) -> None:
    place_named = journalled_labels._place_named

    def folder_forgotten_meanwhile(*args, **kwargs):
        with PhotoIndex.open(scanned) as app, app.transaction() as conn:
            conn.execute("DELETE FROM photos")
        return place_named(*args, **kwargs)

    monkeypatch.setattr(journalled_labels, "_place_named", folder_forgotten_meanwhile)
    code = main(["--db", scanned, "label", "IMG_0001", "Petra", "--new"])
    err = capsys.readouterr().err
    assert code == 1
    assert "1 photo left the library while this waited for the index" in err


def test_a_wait_for_another_run_s_hold_on_the_index_is_said(scanned, monkeypatch, capsys) -> None:
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(connection, "WAIT_NOTICE_MS", 50)
    other = sqlite3.connect(scanned, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the app's bulk job, holding the index past both
    try:
        assert main(["--db", scanned, "label", "IMG_0001", "Petra", "--new"]) == 75
    finally:
        other.execute("ROLLBACK")
        other.close()
    err = capsys.readouterr().err
    assert err.count("waiting for another Landmark Tagger job to finish") == 1
    assert main(["--db", scanned, "label", "IMG_0001", "Petra", "--new"]) == 0  # not held: nothing said
    assert "waiting" not in capsys.readouterr().err


def test_the_app_started_from_the_command_line_says_no_wait_on_stderr(scanned, monkeypatch, capsys) -> None:
    """`landmark-tagger gui` printed the terminal's "waiting for another Landmark Tagger job
    to finish (the app's, or another command's)…" on its own stderr (review6 F4)."""
    from app.core.errors import IndexBusyError
    from app.gui import app as gui_app

    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(connection, "WAIT_NOTICE_MS", 50)
    waited = []

    def app_waits_for_the_index(db_path, folder):  # the app's index, held by another run past both
        other = sqlite3.connect(scanned, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with PhotoIndex.open(db_path) as index, pytest.raises(IndexBusyError):
                with index.transaction():
                    pass
            waited.append(True)
        finally:
            other.execute("ROLLBACK")
            other.close()
        return 0

    monkeypatch.setattr(gui_app, "display_available", lambda: True)
    monkeypatch.setattr(gui_app, "run_gui", app_waits_for_the_index)
    assert main(["--db", scanned, "gui"]) == 0
    assert waited == [True]
    assert "waiting" not in capsys.readouterr().err

"""The app opened on an index other than the default one (`landmark-tagger --db X gui`)
showed the commands the core's messages quote without it (the Problems panel's
"`landmark-tagger forget --missing`", the status bar's), so following one in a terminal
acted on the default index; on the default index they need none."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from app.core.config import DB_ENV  # noqa: E402
from app.core.wording import FORGET_MISSING_HINT, RELOCATE_HINT  # noqa: E402
from app.gui.app_words import in_app_words, index_named_in_commands  # noqa: E402
from tests.test_gui_support import close_main_window  # noqa: E402

pytestmark = pytest.mark.gui


def _window(qtbot, db: Path):
    from app.gui.app import create_application, open_main_window

    create_application()
    window = open_main_window(db)
    qtbot.addWidget(window)
    return window


def test_the_apps_messages_quote_commands_with_the_index_it_runs_on(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(DB_ENV, raising=False)
    db = tmp_path / "my index.db"
    window = _window(qtbot, db)
    try:
        message = f"/photos/a.jpg: put the file back and tag its folder again, or {FORGET_MISSING_HINT}."
        window.errors_panel.add_problem("/photos/a.jpg", "teach", message)
        [(_, _, whole)] = window.errors_panel.problems()
        forget = f"`landmark-tagger --db {shlex.quote(str(db))} forget --missing`"
        assert forget in whole and forget in window.errors_panel.item(0, 2).text()
        window.show_message(f"1 photo is missing; {FORGET_MISSING_HINT}")
        assert forget in window.statusBar().currentMessage()
        # a step the app has a button for is still said as that button
        assert "landmark-tagger" not in in_app_words(f"/photos: folder not found.{RELOCATE_HINT}", str(db))
    finally:
        close_main_window(window)


def test_on_the_default_index_the_commands_need_no_db(qtbot, tmp_path, monkeypatch) -> None:
    db = tmp_path / "index.db"
    monkeypatch.setenv(DB_ENV, str(db))
    assert index_named_in_commands(db) is None
    assert index_named_in_commands(tmp_path / "other.db") == str(tmp_path / "other.db")
    window = _window(qtbot, db)
    try:
        window.errors_panel.add_problem(None, "scan", f"1 photo is missing; {FORGET_MISSING_HINT}")
        assert "`landmark-tagger forget --missing`" in window.errors_panel.problems()[0][2]
    finally:
        close_main_window(window)

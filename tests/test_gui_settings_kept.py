"""The app's start with a settings file holding one bad saved search: the others are
listed, the Problems panel names the one left out, and closing the app keeps them."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pytestqt")
from tests.test_gui_support import close_main_window, wait_for_results  # noqa: E402

pytestmark = pytest.mark.gui


def test_one_bad_saved_search_costs_only_itself_and_is_named_in_problems(qtbot, tmp_path) -> None:
    from app.core.settings import load_settings, settings_path
    from app.gui.app import create_application, open_main_window

    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"saved_searches": [
        ["Rome trip", "folder:Rome"], ["Best of Petra", "label:Petra score>0.9"], ["Todo", ""]]}))
    create_application()
    win = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(win)
    win.show()
    wait_for_results(qtbot, win)
    assert [name for name, _ in win.settings.saved_searches] == ["Rome trip", "Best of Petra"]
    assert any("['Todo', '']" in str(problem) for problem in win.errors_panel.problems())
    close_main_window(win)

    assert [name for name, _ in load_settings().saved_searches] == ["Rome trip", "Best of Petra"]
    assert len(list(path.parent.glob("settings.json.unreadable-*"))) == 1


DAMAGED = '{"threshold": 0.6,, "oldest_first": true}'  # a hand edit's slip


def _window_then_settings_damaged(qtbot, tmp_path):
    """The app open on a new library, then its settings file damaged while it runs."""
    from app.core.settings import settings_path
    from app.gui.app import create_application, open_main_window

    create_application()
    win = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(win)
    win.show()
    wait_for_results(qtbot, win)
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DAMAGED, encoding="utf-8")
    return win, path


def test_a_settings_file_damaged_while_the_app_runs_is_kept_aside_and_said(qtbot, tmp_path) -> None:
    from app.core.settings import load_settings

    win, path = _window_then_settings_damaged(qtbot, tmp_path)
    win.search_bar.order.setCurrentIndex(1)  # oldest first: the app saves its settings
    wait_for_results(qtbot, win)
    [kept] = path.parent.glob("settings.json.unreadable-*")
    assert kept.read_text(encoding="utf-8") == DAMAGED
    assert kept.name in win.statusBar().currentMessage()
    assert any(kept.name in str(problem) for problem in win.errors_panel.problems())
    assert load_settings().oldest_first
    close_main_window(win)


def test_a_settings_file_damaged_while_the_app_runs_is_left_at_close_for_the_next_start_to_say(qtbot, tmp_path) -> None:
    from app.core.settings import load_settings_or_defaults

    win, path = _window_then_settings_damaged(qtbot, tmp_path)
    close_main_window(win)  # the layout is not saved over it, nor the file moved aside unseen

    assert path.read_text(encoding="utf-8") == DAMAGED
    assert list(path.parent.glob("settings.json.unreadable-*")) == []
    _, problem = load_settings_or_defaults()  # the next start says so
    assert "cannot read settings" in problem and "unreadable-" in problem

"""An upgrade of an older index is said while it runs: one line on stderr from the
command line (never on stdout, which --json keeps), a small window in the app before
its main window can exist."""

from __future__ import annotations

import json

import pytest

from app.cli.main import main
from app.core.index.backup import backup_folder, backups
from app.core.index.schema import LATEST_VERSION
from tests.test_index_upgrade_copy import OLD, _old_index, _version


def test_the_command_that_upgrades_says_so_in_one_line_on_stderr_and_the_next_says_nothing(
        tmp_path, monkeypatch, capsys):
    db = _old_index(tmp_path, monkeypatch)
    assert main(["--db", str(db), "stats", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["photos"] == 1
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert f"upgrading the index {db} from schema {OLD} to {LATEST_VERSION}" in lines[0]
    assert str(backups(db)[0]) in lines[0]
    assert main(["--db", str(db), "search", "--count", "petra"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "1" and err == ""


@pytest.mark.gui
def test_the_app_shows_a_window_while_it_upgrades_and_closes_it_before_the_main_window(
        qtbot, tmp_path, monkeypatch):
    pytest.importorskip("pytestqt")
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from app.gui.app import create_application, open_main_window
    from app.gui.upgrade_window import UpgradeWindow
    from tests.test_gui_support import close_main_window

    db = _old_index(tmp_path, monkeypatch)
    seen = []
    shown = UpgradeWindow.__call__

    def watched(self, step):
        shown(self, step)
        seen.append((self.dialog.isVisible(), self.dialog.labelText(), step.reached))

    monkeypatch.setattr(UpgradeWindow, "__call__", watched)
    create_application()
    window = open_main_window(db)
    qtbot.addWidget(window)
    try:
        assert seen and all(visible for visible, _, _ in seen)
        assert seen[0][1].startswith("Upgrading your index to this version (one time); a copy of the old one "
                                     f"is kept in {backup_folder(db)}")
        assert seen[-1][2] == LATEST_VERSION and _version(db) == LATEST_VERSION
        assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
    finally:
        close_main_window(window)

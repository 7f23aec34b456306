"""Status bar messages: a long one stays long enough to read."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from tests.test_gui_support import close_main_window  # noqa: E402

pytestmark = pytest.mark.gui


def test_a_long_status_message_stays_long_enough_to_read(qtbot, tmp_path, monkeypatch) -> None:
    from app.gui.app import create_application, open_main_window

    create_application()
    win = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(win)
    shown = []
    monkeypatch.setattr(win.statusBar(), "showMessage", lambda text, ms=0: shown.append((text, ms)))
    win.show_message("Wrote 3 photos.")
    win.show_message("Wrote 310 photos; 4 could not be written: " + ", ".join(f"DSC_{n:04}.JPG" for n in range(4))
                     + " are read-only (make them writable, then write again); 2 sidecars kept their other tools' tags.")
    win.show_message("x" * 5000)
    assert [ms for _, ms in shown][0] == 8000  # a short one: as before
    assert 8000 < shown[1][1] < 30000  # about 15 s for 230 characters
    assert shown[2][1] == 30000  # and never for good: the tooltip keeps it whole
    close_main_window(win)

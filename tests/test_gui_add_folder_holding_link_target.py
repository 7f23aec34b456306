"""The app's Add folder calls the scan core: a folder holding X/Drive, which a library
folder links to (library/d -> X/Drive), joins the library with its own photos only, and
the status bar says X/Drive stays the link's (each photo once, not a second time)."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("pytestqt")

from tests.test_gui_support import wait_for_job, window  # noqa: E402,F401
from tests.test_scan_of_folder_holding_link_target import _photo, _under_the_link, drive_in_x  # noqa: E402,F401

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt",
                                                  reason="symbolic links need privileges on Windows")]


def test_add_folder_holding_a_linked_folder_leaves_that_folder_to_the_link(qtbot, window, drive_in_x) -> None:
    _, library, x = drive_in_x
    assert window.add_folder(library)
    wait_for_job(qtbot, window)
    assert window.add_folder(x)
    wait_for_job(qtbot, window)
    message = window.statusBar().currentMessage()
    assert "1 photo, 1 new" in message and f"{x / 'Drive'} is in the library as {library / 'd'}; left there" in message
    rows = window.index.conn.execute("SELECT count(*) FROM photos").fetchone()[0]
    assert (rows, sorted(record.path for record in window.index.search(""))) == (4, _under_the_link(library, x))
    _photo(library / "L2.JPG", 5)
    assert window.check_library_folders()  # as at each start: said once, not again
    wait_for_job(qtbot, window)
    message = window.statusBar().currentMessage()
    assert "1 new photo" in message and "left there" not in message, message

"""Forget missing photos… counted the missing photos on the window's own thread (a direct
missing_photos call): that asks each library folder's disk and lists the missing photos'
folders, so a share that does not answer froze the window before the question showed.
Now a job counts them; the photos in iCloud it finds are marked found again, so the
library panel's "Missing photos" count agrees with what the question says goes."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from app.gui.library_tree import MISSING_QUERY, QueryRole  # noqa: E402
from tests.test_cloud_placeholders import evict  # noqa: E402
from tests.test_gui_support import added_folder, wait_for_job, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def _missing_item(window):  # noqa: F811
    tree = window.library_tree
    return next((tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                 if tree.topLevelItem(i).data(0, QueryRole) == MISSING_QUERY), None)


def test_the_missing_photos_are_counted_off_the_gui_thread(qtbot, window, monkeypatch) -> None:  # noqa: F811
    from app.core.index import forget

    counted_on, asked = [], []
    real = forget.missing_photos
    monkeypatch.setattr(forget, "missing_photos", lambda index, find_again=False: counted_on.append(
        threading.current_thread()) or real(index, find_again))
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args) or QMessageBox.StandardButton.No)
    window.forget_missing_photos()
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("No missing photo"), timeout=10000)
    assert counted_on and threading.main_thread() not in counted_on


def test_the_panel_stops_counting_a_photo_in_icloud_once_forget_has_counted(
        qtbot, window, tmp_path, monkeypatch) -> None:  # noqa: F811
    folder = added_folder(qtbot, window, tmp_path, count=4)
    in_icloud, deleted = sorted(folder.rglob("*.jpg"))[:2]
    evict(in_icloud, tmp_path / "kept.jpg")
    stand_in = in_icloud.with_name(f".{in_icloud.name}.icloud")
    stand_in.rename(tmp_path / "stand-in")  # as an older version saw it: the photo missing
    deleted.unlink()
    assert window.add_folder(folder)
    wait_for_job(qtbot, window)
    (tmp_path / "stand-in").rename(stand_in)
    qtbot.waitUntil(lambda: _missing_item(window) is not None and _missing_item(window).text(1) == "2", timeout=20000)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *_: asked.append(text)
                        or QMessageBox.StandardButton.No)
    window.forget_missing_photos()
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    assert asked[0].startswith("Forget 1 missing photo?")
    assert "1 missing photo stays: it is in iCloud" in asked[0]
    qtbot.waitUntil(lambda: _missing_item(window).text(1) == "1", timeout=20000)  # the one the question names
    assert window.index.count("is:missing") == 1

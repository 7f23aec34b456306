"""Forget missing photos…'s question said "Forget 1 missing photo, 1 with a label or
review of yours, 1 taught reference?" while the library panel counted 2 missing photos,
one of them in iCloud (a GUI tester): nothing said which one goes and that the other
stays with its labels; only the closing status line did, cut off."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from tests.test_gui_support import wait_for_job, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def _counted(monkeypatch, **counts) -> None:
    """Forget missing photos… counts `counts` (MissingPhotos' fields), whatever the index holds."""
    from app.core.index import forget
    from app.core.index.forget import MissingPhotos

    monkeypatch.setattr(forget, "missing_photos", lambda index, find_again=False: MissingPhotos(**counts))


def _question(qtbot, window, monkeypatch, **counts) -> str:  # noqa: F811
    """The question Forget missing photos… asks when it counts `counts` (answered No)."""
    asked = []
    _counted(monkeypatch, **counts)
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *_: asked.append(text)
                        or QMessageBox.StandardButton.No)
    assert window.forget_missing_photos()  # counted in a job, then asked
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    return asked[0]


def test_the_question_says_a_missing_photo_in_icloud_stays(qtbot, window, monkeypatch) -> None:  # noqa: F811
    asked = _question(qtbot, window, monkeypatch, photos=1, yours=1, taught=1, awaiting_scan=1, in_icloud=1)
    assert asked.startswith("Forget 1 missing photo, 1 with a label or review of yours, 1 taught reference?")
    assert "1 missing photo stays: it is in iCloud, not downloaded (Tag folder finds it again, with its labels)." \
        in asked


def test_nothing_to_forget_says_the_photos_in_icloud_stay(qtbot, window, monkeypatch) -> None:  # noqa: F811
    _counted(monkeypatch, photos=0, yours=0, taught=0, awaiting_scan=3, in_icloud=2)
    assert window.forget_missing_photos()
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("No missing photo"), timeout=10000)
    message = window.statusBar().currentMessage()
    assert message.startswith("No missing photo to forget. 2 missing photos stay: they are in iCloud")
    assert "1 missing photo stays: a scan that did not finish" in message


def test_the_question_says_the_photos_back_on_disk_stay(qtbot, window, monkeypatch) -> None:  # noqa: F811
    """A card plugged in again since the last scan: its photos are not forgotten (t_unicode-7)."""
    asked = _question(qtbot, window, monkeypatch, photos=1, yours=0, taught=0, back_on_disk=1, not_checked=2)
    assert "1 photo is back on disk and stays: Tag folder takes it in." in asked
    assert "2 missing photos stay: they could not be checked on disk" in asked

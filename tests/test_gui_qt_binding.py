"""The Qt binding must keep Python's reference counts straight: PySide6 6.12.0 under
CPython 3.11 drops a reference to None on every void call and to True on every
signal emit, so a running app dies with "deallocating None" after a while."""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.gui


def test_void_calls_and_emits_keep_reference_counts(qapp) -> None:
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QLabel

    class Source(QObject):
        changed = Signal(int)

    label, source = QLabel(), Source()
    source.changed.connect(lambda value: None)
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(500):
        label.setText("x")
        source.changed.emit(1)
    after = sys.getrefcount(None), sys.getrefcount(True)
    # immortal singletons (CPython 3.12+) report a fixed count; mortal ones must not drift
    assert abs(after[0] - before[0]) < 50 and abs(after[1] - before[1]) < 50, (before, after)

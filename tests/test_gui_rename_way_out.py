"""Rename… of a place the user taught under a model landmark's name was refused ("one of
the model's landmarks: its name comes with the model") without the way out: forget it
and teach its photos under the new name (a teaching tester)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_gui_teaching import taught_window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_a_taught_place_with_a_model_landmarks_name_is_told_how_to_get_another(taught_window, tiny_bundle) -> None:
    from app.core.teaching import teach

    win, ids = taught_window
    known = tiny_bundle.class_names()[0]
    assert "comes with the model" in win.why_name_is_fixed(known)
    assert "forget it" not in win.why_name_is_fixed(known)  # nothing of the user's is called so
    teach(win.index, known, ids["cabin"][:1], bundle=tiny_bundle)
    assert win.why_name_is_fixed(known).endswith(
        "To give your place another name, forget it (Forget… in Taught places) and teach its photos under the "
        "new name.")

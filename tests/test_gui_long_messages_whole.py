"""Teach…'s result (about 700 characters), Find suggestions' "No new suggestions…", a
teach of a missing photo and Forget missing photos…'s closing line went to the status
bar, which showed about 190 characters, cut mid-word (a GUI tester): the way out they
give never showed. A message too long for the status bar now shows whole above the
photos until closed; the status bar sums it up in its first sentence."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from tests.test_gui_support import window  # noqa: E402,F401

pytestmark = pytest.mark.gui

TAUGHT = ("Taught “Marseille weekend” from 3 photos. 1fe6b3d6554d.jpg looks unlike the other photos taught as "
          "“Marseille weekend” (as unlike as photos of two different landmarks): if it shows another place, teach "
          "it under that place's name (a photo teaches one place). 2 of the 3 photos taught as “Marseille weekend” "
          "are “Palais Longchamp” to the model and 1 is “Hotel Negresco”, landmarks of its own: each counts as one "
          "place with “Marseille weekend”, so their other photos keep a label; to name them all “Marseille "
          "weekend”, label them (L). Find suggestions in Review looks for it in your other photos.")


def test_a_message_too_long_for_the_status_bar_shows_whole_until_closed(qtbot, window) -> None:  # noqa: F811
    window.show_message(TAUGHT)

    assert window.message_bar.isVisible() and window.message_bar.message() == TAUGHT
    assert window.message_bar.text.wordWrap()
    assert window.statusBar().shown_text() == "Taught “Marseille weekend” from 3 photos. …"
    assert window.statusBar().currentMessage() == TAUGHT  # and its tooltip
    window.message_bar.close_button.setFocus()
    qtbot.keyClick(window.message_bar.close_button, Qt.Key.Key_Escape)
    assert not window.message_bar.isVisible() and window.message_bar.message() == ""
    assert window.grid.hasFocus()  # the keys act on the photos again


def test_a_short_message_stays_in_the_status_bar_and_closes_an_older_long_one(window) -> None:  # noqa: F811
    window.show_message("Accepted 1 photo")
    assert not window.message_bar.isVisible()
    assert window.statusBar().shown_text() == "Accepted 1 photo"

    window.show_message(TAUGHT)
    window.show_message("Took back the teaching of “Marseille weekend”: 3 photos as before it")
    assert not window.message_bar.isVisible()  # it spoke of the teach taken back


def test_the_status_bar_cuts_a_long_first_sentence_with_a_sign(window) -> None:  # noqa: F811
    from app.gui.message_bar import first_sentence

    assert first_sentence("taj1.jpg: the photo is missing. Put it back.") == "taj1.jpg: the photo is missing. …"
    assert first_sentence("One sentence only.") == "One sentence only."
    window.show_message("word " * 300)
    shown = window.statusBar().shown_text()
    assert shown.endswith("…") and window.statusBar().fontMetrics().horizontalAdvance(shown) < window.width()

"""Tag folder on a library holding a photo labelled from a damaged picture closed with
"… 1 unchanged photo labelled before from a damaged picture (`landmark-tagger --db …
stats --errors` lists them) …; 1 file could not be read (see Problems)" (GUI tester,
finding F2): the app's user was sent to a terminal for a list the Problems panel holds.
It says "(see Problems)" there too."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_gui_support import wait_for_job  # noqa: E402
from tests.test_gui_problems_follow_the_index import row_of, tagged, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_tag_folder_points_to_problems_for_a_photo_labelled_from_a_damaged_picture(qtbot, window, tagged) -> None:
    folder, _ = tagged
    window.jobs.tag([folder], "Tagging Rome")  # nothing changed: the damaged photo is said again
    wait_for_job(qtbot, window)
    said = window.statusBar().currentMessage()
    assert "1 unchanged photo labelled before from a damaged picture" in said, said
    assert said.endswith("(see Problems)") and said.count("see Problems") == 1, said  # said once, at the end
    assert "stats --errors" not in said and "landmark-tagger" not in said, said
    row_of(window, "DSC_0002.JPG", "damaged")  # where "see Problems" sends the user

"""Inside the app, a missing photo's hint (Teach… of a photo whose file is gone) led with
a terminal command and said "or Forget missing photos… in the app" without saying
where that is (a GUI tester): the user is in the app, and the action is only in the
right-click menu of Missing photos in the Library panel."""

from __future__ import annotations

from app.core.wording import FORGET_MISSING_HINT
from app.gui.app_words import in_app_words


def test_the_app_names_where_forget_missing_photos_is_before_the_command() -> None:
    core = (f"/p/taj1.jpg: the photo is missing, so this model cannot learn from it: put the file back and tag "
            f"its folder again, or {FORGET_MISSING_HINT}.")
    said = in_app_words(core, "/tmp/g4.db")
    assert said == ("/p/taj1.jpg: the photo is missing, so this model cannot learn from it: put the file back and "
                    "tag its folder again, or forget it (right-click Missing photos in the Library panel: "
                    "Forget missing photos…; in a terminal, `landmark-tagger --db /tmp/g4.db forget --missing`).")

"""What `teach` (and the app's Teach…) says about the photos a place is taught from: the
model's landmarks they are, every one named (app.core.teaching_look)."""

from __future__ import annotations

from app.core.teaching import TeachSummary
from app.core.teaching_look import TaughtLook

MUSEE = "Musee de la Marine (Toulon)"


def test_a_place_taught_from_photos_of_one_landmark_says_what_becomes_of_its_other_photos():
    look = TaughtLook("Maritime museum", 2, ((MUSEE, 2),))
    assert look.lines() == [
        f"the 2 photos taught as 'Maritime museum' are '{MUSEE}' to the model, one of its landmarks: the two "
        f"names count as one place, so its other photos keep a label, '{MUSEE}' where the model is sure of it "
        "or it fits better, else 'Maritime museum'; to name them all 'Maritime museum', label them with "
        "`landmark-tagger label`"]
    assert TaughtLook("Our cabin", 3).lines() == []  # a place the model does not know: nothing to say
    assert TaughtLook("Maritime museum", 3, ((MUSEE, 1),)).lines()[0].startswith(
        f"1 of the 3 photos taught as 'Maritime museum' is '{MUSEE}' to the model")


def test_photos_of_two_landmarks_taught_as_one_place_name_both():
    look = TaughtLook("Marseille weekend", 3, (("Palais Longchamp", 2), ("Hotel Negresco", 1)))
    (line,) = look.lines()
    assert line.startswith("2 of the 3 photos taught as 'Marseille weekend' are 'Palais Longchamp' to the model "
                           "and 1 is 'Hotel Negresco', landmarks of its own: each counts as one place with "
                           "'Marseille weekend'")
    assert look.to_json() == {"looks_like": [{"landmark": "Palais Longchamp", "photos": 2},
                                             {"landmark": "Hotel Negresco", "photos": 1}]}


def test_the_apps_teach_message_says_it_in_its_own_quotes():
    from app.gui.job_controller import teach_text

    summary = TeachSummary(label="Maritime museum", taught=2, photo_ids=[1, 2],
                           look=TaughtLook("Maritime museum", 2, ((MUSEE, 2),)))
    text = teach_text(summary, {}, {"Maritime museum": 2})
    assert text.startswith(f"Taught “Maritime museum” from 2 photos. The 2 photos taught as “Maritime museum” "
                           f"are “{MUSEE}” to the model, one of its landmarks: the two names count as one place")
    assert text.endswith("label them (L). Find suggestions in Review looks for it in your other photos.")

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
                                             {"landmark": "Hotel Negresco", "photos": 1}],
                              "unlike_the_others": []}


def test_the_apps_teach_message_says_it_in_its_own_quotes():
    from app.gui.job_controller import teach_text

    summary = TeachSummary(label="Maritime museum", taught=2, photo_ids=[1, 2],
                           look=TaughtLook("Maritime museum", 2, ((MUSEE, 2),)))
    text = teach_text(summary, {}, {"Maritime museum": 2})
    assert text.startswith(f"Taught “Maritime museum” from 2 photos. The 2 photos taught as “Maritime museum” "
                           f"are “{MUSEE}” to the model, one of its landmarks: the two names count as one place")
    assert text.endswith("label them (L). Find suggestions in Review looks for it in your other photos.")


def test_the_apps_teach_message_gives_the_places_new_total_when_it_had_photos():
    from app.gui.job_words import teach_text

    summary = TeachSummary(label="Maritime museum", taught=1, photo_ids=[3])
    assert teach_text(summary, {"Maritime museum": 2}, {"Maritime museum": 3}).startswith(
        "Taught “Maritime museum” from 1 photo (3 in all)")
    assert "in all" not in teach_text(summary, {}, {"Maritime museum": 1})


def test_a_photo_unlike_the_others_is_named_by_its_file_and_what_to_do():
    look = TaughtLook("Arezzo park", 3, unlike=("/photos/Arezzo/DSCN0025.jpg",))
    assert look.lines() == [
        "/photos/Arezzo/DSCN0025.jpg looks unlike the other photos taught as 'Arezzo park' (as unlike as photos "
        "of two different landmarks): if it shows another place, teach it under that place's name (a photo "
        "teaches one place)"]
    assert look.to_json()["unlike_the_others"] == ["/photos/Arezzo/DSCN0025.jpg"]
    several = TaughtLook("Trip", 9, unlike=tuple(f"/p/{n}.jpg" for n in range(5))).lines()[0]
    assert several.startswith("/p/0.jpg, /p/1.jpg, /p/2.jpg and 2 more look unlike the other photos taught as 'Trip'")
    all_unlike = TaughtLook("Trip", 3, unlike=("/p/a.jpg", "/p/b.jpg", "/p/c.jpg")).lines()[0]
    assert all_unlike.startswith("the 3 photos taught as 'Trip' look unlike each other")


def test_the_apps_teach_message_names_the_odd_photo_by_its_file_name():
    from app.gui.job_controller import teach_text

    look = TaughtLook("Arezzo park", 3, unlike=("/photos/Arezzo/DSCN0025.jpg",))
    text = teach_text(TeachSummary(label="Arezzo park", taught=3, photo_ids=[1, 2, 3], look=look), {},
                      {"Arezzo park": 3})
    assert text.startswith("Taught “Arezzo park” from 3 photos. DSCN0025.jpg looks unlike the other photos taught "
                           "as “Arezzo park” (as unlike as photos of two different landmarks)")


def test_the_odd_one_out_is_the_photo_as_unlike_the_others_as_two_landmarks_are():
    import numpy as np

    from app.core.teaching_odd import different_place_quantile, unlike_the_others

    rng = np.random.default_rng(0)
    looks = np.eye(32)[:4]  # four places, each with its own look

    def photos(place: int, count: int):
        return looks[place] + 0.6 * rng.normal(size=(count, 32)) / np.sqrt(32)

    gallery = np.concatenate([photos(place, 20) for place in range(4)])
    cut = different_place_quantile(gallery, np.repeat(np.arange(4), 20), 0.98)
    assert 0.0 < cut < 0.5
    park, street = photos(0, 2), photos(1, 1)
    assert unlike_the_others(np.concatenate([park, street]), cut).tolist() == [False, False, True]
    assert not unlike_the_others(photos(0, 5), cut).any()  # one place's photos: nothing to say
    assert not unlike_the_others(np.concatenate([park[:1], street]), cut).any()  # two photos: no odd one
    assert unlike_the_others(np.stack([photos(place, 1)[0] for place in range(3)]), cut).all()


def test_suggest_names_every_landmark_a_place_was_taught_from():
    from collections import Counter

    from app.core.teaching_held import HeldPlace, held_lines, held_places

    names = ["Palais Longchamp", "Hotel Negresco", "Petra"]
    held = held_places(Counter({0: 10, 1: 9}), {0: {"Marseille weekend"}, 1: {"Marseille weekend"}}, names, set())
    assert held == [HeldPlace("Marseille weekend", "Palais Longchamp", 10),
                    HeldPlace("Marseille weekend", "Hotel Negresco", 9)]
    assert held_lines(held, "(L)") == [
        "19 photos are recognised confidently as landmarks the model knows (10 as “Palais Longchamp”, 9 as "
        "“Hotel Negresco”), like the photos you taught as “Marseille weekend”, and keep those labels; if they "
        "show “Marseille weekend”, label them (L)"]
    assert held_places(Counter({0: 10, 1: 9}), {0: {"Marseille weekend"}, 1: {"Marseille weekend"}}, names,
                       {"Marseille weekend"}) == []  # a place that found suggestions is not held


def test_a_later_teach_names_only_its_own_photos_and_an_earlier_one_only_once_it_stands_out():
    """The tester's F4: every later teach of "Arezzo, Tuscany" said again that DSC_0001.NEF,
    taught earlier, looked unlike the others, as if the photo just taught were the odd one."""
    earlier, now = "/p/DSC_0001.NEF", "/p/DSC_0003.JPG"
    repeated = TaughtLook("Arezzo, Tuscany", 9, unlike=(earlier,), taught_now=(now,), unlike_before=(earlier,))
    assert repeated.lines() == []
    assert TaughtLook("Arezzo, Tuscany", 9, unlike=(earlier, now), taught_now=(now,),
                      unlike_before=(earlier,)).lines()[0].startswith(
        "/p/DSC_0003.JPG looks unlike the other photos taught as 'Arezzo, Tuscany' (as unlike")
    stands_out = TaughtLook("Arezzo, Tuscany", 3, unlike=(earlier,), taught_now=(now,)).lines()
    assert stands_out == [
        "an earlier taught photo, /p/DSC_0001.NEF, now looks unlike the other photos taught as 'Arezzo, Tuscany' "
        "(as unlike as photos of two different landmarks): if it shows another place, teach it under that "
        "place's name (a photo teaches one place)"]
    both = TaughtLook("Trip", 5, unlike=(earlier, now), taught_now=(now,)).lines()[0]
    assert both.startswith("/p/DSC_0003.JPG looks unlike the other photos taught as 'Trip', and an earlier taught "
                           "photo, /p/DSC_0001.NEF, now looks unlike the other photos taught as 'Trip' (as unlike as "
                           "photos of two different landmarks): if they show another place, teach them")

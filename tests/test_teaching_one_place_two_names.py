"""A place the user names their own way from photos of a landmark the model knows is one
place under two names (app.core.teaching_alike): its confidence is no longer split
between the two, so the landmark's other photos keep a label (a teaching tester's
"Maritime museum" took "Musee de la Marine (Toulon)" off 2 of its 10 other photos).
Synthetic embeddings: 3 known landmarks, each with its own look in the descriptor."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from app.core.teaching_alike import landmarks_alike
from app.core.teaching_scoring import TeachingConfig
from app.core.teaching_space import build_space, refine, score, top_predictions_with_taught
from model.descriptor import TeachingSettings
from model.places import FAR_FACTOR
from model.scoring import ScoringConfig, unit_vectors

THRESHOLD = 0.79  # the default bundle's, roughly


def _world(seed: int = 1):
    """A teaching space of 3 known landmarks k0..k2, and photos(landmark, count, spread):
    embeddings `spread` away from the landmark's centre (0.05: the model is sure; 1.1: it
    still says the landmark but is not sure enough to protect the photo), descriptors of
    the landmark's look."""
    rng = np.random.default_rng(seed)
    dim, fdim = 16, 24
    centres = np.eye(dim)[:3].astype(np.float32)
    looks = unit_vectors(rng.normal(size=(3, fdim)))
    classes = np.repeat(np.arange(3), 6)
    gallery_e = unit_vectors(centres[classes] + 0.1 * rng.normal(size=(18, dim)))
    gallery_d = unit_vectors(looks[classes] + 0.3 * rng.normal(size=(18, fdim)))
    space = build_space(["k0", "k1", "k2"], centres, ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1),
                        gallery_e, classes, gallery_d, TeachingSettings(), TeachingConfig())

    def photos(landmark: int, count: int, spread: float):
        e = unit_vectors(centres[landmark] + spread * unit_vectors(rng.normal(size=(count, dim))))
        d = unit_vectors(looks[landmark] + 0.3 * rng.normal(size=(count, fdim)))
        return e, d

    return space, photos


def _scored(space, library, taught, labels, alike):
    (library_e, library_d), (taught_e, taught_d) = library, taught
    vectors = space.vectors(library_e, library_d)
    refs = refine(space, library_e, vectors, labels, space.vectors(taught_e, taught_d))
    return score(space, library_e, vectors, refs, alike=alike)


def test_the_photos_a_place_is_taught_from_are_the_landmark_the_model_is_sure_of():
    space, photos = _world()
    sure_e, _ = photos(0, 2, 0.05)
    unsure_e, _ = photos(1, 1, 1.1)
    elsewhere_e = unit_vectors(np.eye(16)[7][None])  # near no landmark
    embeddings = np.concatenate([sure_e, unsure_e, elsewhere_e])
    places = ["Maritime museum", "Maritime museum", "Trip", "Cabin"]
    assert landmarks_alike(space, embeddings, places) == {"Maritime museum": Counter({0: 2})}
    # taught under the landmark's own name, it is that landmark already
    assert landmarks_alike(space, sure_e, ["k0", "k0"]) == {}
    # a replica taken far from the landmark is a place of its own
    far = np.array([[FAR_FACTOR, 1, 1], [1, 1, 1]], dtype=np.float32)
    assert landmarks_alike(space, sure_e, ["Replica"] * 2, far) == {"Replica": Counter({0: 1})}


def test_a_landmarks_photos_keep_a_label_when_the_user_names_it_their_own_way():
    space, photos = _world()
    taught = photos(0, 2, 0.05)
    library = photos(0, 20, 1.1)
    alike = landmarks_alike(space, taught[0], ["Maritime museum"] * 2)
    split = _scored(space, library, taught, ["Maritime museum"] * 2, None)  # as before: two places
    one = _scored(space, library, taught, ["Maritime museum"] * 2, alike)
    model_best = one.model_probabilities.max(axis=1)
    assert (model_best >= THRESHOLD).all()  # the model labels every one of them k0 by itself

    def labelled(scores):
        winner, value = scores.winners()
        _, kept = scores.untaught()
        return np.where(winner >= 0, value, kept)

    assert (labelled(split) < THRESHOLD).any()  # the case: the two names split the confidence
    together = labelled(one)
    assert (together >= THRESHOLD).all()
    # one place's confidence is at least what the model alone gave the landmark, never above 1
    assert (together >= model_best - 1e-6).all() and (together <= 1 + 1e-6).all()


def test_tag_gives_the_winning_name_the_confidence_of_both():
    """`tag` (top_predictions_with_taught) ranks as `suggest` does: the winning name first,
    with the two names' confidence."""
    from types import SimpleNamespace

    space, photos = _world()
    taught = photos(0, 2, 0.05)
    library = photos(0, 20, 1.1)
    alike = landmarks_alike(space, taught[0], ["Maritime museum"] * 2)
    scores = _scored(space, library, taught, ["Maritime museum"] * 2, alike)
    bundle = SimpleNamespace(labels=[SimpleNamespace(landmark_id=f"gld-{i}") for i in range(3)],
                             class_names=lambda: ["k0", "k1", "k2"])
    tops = top_predictions_with_taught(scores, bundle, 2)
    winner, value = scores.winners()
    _, kept = scores.untaught()
    for row, top in enumerate(tops):
        label, confidence = ("Maritime museum", value[row]) if winner[row] >= 0 else ("k0", kept[row])
        assert top[0].label == label and top[0].score == pytest.approx(confidence, rel=1e-5)
        assert top[0].score >= THRESHOLD


def test_a_place_that_is_not_the_landmark_still_competes_with_it():
    """Genuinely different places do not merge: a place taught from photos of another
    landmark (k1) gives nothing to k0's photos, which it lowers as any taught place does."""
    space, photos = _world()
    library = photos(0, 20, 1.1)
    taught = photos(1, 2, 0.05)
    alike = landmarks_alike(space, taught[0], ["Tower trip"] * 2)
    assert alike == {"Tower trip": Counter({1: 2})}
    with_alike = _scored(space, library, taught, ["Tower trip"] * 2, alike)
    without = _scored(space, library, taught, ["Tower trip"] * 2, None)
    np.testing.assert_array_equal(with_alike.untaught()[1], without.untaught()[1])
    np.testing.assert_array_equal(with_alike.winners()[1], without.winners()[1])


def test_a_name_the_user_rejected_for_a_photo_adds_nothing_to_it():
    space, photos = _world()
    taught = photos(0, 2, 0.05)
    library = photos(0, 20, 1.1)
    alike = landmarks_alike(space, taught[0], ["Maritime museum"] * 2)
    scores = _scored(space, library, taught, ["Maritime museum"] * 2, alike)
    plain = _scored(space, library, taught, ["Maritime museum"] * 2, None)
    blocked = np.zeros((20, 4), dtype=bool)
    blocked[:, 3] = True  # "Maritime museum" rejected for every photo
    np.testing.assert_allclose(scores.untaught(blocked)[1], plain.untaught()[1], rtol=1e-6)
    blocked[:, 3], blocked[:, 0] = False, True  # "k0" rejected: the taught name stands alone
    winner, value = scores.winners(blocked)
    plain_winner, plain_value = plain.winners(blocked)
    np.testing.assert_array_equal(winner, plain_winner)
    np.testing.assert_allclose(value, plain_value, rtol=1e-6)


@pytest.mark.parametrize("seed", [1, 2, 5])
@pytest.mark.parametrize("rejected", ["Maritime museum", "k0"])
def test_tag_lets_a_rejected_name_add_nothing_as_suggest_does(seed, rejected):
    """A name the user rejected for a photo lends no confidence to the other name of the
    same place in `tag` either (TagRun reads the photos' rejections): the first prediction
    not rejected scores as `suggest` scores it (the review found `tag` at 1.00 where `suggest`
    gave 0.50-0.77)."""
    from types import SimpleNamespace

    from app.core.index import PhotoIndex
    from app.core.tag_run import TagRun
    from app.core.teaching_scoring import RefinedReferences
    from tests.test_index import add_photo

    space, photos = _world(seed)
    (taught_e, taught_d), (library_e, library_d) = photos(0, 2, 0.05), photos(0, 30, 1.1)
    labels = ["Maritime museum"] * 2
    bundle = SimpleNamespace(labels=[SimpleNamespace(landmark_id=f"gld-{i}") for i in range(3)],
                             class_names=lambda: ["k0", "k1", "k2"])
    run = TagRun.__new__(TagRun)  # only what scoring a batch reads
    run.bundle, run.space, run.predictor = bundle, space, None
    run.taught = SimpleNamespace(labels=labels, vectors=space.vectors(taught_e, taught_d))
    run.alike = landmarks_alike(space, taught_e, labels)
    with PhotoIndex.open(":memory:") as index:
        run.index = index
        ids = [add_photo(index, "/lib/toulon", f"DSC_{n:04d}") for n in range(30)]
        with index.transaction() as conn:
            conn.executemany("INSERT INTO rejections (photo_id, label) VALUES (?, ?)", [(i, rejected) for i in ids])
        tops = run._top_predictions(library_e, space.model_cosines(library_e), library_d, None, ids)
    # what `suggest` gives each photo, from the same references
    scores = score(space, library_e, space.vectors(library_e, library_d),
                   RefinedReferences(labels, run.taught.vectors, {}), alike=run.alike)
    blocked = np.zeros((30, 4), dtype=bool)
    blocked[:, ["k0", "k1", "k2", "Maritime museum"].index(rejected)] = True
    winner, value = scores.winners(blocked)
    model_class, kept = scores.untaught(blocked)
    assert run.alike and (model_class == 0).all()
    for row, top in enumerate(tops):
        pick = next(p for p in top if p.label != rejected)
        if winner[row] >= 0:
            assert (pick.label, pick.score) == ("Maritime museum", pytest.approx(value[row], rel=1e-5))
        elif rejected != "k0":
            assert (pick.label, pick.score) == ("k0", pytest.approx(kept[row], rel=1e-5))
        elif pick.label == "Maritime museum":  # it did not win: never more than its own joint score
            assert pick.score <= scores.taught.probabilities[row, 3] + 1e-6


def test_a_place_is_the_landmarks_its_photos_are_only_when_a_third_of_them_are():
    space, photos = _world()
    sure_k0, _ = photos(0, 3, 0.05)
    sure_k1, _ = photos(1, 2, 0.05)
    elsewhere = unit_vectors(np.eye(16)[7:12])  # 5 photos near no landmark
    hotel = np.concatenate([elsewhere[:4], sure_k0[:1]])  # 4 of the hotel, 1 balcony view of k0
    assert landmarks_alike(space, hotel, ["Our hotel"] * 5) == {}
    trip = np.concatenate([sure_k0[:2], sure_k1[:1]])  # a trip of two landmarks, 2 + 1
    assert landmarks_alike(space, trip, ["Trip"] * 3) == {"Trip": Counter({0: 2, 1: 1})}
    two_views = np.concatenate([elsewhere, sure_k0[:1], sure_k1[:1]])  # 2 views of landmarks of 7
    assert landmarks_alike(space, two_views, ["Our hotel"] * 7) == {}
    pair = np.concatenate([sure_k0[:1], elsewhere[:1]])  # 1 of 2
    assert landmarks_alike(space, pair, ["Maritime museum"] * 2) == {"Maritime museum": Counter({0: 1})}
    third = np.concatenate([sure_k0[:1], elsewhere[:2]])  # 1 of 3
    assert landmarks_alike(space, third, ["Maritime museum"] * 3) == {"Maritime museum": Counter({0: 1})}
    # each place is counted on its own photos
    both = np.concatenate([hotel, sure_k0[1:]])
    assert landmarks_alike(space, both, ["Our hotel"] * 5 + ["Maritime museum"] * 2) == {
        "Maritime museum": Counter({0: 2})}


def test_a_balcony_view_among_a_hotels_taught_photos_gives_none_of_its_photos_the_landmark():
    """The review's case (seed 3): "Our hotel" taught from 4 photos of the hotel, which looks
    a little like k0, and 1 view of k0 from its balcony. Merged with k0 by that one photo,
    2 of the hotel's 40 other photos were labelled k0 over the threshold."""
    from types import SimpleNamespace

    space, photos = _world(3)
    rng = np.random.default_rng(103)
    centre = unit_vectors(np.eye(16)[7][None] + 0.45 * np.eye(16)[0][None])

    def hotel(count):
        return unit_vectors(centre + 0.25 * unit_vectors(rng.normal(size=(count, 16))))

    look = unit_vectors(rng.normal(size=(1, 24)))
    taught_e, taught_d = hotel(4), unit_vectors(look + 0.3 * rng.normal(size=(4, 24)))
    view_e, view_d = photos(0, 1, 0.05)
    taught = (np.concatenate([taught_e, view_e]), np.concatenate([taught_d, view_d]))
    library = (hotel(40), unit_vectors(look + 0.45 * rng.normal(size=(40, 24))))
    labels = ["Our hotel"] * 5
    bundle = SimpleNamespace(labels=[SimpleNamespace(landmark_id=f"gld-{i}") for i in range(3)],
                             class_names=lambda: ["k0", "k1", "k2"])
    alike = landmarks_alike(space, taught[0], labels)
    assert alike == {}
    tops = top_predictions_with_taught(_scored(space, library, taught, labels, alike), bundle, 2)
    assert not [top[0].score for top in tops if top[0].label == "k0" and top[0].score >= THRESHOLD]
    # as it was: the one view was enough to merge, and the landmark took 2 hotel photos
    merged = {"Our hotel": Counter({0: 1})}
    tops = top_predictions_with_taught(_scored(space, library, taught, labels, merged), bundle, 2)
    assert len([top for top in tops if top[0].label == "k0" and top[0].score >= THRESHOLD]) == 2

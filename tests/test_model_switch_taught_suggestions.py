"""Going back to a model keeps what the taught places say (finding F1 of the teaching cycle).

`suggest` labelled a photo with a taught place; `tag --model OTHER` and then `tag` with the
first model again gave the photo that model's stored answer from before the place was
taught ("no landmark"), while a re-tag, or the switch to the other model, gave the place.
Going back now scores the photo from its stored embedding with the taught places, as a
tag run would: no photo is decoded, the user's rejections still hold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core.index import PhotoIndex
from app.core.tagging import TagOptions, tag
from app.core.teaching import teach
from app.core.teaching_suggest import SuggestOptions, suggest
from model.bundle import load_bundle
from model.bundle_writer import resave_bundle

PLACE = "Our cabin"


@pytest.fixture(scope="module")
def other_bundle(tiny_bundle, tmp_path_factory) -> Path:
    """The same network saved as another model (another id), as the tester's v2.ltbundle."""
    return resave_bundle(tiny_bundle, tmp_path_factory.mktemp("other") / "other.ltbundle", name="other").path


def cabin_photos(folder: Path) -> dict[str, Path]:
    """The cabin taught from two photos, two more saves of the same scene (the ones
    `suggest` finds), and two photos of something else."""
    folder.mkdir()
    rng = np.random.default_rng(7)
    scene = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8), "RGB").resize(
        (320, 240), Image.Resampling.BILINEAR)
    paths = {}
    for name, quality in (("taught_1", 95), ("taught_2", 90), ("found", 80), ("rejected", 75)):
        paths[name] = folder / f"{name}.jpg"
        scene.save(paths[name], "JPEG", quality=quality)
    for seed in (1, 2):
        other = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
        paths[f"else_{seed}"] = folder / f"else_{seed}.jpg"
        Image.fromarray(other, "RGB").resize((320, 240), Image.Resampling.BILINEAR).save(paths[f"else_{seed}"])
    return paths


def options(bundle: Path, threshold: float, retag: bool = False) -> TagOptions:
    return TagOptions(model=Path(bundle), threshold=threshold, workers=0, batch_size=2, threads=1, retag=retag)


def answer(index: PhotoIndex, photo_id: int) -> tuple:
    record = index.get(photo_id)
    return record.label, record.landmark_id, record.source, record.state, record.model_id


def test_going_back_to_a_model_keeps_the_taught_places_suggestions(tmp_path, tiny_bundle, other_bundle):
    paths = cabin_photos(tmp_path / "trip")
    threshold = 0.5
    with PhotoIndex.open(tmp_path / "index.db") as index:
        tag(index, [paths["found"].parent], options(tiny_bundle.path, threshold))
        by_name = {Path(record.path).name: record.id for record in index.search("")}
        ids = {name: by_name[path.name] for name, path in paths.items()}
        assert index.get(ids["found"]).label != PLACE  # tagged before the place was taught
        teach(index, PLACE, [paths["taught_1"], paths["taught_2"]], bundle=tiny_bundle)
        found = {s.photo_id: s.label for s in suggest(index, "", SuggestOptions(threshold=threshold),
                                                       bundle=tiny_bundle)}
        assert found.get(ids["found"]) == found.get(ids["rejected"]) == PLACE
        index.set_state([ids["rejected"]], "rejected")  # the user said no to the cabin there

        tag(index, [paths["found"].parent], options(other_bundle, threshold))
        other = load_bundle(other_bundle)
        assert answer(index, ids["found"])[0::4] == (PLACE, other.id)  # the switch keeps it

        back = tag(index, [paths["found"].parent], options(tiny_bundle.path, threshold))
        assert back.tagged == 0  # nothing decoded: up to date for this model
        assert answer(index, ids["found"]) == (PLACE, "taught:" + PLACE, "model", "suggested", tiny_bundle.id)
        assert index.get(ids["found"]).score >= threshold
        rejected = index.get(ids["rejected"])  # a rejected suggestion never comes back: the rejection stays
        assert rejected.label != PLACE or rejected.state == "rejected"
        for name in ("taught_1", "taught_2"):  # the user's word, untouched
            record = index.get(ids[name])
            assert (record.label, record.source, record.state) == (PLACE, "user", "accepted")
        assert_a_retag_gives_the_same(index, ids, paths["found"].parent, tiny_bundle.path, threshold)


def test_a_place_taught_under_the_other_model_is_scored_when_the_first_comes_back(
        tmp_path, tiny_bundle, other_bundle):
    """The place was taught while the other model was in use: going back gives the first
    model a reference of it from the taught photos' stored vectors (nothing decoded)."""
    paths = cabin_photos(tmp_path / "trip")
    threshold = 0.5
    trip = paths["found"].parent
    with PhotoIndex.open(tmp_path / "index.db") as index:
        tag(index, [trip], options(tiny_bundle.path, threshold))
        tag(index, [trip], options(other_bundle, threshold))
        by_name = {Path(record.path).name: record.id for record in index.search("")}
        ids = {name: by_name[path.name] for name, path in paths.items()}
        teach(index, PLACE, [paths["taught_1"], paths["taught_2"]], bundle=load_bundle(other_bundle))
        tag(index, [trip], options(other_bundle, threshold, retag=True))  # the other model's answer with the place
        assert index.get(ids["found"]).label == PLACE

        back = tag(index, [trip], options(tiny_bundle.path, threshold))
        assert back.tagged == 0 and ids["found"] in back.relabelled
        assert answer(index, ids["found"]) == (PLACE, "taught:" + PLACE, "model", "suggested", tiny_bundle.id)
        assert_a_retag_gives_the_same(index, ids, trip, tiny_bundle.path, threshold)


def assert_a_retag_gives_the_same(index: PhotoIndex, ids: dict[str, int], folder: Path, bundle: Path,
                                  threshold: float) -> None:
    """What going back gave each photo is what a re-tag with that model gives it."""
    kept = {name: (answer(index, photo_id), index.get(photo_id).score) for name, photo_id in ids.items()}
    tag(index, [folder], options(bundle, threshold, retag=True))
    for name, photo_id in ids.items():
        assert answer(index, photo_id) == kept[name][0], name
        if kept[name][1] is not None:
            assert index.get(photo_id).score == pytest.approx(kept[name][1], abs=1e-3), name

"""Where landmarks are (model.places): a photo whose GPS position is far from a landmark
keeps 1 % of that landmark's score, in `tag`, in `suggest` and in the detail pane; the
places travel in the bundle's labels.json and `landmark-train places` sets them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from app.core.index import PhotoIndex
from app.core.tagging import TagOptions, tag
from model.bundle import LabelEntry, labels_with_places, load_bundle, read_places
from model.bundle_writer import resave_bundle
from model.errors import BundleError
from model.places import FAR_FACTOR, Place, distances_km, location_factors, read_places_csv
from tests.test_index_support import jpeg_bytes

PARIS, MARSEILLE, ROME = (48.8566, 2.3522), (43.2965, 5.3698), (41.8902, 12.4922)


def test_distances_are_great_circle_kilometres() -> None:
    km = distances_km(*PARIS, np.array([MARSEILLE[0], PARIS[0]]), np.array([MARSEILLE[1], PARIS[1]]))
    assert 650 < km[0] < 670 and km[1] == pytest.approx(0.0, abs=1e-6)


def test_a_far_landmark_keeps_a_small_share_and_everything_else_is_untouched() -> None:
    places = [Place(*ROME, 40), None, Place(*MARSEILLE, 30)]  # the middle landmark has no place
    factors = location_factors(places, [ROME, None, PARIS, (43.40, 5.40)])
    np.testing.assert_allclose(factors, [
        [1.0, 1.0, FAR_FACTOR],  # taken in Rome: Marseille is far
        [1.0, 1.0, 1.0],  # no GPS position: nothing ruled out
        [FAR_FACTOR, 1.0, FAR_FACTOR],
        [FAR_FACTOR, 1.0, 1.0],  # 13 km from the centre, inside the 30 km radius
    ], rtol=1e-6)
    assert location_factors(places, [None, None]) is None
    assert location_factors([None, None, None], [ROME]) is None
    assert location_factors(places[:2], [(41.9, 12.5)]) is None  # nothing far: no multiplication needed


def test_a_place_must_be_on_earth_with_a_positive_radius(tmp_path) -> None:
    with pytest.raises(ValueError, match="not a position on Earth"):
        Place(95.0, 0.0, 10)
    with pytest.raises(ValueError, match="must be positive"):
        Place(0.0, 0.0, 0)
    bad = tmp_path / "places.csv"
    bad.write_text("name,lat,lon,radius_km\nColosseum,41.89,12.49,40\nTaj Mahal,north,78.04,40\n", encoding="utf-8")
    with pytest.raises(BundleError, match="line 3"):
        read_places_csv(bad)
    with pytest.raises(BundleError, match="cannot read"):
        read_places_csv(tmp_path / "missing.csv")


@pytest.fixture(scope="module")
def placed_bundle(tiny_bundle, tmp_path_factory):
    """The tiny bundle with Colosseum in Rome and Taj Mahal in Agra; Eiffel Tower has no place."""
    path = tmp_path_factory.mktemp("placed") / "placed.ltbundle"
    labels = labels_with_places(tiny_bundle.labels, {"Colosseum": Place(*ROME, 40),
                                                     "Taj Mahal": Place(27.1751, 78.0421, 40)})
    return resave_bundle(tiny_bundle, path, labels=labels)


def test_places_travel_in_labels_json_and_change_the_bundle_id(tiny_bundle, placed_bundle) -> None:
    loaded = load_bundle(placed_bundle.path)
    assert loaded.places() == [None, Place(*ROME, 40), Place(27.1751, 78.0421, 40)]
    assert loaded.id != tiny_bundle.id and loaded.onnx_bytes == tiny_bundle.onnx_bytes
    assert read_places(placed_bundle.path) == {"Colosseum": Place(*ROME, 40), "Taj Mahal": Place(27.1751, 78.0421, 40)}
    assert read_places(Path(placed_bundle.path).with_name("missing.ltbundle")) == {}
    with pytest.raises(BundleError, match="'Colloseum'"):
        labels_with_places(tiny_bundle.labels, {"Colloseum": Place(*ROME, 40)})


def test_a_damaged_place_in_labels_json_is_named(tiny_bundle, tmp_path) -> None:
    folder = tmp_path / "folder-bundle"
    resave_bundle(tiny_bundle, folder, as_folder=True,
                  labels=[LabelEntry("1", "Eiffel Tower"), LabelEntry("2", "Colosseum"), LabelEntry("3", "Taj Mahal")])
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    labels[1]["place"] = {"lat": 41.9}
    (folder / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    with pytest.raises(BundleError, match="labels.json"):
        load_bundle(folder)


def test_landmark_train_places_sets_them_and_keeps_the_network(tiny_bundle, tmp_path) -> None:
    from training.cli import main

    csv_path = tmp_path / "places.csv"
    csv_path.write_text("name,lat,lon,radius_km\nColosseum,41.8902,12.4922,40\n", encoding="utf-8")
    out = tmp_path / "with-places.ltbundle"
    assert main(["places", str(tiny_bundle.path), str(csv_path), "--out", str(out)]) == 0
    bundle = load_bundle(out)
    assert bundle.places() == [None, Place(41.8902, 12.4922, 40), None]
    with zipfile.ZipFile(out) as archive:
        assert archive.read("model.onnx") == tiny_bundle.onnx_bytes
    csv_path.write_text("name,lat,lon,radius_km\nEiffel Tour,48.85,2.29,20\n", encoding="utf-8")
    assert main(["places", str(out), str(csv_path)]) == 2  # a misspelt landmark: nothing written
    assert load_bundle(out).id == bundle.id


def test_tagging_rules_out_a_landmark_far_from_where_the_photo_was_taken(placed_bundle, tmp_path) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    index = PhotoIndex.open(tmp_path / "index.db")
    options = TagOptions(model=Path(placed_bundle.path), threshold=0.0, workers=0)
    write_textured_jpeg(folder / "NO_GPS.jpg")
    results = {Path(r.path).name: r for r in _tagged(index, folder, options)}
    free = results["NO_GPS.jpg"].top
    # The same pixels taken in Paris (Eiffel Tower has no place), then in Rome.
    for name, position in (("PARIS.jpg", PARIS), ("ROME.jpg", ROME)):
        write_textured_jpeg(folder / name, gps=position)
    results = {Path(r.path).name: r for r in _tagged(index, folder, options)}
    scores = {name: {p.label: p.score for p in results[name].top} for name in ("PARIS.jpg", "ROME.jpg")}
    unplaced = {p.label: p.score for p in free}
    assert scores["PARIS.jpg"]["Eiffel Tower"] == pytest.approx(unplaced["Eiffel Tower"], rel=1e-5)
    for far in ("Colosseum", "Taj Mahal"):
        assert scores["PARIS.jpg"][far] == pytest.approx(unplaced[far] * FAR_FACTOR, rel=1e-4)
    assert scores["ROME.jpg"]["Colosseum"] == pytest.approx(unplaced["Colosseum"], rel=1e-5)
    assert scores["ROME.jpg"]["Taj Mahal"] == pytest.approx(unplaced["Taj Mahal"] * FAR_FACTOR, rel=1e-4)
    # what is stored is what was said: a later threshold change re-decides from it
    stored = index.predictions(results["PARIS.jpg"].photo_id)
    assert {p.label: p.score for p in stored}["Colosseum"] == pytest.approx(scores["PARIS.jpg"]["Colosseum"])
    index.close()


def write_textured_jpeg(path: Path, gps: tuple[float, float] | None = None) -> None:
    """The same textured picture every time (a flat one would be a blank frame), with a GPS position or none."""
    import io

    from PIL import Image

    exif = Image.open(io.BytesIO(jpeg_bytes(gps=gps))).info["exif"]
    pixels = np.random.default_rng(7).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, "JPEG", exif=exif, quality=95)


def _tagged(index, folder, options):
    found = []
    tag(index, [folder], options, on_result=found.append)
    return found


def test_the_detail_pane_says_which_landmarks_are_far_and_how_far() -> None:
    from app.core.index.records import PhotoRecord, Prediction
    from app.gui.detail_pane import far_landmarks, far_note

    record = PhotoRecord(id=1, path="/p/DSCN0012.jpg", folder="/p", gps_lat=43.466, gps_lon=11.879)  # Arezzo
    top = [Prediction("h", "Haleakala National Park", 0.0098), Prediction("c", "Colosseum", 0.004),
           Prediction("e", "Eiffel Tower", 0.002)]
    places = {"Haleakala National Park": Place(20.7204, -156.1552, 40), "Colosseum": Place(*ROME, 40)}
    far = far_landmarks(record, top, places)
    assert list(far) == ["Haleakala National Park", "Colosseum"]  # Eiffel Tower has no place: not said
    assert far["Haleakala National Park"] > 12000 and 150 < far["Colosseum"] < 200  # Arezzo–Rome
    assert far_landmarks(PhotoRecord(id=2, path="/p/x.jpg"), top, places) == {}  # no GPS position
    assert "far from 2 of these landmarks" in far_note(2, 3) and "far from all of these" in far_note(3, 3)

"""The tagging pipeline on generated photos with a tiny real bundle: what gets
classified, what is stored, incremental runs, thresholds, errors, cancelling."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core.errors import UsageError
from app.core.index import PhotoIndex
from app.core.progress import CancelToken
from app.core.tagging import TOP_K, TagOptions, tag

LABELS = ["Eiffel Tower", "Colosseum", "Taj Mahal"]  # the shared tiny_bundle's classes


@pytest.fixture(scope="module")
def bundle_path(tiny_bundle) -> Path:
    return Path(tiny_bundle.path)


@pytest.fixture(scope="module")
def other_bundle_path(tiny_bundle, tmp_path_factory) -> Path:
    """The same network saved as another model (another id), as after an update."""
    from model.bundle_writer import save_bundle

    path = tmp_path_factory.mktemp("bundles") / "other.ltbundle"
    save_bundle(
        path, onnx_bytes=tiny_bundle.onnx_bytes, labels=tiny_bundle.labels,
        preprocessing=tiny_bundle.preprocessing, embedding_size=tiny_bundle.embedding_size,
        name="other", scoring=tiny_bundle.scoring, threshold=tiny_bundle.threshold,
    )
    return path


def expected_top(count: int = len(LABELS)) -> int:
    return min(TOP_K, count)


def photo(path: Path, seed: int, size=(320, 240)) -> Path:
    """A JPEG with its own colours, so each photo gets its own embedding."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    Image.fromarray(base, "RGB").resize(size, Image.Resampling.BILINEAR).save(path, "JPEG", quality=90)
    return path


@pytest.fixture
def library(tmp_path) -> Path:
    """Three JPEGs and a JPEG+DNG pair in a folder."""
    from tests.test_decode_raw import gray_sensor, green_preview, write_dng

    folder = tmp_path / "Iceland"
    folder.mkdir()
    for i in range(3):
        photo(folder / f"IMG_{i:04d}.jpg", seed=i)
    photo(folder / "DSC_8188.jpg", seed=10)
    write_dng(folder / "DSC_8188.dng", green_preview(), gray_sensor())
    return folder


@pytest.fixture
def index() -> PhotoIndex:
    opened = PhotoIndex.open(":memory:")
    yield opened
    opened.close()


def options(bundle: Path, **overrides) -> TagOptions:
    values = dict(model=bundle, workers=0, batch_size=2, threads=1)
    values.update(overrides)
    return TagOptions(**values)


def test_tagging_a_folder_stores_top5_embeddings_and_a_suggestion(index, library, bundle_path):
    results = []
    summary = tag(index, [library], options(bundle_path, threshold=0.0), on_result=results.append)
    assert summary.tagged == 4 and summary.errors == 0 and not summary.cancelled
    assert summary.scan is not None and summary.scan.new == 4
    assert len(results) == 4
    model_id = summary.model_id
    for record in index.search(""):
        top = index.predictions(record.id, model_id)
        assert len(top) == expected_top()
        scores = [p.score for p in top]
        assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
        assert all(p.label in LABELS for p in top)
        assert record.label == top[0].label and record.state == "suggested" and record.source == "model"
        (blob,) = index.conn.execute(
            "SELECT vector FROM embeddings WHERE photo_id = ? AND model_id = ?", (record.id, model_id)
        ).fetchone()
        vector = np.frombuffer(blob, dtype=np.float32)
        assert vector.shape == (32,) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3


def test_jpeg_raw_pair_is_classified_once_from_the_jpeg(index, library, bundle_path):
    results = []
    tag(index, [library], options(bundle_path), on_result=results.append)
    pair = [r for r in results if "DSC_8188" in r.path]
    assert len(pair) == 1
    (result,) = pair
    assert result.decoded_from.endswith("DSC_8188.jpg")
    assert sorted(Path(f).suffix for f in result.files) == [".dng", ".jpg"]
    assert len(result.top) == expected_top()


def test_raw_alone_is_classified_from_its_preview(index, tmp_path, bundle_path):
    from tests.test_decode_raw import gray_sensor, green_preview, write_dng

    write_dng(tmp_path / "only.dng", green_preview(), gray_sensor())
    results = []
    summary = tag(index, [tmp_path], options(bundle_path), on_result=results.append)
    assert summary.tagged == 1 and results[0].decoded_from.endswith("only.dng")


def test_second_run_only_classifies_new_and_changed_photos(index, library, bundle_path):
    first = tag(index, [library], options(bundle_path))
    assert first.tagged == 4
    again = tag(index, [library], options(bundle_path))
    assert again.tagged == 0 and again.up_to_date == 4
    photo(library / "IMG_0001.jpg", seed=99, size=(330, 250))  # edited in place
    photo(library / "IMG_0100.jpg", seed=100)  # new
    results = []
    third = tag(index, [library], options(bundle_path), on_result=results.append)
    assert third.tagged == 2 and third.up_to_date == 3
    assert sorted(Path(r.path).name for r in results) == ["IMG_0001.jpg", "IMG_0100.jpg"]


def test_retag_and_a_new_model_classify_everything_again(index, library, bundle_path, other_bundle_path):
    tag(index, [library], options(bundle_path))
    assert tag(index, [library], options(bundle_path, retag=True)).tagged == 4
    other = tag(index, [library], options(other_bundle_path))
    assert other.tagged == 4 and other.up_to_date == 0
    photo_id = index.photo_ids("")[0]
    models = {row[0] for row in index.conn.execute("SELECT model_id FROM tagged WHERE photo_id = ?", (photo_id,))}
    assert len(models) == 2


def test_below_threshold_is_no_landmark_but_keeps_top5(index, library, bundle_path):
    results = []
    summary = tag(index, [library], options(bundle_path, threshold=1.0), on_result=results.append)
    assert summary.no_landmark == 4
    for result in results:
        assert result.label is None and result.landmark_id is None
        assert result.score == pytest.approx(result.top[0].score)
        json_line = result.to_json()
        assert json_line["label"] is None and len(json_line["top"]) == expected_top()
    for record in index.search(""):
        assert record.label is None and len(index.predictions(record.id)) == expected_top()


def test_a_new_threshold_relabels_tagged_photos_without_decoding_them(index, library, bundle_path):
    """`tag --threshold T` (or Settings) on photos tagged before: their stored top-1
    decides again, a label `suggest` re-scored on its own score; the user's labels and
    rejected landmarks stay as they are."""
    first = tag(index, [library], options(bundle_path, threshold=1.0))
    assert first.no_landmark == 4 and first.relabelled == []
    records = {Path(r.path).name: r for r in index.search("")}
    mine, rejected, rescored, plain = (records[n].id for n in ("IMG_0000.jpg", "IMG_0001.jpg", "IMG_0002.jpg",
                                                               "DSC_8188.jpg"))
    index.set_label(mine, "Our cabin", source="user", state="accepted")
    top = {photo_id: index.predictions(photo_id)[0] for photo_id in (rejected, rescored, plain)}
    index.set_label(rejected, top[rejected].label, source="model", state="suggested",
                    score=top[rejected].score, model_id=first.model_id)
    index.set_state([rejected], "rejected")
    rescored_score = top[rescored].score / 2
    index.set_label(rescored, None, source="model", state="suggested",  # as `suggest` leaves it
                    score=rescored_score, model_id=first.model_id)
    index.set_label(rejected, None, source="model", state="suggested", score=top[rejected].score,
                    model_id=first.model_id)  # a later run's "no landmark", the landmark still rejected

    # between the re-scored photo's score and the plain one's: only the plain one is labelled
    between = (rescored_score + top[plain].score) / 2
    assert rescored_score < between < top[plain].score
    again = tag(index, [library], options(bundle_path, threshold=between))
    assert again.tagged == 0 and again.up_to_date == 4
    # the "no landmark" an older version left over the rejection goes back to the rejection (88397cd)
    assert sorted(again.relabelled) == sorted([plain, rejected]) and index.get(plain).label == top[plain].label
    assert (index.get(rejected).label, index.get(rejected).state) == (top[rejected].label, "rejected")
    assert (index.get(mine).label, index.get(rescored).label) == ("Our cabin", None)
    assert "2 relabelled for this model and threshold" in again.line() and "without a landmark" not in again.line()

    # under the re-scored photo's own score it is labelled too, its score kept
    lower = tag(index, [library], options(bundle_path, threshold=rescored_score * 0.9))
    assert lower.relabelled == [rescored]
    assert index.get(rescored).label == top[rescored].label
    assert index.get(rescored).score == pytest.approx(rescored_score)
    assert (index.get(mine).label, index.get(rejected).label) == ("Our cabin", top[rejected].label)
    assert index.get(rejected).state == "rejected"

    back = tag(index, [library], options(bundle_path, threshold=1.0))
    assert sorted(back.relabelled) == sorted([plain, rescored])
    assert index.get(plain).label is None and index.get(rescored).label is None
    assert (index.get(rejected).label, index.get(rejected).state) == (top[rejected].label, "rejected")


def test_threshold_defaults_to_the_bundles(index, library, bundle_path):
    from model.bundle import load_bundle

    threshold = load_bundle(bundle_path).threshold
    results = []
    tag(index, [library], options(bundle_path), on_result=results.append)
    for result in results:
        assert (result.label is not None) == (result.top[0].score >= threshold)


def test_tagging_by_photo_ids_without_scanning(index, library, bundle_path):
    from app.core.scanner import scan

    scan(index, [library])
    ids = index.photo_ids("")[:2]
    summary = tag(index, ids, options(bundle_path))
    assert summary.scan is None and summary.tagged == 2


def test_unreadable_files_are_recorded_and_the_job_goes_on(index, library, bundle_path):
    from app.core.scanner import scan

    scan(index, [library])
    (library / "IMG_0000.jpg").write_bytes(b"no longer a jpeg" * 64)  # broken after the scan
    os.remove(library / "IMG_0002.jpg")
    results = []
    summary = tag(index, index.photo_ids(""), options(bundle_path), on_result=results.append)
    assert summary.tagged == 2 and summary.errors == 2
    errors = index.errors(stage="decode")
    assert sorted(Path(e.path).name for e in errors) == ["IMG_0000.jpg", "IMG_0002.jpg"]
    assert all(e.photo_id is not None for e in errors)
    failed = [r for r in results if r.error]
    assert len(failed) == 2 and all(r.to_json()["error"] for r in failed)


def test_a_pair_whose_jpeg_is_broken_falls_back_to_the_raw(index, library, bundle_path):
    from app.core.scanner import scan

    scan(index, [library])
    (library / "DSC_8188.jpg").write_bytes(b"broken" * 100)
    results = []
    summary = tag(index, index.photo_ids(""), options(bundle_path), on_result=results.append)
    assert summary.errors == 0
    (pair,) = [r for r in results if "DSC_8188" in r.path]
    assert pair.decoded_from.endswith("DSC_8188.dng")


def test_cancel_stops_and_keeps_what_was_done(index, library, bundle_path):
    cancel = CancelToken()
    done = []

    def stop_after_first(result) -> None:
        done.append(result)
        cancel.cancel()

    summary = tag(index, [library], options(bundle_path, batch_size=1), cancel=cancel, on_result=stop_after_first)
    assert summary.cancelled and summary.tagged == 1
    stored = index.conn.execute("SELECT count(*) FROM tagged").fetchone()[0]
    assert stored == 1
    rest = tag(index, [library], options(bundle_path))
    assert rest.tagged == 3 and rest.up_to_date == 1


def test_progress_counts_up_to_the_total(index, library, bundle_path):
    reports = []
    tag(index, [library], options(bundle_path), progress=reports.append)
    tagging = [r for r in reports if r.message == "tagging"]
    assert tagging[-1].done == tagging[-1].total == 4
    assert [r.done for r in tagging] == sorted(r.done for r in tagging)


def test_missing_default_bundle_names_the_model_option(index, library, monkeypatch, tmp_path):
    monkeypatch.setattr("model.bundle.default_bundle_path", lambda: tmp_path / "absent.ltbundle")
    with pytest.raises(UsageError, match="--model"):
        tag(index, [library], TagOptions(workers=0))


def test_corrupt_bundle_is_a_clear_error(index, library, tmp_path):
    from model.errors import ModelError

    broken = tmp_path / "broken.ltbundle"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="broken.ltbundle"):
        tag(index, [library], options(broken))


def test_bad_options_are_usage_errors(index, library, bundle_path):
    with pytest.raises(UsageError, match="threshold"):
        tag(index, [library], options(bundle_path, threshold=1.5))
    with pytest.raises(UsageError, match="batch size"):
        tag(index, [library], options(bundle_path, batch_size=0))


@pytest.mark.slow
def test_spawned_workers_give_the_same_predictions_as_in_process(tmp_path, library, bundle_path):
    in_process, spawned = [], []
    with PhotoIndex.open(tmp_path / "a.db") as first:
        tag(first, [library], options(bundle_path), on_result=in_process.append)
    with PhotoIndex.open(tmp_path / "b.db") as second:
        summary = tag(second, [library], options(bundle_path, workers=2), on_result=spawned.append)
    assert summary.tagged == 4
    by_path = {r.path: r for r in in_process}
    for result in spawned:
        expected = by_path[result.path]
        assert [p.landmark_id for p in result.top] == [p.landmark_id for p in expected.top]
        assert result.score == pytest.approx(expected.score, abs=1e-5)


@pytest.mark.integration
@pytest.mark.slow
def test_real_camera_files_are_tagged_and_stubs_are_errors(index, shared_data, bundle_path):
    camera = shared_data / "camera"
    summary = tag(index, [camera / "jpeg", camera / "raw", camera / "raw_stubs"], options(bundle_path))
    jpegs = len(list((camera / "jpeg").glob("*.jpg")))
    raws = len(list((camera / "raw").iterdir()))
    assert summary.tagged == jpegs + raws
    stubs = len(list((camera / "raw_stubs").iterdir()))
    scan_errors = summary.scan.errors if summary.scan else 0
    assert summary.errors + scan_errors >= stubs  # refused at scan or at decode, never crashed


def test_bundle_whose_labels_do_not_match_the_network_is_refused(index, library, tiny_bundle, tmp_path):
    """A hand-edited bundle: two labels (hashes updated) for a three-class network."""
    import hashlib
    import json
    import zipfile

    from model.errors import BundleError

    labels = json.dumps([{"landmark_id": "1", "name": "Only"}, {"landmark_id": "2", "name": "Two"}]).encode()
    mismatched = tmp_path / "mismatched.ltbundle"
    with zipfile.ZipFile(tiny_bundle.path) as source, zipfile.ZipFile(mismatched, "w") as target:
        manifest = json.loads(source.read("bundle.json"))
        manifest["num_classes"] = 2
        manifest["members"]["labels.json"] = hashlib.sha256(labels).hexdigest()
        for info in source.infolist():
            data = {"labels.json": labels, "bundle.json": json.dumps(manifest).encode()}.get(info.filename)
            target.writestr(info.filename, data if data is not None else source.read(info))
    with pytest.raises(BundleError, match="2 labels"):
        tag(index, [library], options(mismatched))


def test_cancel_during_the_scan_classifies_nothing(index, library, bundle_path):
    cancel = CancelToken()
    cancel.cancel()
    summary = tag(index, [library], options(bundle_path), cancel=cancel)
    assert summary.cancelled and summary.tagged == 0
    assert index.conn.execute("SELECT count(*) FROM tagged").fetchone()[0] == 0


def test_a_single_photo_can_be_tagged_by_its_path(index, library, bundle_path):
    results = []
    summary = tag(index, [library / "IMG_0001.jpg"], options(bundle_path), on_result=results.append)
    assert summary.tagged == 1 and summary.scan.errors == 0
    assert [Path(r.path).name for r in results] == ["IMG_0001.jpg"]


def test_a_new_model_re_embeds_taught_photos_so_taught_labels_survive(index, library, bundle_path, other_bundle_path):
    from app.core.teaching import teach
    from model.bundle import load_bundle

    tag(index, [library], options(bundle_path))
    taught_id = index.photo_ids("")[0]
    teach(index, "Our cabin", [taught_id], bundle=load_bundle(bundle_path))
    results = []
    summary = tag(index, [library], options(other_bundle_path, threshold=0.0), on_result=results.append)
    refs = index.conn.execute(
        "SELECT label FROM taught_refs WHERE photo_id = ? AND model_id = ?", (taught_id, summary.model_id)
    ).fetchall()
    assert refs == [("Our cabin",)]
    # the taught label competes like a built-in class under the new model too
    top = index.predictions(taught_id, summary.model_id)
    assert top[0].label == "Our cabin"


def test_going_back_to_a_model_gives_back_its_answers(index, library, bundle_path, other_bundle_path):
    """Tagged with the default, then tried with another model: tagging with the default
    again shows the default's answers (from its stored top-5, nothing decoded), as a
    new threshold does; the user's own label stays."""
    first = tag(index, [library], options(bundle_path, threshold=1.0))
    assert first.no_landmark == 4
    tag(index, [library], options(other_bundle_path, threshold=0.0))
    records = index.search("")
    assert all(r.label is not None for r in records)
    index.set_label(records[0].id, "Our cabin", source="user", state="accepted")
    back = tag(index, [library], options(bundle_path, threshold=1.0))
    assert back.tagged == 0 and len(back.relabelled) == 3
    labels = {r.id: r.label for r in index.search("")}
    assert labels.pop(records[0].id) == "Our cabin" and set(labels.values()) == {None}
    assert {index.get(i).model_id for i in labels} == {first.model_id}


def test_an_acceptance_follows_the_picture_not_the_file(index, shared_data, tmp_path, monkeypatch):
    """An accepted model label gives way when another picture is saved under the photo's
    name (a fresh suggestion, not the old landmark written into it), and only then: the
    same picture with its metadata edited elsewhere (a GPS position, an artist) is the
    same picture to the tagger, whatever the model answers now (the index's rule for
    that: test_index). Real photos and the default bundle."""
    import shutil

    import piexif

    world = shared_data / "landmarks" / "world"
    library = tmp_path / "Rome"
    library.mkdir()
    mine = library / "DSC_0001.JPG"
    shutil.copyfile(sorted((world / "Colosseum").glob("*.jpg"))[0], mine)
    real = dict(workers=0, batch_size=2, threads=1, threshold=0.0)
    tag(index, [library], TagOptions(**real))
    photo_id = index.photo_ids(f'path:"{mine}"')[0]
    assert index.get(photo_id).label == "Colosseum"
    index.set_state([photo_id], "accepted")
    judged = []
    keep = type(index).set_predictions
    monkeypatch.setattr(type(index), "set_predictions",
                        lambda self, *args, **kwargs: judged.append(kwargs["image_changed"]) or keep(self, *args, **kwargs))

    gps = {piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLatitude: ((41, 1), (53, 1), (24, 1)),
           piexif.GPSIFD.GPSLongitudeRef: b"E", piexif.GPSIFD.GPSLongitude: ((12, 1), (29, 1), (32, 1))}
    piexif.insert(piexif.dump({"0th": {piexif.ImageIFD.Artist: b"Someone else"}, "GPS": gps}), str(mine))
    assert tag(index, [library], TagOptions(**real)).tagged == 1  # the file changed: tagged again
    assert judged == [False]  # the same picture
    assert (index.get(photo_id).label, index.get(photo_id).state) == ("Colosseum", "accepted")

    shutil.copyfile(sorted((world / "Petra").glob("*.jpg"))[0], mine)  # another picture under the name
    assert tag(index, [library], TagOptions(**real)).tagged == 1
    assert judged == [False, True]
    record = index.get(photo_id)
    assert (record.label, record.source, record.state) == ("Petra", "model", "suggested")


def test_same_picture_needs_every_stored_vector_to_agree():
    from app.core.tagging import same_picture

    rng = np.random.default_rng(0)
    embedding, descriptor, other = rng.normal(size=(3, 64))
    nudged = embedding + 0.05 * rng.normal(size=64)  # an edit: the same picture
    assert same_picture((embedding, descriptor), (nudged, descriptor))
    assert same_picture((embedding, None), (nudged, descriptor))  # no descriptor stored then
    assert not same_picture((embedding, descriptor), (embedding, other))  # the descriptor tells them apart
    assert not same_picture((embedding, descriptor), (other, descriptor))
    assert not same_picture((None, None), (embedding, descriptor))  # nothing to compare
    assert not same_picture((embedding[:32], None), (embedding, None))  # another model's size

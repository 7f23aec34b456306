"""Teaching against a real index and the tiny bundle: teach, suggest, rejections,
corrections, similar photos, and taught labels surviving a model change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core import teaching_store as store
from app.core.errors import UsageError
from app.core.index import PhotoIndex
from app.core.scanner import scan
from app.core.teaching import learn_from_correction, reembed_taught, taught_gallery, teach
from app.core.teaching_similar import similar
from app.core.teaching_centres import class_centres
from app.core.teaching_suggest import SuggestOptions, suggest

GROUPS = {"known": 4, "cabin": 5, "bakery": 5, "other": 2}


def make_photos(folder: Path) -> dict[str, list[Path]]:
    """Small distinct JPEGs, named by the group they stand for."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, list[Path]] = {}
    rng = np.random.default_rng(0)
    for group, count in GROUPS.items():
        for i in range(count):
            path = folder / f"{group}_{i}.jpg"
            pixels = rng.integers(0, 255, size=(48, 64, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(path, quality=85)
            paths.setdefault(group, []).append(path)
    return paths


def group_vectors(bundle, seed: int = 0) -> dict[str, np.ndarray]:
    """Embedding-space directions per group: 'known' sits on the bundle's first class
    centre, the others on random directions of their own."""
    rng = np.random.default_rng(seed)
    dim = bundle.embedding_size
    directions = {"known": class_centres(bundle)[0, 0]}
    for group in ("cabin", "bakery", "other"):
        directions[group] = rng.normal(size=dim)
    return {g: v / np.linalg.norm(v) for g, v in directions.items()}


@pytest.fixture
def library(tmp_path, tiny_bundle):
    """(index, photo paths by group, photo ids by group) with embeddings stored as the
    tagging pipeline would, clustered by group."""
    paths = make_photos(tmp_path / "photos")
    index = PhotoIndex.open(tmp_path / "index.db")
    scan(index, [tmp_path / "photos"])
    ids = {g: [_photo_id(index, p) for p in ps] for g, ps in paths.items()}
    directions = group_vectors(tiny_bundle)
    rng = np.random.default_rng(1)
    with index.transaction() as conn:
        for group, photo_ids in ids.items():
            for photo_id in photo_ids:
                v = directions[group] + 0.15 * rng.normal(size=tiny_bundle.embedding_size)
                store.store_embedding(conn, photo_id, tiny_bundle.id, (v / np.linalg.norm(v)).astype(np.float32))
    yield index, paths, ids
    index.close()


def _photo_id(index: PhotoIndex, path: Path) -> int:
    row = index.conn.execute("SELECT photo_id FROM files WHERE path = ?", (str(path.resolve()),)).fetchone()
    return int(row[0])


def test_teach_stores_references_from_stored_embeddings_and_labels_the_photos(library, tiny_bundle):
    index, paths, ids = library
    summary = teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
    assert (summary.taught, summary.embedded, summary.errors) == (2, 0, 0)
    refs = store.refs_of_model(index.conn, tiny_bundle.id)
    assert sorted(r.photo_id for r in refs) == sorted(ids["cabin"][:2])
    for photo_id in ids["cabin"][:2]:
        record = index.get(photo_id)
        assert (record.label, record.source, record.state) == ("Our cabin", "user", "accepted")
    gallery = taught_gallery(index, tiny_bundle.id)
    assert gallery.labels == ["Our cabin", "Our cabin"] and gallery.vectors.shape == (2, tiny_bundle.embedding_size)
    assert taught_gallery(index, "another-model") is None


def test_teach_refuses_an_empty_name_and_a_missing_path(library, tiny_bundle, tmp_path):
    index, paths, _ = library
    with pytest.raises(UsageError):
        teach(index, "  ", paths["cabin"][:1], bundle=tiny_bundle)
    with pytest.raises(UsageError, match="does not exist"):
        teach(index, "Cabin", [tmp_path / "nope.jpg"], bundle=tiny_bundle)
    notes = tmp_path / "elsewhere" / "notes.txt"
    notes.parent.mkdir()
    notes.write_text("the cabin")
    (notes.parent / "IMG_1.jpg").write_bytes(paths["cabin"][0].read_bytes())
    with pytest.raises(UsageError, match="not a photo file"):
        teach(index, "Cabin", [notes], bundle=tiny_bundle)
    assert index.count(f'folder:"{notes.parent}"') == 0  # its folder was not scanned for it
    broken = tmp_path / "DSC_0001.NEF"
    broken.write_bytes(b"II*\x00" + b"\x00" * 200)  # a RAW file with nothing in it
    with pytest.raises(UsageError, match="cannot teach from .*DSC_0001.NEF: .*RAW"):
        teach(index, "Cabin", [broken], bundle=tiny_bundle)


def test_a_label_is_one_line_of_printable_text(library, tiny_bundle):
    """A keyword is one line in every photo tool, and XMP (XML) cannot hold control
    characters at all: the write would fail its check long after the label was typed."""
    from app.core.teaching import check_label

    index, paths, ids = library
    assert check_label(" Tour\n  Eiffel\t") == "Tour Eiffel"
    assert check_label("Cha\u0302teau d'If") == "Ch\u00e2teau d'If"  # as macOS hands it over
    with pytest.raises(UsageError, match="control character .*U\\+0007"):
        check_label("Tour Eiffel\x07")
    learn_from_correction(index, ids["other"][0], "Our\r\ncabin", bundle=tiny_bundle)
    assert index.get(ids["other"][0]).label == "Our cabin"
    with pytest.raises(UsageError):
        learn_from_correction(index, ids["other"][1], "cabin\x00", bundle=tiny_bundle)
    assert index.get(ids["other"][1]).label != "cabin\x00"


def test_suggest_finds_the_taught_places_and_leaves_known_landmarks_alone(library, tiny_bundle):
    index, paths, ids = library
    teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
    teach(index, "Bakery", paths["bakery"][:2], bundle=tiny_bundle)
    found = suggest(index, "", SuggestOptions(threshold=0.5), bundle=tiny_bundle)
    by_photo = {s.photo_id: s.label for s in found}
    assert {p: by_photo.get(p) for p in ids["cabin"][2:]} == {p: "Our cabin" for p in ids["cabin"][2:]}
    assert {p: by_photo.get(p) for p in ids["bakery"][2:]} == {p: "Bakery" for p in ids["bakery"][2:]}
    assert not set(by_photo) & set(ids["known"])
    assert not set(by_photo) & set(ids["cabin"][:2] + ids["bakery"][:2])  # the taught photos keep the user's label
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    record = index.get(ids["cabin"][3])
    assert (record.label, record.source, record.state) == ("Our cabin", "taught", "suggested")
    assert record.landmark_id == "taught:Our cabin"
    # Nothing new the second time.
    assert suggest(index, "", SuggestOptions(threshold=0.5), bundle=tiny_bundle) == []


def test_suggest_with_a_query_only_looks_at_matching_photos_and_dry_run_stores_nothing(library, tiny_bundle):
    index, paths, ids = library
    teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
    target = ids["cabin"][4]
    found = suggest(index, "cabin_4", SuggestOptions(threshold=0.5, store=False), bundle=tiny_bundle)
    assert [s.photo_id for s in found] == [target]
    assert found[0].path.endswith("cabin_4.jpg")
    assert index.get(target).label is None


def test_a_rejected_suggestion_is_not_suggested_again(library, tiny_bundle):
    index, paths, ids = library
    teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
    suggest(index, "", SuggestOptions(threshold=0.5), bundle=tiny_bundle)
    rejected = ids["cabin"][2]
    index.set_state([rejected], "rejected")
    index.set_label(rejected, None, source="model", state="suggested")  # e.g. the model re-tagged it
    found = suggest(index, "", SuggestOptions(threshold=0.5), bundle=tiny_bundle)
    assert rejected not in {s.photo_id for s in found if s.label == "Our cabin"}


def test_a_reject_sets_aside_what_the_photo_taught_and_taking_it_back_restores_it(library, tiny_bundle):
    """A reject of a taught photo (a slip of R, `reject` on too wide a query) used to delete
    its reference: accepting it again gave the label back but the place lost the photo."""
    index, paths, ids = library
    teach(index, "Our cabin", paths["cabin"][:3], bundle=tiny_bundle)
    photo_id = ids["cabin"][0]
    before = {r.photo_id: r.vector for r in store.refs_of_model(index.conn, tiny_bundle.id)}
    assert index.set_state([photo_id], "rejected") == 1
    assert store.taught_labels(index.conn) == {"Our cabin": 2}
    assert photo_id not in {r.photo_id for r in store.refs_of_model(index.conn, tiny_bundle.id)}
    assert taught_gallery(index, tiny_bundle.id).labels == ["Our cabin", "Our cabin"]
    assert ("Our cabin", photo_id) not in store.taught_pairs(index.conn)  # not re-embedded while rejected
    assert index.set_state([photo_id], "accepted") == 1
    assert store.taught_labels(index.conn) == {"Our cabin": 3}
    after = {r.photo_id: r.vector for r in store.refs_of_model(index.conn, tiny_bundle.id)}
    assert after.keys() == before.keys() and np.array_equal(after[photo_id], before[photo_id])
    index.set_state([photo_id], "rejected")  # rejected, then labelled as another place:
    learn_from_correction(index, photo_id, "Bakery", bundle=tiny_bundle)  # it teaches that one only
    assert store.taught_labels(index.conn) == {"Our cabin": 2, "Bakery": 1}
    assert index.conn.execute("SELECT count(*) FROM taught_refs WHERE photo_id = ? AND label = 'Our cabin'",
                              (photo_id,)).fetchone()[0] == 0


def test_merging_a_typo_into_a_place_does_not_silence_a_photo_that_teaches_it(library, tiny_bundle):
    """A correction leaves the typo rejected for its photo; merging the typo into the
    right name moved that rejection onto the name the photo holds and teaches, which set
    its reference aside (found by review)."""
    from app.core.rename import rename_place

    index, paths, ids = library
    teach(index, "Our cabbin", paths["cabin"][1:3], bundle=tiny_bundle)
    photo_id = ids["cabin"][0]
    index.set_label(photo_id, "Our cabbin", source="model", state="suggested")
    learn_from_correction(index, photo_id, "Our cabin", bundle=tiny_bundle)
    rename_place(index, "Our cabbin", "Our cabin")
    assert (index.get(photo_id).label, index.get(photo_id).state) == ("Our cabin", "accepted")
    assert store.taught_labels(index.conn) == {"Our cabin": 3}
    assert (photo_id, "Our cabin") not in store.rejected(index.conn)


def test_a_correction_rejects_the_old_label_and_teaches_the_new_one(library, tiny_bundle):
    index, _, ids = library
    photo_id = ids["cabin"][0]
    index.set_label(photo_id, "Colosseum", source="model", state="suggested")
    learn_from_correction(index, photo_id, "Our cabin", bundle=tiny_bundle)
    assert (photo_id, "Colosseum") in store.rejected(index.conn)
    assert [(r.label, r.photo_id) for r in store.refs_of_model(index.conn, tiny_bundle.id)] == [("Our cabin", photo_id)]
    learn_from_correction(index, photo_id, None, bundle=tiny_bundle)  # "no landmark": teaches nothing
    assert store.refs_of_model(index.conn, tiny_bundle.id) == []
    assert index.get(photo_id).label is None


def test_similar_photos_come_from_the_same_place_first(library, tiny_bundle):
    index, _, ids = library
    result = similar(index, ids["bakery"][0], k=4)
    assert len(result) == 4
    assert {photo_id for photo_id, _ in result} == set(ids["bakery"][1:])
    assert [s for _, s in result] == sorted((s for _, s in result), reverse=True)
    assert similar(index, ids["bakery"][0], k=4, model_id="no-such-model") == []


@pytest.mark.slow
def test_taught_labels_survive_a_model_change(tmp_path, tiny_bundle):
    """Photos without stored embeddings are decoded; a new model gets its own references."""
    from model.testing import make_tiny_bundle

    paths = make_photos(tmp_path / "photos")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        summary = teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
        assert (summary.taught, summary.embedded) == (2, 2)
        other = make_tiny_bundle(tmp_path / "other.ltbundle", ["A", "B"], input_size=64, seed=1)
        assert other.id != tiny_bundle.id
        assert reembed_taught(index, other) == 2
        assert reembed_taught(index, other) == 0
        refs = store.refs_of_model(index.conn, other.id)
        assert sorted(r.label for r in refs) == ["Our cabin", "Our cabin"]
        assert all(abs(np.linalg.norm(r.vector) - 1) < 1e-4 for r in refs)


def test_class_cosines_from_stored_embeddings_match_the_network(tiny_bundle):
    """suggest re-scores without decoding: the centres read from the bundle give the
    cosines the ONNX network computes."""
    from app.core.teaching_centres import centre_cosines
    from model.predictor import Predictor

    predictor = Predictor(tiny_bundle, threads=1)
    batch = np.random.default_rng(0).normal(size=(3, 3, 64, 64)).astype(np.float32)
    embeddings, cosines = predictor.embed(batch)
    centres = class_centres(tiny_bundle)
    assert centres.shape == (3, 1, tiny_bundle.embedding_size)
    np.testing.assert_allclose(centre_cosines(embeddings, centres), cosines, atol=1e-5)


def test_suggestions_do_not_depend_on_the_chunk_size(library, tiny_bundle, monkeypatch):
    import app.core.teaching_suggest as teaching_suggest

    index, paths, _ = library
    teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
    teach(index, "Bakery", paths["bakery"][:2], bundle=tiny_bundle)
    options = SuggestOptions(threshold=0.5, store=False)
    whole = suggest(index, "", options, bundle=tiny_bundle)
    monkeypatch.setattr(teaching_suggest, "CHUNK_ROWS", 2)
    chunked = suggest(index, "", options, bundle=tiny_bundle)
    assert [(s.photo_id, s.label) for s in chunked] == [(s.photo_id, s.label) for s in whole]
    assert np.allclose([s.score for s in chunked], [s.score for s in whole], atol=1e-5)
    assert len(whole) >= 6


def test_a_correction_without_any_model_still_sets_the_label(library):
    index, _, ids = library  # no --model and no default bundle in the test environment
    photo_id = ids["other"][0]
    index.set_label(photo_id, "Colosseum", source="model", state="suggested")
    learn_from_correction(index, photo_id, "Our cabin")
    record = index.get(photo_id)
    assert (record.label, record.source, record.state) == ("Our cabin", "user", "accepted")
    assert (photo_id, "Colosseum") in store.rejected(index.conn)


def unsure_model_label(index: PhotoIndex, bundle, photo_id: int) -> str:
    """Give the photo an embedding halfway to the bundle's first landmark (cosine 0.45)
    and that landmark as the model's suggested label (score 0.123); returns its name.
    No taught label wins such a photo, and none protects it: suggest rescores it."""
    first = bundle.labels[0]
    centre = class_centres(bundle)[0, 0]
    rng = np.random.default_rng(5)
    other = rng.normal(size=centre.size)
    other -= (other @ centre) * centre
    unsure_vector = 0.45 * centre + np.sqrt(1 - 0.45**2) * other / np.linalg.norm(other)
    with index.transaction() as conn:
        store.store_embedding(conn, photo_id, bundle.id, unsure_vector.astype(np.float32))
    index.set_label(photo_id, first.name, source="model", state="suggested",
                    landmark_id=first.landmark_id, score=0.123, model_id=bundle.id)
    return first.name


def test_suggest_puts_the_models_own_suggestions_on_the_joint_scale(library, tiny_bundle):
    """An unsure built-in suggestion gets its score on the joint scale; a confident
    (protected) one and the user's labels keep theirs."""
    index, paths, ids = library
    first = tiny_bundle.labels[0]
    unsure, confident, users = ids["other"][0], ids["known"][0], ids["known"][1]
    unsure_model_label(index, tiny_bundle, unsure)
    index.set_label(confident, first.name, source="model", state="suggested",
                    landmark_id=first.landmark_id, score=0.123, model_id=tiny_bundle.id)
    index.set_label(users, first.name, source="user", state="accepted", score=0.123)
    teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
    found = suggest(index, "", SuggestOptions(threshold=0.5), bundle=tiny_bundle)
    assert unsure not in {s.photo_id for s in found}
    record = index.get(unsure)
    assert (record.label, record.source, record.state) == (first.name, "model", "suggested")
    assert record.score != pytest.approx(0.123) and 0.0 < record.score <= 1.0
    assert index.get(confident).score == pytest.approx(0.123)
    assert index.get(users).score == pytest.approx(0.123)
    # under a threshold it no longer clears, it becomes "no landmark", as `tag` would answer
    suggest(index, "", SuggestOptions(threshold=record.score + 0.01), bundle=tiny_bundle)
    again = index.get(unsure)
    assert (again.label, again.source, again.state) == (None, "model", "suggested")
    assert again.score == pytest.approx(record.score)
    assert index.get(confident).label == first.name


@pytest.mark.slow
def test_class_centres_of_a_bundle_with_sub_centres(tmp_path):
    """The default model uses 3 sub-centres per class: the centres read from its
    network still give the network's cosines (max over sub-centres)."""
    import torch

    from app.core.teaching_centres import centre_cosines
    from model.export import export_bundle
    from model.network import LandmarkNet, NetConfig
    from model.predictor import Predictor

    torch.manual_seed(0)
    config = NetConfig(num_classes=4, backbone="efficientnet-lite0", embedding_size=16, pretrained=False,
                       input_size=64, sub_centers=3)
    net = LandmarkNet(config).eval()
    with torch.no_grad():  # a head whose sub-centres differ a lot, so the max matters
        net.head.weight.copy_(torch.randn_like(net.head.weight))
    bundle = export_bundle(net, config.default_preprocessing(), ["A", "B", "C", "D"], tmp_path / "sub.ltbundle")
    centres = class_centres(bundle)
    assert centres.shape == (4, 3, 16)
    embeddings, cosines = Predictor(bundle, threads=1).embed(
        np.random.default_rng(0).normal(size=(2, 3, 64, 64)).astype(np.float32)
    )
    np.testing.assert_allclose(centre_cosines(embeddings, centres), cosines, atol=1e-5)


def test_suggest_with_nothing_taught_says_so(tmp_path) -> None:
    """The report, not a guess, says what is missing."""
    from app.core.index import PhotoIndex
    from app.core.teaching_suggest import SuggestOptions, SuggestReport, close_hint, suggest

    with PhotoIndex.open(tmp_path / "empty.db") as index:
        report = SuggestReport()
        assert suggest(index, "", SuggestOptions(store=False), report=report) == []
    assert report.taught == 0 and close_hint(report).startswith("nothing is taught yet")


def test_the_report_counts_what_suggest_used(library, tiny_bundle):
    from app.core.teaching_suggest import SuggestReport, close_hint

    index, paths, ids = library
    teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
    report = SuggestReport()
    suggest(index, "", SuggestOptions(threshold=0.5, store=False), bundle=tiny_bundle, report=report)
    assert report.taught == 2 and report.scored == len(index.photo_ids("")) - 2  # the taught ones are not scored
    only_taught = " ".join(f"-{Path(p).stem}" for p in paths["cabin"][2:] + paths["bakery"] + paths["known"] + paths["other"])
    report = SuggestReport()
    suggest(index, only_taught, SuggestOptions(threshold=0.5, store=False), bundle=tiny_bundle, report=report)
    assert report.tagged > 0 and report.scored == 0 and "no photo left to score" in close_hint(report)


def test_suggest_says_which_photos_it_skipped_because_they_are_not_tagged_yet(library, tiny_bundle):
    """suggest reads stored embeddings only: photos the model has not tagged are counted,
    and the hint says to tag them, even when other photos were scored."""
    from app.core.teaching_suggest import SuggestReport, close_hint, untagged_hint

    index, paths, ids = library
    teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
    fresh = ids["other"][:2]
    with index.transaction() as conn:
        conn.executemany("DELETE FROM embeddings WHERE photo_id = ?", [(i,) for i in fresh])
    report = SuggestReport()
    suggest(index, "", SuggestOptions(threshold=0.5, store=False), bundle=tiny_bundle, report=report)
    assert report.untagged == 2 and report.matched is None
    assert untagged_hint(report).startswith("2 photos are not tagged by this model yet")
    # a photo that failed to decode would fail again: tagging is not the answer for it
    index.record_error(paths["other"][0], "decode", "cannot decode", photo_id=fresh[0])
    report = SuggestReport()
    suggest(index, "", SuggestOptions(threshold=0.5, store=False), bundle=tiny_bundle, report=report)
    assert report.untagged == 1 and untagged_hint(report).startswith("1 photo is not tagged")
    # only the untagged photo matches: not "every photo is taught or labelled"
    report = SuggestReport()
    suggest(index, Path(paths["other"][1]).stem, SuggestOptions(threshold=0.5, store=False),
            bundle=tiny_bundle, report=report)
    assert (report.matched, report.scored, report.untagged) == (1, 0, 1) and close_hint(report) is None
    # a search matching nothing says so
    report = SuggestReport()
    suggest(index, "nosuchword", SuggestOptions(threshold=0.5, store=False), bundle=tiny_bundle, report=report)
    assert report.matched == 0 and close_hint(report).startswith("no photo matches the search")
    # once every photo is tagged there is nothing to say
    report = SuggestReport()
    suggest(index, "-" + Path(paths["other"][1]).stem, SuggestOptions(threshold=0.5, store=False),
            bundle=tiny_bundle, report=report)
    assert report.untagged == 0 and untagged_hint(report) is None


def test_a_label_typed_in_another_case_takes_the_spelling_in_use(library, tiny_bundle):
    """'petra' for a photo the model called 'Petra' is the same place: no rejection, no
    second label or keyword; a taught label is matched the same way."""
    index, paths, ids = library
    known = tiny_bundle.labels[0].name
    photo_id = ids["other"][0]
    index.set_label(photo_id, known, source="model", state="suggested", model_id=tiny_bundle.id)
    learn_from_correction(index, photo_id, known.upper(), bundle=tiny_bundle)
    record = index.get(photo_id)
    assert (record.label, record.state) == (known, "accepted")
    assert (photo_id, known) not in store.rejected(index.conn)
    teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
    summary = teach(index, "our CABIN", paths["cabin"][2:3], bundle=tiny_bundle)
    assert summary.label == "Our cabin"
    assert {r.label for r in store.refs_of_model(index.conn, tiny_bundle.id)} == {"Our cabin", known}
    # beyond ASCII too (SQLite's NOCASE folds A-Z only), and a label on photos alone counts
    index.set_label(ids["other"][1], "Château d'If", source="user", state="accepted")
    learn_from_correction(index, ids["bakery"][0], "CHÂTEAU D'IF", bundle=tiny_bundle)
    assert index.get(ids["bakery"][0]).label == "Château d'If"
    learn_from_correction(index, ids["bakery"][1], "Chateau d'If", bundle=tiny_bundle)
    assert index.get(ids["bakery"][1]).label == "Chateau d'If"  # accents make another name


def test_forgetting_a_place_withdraws_its_suggestions_not_what_the_user_accepted(library, tiny_bundle):
    """Forget… left the place's suggestions in Review (and a new threshold could suggest
    it again from the stored predictions): the app kept offering a place the user asked
    it to forget. Accepted ones and the photos that taught it keep the label."""
    from app.core.index import Prediction
    from app.core.teaching import forget
    from model.predictor import TAUGHT_ID_PREFIX

    index, paths, ids = library
    teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
    by_suggest, by_tag, accepted = ids["cabin"][2], ids["bakery"][0], ids["bakery"][1]
    index.set_label(by_suggest, "Our cabin", source="taught", state="suggested",
                    landmark_id=TAUGHT_ID_PREFIX + "Our cabin", score=0.9, model_id=tiny_bundle.id)
    top = [Prediction(TAUGHT_ID_PREFIX + "Our cabin", "Our cabin", 0.9), Prediction("Petra", "Petra", 0.6)]
    for photo_id in (by_tag, accepted):
        index.set_predictions(photo_id, tiny_bundle.id, top, threshold=0.5)  # a tag run's answer
    index.set_state([accepted], "accepted")

    assert forget(index, "Our cabin").photos == 2
    for photo_id in (by_suggest, by_tag):
        record = index.get(photo_id)
        assert (record.label, record.state) == (None, "suggested")
    assert index.get(by_tag).score == pytest.approx(0.6)  # the model's best landmark of its own
    assert (index.get(accepted).label, index.get(accepted).state) == ("Our cabin", "accepted")
    assert all(index.get(photo_id).label == "Our cabin" for photo_id in ids["cabin"][:2])  # they taught it
    assert index.count('label:"Our cabin" state:suggested') == 0
    index.apply_threshold([by_tag], tiny_bundle.id, 0.5)  # a new threshold: not suggested again
    # (the model's own best, Petra 0.6, is decided at it as a tag run decides any photo)
    assert (index.get(by_tag).label, index.get(by_tag).score) == ("Petra", pytest.approx(0.6))


def test_suggest_says_when_look_alikes_of_a_taught_place_are_held_by_the_model(library, tiny_bundle):
    """Teaching a place from photos the model knows confidently as one of its landmarks:
    the other photos of it stay that landmark (protected), and teaching more photos would
    not change it. Nothing is suggested; the hint says why and what to do instead."""
    from app.core.teaching_suggest import SuggestOptions, SuggestReport, close_hint, suggest

    index, paths, ids = library
    teach(index, "Our cabin", paths["known"][:2], bundle=tiny_bundle)
    report = SuggestReport()
    found = suggest(index, "", SuggestOptions(threshold=0.5), bundle=tiny_bundle, report=report)
    assert found == []
    # the untaught photos of that landmark the model is sure of (close to its centre; not the others)
    [held] = report.held
    assert held.place == "Our cabin" and held.landmark == tiny_bundle.labels[0].name
    assert 1 <= held.photos <= len(ids["known"]) - 2
    hint = close_hint(report)
    photos = "1 photo is" if held.photos == 1 else f"{held.photos} photos are"
    assert hint.startswith(f"{photos} recognised confidently as “{tiny_bundle.labels[0].name}”, "
                           "a landmark the model knows, like the photos you taught as “Our cabin”")
    assert "“Our cabin”, label" in hint and hint.endswith("with `landmark-tagger label`")

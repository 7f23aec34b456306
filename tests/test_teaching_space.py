"""The teaching space: bundles with descriptors, the joint space taught labels are scored
in, the index's stored descriptors, and tag/teach/suggest end to end with such a bundle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core import teaching_store as store
from app.core.index import PhotoIndex
from app.core.teaching_scoring import TeachingConfig
from app.core.teaching_space import build_space, refine, score, teaching_space
from model.bundle import Gallery
from model.bundle_writer import resave_bundle
from model.descriptor import JointVectors, TeachingSettings, descriptors_from_pooled, joint_vectors
from model.errors import BundleError, ModelError
from model.scoring import ScoringConfig, unit_vectors

LABELS = ["Eiffel Tower", "Colosseum", "Taj Mahal"]


@pytest.fixture(scope="module")
def descriptor_bundle(tmp_path_factory):
    pytest.importorskip("torch")
    from model.testing import make_tiny_bundle

    folder = tmp_path_factory.mktemp("descriptor-bundle")
    return make_tiny_bundle(folder / "tiny-desc.ltbundle", LABELS, input_size=64, descriptors=True)


# ---------------------------------------------------------------- the bundle


def test_a_descriptor_bundle_exports_unit_descriptors_checked_against_torch(descriptor_bundle):
    from model.predictor import Predictor

    bundle = descriptor_bundle
    assert bundle.descriptor_size == 1280  # Lite0's pooled features, kept whole
    assert bundle.teaching == TeachingSettings()
    assert bundle.gallery.descriptors.shape == (12, 1280)
    check = bundle.extra["export_check"]
    assert check["max_abs_diff_descriptors"] <= check["tolerance"]
    predictor = Predictor(bundle, threads=1)
    batch = np.random.default_rng(0).normal(size=(3, 3, 64, 64)).astype(np.float32)
    embeddings, cosines, descriptors = predictor.embed_all(batch)
    assert descriptors.shape == (3, 1280)
    np.testing.assert_allclose(np.linalg.norm(descriptors, axis=1), 1.0, atol=1e-5)
    plain_embeddings, plain_cosines = predictor.embed(batch)
    np.testing.assert_allclose(plain_embeddings, embeddings, atol=1e-6)
    np.testing.assert_allclose(plain_cosines, cosines, atol=1e-6)


def test_a_bundle_without_descriptors_gives_none(tiny_bundle):
    from model.predictor import Predictor

    batch = np.zeros((1, 3, 64, 64), dtype=np.float32)
    assert Predictor(tiny_bundle, threads=1).embed_all(batch)[2] is None
    assert tiny_bundle.teaching is None and not teaching_space(tiny_bundle).is_joint


def test_a_teaching_space_needs_gallery_descriptors(descriptor_bundle, tmp_path):
    gallery = descriptor_bundle.gallery
    with pytest.raises(BundleError, match="descriptors"):
        resave_bundle(descriptor_bundle, tmp_path / "no-desc.ltbundle", gallery=Gallery(gallery.vectors, gallery.classes))
    with pytest.raises(BundleError, match="descriptor"):
        resave_bundle(descriptor_bundle, tmp_path / "bad-size.ltbundle", descriptor_size=640)
    with pytest.raises(BundleError, match="teaching space needs descriptor_size"):
        resave_bundle(descriptor_bundle, tmp_path / "no-size.ltbundle", descriptor_size=0)


def test_teaching_settings_are_checked_and_round_trip():
    settings = TeachingSettings(beta=1.5, gallery_weight=0.5, gallery_k=3, margin=0.1)
    assert TeachingSettings.from_dict(settings.to_dict()) == settings
    for bad in (dict(beta=0.0), dict(gallery_weight=1.5), dict(gallery_k=0)):
        with pytest.raises(ModelError):
            TeachingSettings(**bad)
    with pytest.raises(ModelError):
        TeachingSettings.from_dict({"beta": 2.0})


# ---------------------------------------------------------------- the space


def test_joint_cosine_mixes_embedding_and_descriptor_cosines():
    rng = np.random.default_rng(0)
    e, d = unit_vectors(rng.normal(size=(2, 8))), unit_vectors(rng.normal(size=(2, 5)))
    z = joint_vectors(e, d, beta=2.0)
    expected = (e[0] @ e[1] + 4.0 * d[0] @ d[1]) / 5.0
    assert z[0] @ z[1] == pytest.approx(expected, abs=1e-6)
    pooled = rng.normal(size=(4, 5))
    centred = descriptors_from_pooled(pooled, pooled.mean(axis=0))
    np.testing.assert_allclose(centred, unit_vectors(pooled - pooled.mean(axis=0)), atol=1e-6)


def _twin_places(rng):
    """A model with 3 known classes whose embedding cannot tell two unseen places apart
    (both land on the same spot, away from the known classes), while their descriptors
    differ: what the joint space is for."""
    dim, fdim = 16, 24
    centres = unit_vectors(np.eye(dim)[:3] + 0.01)
    known_e = np.repeat(centres, 6, axis=0) + 0.1 * rng.normal(size=(18, dim))
    known_d = rng.normal(size=(18, fdim))
    gallery_classes = np.repeat(np.arange(3), 6)
    twin_spot = unit_vectors(np.eye(dim)[5])
    place_a_d, place_b_d = unit_vectors(rng.normal(size=fdim)), unit_vectors(rng.normal(size=fdim))

    def photos(direction_d, count):
        e = unit_vectors(twin_spot + 0.1 * rng.normal(size=(count, dim)))
        d = unit_vectors(direction_d + 0.1 * rng.normal(size=(count, fdim)))
        return e, d

    a_e, a_d = photos(place_a_d, 8)
    b_e, b_d = photos(place_b_d, 8)
    parts = dict(centres=centres, gallery_e=unit_vectors(known_e), gallery_d=unit_vectors(known_d),
                 gallery_classes=gallery_classes)
    return parts, (a_e, a_d), (b_e, b_d)


@pytest.mark.parametrize("joint", [True, False])
def test_the_joint_space_tells_apart_two_taught_places_the_embedding_confuses(joint):
    rng = np.random.default_rng(3)
    parts, (a_e, a_d), (b_e, b_d) = _twin_places(rng)
    scoring = ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1)
    space = build_space(
        ["k0", "k1", "k2"], parts["centres"], scoring, parts["gallery_e"], parts["gallery_classes"],
        parts["gallery_d"] if joint else None, TeachingSettings() if joint else None, TeachingConfig(),
    )
    assert space.is_joint is joint
    library_e, library_d = np.concatenate([a_e[2:], b_e[2:]]), np.concatenate([a_d[2:], b_d[2:]])
    vectors = space.vectors(library_e, library_d)
    taught = space.vectors(np.concatenate([a_e[:2], b_e[:2]]), np.concatenate([a_d[:2], b_d[:2]]))
    refs = refine(space, library_e, vectors, ["Our cabin"] * 2 + ["The bakery"] * 2, taught)
    scores = score(space, library_e, vectors, refs)
    winners, _ = scores.winners()
    assert scores.taught_labels == ["Our cabin", "The bakery"]
    right = (winners == np.repeat([0, 1], 6)).mean()
    if joint:
        assert right == 1.0
    else:  # the embedding alone cannot tell them apart
        assert right < 0.8


def test_protected_photos_keep_the_models_class_and_score():
    rng = np.random.default_rng(4)
    parts, (a_e, a_d), _ = _twin_places(rng)
    scoring = ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1)
    space = build_space(["k0", "k1", "k2"], parts["centres"], scoring, parts["gallery_e"],
                        parts["gallery_classes"], parts["gallery_d"], TeachingSettings(), TeachingConfig())
    known_e = parts["centres"][:1].repeat(2, axis=0)  # on the centre: cosine 1 ≥ protect_cosine
    known_d = a_d[:2]  # even with the taught place's descriptor
    vectors = space.vectors(known_e, known_d)
    refs = refine(space, known_e, vectors, ["Our cabin"] * 2, space.vectors(a_e[:2], a_d[:2]))
    scores = score(space, known_e, vectors, refs)
    winners, _ = scores.winners()
    model_class, model_score = scores.untaught()
    assert (winners == -1).all() and not scores.free.any()
    assert (model_class == 0).all()
    np.testing.assert_allclose(model_score, scores.model_probabilities.max(axis=1))


def test_a_landmark_far_from_where_the_photo_was_taken_protects_it_no_more():
    """A photo that looks just like known landmark k0 but was taken far from it (a
    replica elsewhere; model.places): the model's score drops to FAR_FACTOR of itself,
    and a place the user taught there may take the photo."""
    from model.places import FAR_FACTOR

    rng = np.random.default_rng(4)
    parts, (a_e, a_d), _ = _twin_places(rng)
    scoring = ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1)
    space = build_space(["k0", "k1", "k2"], parts["centres"], scoring, parts["gallery_e"],
                        parts["gallery_classes"], parts["gallery_d"], TeachingSettings(), TeachingConfig())
    known_e = parts["centres"][:1].repeat(2, axis=0)  # on k0's centre: protected where k0 may be
    vectors = space.vectors(known_e, a_d[:2])
    refs = refine(space, known_e, vectors, ["Replica"] * 2, space.vectors(a_e[:2], a_d[:2]))
    near = score(space, known_e, vectors, refs)
    far = score(space, known_e, vectors, refs, factors=np.array([[FAR_FACTOR, 1, 1]] * 2, dtype=np.float32))
    assert not near.free.any() and far.free.all()
    np.testing.assert_allclose(far.model_probabilities[:, 0], FAR_FACTOR * near.model_probabilities[:, 0], rtol=1e-5)
    np.testing.assert_allclose(far.model_probabilities[:, 1:], near.model_probabilities[:, 1:], rtol=1e-6)
    assert (far.winners()[0] == 0).all()  # the taught "Replica" wins both photos


def test_teaching_a_place_lowers_a_models_score_only_as_far_as_the_place_competes():
    """The joint space is flatter than the model's own scoring for photos whose
    descriptor fits no gallery photo; a taught place that looks nothing like such a photo
    must leave its score alone (the old min(model, joint) rule turned correct labels into
    "no landmark" as soon as anything was taught)."""
    rng = np.random.default_rng(4)
    parts, (a_e, a_d), _ = _twin_places(rng)
    scoring = ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1)
    space = build_space(["k0", "k1", "k2"], parts["centres"], scoring, parts["gallery_e"],
                        parts["gallery_classes"], parts["gallery_d"], TeachingSettings(), TeachingConfig())
    near_k0 = unit_vectors(parts["centres"][0] + 1.3 * unit_vectors(rng.normal(size=(6, 16))))
    library_e = np.concatenate([near_k0, a_e[2:]])
    library_d = np.concatenate([unit_vectors(rng.normal(size=(6, 24))), a_d[2:]])
    vectors = space.vectors(library_e, library_d)
    refs = refine(space, library_e, vectors, ["Our cabin"] * 2, space.vectors(a_e[:2], a_d[:2]))
    scores = score(space, library_e, vectors, refs)
    winners, _ = scores.winners()
    model_class, model_score = scores.untaught()
    model_best = scores.model_probabilities.max(axis=1)
    taught_share = scores.taught.probabilities[:, 3:].sum(axis=1)
    joint_builtin = scores.taught.probabilities[:, :3].max(axis=1)
    kept = scores.free & (winners < 0)
    np.testing.assert_allclose(model_score[kept], (model_best * (1 - taught_share))[kept], rtol=1e-6)
    unrelated = kept & (taught_share < 0.01) & (joint_builtin < 0.95 * model_best)
    assert unrelated.any()  # the case the rule is for: present in this library
    assert (model_score[unrelated] >= 0.99 * model_best[unrelated]).all()
    competed = kept & (taught_share > 0.1)
    assert competed.any() and (model_score[competed] < 0.9 * model_best[competed]).all()


def test_library_vectors_read_a_block_at_a_time_refine_and_score_as_the_matrix():
    rng = np.random.default_rng(6)
    parts, (a_e, a_d), (b_e, b_d) = _twin_places(rng)
    scoring = ScoringConfig(scale=30.0, gallery_weight=0.5, gallery_k=1)
    space = build_space(["k0", "k1", "k2"], parts["centres"], scoring, parts["gallery_e"], parts["gallery_classes"],
                        parts["gallery_d"], TeachingSettings(), TeachingConfig())
    library_e = np.concatenate([a_e[2:], b_e[2:], parts["gallery_e"]])
    library_d = np.concatenate([a_d[2:], b_d[2:], parts["gallery_d"]]).astype(np.float16)  # as the index keeps them
    blocks = space.library_vectors(library_e, library_d)
    matrix = space.vectors(library_e, library_d)
    assert isinstance(blocks, JointVectors) and blocks.shape == matrix.shape and len(blocks) == len(matrix)
    np.testing.assert_allclose(blocks[3:9], matrix[3:9], atol=1e-6)
    np.testing.assert_allclose(blocks[np.array([7, 0])], matrix[[7, 0]], atol=1e-6)
    with pytest.raises(TypeError):
        blocks[0]
    taught = space.vectors(np.concatenate([a_e[:2], b_e[:2]]), np.concatenate([a_d[:2], b_d[:2]]))
    labels = ["Our cabin"] * 2 + ["The bakery"] * 2
    from_blocks = refine(space, library_e, blocks, labels, taught)
    from_matrix = refine(space, library_e, matrix, labels, taught)
    assert from_blocks.pseudo == from_matrix.pseudo and any(from_blocks.pseudo.values())
    np.testing.assert_allclose(from_blocks.vectors, from_matrix.vectors, atol=1e-6)
    rows = np.arange(len(library_e))
    np.testing.assert_allclose(
        score(space, library_e, blocks[rows], from_blocks, library_rows=rows).taught.probabilities,
        score(space, library_e, matrix, from_matrix, library_rows=rows).taught.probabilities, atol=1e-6,
    )
    plain = build_space(["k0", "k1", "k2"], parts["centres"], ScoringConfig(), parts["gallery_e"],
                        parts["gallery_classes"], None, None, TeachingConfig())
    np.testing.assert_allclose(plain.library_vectors(library_e * 3, None), unit_vectors(library_e), atol=1e-6)


# ---------------------------------------------------------------- the index


def test_descriptors_are_stored_beside_embeddings_as_float16(tmp_path):
    from app.core.scanner import scan

    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(3):
        Image.new("RGB", (32, 24), (40 * i, 80, 120)).save(folder / f"p{i}.jpg")
    index = PhotoIndex.open(tmp_path / "index.db")
    try:
        scan(index, [folder])
        ids = [row[0] for row in index.conn.execute("SELECT id FROM photos ORDER BY id")]
        rng = np.random.default_rng(0)
        descriptor = unit_vectors(rng.normal(size=40))
        with index.transaction() as conn:
            store.store_embedding(conn, ids[0], "m", unit_vectors(rng.normal(size=8)), descriptor)
            store.store_embedding(conn, ids[1], "m", unit_vectors(rng.normal(size=8)), descriptor)
            store.store_embedding(conn, ids[2], "m", unit_vectors(rng.normal(size=8)))  # an older bundle's row
        found_ids, embeddings, descriptors = store.stored_descriptors(index.conn, "m")
        assert found_ids.tolist() == ids[:2] and embeddings.shape == (2, 8) and descriptors.shape == (2, 40)
        np.testing.assert_allclose(descriptors[0], descriptor, atol=1e-3)
        blob = index.conn.execute("SELECT descriptor FROM embeddings WHERE photo_id = ?", (ids[0],)).fetchone()[0]
        assert len(blob) == 40 * 2
        assert store.stored_descriptor(index.conn, ids[2], "m") is None
    finally:
        index.close()


class _CountingLess:
    """A connection whose row count is `short` too low: rows added between the count
    and the read, as when tagging runs in another thread."""

    def __init__(self, conn, short: int):
        self.conn, self.short = conn, short

    def execute(self, sql, params=()):
        if sql.startswith("SELECT COUNT(*)"):
            (count,) = self.conn.execute(sql, params).fetchone()
            return self.conn.execute("SELECT ?", (max(count - self.short, 0),))
        return self.conn.execute(sql, params)


@pytest.mark.parametrize("short", [0, 5, 29])
def test_stored_descriptors_are_read_in_blocks_whatever_the_count_said(tmp_path, monkeypatch, short):
    monkeypatch.setattr(store, "LOAD_ROWS", 4)
    index = PhotoIndex.open(tmp_path / "index.db")
    try:
        rng = np.random.default_rng(1)
        with index.transaction() as conn:
            for n in range(30):
                conn.execute(
                    "INSERT INTO photos (id, folder, stem, primary_path, orientation, has_raw, missing, added_at, "
                    "updated_at, search_text) VALUES (?, '/p', ?, ?, 1, 0, 0, 'x', 'x', '')",
                    (n + 1, f"s{n}", f"/p/s{n}.jpg"),
                )
                embedding, descriptor = unit_vectors(rng.normal(size=8)), unit_vectors(rng.normal(size=6))
                store.store_embedding(conn, n + 1, "m", embedding, descriptor)
        ids, embeddings, descriptors = store.stored_descriptors(_CountingLess(index.conn, short), "m")
        assert ids.tolist() == list(range(1, 31))
        assert embeddings.shape == (30, 8) and descriptors.shape == (30, 6) and descriptors.dtype == np.float16
        for photo_id, embedding, descriptor in zip(ids, embeddings, descriptors):
            np.testing.assert_array_equal(embedding, store.stored_embedding(index.conn, int(photo_id), "m"))
            np.testing.assert_array_equal(descriptor, store.stored_descriptor(index.conn, int(photo_id), "m"))
        with index.transaction() as conn:  # one row of another size: not one model's vectors
            store.store_embedding(conn, 7, "m", unit_vectors(rng.normal(size=9)), unit_vectors(rng.normal(size=6)))
        assert len(store.stored_descriptors(index.conn, "m")[0]) == 0
    finally:
        index.close()


# ---------------------------------------------------------------- end to end


def _place_photos(folder: Path) -> dict[str, list[Path]]:
    """Three near-copies of one scene ("cabin") and six unrelated random scenes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(5)

    def random_scene() -> np.ndarray:  # blocks of colour, smoothed: a scene, not noise (model.image_detail)
        blocks = Image.fromarray(rng.integers(0, 255, size=(12, 16, 3), dtype=np.uint8))
        return np.asarray(blocks.resize((128, 96), Image.Resampling.BILINEAR)).astype(np.int16)

    scene = random_scene()
    paths: dict[str, list[Path]] = {"cabin": [], "other": []}
    for i in range(4):
        noisy = np.clip(scene + rng.integers(-6, 7, size=scene.shape), 0, 255).astype(np.uint8)
        path = folder / f"cabin_{i}.jpg"
        Image.fromarray(noisy).save(path, quality=92)
        paths["cabin"].append(path)
    for i in range(6):
        path = folder / f"other_{i}.jpg"
        Image.fromarray(random_scene().astype(np.uint8)).save(path, quality=92)
        paths["other"].append(path)
    return paths


def test_tag_teach_and_suggest_with_a_descriptor_bundle(tmp_path, descriptor_bundle):
    from app.core.tagging import TagOptions, tag
    from app.core.teaching import teach
    from app.core.teaching_similar import similar
    from app.core.teaching_suggest import SuggestOptions, suggest

    paths = _place_photos(tmp_path / "photos")
    index = PhotoIndex.open(tmp_path / "index.db")
    try:
        options = TagOptions(model=descriptor_bundle.path, workers=0, batch_size=4, threads=1, threshold=0.0)
        tag(index, [tmp_path / "photos"], options)
        ids, embeddings, descriptors = store.stored_descriptors(index.conn, descriptor_bundle.id)
        assert len(ids) == 10 and descriptors.shape == (10, 1280)

        photo_id = {Path(index.get(int(i)).path).name: int(i) for i in ids}
        nearest = similar(index, photo_id["cabin_0.jpg"], k=3)
        assert {Path(index.get(i).path).name for i, _ in nearest} == {p.name for p in paths["cabin"][1:]}

        summary = teach(index, "Our cabin", paths["cabin"][:1], bundle=descriptor_bundle)
        assert (summary.taught, summary.embedded) == (1, 0)  # from the stored embedding and descriptor
        (ref,) = store.refs_of_model(index.conn, descriptor_bundle.id)
        assert ref.vector.size == descriptor_bundle.embedding_size + 1280

        found = suggest(index, "", SuggestOptions(model=descriptor_bundle.path, threshold=0.0),
                        bundle=descriptor_bundle)
        # Nothing else was taught, so with threshold 0 every photo is offered; the copies
        # of the taught scene come first (a real threshold keeps the rest out).
        ranked = [Path(s.path).name for s in found if s.label == "Our cabin"]
        assert set(ranked[:3]) == {p.name for p in paths["cabin"][1:]}
        assert found[2].score > found[3].score

        results = []
        tag(index, [p for p in paths["cabin"][1:]], TagOptions(**{**options.__dict__, "retag": True}),
            on_result=results.append)
        assert [r.label for r in results] == ["Our cabin"] * 3
        assert all(r.top[0].landmark_id == "taught:Our cabin" for r in results)
        scores = [p.score for r in results for p in r.top]
        assert all(0.0 <= s <= 1.0 for s in scores)
    finally:
        index.close()


def test_suggest_reports_the_photos_that_came_close_to_the_threshold(tmp_path, descriptor_bundle):
    from app.core.tagging import TagOptions, tag
    from app.core.teaching import teach
    from app.core.teaching_suggest import SuggestOptions, SuggestReport, close_hint, suggest

    paths = _place_photos(tmp_path / "photos")
    index = PhotoIndex.open(tmp_path / "index.db")
    try:
        tag(index, [tmp_path / "photos"], TagOptions(model=descriptor_bundle.path, workers=0, threads=1, threshold=0.0))
        teach(index, "Our cabin", paths["cabin"][:1], bundle=descriptor_bundle)

        def run(threshold: float) -> tuple[list, SuggestReport]:
            report = SuggestReport()
            found = suggest(index, "", SuggestOptions(threshold=threshold, store=False), bundle=descriptor_bundle,
                            report=report)
            return found, report

        everything, report = run(0.0)
        scores = sorted({round(s.score, 6) for s in everything})
        assert len(scores) >= 3 and report.close == 0 and close_hint(report) is None
        cut = (scores[len(scores) // 2 - 1] + scores[len(scores) // 2]) / 2
        above, report = run(cut)
        below = [s.score for s in everything if s.score < cut]
        assert [s.photo_id for s in above] == [s.photo_id for s in everything if s.score >= cut]
        assert report.threshold == cut and report.close == len(below) > 0
        assert report.best_close == pytest.approx(max(below))
        hint = close_hint(report)
        assert f"{len(below)} photo" in hint and f"best score {max(below):.2f}" in hint
        assert f"--threshold {np.floor(max(below) * 20) / 20:.2f}" in hint
    finally:
        index.close()

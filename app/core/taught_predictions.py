"""A model's top-k with the places the user taught, on its calibrated scale: for the
photos a tag run classifies (app.core.tag_run) and for up-to-date photos a model coming
back takes back from another one (rescore_coming_back), so that both give a photo what
the model and the taught places say. Going back from the stored top-5 alone would give
the model's answer from before a place was taught: its suggestions would be lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from app.core import teaching_store as store
from app.core.wording import counted
from model.places import location_factors

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from app.core.teaching_space import TeachingSpace
    from model.bundle import ModelBundle
    from model.predictor import Prediction, Predictor, TaughtReferences

RESCORE_ROWS = 500  # photos scored at once: within SQLite's parameter limit, bounded memory


@dataclass(frozen=True)
class TaughtScoring:
    """What scoring with the taught places needs of one bundle: its references (vectors in
    the teaching space), the space, and which model classes each place's photos are
    (app.core.teaching_alike)."""

    taught: "TaughtReferences"
    space: "TeachingSpace"
    alike: Any


def taught_scoring(index: "PhotoIndex", bundle: "ModelBundle") -> TaughtScoring | None:
    """The bundle's taught places ready to score with (None when nothing is taught for it)."""
    from app.core.teaching import taught_gallery
    from app.core.teaching_alike import alike_in_index
    from app.core.teaching_space import teaching_space

    taught = taught_gallery(index, bundle.id)
    if taught is None:
        return None
    space = teaching_space(bundle)
    return TaughtScoring(taught, space, alike_in_index(index, space, bundle))


def top_with_taught(index: "PhotoIndex", bundle: "ModelBundle", scoring: TaughtScoring, embeddings: np.ndarray,
                    descriptors: np.ndarray | None, factors: np.ndarray | None,
                    photo_ids: Sequence[int], k: int) -> "list[list[Prediction]]":
    """Top-k per photo scored in the bundle's teaching space (app.core.teaching_space),
    the names the user rejected for a photo left out of its scoring as `suggest` leaves
    them. factors: where the photos were taken (model.places)."""
    from app.core.teaching_scoring import RefinedReferences
    from app.core.teaching_space import score, top_predictions_with_taught, user_rejections

    space = scoring.space
    references = RefinedReferences(scoring.taught.labels, scoring.taught.vectors, {})
    scores = score(space, embeddings, space.vectors(embeddings, descriptors), references,
                   factors=factors, alike=scoring.alike)
    blocked = user_rejections(index.conn, bundle, photo_ids, scores.taught_labels)
    return top_predictions_with_taught(scores, bundle, k, blocked)


def rescore_coming_back(index: "PhotoIndex", bundle: "ModelBundle", photo_ids: Sequence[int], threshold: float,
                        predictor: Callable[[], "Predictor"]) -> list[int]:
    """Photos up to date for `bundle` whose suggestion another model made since
    (model_suggestions.taken_back_photos) get `bundle`'s answer back scored now, from
    their stored vectors, with the places taught (a photo taught under the other model
    is given a reference by this one first: `predictor` is asked for only when one must
    be decoded). Their new top-k is stored as a tag run of `bundle` would store it
    (index.set_predictions: the user's word and rejected labels stay). Photos without
    stored vectors are left to apply_threshold. Returns the ids whose label changed, or
    is now this model's (as apply_threshold counts a photo taken back)."""
    from app.core.index.connection import id_chunks
    from app.core.index.model_suggestions import taken_back_photos
    from app.core.tag_run import TOP_K

    if not store.taught_pairs(index.conn):
        return []
    coming_back = [photo_id for chunk, _ in id_chunks([int(i) for i in photo_ids])
                   for photo_id in taken_back_photos(index.conn, chunk, bundle.id)]
    if not coming_back:
        return []
    reembed_missing_taught(index, bundle, predictor)
    scoring = taught_scoring(index, bundle)
    if scoring is None:
        return []
    places = bundle.places()
    changed: list[int] = []
    for start in range(0, len(coming_back), RESCORE_ROWS):
        ids, embeddings, descriptors = _stored_vectors(index, bundle, scoring.space.is_joint,
                                                       coming_back[start:start + RESCORE_ROWS])
        if not ids:
            continue
        factors = location_factors(places, index.positions(ids))
        tops = top_with_taught(index, bundle, scoring, embeddings, descriptors, factors, ids, TOP_K)
        with index.transaction() as conn:
            before = _labels(conn, ids)
            for photo_id, top in zip(ids, tops):
                index.set_predictions(photo_id, bundle.id, top, threshold)
            after = _labels(conn, ids)
        changed += [photo_id for photo_id in ids if before.get(photo_id) != after.get(photo_id)]
    return changed


def reembed_missing_taught(index: "PhotoIndex", bundle: "ModelBundle",
                           predictor: Callable[[], "Predictor"]) -> list[tuple[str, int]]:
    """References by `bundle` for photos taught under another model (reembed_taught),
    with the run's own network (asked for only when one is missing: stored embeddings
    first). Returns the (label, photo id) pairs still without one: taught photos whose
    file is missing or unreadable (each recorded with its way out, stage 'teach')."""
    from app.core.teaching import reembed_taught

    if store.pairs_without_ref(index.conn, bundle.id):
        reembed_taught(index, bundle, predictor())
        return store.pairs_without_ref(index.conn, bundle.id)
    return []


def untaught_here_words(pairs: Sequence[tuple[str, int]], model: str = "this model") -> str:
    """ "3 taught photos could not teach this model 'Piazza Grande': …, put them back …" for
    reembed_missing_taught's pairs left, or "" for none."""
    if not pairs:
        return ""
    places = sorted({label for label, _ in pairs}, key=str.casefold)
    named = ", ".join(f"'{place}'" for place in places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
    return (f"{counted(len({photo for _, photo in pairs}), 'taught photo')} could not teach {model} {named}: "
            "their files are missing or unreadable, put them back and tag again "
            "(`landmark-tagger stats --errors` lists them)")


def _stored_vectors(index: "PhotoIndex", bundle: "ModelBundle", joint: bool,
                    photo_ids: Sequence[int]) -> tuple[list[int], np.ndarray, np.ndarray | None]:
    """(ids, embeddings [n, D], descriptors [n, F] or None) stored by `bundle` for these
    photos, those without them (a blank frame's were dropped; no descriptor where the
    teaching space needs one) left out; in the order given."""
    marks = ",".join("?" * len(photo_ids))
    rows = {int(row[0]): row[1:] for row in index.conn.execute(
        f"SELECT photo_id, vector, descriptor FROM embeddings WHERE model_id = ? AND photo_id IN ({marks}) "
        "AND vector IS NOT NULL", (bundle.id, *[int(i) for i in photo_ids]))}
    found = [(photo_id, rows[photo_id]) for photo_id in photo_ids
             if photo_id in rows and (rows[photo_id][1] is not None or not joint)]
    if not found:
        return [], np.zeros((0, 0), np.float32), None
    embeddings = np.stack([store.from_blob(vector) for _, (vector, _) in found]).astype(np.float32)
    descriptors = (np.stack([store.descriptor_from_blob(d) for _, (_, d) in found]).astype(np.float32)
                   if joint else None)
    return [photo_id for photo_id, _ in found], embeddings, descriptors


def _labels(conn, photo_ids: Sequence[int]) -> dict[int, tuple]:
    marks = ",".join("?" * len(photo_ids))
    return {int(row[0]): tuple(row[1:]) for row in conn.execute(
        f"SELECT photo_id, label, state, model_id FROM labels WHERE photo_id IN ({marks})", [int(i) for i in photo_ids])}

"""Photos like a given one (Similar photos in the app): cosine in one model's teaching
space over the stored vectors, a block of the library at a time. Read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from app.core import teaching_store as store

if TYPE_CHECKING:
    from app.core.index import PhotoIndex


SIMILAR_BLOCK = 4096  # library photos compared at once, so memory stays bounded


def is_blank_frame(index: "PhotoIndex", photo_id: int) -> bool:
    """Tagged as a blank frame (model.image_detail): every stored score 0 and no vectors
    kept, so there is nothing to compare it with."""
    from model.image_detail import is_unscored

    return is_unscored(index.predictions(photo_id))


def similar(
    index: "PhotoIndex", photo_id: int, k: int = 20, *, model_id: str | None = None
) -> list[tuple[int, float]]:
    """The k photos most like this one, best first: cosine in the teaching space of
    embedding and descriptor where the model stored descriptors (the generic features
    find the same place better, see docs/TEACHING.md; weighted by the default
    TeachingSettings().beta), else of the embeddings.

    Uses the model that tagged the photo (or `model_id`); an empty list when the photo
    has no stored embedding yet (tag it first).
    """
    index.get(photo_id)
    if model_id is None:
        row = index.conn.execute(
            "SELECT model_id FROM embeddings WHERE photo_id = ? ORDER BY rowid DESC LIMIT 1", (int(photo_id),)
        ).fetchone()
        if row is None:
            return []
        model_id = row[0]
    query = store.stored_embedding(index.conn, photo_id, model_id)
    if query is None:
        return []
    descriptor = store.stored_descriptor(index.conn, photo_id, model_id)
    if descriptor is not None:
        from model.descriptor import JointVectors, TeachingSettings, joint_vectors

        beta = TeachingSettings().beta
        ids, embeddings, descriptors = store.stored_descriptors(index.conn, model_id)
        vectors = JointVectors(embeddings, descriptors, beta) if len(ids) else embeddings
        query = joint_vectors(query[None], descriptor[None], beta)[0]
    else:
        ids, vectors = store.stored_embeddings(index.conn, model_id)
    if vectors.shape[0] == 0 or vectors.shape[1] != query.size:
        return []
    query = store.normalised(query)
    sims = np.concatenate([
        store.normalised(vectors[start : start + SIMILAR_BLOCK]) @ query
        for start in range(0, vectors.shape[0], SIMILAR_BLOCK)
    ])
    sims[ids == photo_id] = -np.inf
    k = min(int(k), int(np.isfinite(sims).sum()))
    if k <= 0:
        return []
    top = np.argpartition(-sims, k - 1)[:k]
    top = top[np.lexsort((ids[top], -sims[top]))]
    return [(int(ids[i]), float(sims[i])) for i in top]

"""Which photos a place is taught from look unlike the others: a street taught with two
park photos by mistake drives the place's suggestions towards streets, and nothing else
would tell the user. `teach` names such a photo (it still teaches: a place may have
views that differ, and the user decides).

A photo looks unlike the others when even its closest other taught photo is no more alike
than `UNLIKE_QUANTILE` of the pairs of photos of two *different* landmarks among the model's
own training photos (its gallery) are: as unlike as photos of two places. Similarity is the
cosine of the descriptors (the network's whitened pooled features, which tell places the
model never saw apart; docs/TEACHING.md), else of the embeddings. The cut is measured on
each bundle's gallery, so it follows the model; docs/TEACHING.md gives how it was chosen
(benchmarks/unlike_photos.py) and what it catches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Collection

import numpy as np

from app.core import teaching_store as store

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from model.bundle import ModelBundle

# Chosen on the default bundle's training photos (benchmarks/unlike_photos.py): there a photo
# of another landmark taught beside 2 photos of one is named 95.8 % of the time, and a photo
# of the same landmark 1.5 %.
UNLIKE_QUANTILE = 0.98
GALLERY_SAMPLE = 2000  # gallery photos the cut is measured on, at most (a pair matrix of 4 M)
MIN_PHOTOS = 3  # with two photos, neither is "the odd one"

_cuts: dict[str, float | None] = {}  # bundle id → its cut, measured once per process


def uses_descriptors(bundle: "ModelBundle") -> bool:
    """Whether similarity is measured on descriptors (else on embeddings)."""
    gallery = bundle.gallery
    return bool(bundle.descriptor_size) and gallery is not None and gallery.descriptors is not None


def unlike_cut(bundle: "ModelBundle") -> float | None:
    """The similarity under which two photos are as unlike as photos of two different
    landmarks, on the bundle's gallery; None without a gallery of two landmarks or more."""
    if bundle.id not in _cuts:
        gallery = bundle.gallery
        if gallery is None or len(np.unique(gallery.classes)) < 2:
            _cuts[bundle.id] = None
        else:
            vectors = gallery.descriptors if uses_descriptors(bundle) else gallery.vectors
            _cuts[bundle.id] = different_place_quantile(vectors, gallery.classes, UNLIKE_QUANTILE)
    return _cuts[bundle.id]


def different_place_quantile(vectors: np.ndarray, classes: np.ndarray, quantile: float,
                             sample: int = GALLERY_SAMPLE) -> float:
    """The `quantile` of the cosines between photos of different classes (a fixed sample
    of `sample` photos at most, so a large gallery costs no more)."""
    vectors = store.normalised(np.asarray(vectors, dtype=np.float32))
    classes = np.asarray(classes)
    if len(vectors) > sample:
        rows = np.sort(np.random.default_rng(0).choice(len(vectors), sample, replace=False))
        vectors, classes = vectors[rows], classes[rows]
    upper = np.triu(np.ones((len(vectors), len(vectors)), dtype=bool), k=1)
    pairs = (vectors @ vectors.T)[upper & (classes[:, None] != classes[None, :])]
    return float(np.quantile(pairs, quantile))


def unlike_the_others(vectors: np.ndarray, cut: float) -> np.ndarray:
    """[n] True for each photo whose closest other photo is less similar than `cut`
    (none with fewer than MIN_PHOTOS photos)."""
    vectors = store.normalised(np.asarray(vectors, dtype=np.float32))
    if len(vectors) < MIN_PHOTOS:
        return np.zeros(len(vectors), dtype=bool)
    similar = vectors @ vectors.T
    np.fill_diagonal(similar, -np.inf)
    return similar.max(axis=1) < cut


def odd_photo_ids(index: "PhotoIndex", bundle: "ModelBundle", place: str,
                  leave_out: Collection[int] = ()) -> list[int]:
    """The ids of the photos `place` is taught from (by `bundle`) that look unlike the
    others, in the order they were taught; leave_out: photos counted as not taught (those
    a teach just added, to know which photos looked unlike before it)."""
    cut = unlike_cut(bundle)
    if cut is None:
        return []
    read = store.stored_descriptor if uses_descriptors(bundle) else store.stored_embedding
    leave_out = set(leave_out)
    found = [(ref.photo_id, vector) for ref in store.refs_of_model(index.conn, bundle.id)
             if ref.label == place and ref.photo_id not in leave_out
             and (vector := read(index.conn, ref.photo_id, bundle.id)) is not None]
    if len(found) < MIN_PHOTOS:
        return []
    odd = unlike_the_others(np.stack([vector for _, vector in found]), cut)
    return [photo_id for (photo_id, _), unlike in zip(found, odd) if unlike]

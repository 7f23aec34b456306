"""Which of the model's landmarks a taught place's own photos are.

A user may name a landmark the model knows their own way ("Maritime museum" for its
"Musee de la Marine (Toulon)"), or teach photos of two landmarks as one trip. The model
recognises such taught photos confidently (cosine ≥ `protect_cosine` to the landmark's
centre, and taken where the landmark is, when the photo says where): the taught place
and that landmark are then one place under two names. Scoring counts them as one
(teaching_space.LibraryScores: the winning name carries both names' confidence), so the
landmark's other photos keep a label instead of falling between the two, and `teach`
and `suggest` name every such landmark. Pure numpy, but for `alike_in_index`, which
reads the taught photos' stored embeddings and positions.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from app.core import teaching_store as store
from model.places import location_factors

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from app.core.teaching_space import TeachingSpace
    from model.bundle import ModelBundle

Alike = Mapping[str, Counter]  # taught place → model class index → how many of its taught photos are that class


def landmarks_alike(space: "TeachingSpace", embeddings: np.ndarray, places: Sequence[str],
                    factors: np.ndarray | None = None) -> dict[str, Counter]:
    """For taught photos (embeddings [n, D], each one's place): place → the model classes
    that recognise its photos confidently, with how many, for a place at least a third of
    whose photos are so recognised (`is_landmarks`).
    factors: [n, C] from model.places.location_factors; a photo taken far from a landmark
    is not that landmark (a replica elsewhere is a place of its own). A place named as the
    landmark itself is that class already and is left out."""
    if len(places) == 0:
        return {}
    if space.model_centres.shape[0] == 0:
        return {}
    best, sure = sure_classes(space, embeddings, factors)
    alike: dict[str, Counter] = {}
    for place, cls, confident in zip(places, best, sure):
        if confident and space.class_names[int(cls)] != place:
            alike.setdefault(str(place), Counter())[int(cls)] += 1
    taught = Counter(str(place) for place in places)
    return {place: classes for place, classes in alike.items() if is_landmarks(sum(classes.values()), taught[place])}


def sure_classes(space: "TeachingSpace", embeddings: np.ndarray,
                 factors: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each photo's closest model class [n] and whether the model is sure of it [n]: cosine
    to its centre ≥ `protect_cosine`, the rule that keeps a library photo's class (not the
    score a suggestion shows: a photo likelier this landmark than any other may still be
    far from its photos). A photo taken far from a landmark (factors < 1) is not it."""
    cosines = space.model_cosines(np.asarray(embeddings, dtype=np.float32))
    if factors is not None:
        cosines = np.where(factors < 1.0, -1.0, cosines)
    return cosines.argmax(axis=1), cosines.max(axis=1) >= space.config.protect_cosine


def is_landmarks(recognised: int, taught: int) -> bool:
    """Whether a taught place is the landmarks its photos are when `recognised` of its
    `taught` photos are, each confidently, one of the model's landmarks: at least a third
    of them. A place of its own with one view of a landmark among its photos (a balcony
    view taught with 4 photos of "Our hotel") is not that landmark: merged, the landmark's
    label went to the hotel's own photos the model half-takes for it. A trip of landmarks
    ("Marseille weekend": 2 photos of Palais Longchamp, 1 of Hotel Negresco) is each of
    them. A third, not a half, on the validation split (benchmarks/teach_known_landmark.py
    --shots 2/3/5, each landmark's photos taught, other photos that keep a label): any
    860/760/585, a third 860/760/579, a half 860/753/575 of 862/761/586: the model is sure
    of only some photos of the landmarks it knows least (Angkor Wat, Hagia Sophia)."""
    return 3 * recognised >= taught


def alike_in_index(index: "PhotoIndex", space: "TeachingSpace", bundle: "ModelBundle",
                   places: Sequence[str] | None = None) -> dict[str, Counter]:
    """landmarks_alike for the places taught by `bundle` (only `places` when given), from
    their taught photos' stored embeddings and GPS positions; a taught photo with no stored
    embedding (dropped as a blank frame since) says nothing."""
    refs, embeddings, factors = taught_vectors(index, bundle, places)
    return landmarks_alike(space, embeddings, [ref.label for ref in refs], factors) if refs else {}


def taught_vectors(index: "PhotoIndex", bundle: "ModelBundle", places: Sequence[str] | None = None):
    """The references `bundle` taught (of `places` when given) that have a stored embedding,
    their embeddings [n, D] and location factors (model.places): what alike_in_index reads."""
    refs = [ref for ref in store.refs_of_model(index.conn, bundle.id) if places is None or ref.label in places]
    found = [(ref, vector) for ref in refs
             if (vector := store.stored_embedding(index.conn, ref.photo_id, bundle.id)) is not None]
    if not found:
        return [], None, None
    embeddings = store.normalised(np.stack([vector for _, vector in found]).astype(np.float32))
    factors = location_factors(bundle.places(), index.positions([ref.photo_id for ref, _ in found]))
    return [ref for ref, _ in found], embeddings, factors


def one_place_matrix(alike: Alike, taught_labels: Sequence[str], num_classes: int) -> np.ndarray | None:
    """[T, C] bool: taught label t and model class c are one place (None when none is)."""
    matrix = np.zeros((len(taught_labels), num_classes), dtype=bool)
    for row, label in enumerate(taught_labels):
        for cls in alike.get(label, ()):
            matrix[row, int(cls)] = True
    return matrix if matrix.any() else None

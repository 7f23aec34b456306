"""`suggest`: re-score the library against what was taught, from stored embeddings.

No photo is decoded: built-in cosines come from the stored embeddings and the
bundle's class centres, taught labels from the taught references refined through
the library (app.core.teaching_scoring). A taught label is suggested for a photo
when it wins over every built-in class, clears the model's threshold, was not
rejected for that photo, and the photo has no label of the user's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.core import teaching_store as store
from app.core.progress import CancelToken, Progress, ProgressCallback
from app.core.teaching_classifier import BuiltinExamples
from app.core.teaching_scoring import (
    TeachingConfig,
    builtin_best,
    builtin_similarities,
    refine_references,
    score_with_taught,
    taught_winners,
)

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from model.bundle import ModelBundle

TAUGHT_ID_PREFIX = "taught:"


@dataclass(frozen=True)
class Suggestion:
    """A taught label proposed for a photo, with its calibrated score and the label it
    had before (None when unlabelled or "no landmark")."""

    photo_id: int
    path: str
    label: str
    score: float
    previous: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "photo_id": self.photo_id,
            "path": self.path,
            "label": self.label,
            "landmark_id": TAUGHT_ID_PREFIX + self.label,
            "score": round(self.score, 4),
            "previous": self.previous,
        }


@dataclass(frozen=True)
class SuggestOptions:
    """model: bundle path (None: the default); threshold: None uses the bundle's;
    store: write the suggestions as labels (source taught, state suggested); rescore:
    with store, give the model's suggested labels their score on the joint scale too
    (lower where a taught label comes close), so one threshold and one ranking serve
    both; photos the model recognises confidently (protected) keep their score."""

    model: Path | None = None
    threshold: float | None = None
    store: bool = True
    teaching: TeachingConfig = field(default_factory=TeachingConfig)
    rescore: bool = True  # also put the model's own suggestions on the joint scale


def suggest(
    index: "PhotoIndex",
    query: str = "",
    options: SuggestOptions = SuggestOptions(),
    *,
    bundle: "ModelBundle | None" = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[Suggestion]:
    """New suggestions of taught labels for the photos matching `query`, best first.

    Taught photos without a reference by this model are re-embedded first. Photos not
    tagged by this model yet (no stored embedding) are skipped: tag them first.
    Raises QuerySyntaxError for a bad query, BundleError for an unusable model.
    """
    from app.core.teaching import load_model_bundle, reembed_taught
    from app.core.teaching_centres import centre_cosines, class_centres

    bundle = bundle or load_model_bundle(options.model)
    wanted = set(index.photo_ids(query)) if query else None
    reembed_taught(index, bundle, cancel=cancel)
    refs = store.refs_of_model(index.conn, bundle.id)
    ids, vectors = store.stored_embeddings(index.conn, bundle.id)
    if not refs or vectors.shape[0] == 0:
        return []
    if cancel is not None:
        cancel.raise_if_cancelled()
    vectors = store.normalised(vectors)
    centres = class_centres(bundle)
    names = bundle.class_names()
    taught_ids = {ref.photo_id for ref in refs}
    gallery = bundle.gallery
    best_builtin, rivals = [], []  # per photo: best centre cosine, best built-in similarity
    for rows in _chunks(len(vectors)):
        cosines = centre_cosines(vectors[rows], centres)
        best_builtin.append(cosines.max(axis=1))
        rivals.append(builtin_similarities(
            vectors[rows], cosines, bundle.scoring,
            gallery_vectors=None if gallery is None else gallery.vectors,
            gallery_classes=None if gallery is None else gallery.classes,
        ))
    refined = refine_references(
        vectors,
        np.concatenate(best_builtin),
        [ref.label for ref in refs],
        np.stack([ref.vector for ref in refs]),
        options.teaching,
        builtin_names=names,
        exclude=np.isin(ids, list(taught_ids)),
        builtin_similarities=np.concatenate(rivals),
        scoring=bundle.scoring,
        builtin=BuiltinExamples(
            centres,
            np.zeros((0, centres.shape[-1]), np.float32) if gallery is None else gallery.vectors,
            np.zeros(0, np.int64) if gallery is None else gallery.classes,
        ),
    )
    keep = store.user_labelled(index.conn) | taught_ids
    candidates = np.flatnonzero(
        [int(i) not in keep and (wanted is None or int(i) in wanted) for i in ids]
    ) if len(ids) else np.zeros(0, dtype=np.int64)
    rejected = store.rejected(index.conn)
    threshold = bundle.threshold if options.threshold is None else float(options.threshold)
    current = _current_labels(index)
    found: list[Suggestion] = []
    rescored: list[tuple[int, int, float]] = []
    for chunk in _chunks(len(candidates)):
        if cancel is not None:
            cancel.raise_if_cancelled()
        rows = candidates[chunk]
        scores = _score_rows(bundle, vectors[rows], centres, refined, options.teaching, names, rows)
        blocked = _blocked(rejected, ids[rows], names + scores.taught_labels)
        winner, score = taught_winners(scores, blocked)
        best, joint = builtin_best(scores)
        for row, won, value, cls, cls_score, free in zip(rows, winner, score, best, joint, scores.free):
            if won < 0 and free:  # a protected photo keeps its score: no taught label can take it
                rescored.append((int(ids[row]), int(cls), float(cls_score)))
            if won < 0 or value < threshold:
                continue
            label = scores.taught_labels[int(won)]
            photo_id = int(ids[row])
            previous = current.get(photo_id, (None, None, None, None))[0]
            if previous == label:
                continue  # already its label (suggested before, or by tagging): nothing new
            found.append(Suggestion(photo_id, "", label, float(value), previous))
    found.sort(key=lambda s: (-s.score, s.photo_id))
    found = [_with_path(index, s) for s in found]
    if options.store:
        _store(index, found, bundle.id, progress, cancel)
        if options.rescore:
            _rescore(index, bundle, rescored, current)
    return found


CHUNK_ROWS = 1024  # photos scored at once: bounds memory with bundles of many classes


def _chunks(total: int) -> list[slice]:
    return [slice(start, min(start + CHUNK_ROWS, total)) for start in range(0, total, CHUNK_ROWS)]


def _score_rows(bundle, vectors, centres, refined, teaching, names, rows: np.ndarray):
    from app.core.teaching_centres import centre_cosines

    gallery = bundle.gallery
    return score_with_taught(
        vectors,
        centre_cosines(vectors, centres),
        refined,
        bundle.scoring,
        teaching,
        builtin_names=names,
        gallery_vectors=None if gallery is None else gallery.vectors,
        gallery_classes=None if gallery is None else gallery.classes,
        library_rows=rows,
    )


def _blocked(pairs: set[tuple[int, str]], ids: np.ndarray, all_names: list[str]) -> np.ndarray | None:
    """[n, C + T] True where the user rejected that label for that photo."""
    if not pairs:
        return None
    row_of = {int(photo_id): row for row, photo_id in enumerate(ids)}
    column_of = {name: col for col, name in enumerate(all_names)}
    blocked = np.zeros((len(ids), len(all_names)), dtype=bool)
    for photo_id, label in pairs:
        if photo_id in row_of and label in column_of:
            blocked[row_of[photo_id], column_of[label]] = True
    return blocked


def _current_labels(index: "PhotoIndex") -> dict[int, tuple]:
    """photo id → (label, source, state, model id)."""
    rows = index.conn.execute("SELECT photo_id, label, source, state, model_id FROM labels").fetchall()
    return {int(row[0]): tuple(row[1:]) for row in rows}


def _rescore(index, bundle, rescored: list[tuple[int, int, float]], current: dict[int, tuple]) -> int:
    """New scores for the model's suggested labels this bundle gave (label unchanged)."""
    names = bundle.class_names()
    changed = 0
    with index.transaction():
        for photo_id, cls, score in rescored:
            label, source, state, model_id = current.get(photo_id, (None, None, None, None))
            if (source, state, model_id, label) != ("model", "suggested", bundle.id, names[cls]):
                continue
            index.set_label(
                photo_id, label, source="model", state="suggested",
                landmark_id=bundle.labels[cls].landmark_id, score=score, model_id=model_id,
            )
            changed += 1
    return changed


def _with_path(index: "PhotoIndex", suggestion: Suggestion) -> Suggestion:
    path = index.get(suggestion.photo_id).path
    return Suggestion(suggestion.photo_id, path, suggestion.label, suggestion.score, suggestion.previous)


def _store(index, found: list[Suggestion], model_id: str, progress, cancel) -> None:
    for done, s in enumerate(found):
        if cancel is not None:
            cancel.raise_if_cancelled()
        index.set_label(
            s.photo_id, s.label, source="taught", state="suggested",
            landmark_id=TAUGHT_ID_PREFIX + s.label, score=s.score, model_id=model_id,
        )
        if progress is not None:
            progress(Progress(done=done + 1, total=len(found), message="storing suggestions"))

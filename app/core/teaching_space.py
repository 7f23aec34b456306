"""Where taught labels are scored: a bundle's teaching space — pure numpy, used by
`tag`, `teach`, `suggest` and benchmarks/fewshot.py, so the measured method is the app's.

A bundle with descriptors (model.descriptor) declares a joint space,
l2([embedding, beta * descriptor]): the embedding knows the bundle's landmarks, the
descriptor (the network's pooled features) tells unseen places apart better, and
together they beat either alone on the few-shot benchmark. The known classes are
represented there by the mean of their gallery photos and by the gallery itself. An
older bundle's space is its embedding, with the network's centres and gallery.

Taught labels compete with the known classes in that space (app.core.teaching_scoring
does the refining and scoring). What the model alone decides stays the model's: a photo
it recognises confidently (protected) keeps its class and score, and a photo no taught
label wins keeps the model's class, its score lowered where a taught label comes close.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Collection, Mapping, Sequence

import numpy as np

from app.core.teaching_alike import one_place_matrix
from app.core.teaching_classifier import BuiltinExamples
from app.core.teaching_scoring import (
    RefinedReferences,
    TaughtScores,
    TeachingConfig,
    builtin_similarities,
    refine_references,
    score_with_taught,
    taught_winners,
)
from model.descriptor import JointVectors, joint_vectors
from model.places import apply_factors
from model.predictor import TAUGHT_ID_PREFIX
from model.scoring import ScoringConfig, score_classes, unit_vectors

if TYPE_CHECKING:
    import sqlite3

    from app.core.teaching_alike import Alike
    from app.core.teaching_fits import ClassifierFits
    from model.bundle import ModelBundle
    from model.descriptor import TeachingSettings
    from model.predictor import Prediction

@dataclass(frozen=True)
class TeachingSpace:
    """The model's own scoring (centres [C, k, D], scoring, gallery) and the space
    taught labels are scored in (centres [C, k, D'], scoring, gallery, beta; beta = 0
    when the space is the embedding itself)."""

    class_names: list[str]
    model_centres: np.ndarray
    model_scoring: ScoringConfig
    model_gallery_vectors: np.ndarray | None
    model_gallery_classes: np.ndarray | None
    beta: float
    centres: np.ndarray
    scoring: ScoringConfig
    gallery_vectors: np.ndarray | None
    gallery_classes: np.ndarray | None
    config: TeachingConfig

    @property
    def is_joint(self) -> bool:
        return self.beta > 0

    def vectors(self, embeddings: np.ndarray, descriptors: np.ndarray | None) -> np.ndarray:
        """Photos' vectors in this space from their embeddings (and descriptors)."""
        return space_vectors(self.beta, embeddings, descriptors)

    def library_vectors(self, embeddings: np.ndarray, descriptors: np.ndarray | None) -> "np.ndarray | JointVectors":
        """A whole library's vectors in this space for `refine` and `score`: in a joint
        space computed a block at a time (JointVectors), else the unit embeddings."""
        if not self.is_joint:
            return unit_vectors(embeddings)
        if descriptors is None:
            raise ValueError("this bundle's teaching space needs the photos' descriptors")
        return JointVectors(embeddings, descriptors, self.beta)

    def model_cosines(self, embeddings: np.ndarray) -> np.ndarray:
        return _centre_cosines(embeddings, self.model_centres)

    def space_cosines(self, vectors: np.ndarray) -> np.ndarray:
        return _centre_cosines(vectors, self.centres)

    def builtin_examples(self) -> BuiltinExamples:
        dim = self.centres.shape[-1]
        if self.gallery_vectors is None:
            return BuiltinExamples(self.centres, np.zeros((0, dim), np.float32), np.zeros(0, np.int64))
        return BuiltinExamples(self.centres, self.gallery_vectors, self.gallery_classes)


def space_beta(bundle: "ModelBundle") -> float:
    """The descriptor's weight in the bundle's teaching space (0: no joint space)."""
    return float(bundle.teaching.beta) if bundle.teaching is not None and bundle.descriptor_size else 0.0


def space_vectors(beta: float, embeddings: np.ndarray, descriptors: np.ndarray | None) -> np.ndarray:
    """l2([embedding, beta * descriptor]), or the embeddings when beta is 0."""
    if beta <= 0:
        return unit_vectors(embeddings)
    if descriptors is None:
        raise ValueError("this bundle's teaching space needs the photos' descriptors")
    return joint_vectors(embeddings, descriptors, beta)


def teaching_space(bundle: "ModelBundle", config: TeachingConfig = TeachingConfig()) -> TeachingSpace:
    """The bundle's teaching space. Raises BundleError when its class centres cannot
    be read from the network."""
    from app.core.teaching_centres import class_centres

    gallery = bundle.gallery
    return build_space(
        bundle.class_names(), class_centres(bundle), bundle.scoring,
        None if gallery is None else gallery.vectors, None if gallery is None else gallery.classes,
        None if gallery is None or space_beta(bundle) <= 0 else gallery.descriptors,
        bundle.teaching, config,
    )


def build_space(
    class_names: Sequence[str],
    centres: np.ndarray,
    scoring: ScoringConfig,
    gallery_vectors: np.ndarray | None,
    gallery_classes: np.ndarray | None,
    gallery_descriptors: np.ndarray | None,
    settings: "TeachingSettings | None",
    config: TeachingConfig = TeachingConfig(),
) -> TeachingSpace:
    """A teaching space from a model's parts: class centres [C, k, D] (or [C, D]), its
    scoring and gallery; with gallery descriptors and settings, the joint space, where
    each known class is the mean of its gallery photos' joint vectors."""
    centres = unit_vectors(np.asarray(centres, dtype=np.float32))
    if centres.ndim == 2:
        centres = centres[:, None, :]
    model = (list(class_names), centres, scoring, gallery_vectors, gallery_classes)
    if settings is None or gallery_descriptors is None or gallery_vectors is None:
        return TeachingSpace(*model, 0.0, centres, scoring, gallery_vectors, gallery_classes, config)
    joint = joint_vectors(gallery_vectors, gallery_descriptors, settings.beta)
    num_classes = centres.shape[0]
    means = np.zeros((num_classes, joint.shape[1]), np.float32)
    np.add.at(means, np.asarray(gallery_classes, dtype=np.int64), joint)
    missing = np.flatnonzero(~np.isin(np.arange(num_classes), gallery_classes))
    if len(missing):  # a class without gallery photos: its trained centre, padded
        means[missing, : centres.shape[-1]] = centres[missing].mean(axis=1)
    space_scoring = replace(scoring, gallery_weight=settings.gallery_weight, gallery_k=settings.gallery_k)
    return TeachingSpace(
        *model, float(settings.beta), unit_vectors(means)[:, None, :], space_scoring, joint,
        np.asarray(gallery_classes, dtype=np.int64), replace(config, margin=settings.margin),
    )


def refine(
    space: TeachingSpace,
    embeddings: np.ndarray,
    vectors: "np.ndarray | JointVectors",
    labels: Sequence[str],
    references: np.ndarray,
    exclude: np.ndarray | None = None,
    fits: "ClassifierFits | None" = None,
) -> RefinedReferences:
    """Taught references (space vectors) plus the library photos that fit a taught label
    clearly better than every rival (app.core.teaching_scoring.refine_references).
    embeddings [N, D] and vectors [N, D'] (or JointVectors) are the library's, row for row.
    fits: where its classifier fits are kept (app.core.teaching_fits); None: fitted afresh."""
    if len(vectors) == 0:
        return RefinedReferences([str(label) for label in labels], unit_vectors(references), {})
    best_model = np.concatenate([space.model_cosines(embeddings[rows]).max(axis=1) for rows in _chunks(len(vectors))])
    rivals = np.concatenate([
        builtin_similarities(
            vectors[rows], space.space_cosines(vectors[rows]), space.scoring,
            gallery_vectors=space.gallery_vectors, gallery_classes=space.gallery_classes,
        )
        for rows in _chunks(len(vectors))
    ])
    return refine_references(
        vectors, best_model, labels, references, space.config,
        builtin_names=space.class_names, exclude=exclude, builtin_similarities=rivals,
        scoring=space.scoring, builtin=space.builtin_examples(),
        **({} if fits is None else {"fit": fits.fit}),
    )


@dataclass(frozen=True)
class LibraryScores:
    """Photos scored against known classes and taught labels: `taught` on the joint
    scale (free = not protected by the model), `model_probabilities` the model's own.
    one_place: [T, C] True where taught label t and model class c are one place under two
    names (app.core.teaching_alike: the place's taught photos are that landmark to the
    model); None when no taught label is."""

    taught: TaughtScores
    model_probabilities: np.ndarray  # [N, C]
    one_place: np.ndarray | None = None

    @property
    def taught_labels(self) -> list[str]:
        return self.taught.taught_labels

    @property
    def free(self) -> np.ndarray:
        return self.taught.free

    def winners(self, blocked: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per photo: the winning taught label's index (-1: none, or protected) and its
        score; a label that is one place with the photo's model class scores for both
        (`one_place_scores`)."""
        winner, value = taught_winners(self.taught, blocked)
        if self.one_place is None:
            return winner, value
        members, together = self.one_place_scores(blocked)
        rows = np.flatnonzero(winner >= 0)
        joined = rows[members[rows, winner[rows]]]
        value = value.copy()
        value[joined] = together[joined]
        return winner, value

    def untaught(self, blocked: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per photo: the model's class and its score, scaled by the share of the joint
        scale the built-in classes keep (free photos): P(class) = P(not taught) ×
        P(class | built-in). So one threshold serves both, and a taught label lowers a
        built-in score only as far as it competes: teaching a place that looks nothing
        like a photo leaves its label and score as `tag` gave them. A taught label that
        is one place with the class adds its share back (`one_place_scores`): naming a
        landmark one's own way does not take the landmark's label off its photos.
        blocked: [N, C + T] (photo, label) pairs the user rejected, as for `winners`."""
        model_class = self.model_probabilities.argmax(axis=1)
        rows = np.arange(len(model_class))
        score = self.model_probabilities[rows, model_class] * self.untaught_factor()
        if self.one_place is None:
            return model_class, score
        members, together = self.one_place_scores(blocked)
        return model_class, np.where(members.any(axis=1), together, score)

    def untaught_factor(self) -> np.ndarray:
        """[N] what the model's own scores are multiplied by: the share of the joint scale
        the taught labels leave to the built-in classes (1 for a protected photo)."""
        taught_share = self.taught.probabilities[:, self.taught.num_builtin:].sum(axis=1)
        return np.where(self.free, 1.0 - taught_share, 1.0).astype(np.float32)

    def one_place_scores(self, blocked: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """members [N, T]: the taught labels that are one place with the photo's model class
        (free photos, neither name rejected for it); together [N]: that place's confidence,
        the model class's scaled score plus those labels' joint scores (a sum of shares of
        one calibrated scale, so at most 1)."""
        model_class = self.model_probabilities.argmax(axis=1)
        rows = np.arange(len(model_class))
        num_builtin = self.taught.num_builtin
        members = self.one_place[:, model_class].T & self.free[:, None]
        if blocked is not None:
            members &= ~blocked[:, num_builtin:] & ~blocked[rows, model_class][:, None]
        taught = self.taught.probabilities[:, num_builtin:]
        scaled = self.model_probabilities[rows, model_class] * self.untaught_factor()
        return members, scaled + np.where(members, taught, 0.0).sum(axis=1)


def score(
    space: TeachingSpace,
    embeddings: np.ndarray,
    vectors: np.ndarray,
    references: RefinedReferences,
    library_rows: np.ndarray | None = None,
    factors: np.ndarray | None = None,
    alike: "Alike | None" = None,
) -> LibraryScores:
    """Score photos (embeddings [n, D], space vectors [n, D']) against the known classes
    and the references. library_rows: their rows in the library given to `refine`, so
    a pseudo-reference is scored by the others, not by itself. factors: [n, C] from
    model.places.location_factors: a built-in landmark far from where a photo was taken
    loses its score on both scales (a taught place then need not beat it). alike: which
    model classes each taught place's photos are (app.core.teaching_alike), scored as one
    place with it."""
    model_cos = space.model_cosines(embeddings)
    model = score_classes(
        embeddings, model_cos, space.model_scoring,
        gallery_vectors=space.model_gallery_vectors, gallery_classes=space.model_gallery_classes,
    ).probabilities
    taught = score_with_taught(
        vectors, space.space_cosines(vectors), references, space.scoring, space.config,
        builtin_names=space.class_names, gallery_vectors=space.gallery_vectors,
        gallery_classes=space.gallery_classes, library_rows=library_rows,
    )
    # A landmark the model is sure of protects its photo from taught labels, unless the
    # photo was taken far from it (a replica in Las Vegas may be taught as what it is).
    protecting = model_cos if factors is None else np.where(factors < 1.0, -1.0, model_cos)
    free = protecting.max(axis=1) < space.config.protect_cosine if model_cos.shape[1] else taught.free
    apply_factors(model, factors)
    apply_factors(taught.probabilities, factors)
    one_place = None if not alike else one_place_matrix(alike, taught.taught_labels, model.shape[1])
    return LibraryScores(TaughtScores(taught.scored, taught.num_builtin, free), model, one_place)


def top_predictions_with_taught(
    scores: LibraryScores, bundle: "ModelBundle", k: int, blocked: np.ndarray | None = None
) -> "list[list[Prediction]]":
    """The top-k predictions per photo, built-in classes and taught labels on one scale:
    where a taught label wins, the joint scores; elsewhere the model's own scores (scaled
    down where a taught label competes), taught labels ranked below the model's class.
    blocked: [N, C + T] (photo, label) pairs the user rejected (`rejections_matrix`), as
    `suggest` passes them: a rejected name neither wins nor lends its confidence to the
    other name of the same place, so the first prediction not rejected scores as in `suggest`."""
    from model.predictor import top_predictions

    winner, value = scores.winners(blocked)
    model_class, untaught_score = scores.untaught(blocked)
    rows = np.arange(len(model_class))
    joint = scores.taught.probabilities.copy()
    num_builtin = scores.taught.num_builtin
    won = np.flatnonzero(winner >= 0)
    joint[won, num_builtin + winner[won]] = value[won]  # with what one place under two names adds
    untaught = np.concatenate([
        scores.model_probabilities * scores.untaught_factor()[:, None],
        np.minimum(joint[:, num_builtin:], untaught_score[:, None]),
    ], axis=1)
    untaught[rows, model_class] = untaught_score
    probabilities = np.where((winner >= 0)[:, None], joint, untaught)
    ids = landmark_ids(bundle, scores.taught_labels)
    return top_predictions(probabilities, ids, bundle.class_names() + scores.taught_labels, k)


def landmark_ids(bundle: "ModelBundle", taught_labels: Sequence[str]) -> list[str]:
    """The landmark id of each column of the joint scale: the bundle's classes, then the taught labels."""
    return [entry.landmark_id for entry in bundle.labels] + [TAUGHT_ID_PREFIX + t for t in taught_labels]


def user_rejections(conn: "sqlite3.Connection", bundle: "ModelBundle", photo_ids: Sequence[int],
                    taught_labels: Sequence[str]) -> np.ndarray | None:
    """[n, C + T] the names the user rejected for these photos, by name or landmark id
    (`rejections_matrix`): what `tag` and `suggest` both leave out of a photo's scoring,
    so the two never disagree about what the user said no to."""
    from app.core.index.model_suggestions import rejected_landmarks

    photo_ids = [int(photo_id) for photo_id in photo_ids]
    return rejections_matrix(rejected_landmarks(conn, photo_ids), photo_ids,
                             list(bundle.class_names()) + list(taught_labels), landmark_ids(bundle, taught_labels))


def rejections_matrix(rejected: "Mapping[int, tuple[Collection[str], Collection[str]]]", photo_ids: Sequence[int],
                      names: Sequence[str], ids: Sequence[str]) -> np.ndarray | None:
    """[n, C + T] True where the user rejected that column's label for that photo, by its
    name or by its landmark id (what model_suggestions.best_not_rejected skips); rejected:
    photo id → (rejected names, their landmark ids), as rejected_landmarks reads them.
    None when no photo has a rejection."""
    rows = [(row, rejected[int(photo_id)]) for row, photo_id in enumerate(photo_ids) if int(photo_id) in rejected]
    if not rows:
        return None
    blocked = np.zeros((len(photo_ids), len(names)), dtype=bool)
    for row, (rejected_names, rejected_ids) in rows:
        blocked[row] = [name in rejected_names or bool(landmark_id) and landmark_id in rejected_ids
                        for name, landmark_id in zip(names, ids)]
    return blocked


CHUNK_ROWS = 4096


def _chunks(total: int) -> list[slice]:
    return [slice(start, min(start + CHUNK_ROWS, total)) for start in range(0, total, CHUNK_ROWS)]


def _centre_cosines(vectors: np.ndarray, centres: np.ndarray) -> np.ndarray:
    from app.core.teaching_centres import centre_cosines

    return centre_cosines(np.asarray(vectors, dtype=np.float32), centres)

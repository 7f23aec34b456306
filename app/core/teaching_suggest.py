"""`suggest`: re-score the library against what was taught, from stored embeddings.

No photo is decoded: built-in cosines come from the stored embeddings and the
bundle's class centres, taught labels from the taught references refined through
the library, in the bundle's teaching space (app.core.teaching_space: embedding and
stored descriptor). A taught label is suggested for a photo
when it wins over every built-in class, clears the model's threshold, was not
rejected for that photo, and the photo has no label of the user's.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.core import teaching_store as store
from app.core.progress import CancelToken, Progress, ProgressCallback
from app.core.teaching_held import HeldPlace, held_lines, held_places  # noqa: F401 (HeldPlace: re-exported)
from app.core.teaching_scoring import TeachingConfig
from app.core.wording import counted, pasted_whole, shell_quote
from model.places import location_factors
from model.predictor import TAUGHT_ID_PREFIX

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from app.core.teaching_fits import ClassifierFits
    from model.bundle import ModelBundle

PROGRAM = "landmark-tagger"  # how a hint names the tool; the CLI gives its own, with --db


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
            "id": self.photo_id,  # as every per-photo --json line names it (`id:123` in a query)
            "photo_id": self.photo_id,
            "path": self.path,
            "label": self.label,
            "landmark_id": TAUGHT_ID_PREFIX + self.label,
            "score": round(self.score, 4),
            "previous": self.previous,
        }


@dataclass(frozen=True)
class Withdrawal:
    """A label the model suggested that now falls under the threshold on the joint scale
    (teaching a place lowers the model's scores, docs/TEACHING.md): it becomes "no
    landmark". Said, so that a right label does not vanish without a word."""

    photo_id: int
    path: str
    previous: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.photo_id,  # as every per-photo --json line names it (`id:123` in a query)
            "photo_id": self.photo_id,
            "path": self.path,
            "label": None,
            "landmark_id": None,
            "score": round(self.score, 4),
            "previous": self.previous,
            "withdrawn": True,
        }


@dataclass(frozen=True)
class SuggestOptions:
    """model: bundle path (None: the default); threshold: None uses the bundle's;
    store: write the suggestions as labels (source taught, state suggested); rescore:
    with store, give the model's suggested labels their score on the joint scale too
    (lower where a taught label comes close; under the threshold, "no landmark"), so
    one threshold and one ranking serve both; photos the model recognises confidently
    (protected) keep their score."""

    model: Path | None = None
    threshold: float | None = None
    store: bool = True
    teaching: TeachingConfig = field(default_factory=TeachingConfig)
    rescore: bool = True  # also put the model's own suggestions on the joint scale


@dataclass
class SuggestReport:
    """What `suggest` saw besides its suggestions: how many taught photos it used, how
    many library photos it scored, and the photos a taught label won with a score under
    the threshold. When nothing is found, these say what to do next."""

    threshold: float = 0.0
    close: int = 0
    best_close: float = 0.0
    taught: int = 0  # references of this model
    tagged: int = 0  # library photos with a stored embedding by this model
    scored: int = 0  # of those, the ones a suggestion could go to (not taught, not labelled by the user)
    untagged: int = 0  # photos a suggestion could go to that this model has not tagged yet: suggest skips them
    matched: int | None = None  # photos matching the query (None: no query, the whole library)
    close_scores: list[float] = field(default_factory=list)  # the scores of the `close` photos
    withdrawn: list[Withdrawal] = field(default_factory=list)  # model labels now "no landmark" (with rescore)
    held: list[HeldPlace] = field(default_factory=list)  # each taught place that found nothing for that reason
    # (label, photo id) taught under another model with no reference by this one: files missing or unreadable
    unreached: list[tuple[str, int]] = field(default_factory=list)


def untagged_hint(report: SuggestReport, model: str | Path | None = None, program: str = PROGRAM) -> str | None:
    """One line for the CLI when some photos were skipped because they are not tagged
    yet (suggest reads stored embeddings only), whatever else was found. The command it
    gives tags with `model`, the bundle suggest was given (None: the default one):
    tagged by another model, the photos would still be skipped. `program`: how the
    user runs the tool, with the --db given (a hint without it acts on the default index)."""
    if report.taught == 0 or report.untagged == 0 or report.tagged == 0:
        return None  # nothing taught, or close_hint already says to tag first
    photos = f"{report.untagged} photo{'s' if report.untagged != 1 else ''}"
    verb = "is" if report.untagged == 1 else "are"
    command = " ".join([f"{program} tag", *model_option(model)])
    return (f"{photos} {verb} not tagged by this model yet, so suggest could not look at "
            f"{'it' if report.untagged == 1 else 'them'}: run `{command}` first, then suggest again")


def model_option(model: str | Path | None) -> list[str]:
    """`--model BUNDLE` as a command we suggest spells it (nothing for the default model),
    so that following it uses the bundle the user chose."""
    return [f"--model {shell_quote(str(model))}"] if model else []


def cli_label(program: str = PROGRAM) -> str:
    """How the command line labels photos, for held_hint (`program`: see untagged_hint)."""
    return f"with `{program} label`"


FAR_UNDER = 0.5  # a best score under half the threshold did not "come close": no lower threshold is the answer


def held_hints(report: SuggestReport, how_to_label: str) -> list[str]:
    """Why a taught place got no suggestion, one line a place, whatever other places found:
    the model knows its look-alikes confidently as landmarks of its own, each named
    (teaching more photos would not change that), so the way out is labelling them
    `how_to_label` (app.core.teaching_held)."""
    return held_lines(report.held, how_to_label)


def held_hint(report: SuggestReport, how_to_label: str) -> str | None:
    """held_hints in one line (None when no taught place is held)."""
    return "; ".join(held_hints(report, how_to_label)) or None


def unreached_words(pairs: list[tuple[str, int]]) -> str:
    """ "'Piazza Grande' (3 taught photos) has no reference for this model, as their files
    are missing or unreadable", for places taught under other models only (SuggestReport.unreached)."""
    places: dict[str, set[int]] = {}
    for label, photo_id in pairs:
        places.setdefault(label, set()).add(photo_id)
    names = sorted(places, key=str.casefold)
    named = ", ".join(f"'{name}' ({counted(len(places[name]), 'taught photo')})" for name in names[:3])
    named += f" and {counted(len(names) - 3, 'other place')}" if len(names) > 3 else ""
    has = "has" if len(names) == 1 else "have"
    return f"{named} {has} no reference for this model, as their files are missing or unreadable"


def close_hint(report: SuggestReport, query: str = "", model: str | Path | None = None,
               program: str = PROGRAM) -> str | None:
    """One line for the CLI when nothing was found: nothing taught, nothing tagged to
    score, the photos the model holds (held_hint, first: teaching more would not change
    them), or how close the best photos came and the command that lists them (for the
    photos matching `query`, with `model`; `program`: see untagged_hint) (None when
    there is nothing to add)."""
    if report.taught == 0 and report.unreached:
        command = " ".join([f"{program} tag", *model_option(model)])
        return (f"nothing to suggest: {unreached_words(report.unreached)}; put them back and run `{command}`, "
                f"which teaches this model from them (`{program} stats --errors` lists them)")
    if report.taught == 0:
        return f"nothing is taught yet: teach a place first, e.g. `{program} teach \"Our cabin\" PHOTO…`"
    if report.matched == 0:
        return f"no photo matches the search: try it with `{program} search`"
    if report.scored == 0 and report.tagged == 0:
        command = " ".join([f"{program} tag", *model_option(model), "FOLDER"])
        return (f"no tagged photo to score: run `{command}` first "
                "(suggest compares the photos' stored embeddings, it decodes none)")
    if report.scored == 0 and report.untagged:
        return None  # untagged_hint says to tag them
    if report.scored == 0:
        return ("no photo left to score: every tagged photo it looked at is one you taught or labelled; "
                f"tag more folders (`{program} tag FOLDER`) to look through them")
    held = held_hint(report, cli_label(program))
    if report.close == 0:
        return held
    scores = report.close_scores or [report.best_close] * report.close
    best, lowest = _threshold_under(report.best_close), _threshold_under(min(scores))
    listed = sum(score >= best for score in scores)
    # a query holding a " reaches the program from no quoting in Windows PowerShell 5.1 (pasted_whole)
    typed = (shell_quote(query) if pasted_whole(query) else "QUERY") if query else None
    command = " ".join([f"{program} suggest", *([typed] if typed else []),
                        *model_option(model), "--dry-run"])
    if listed == len(scores):
        lists = f"`{command} --threshold {best:.2f}` lists {'it' if listed == 1 else 'them'}"
    else:  # the best one only would leave the others out: say what lists them all
        lists = (f"`{command} --threshold {best:.2f}` lists {listed:,} of them, "
                 f"`--threshold {lowest:.2f}` all {len(scores):,}")
    far = far_under_words(report)
    if far is not None:  # a threshold low enough to list them would list anything: teaching more is the way
        return f"{held}; {far}" if held else f"{far}; teach more photos of your places"
    photos = counted(report.close, "other photo" if held else "photo")
    came_close = (f"{photos} came close (best score {report.best_close:.2f}, "
                  f"threshold {report.threshold:.2f}): {lists}")
    if held:  # teaching more photos would not move the held ones: the way out is labelling them
        return f"{held}; {came_close}"
    return f"{came_close}; teaching more photos of the place raises their scores"


def far_under_words(report: SuggestReport) -> str | None:
    """"the best match scored 0.03, far under the threshold (0.79)" when the best photo
    under the threshold scored under FAR_UNDER of it, where "came close" would say the
    photos are nearly there (the CLI and the app word it so alike); "the other photos
    scored … at best" beside a held place. None when it came close, or none was scored."""
    if not report.close or report.best_close >= report.threshold * FAR_UNDER:
        return None
    best, threshold = f"{report.best_close:.2f}", f"{report.threshold:.2f}"
    if report.held:
        return f"the other photos scored {best} at best, far under the threshold ({threshold})"
    return f"the best match scored {best}, far under the threshold ({threshold})"


def _threshold_under(score: float) -> float:
    """A round threshold (a multiple of 0.05) at or under `score`, so that a suggest run
    with it lists the photo that scored `score`."""
    steps = math.floor(score * 20)
    if steps / 20 > score:  # score * 20 rounded up onto a whole number
        steps -= 1
    return max(steps, 0) / 20


def suggest(
    index: "PhotoIndex",
    query: str = "",
    options: SuggestOptions = SuggestOptions(),
    *,
    bundle: "ModelBundle | None" = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    report: SuggestReport | None = None,
    fits: "ClassifierFits | None" = None,
) -> list[Suggestion]:
    """New suggestions of taught labels for the photos matching `query`, best first.

    Taught photos without a reference by this model are re-embedded first. Photos not
    tagged by this model yet (no stored embedding) are skipped: tag them first.
    `report`, when given, is filled in (SuggestReport). `fits`: where the teaching
    classifier's fits are kept (default: the user's cache folder, app.core.teaching_fits),
    so a run with nothing new taught does not fit again. Raises QuerySyntaxError for a
    bad query, BundleError for an unusable model.
    """
    from app.core.teaching import load_model_bundle, reembed_taught
    from app.core.teaching_fits import ClassifierFits, classifier_fits_dir
    from app.core.teaching_space import refine, teaching_space, user_rejections
    from app.core.teaching_space import score as score_space

    bundle = bundle or load_model_bundle(options.model)
    wanted = set(index.photo_ids(query)) if query else None
    if report is not None:
        report.matched = None if wanted is None else len(wanted)
    reembed_taught(index, bundle, cancel=cancel)
    refs = store.refs_of_model(index.conn, bundle.id)
    if report is not None:
        report.taught = len(refs)
        report.unreached = store.pairs_without_ref(index.conn, bundle.id)
    if not refs:
        return []
    taught_ids = {ref.photo_id for ref in refs}
    keep = store.user_labelled(index.conn) | taught_ids
    if report is not None:
        report.untagged = _count_untagged(index, bundle.id, wanted, keep)
    space = teaching_space(bundle, options.teaching)
    if space.is_joint:
        ids, embeddings, descriptors = store.stored_descriptors(index.conn, bundle.id)
    else:
        (ids, embeddings), descriptors = store.stored_embeddings(index.conn, bundle.id), None
    if embeddings.shape[0] == 0:
        return []
    if cancel is not None:
        cancel.raise_if_cancelled()
    if report is not None:
        report.tagged = len(ids)
    embeddings = store.normalise_in_place(embeddings)
    vectors = space.library_vectors(embeddings, descriptors)
    refined = refine(
        space, embeddings, vectors, [ref.label for ref in refs], np.stack([ref.vector for ref in refs]),
        exclude=np.isin(ids, list(taught_ids)), fits=fits or ClassifierFits(classifier_fits_dir()),
    )
    candidates = np.flatnonzero(
        [int(i) not in keep and (wanted is None or int(i) in wanted) for i in ids]
    ) if len(ids) else np.zeros(0, dtype=np.int64)
    if report is not None:
        report.scored = len(candidates)
    names, places = bundle.class_names(), bundle.places()
    alike = _landmarks_alike(index, space, places, embeddings, ids, refs)
    held_classes: dict[int, set[str]] = {}  # model class → the taught places whose photos it is
    for place, classes in alike.items():
        for cls in classes:
            held_classes.setdefault(cls, set()).add(place)
    threshold = bundle.threshold if options.threshold is None else float(options.threshold)
    current = _current_labels(index)
    found: list[Suggestion] = []
    close: list[float] = []  # scores of photos a taught label won under the threshold
    rescored: list[tuple[int, int, float]] = []
    held_by: Counter[int] = Counter()  # photos a confident model class keeps, of the classes in held_classes
    for chunk in _chunks(len(candidates)):
        if cancel is not None:
            cancel.raise_if_cancelled()
        rows = candidates[chunk]
        factors = location_factors(places, index.positions(ids[rows].tolist()))
        scores = score_space(space, embeddings[rows], vectors[rows], refined, library_rows=rows, factors=factors,
                             alike=alike)
        blocked = user_rejections(index.conn, bundle, ids[rows], scores.taught_labels)
        winner, value_of = scores.winners(blocked)
        best, joint = scores.untaught(blocked)
        held = ~scores.free & np.isin(best, list(held_classes))  # what teaching more photos would not change
        held_by.update(best[held].tolist())
        for row, won, value, cls, cls_score, free in zip(rows, winner, value_of, best, joint, scores.free):
            if won < 0 and free:  # a protected photo keeps its score: no taught label can take it
                rescored.append((int(ids[row]), int(cls), float(cls_score)))
            if won < 0:
                continue
            label = scores.taught_labels[int(won)]
            photo_id = int(ids[row])
            previous = current.get(photo_id, (None, None, None, None))[0]
            if previous == label:
                continue  # already its label (suggested before, or by tagging): nothing new
            if value < threshold:
                close.append(float(value))
                continue
            found.append(Suggestion(photo_id, "", label, float(value), previous))
    if report is not None:
        report.threshold, report.close, report.best_close = threshold, len(close), max(close, default=0.0)
        report.close_scores = close
        report.held = held_places(held_by, held_classes, names, {s.label for s in found})
    found.sort(key=lambda s: (-s.score, s.photo_id))
    found = [_with_path(index, s) for s in found]
    if options.store:
        _store(index, found, bundle.id, progress, cancel)
        if options.rescore:
            _rescore(index, bundle, rescored, current, threshold)
    if report is not None and options.rescore:
        report.withdrawn = _withdrawn(index, bundle, rescored, current, threshold)
    return found


def _count_untagged(index: "PhotoIndex", model_id: str, wanted: set[int] | None, keep: set[int]) -> int:
    """Photos (not missing, matching the query) that a suggestion could go to (not taught,
    not labelled by the user) and that `tag` with this model would still classify: no
    embedding stored, never tagged by it, and no photo it failed to decode."""
    rows = index.conn.execute(
        "SELECT p.id FROM photos p WHERE p.missing = 0 "
        "AND NOT EXISTS (SELECT 1 FROM tagged t WHERE t.photo_id = p.id AND t.model_id = ?) "
        "AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.photo_id = p.id AND e.model_id = ?)",
        (model_id, model_id),
    ).fetchall()
    failed = {photo_id for (photo_id,) in index.conn.execute(
        "SELECT photo_id FROM errors WHERE stage = 'decode' AND photo_id IS NOT NULL")}
    skip = keep | failed
    return sum(1 for (photo_id,) in rows if photo_id not in skip and (wanted is None or photo_id in wanted))


CHUNK_ROWS = 1024  # photos scored at once: bounds memory with bundles of many classes


def _chunks(total: int) -> list[slice]:
    return [slice(start, min(start + CHUNK_ROWS, total)) for start in range(0, total, CHUNK_ROWS)]


def _landmarks_alike(index: "PhotoIndex", space, places, embeddings: np.ndarray, ids: np.ndarray,
                     refs) -> dict[str, Counter]:
    """Taught place → the model classes its taught photos are, with how many
    (app.core.teaching_alike), from the library's stored rows: those classes' other photos
    stay that landmark where the model is sure, and the place and the class are scored as
    one place elsewhere. A place taught as the landmark itself is left out."""
    from app.core.teaching_alike import landmarks_alike

    place_of = {ref.photo_id: ref.label for ref in refs}
    rows = np.flatnonzero(np.isin(ids, list(place_of)))
    factors = location_factors(places, index.positions(ids[rows].tolist()))
    return landmarks_alike(space, embeddings[rows], [place_of[int(ids[row])] for row in rows], factors)


def _current_labels(index: "PhotoIndex") -> dict[int, tuple]:
    """photo id → (label, source, state, model id)."""
    rows = index.conn.execute("SELECT photo_id, label, source, state, model_id FROM labels").fetchall()
    return {int(row[0]): tuple(row[1:]) for row in rows}


def _models_suggestion(current: dict[int, tuple], photo_id: int, bundle, cls: int) -> bool:
    """Whether the photo's label is the suggestion of this bundle for class `cls`: the
    only labels the joint scale rescores (the user's word and other models' stay)."""
    label, source, state, model_id = current.get(photo_id, (None, None, None, None))
    return (source, state, model_id, label) == ("model", "suggested", bundle.id, bundle.class_names()[cls])


def _withdrawn(
    index, bundle, rescored: list[tuple[int, int, float]], current: dict[int, tuple], threshold: float
) -> list[Withdrawal]:
    """The model's suggested labels that the joint scale puts under the threshold (what
    _rescore makes "no landmark"), in photo order."""
    return [
        Withdrawal(photo_id, index.get(photo_id).path, current[photo_id][0], score)
        for photo_id, cls, score in sorted(rescored)
        if score < threshold and _models_suggestion(current, photo_id, bundle, cls)
    ]


def _rescore(
    index, bundle, rescored: list[tuple[int, int, float]], current: dict[int, tuple], threshold: float
) -> int:
    """New scores for the model's suggested labels this bundle gave. One that falls
    under the threshold becomes "no landmark", as `tag` would now answer."""
    changed = 0
    with index.transaction():
        for photo_id, cls, score in rescored:
            if not _models_suggestion(current, photo_id, bundle, cls):
                continue
            confident = score >= threshold
            index.set_label(
                photo_id, current[photo_id][0] if confident else None, source="model", state="suggested",
                landmark_id=bundle.labels[cls].landmark_id if confident else None, score=score, model_id=bundle.id,
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

"""Teach your own landmarks: photos the user labels become references for that label.

A taught reference is a photo's vector in one model's teaching space
(app.core.teaching_space: the embedding, or embedding + descriptor), kept in
`taught_refs`. Tagging scores taught labels against them (see `taught_gallery`) on the
model's calibrated scale; `suggest`
(app.core.teaching_suggest) re-scores the whole library from stored embeddings.
References survive a model change: `reembed_taught` embeds their photos again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from app.core import teaching_store as store
from app.core.errors import PhotoReadError, UsageError
from app.core.index import problems
from app.core.index.labels import changed_since
from app.core.index.released_holds import held_files
from app.core.journalled_labels import ForgetBefore, TeachBefore
from app.core.progress import CancelToken, Progress, ProgressCallback
from app.core.teaching_embedder import MissingPhotoError, PhotoEmbedder, missing_photo
from app.core.teaching_look import TaughtLook, look_of_place
from app.core.teaching_moves import TaughtMove, move_lines
from app.core.teaching_names import canonical_label, check_label, stored_label  # noqa: F401 (re-exported)
from app.core.teaching_targets import resolve_photo_ids, taught_from_stored
from app.core.teaching_untaught import Untaught, places_taught_by, withdraw_untaught

if TYPE_CHECKING:
    import sqlite3

    from app.core.index import PhotoIndex
    from app.core.index.labels import ReviewState
    from app.core.index.review_journal import ReviewCommand
    from app.core.teaching_suggest import SuggestOptions, Suggestion
    from model.bundle import ModelBundle
    from model.predictor import Predictor, TaughtReferences

@dataclass
class TeachSummary:
    """What one teach call did: photos taught, how many had to be decoded, failures."""

    label: str
    model_id: str = ""
    taught: int = 0
    embedded: int = 0
    errors: int = 0
    photo_ids: list[int] | None = None
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, why) per photo not taught
    from_stored: list[tuple[str, str]] = field(default_factory=list)  # (path, note): taught with no file
    moved: list[TaughtMove] = field(default_factory=list)  # photos that taught another place before
    untaught: list[Untaught] = field(default_factory=list)  # places the moves left with no photo
    look: TaughtLook | None = None  # odd photos, the model's landmarks they are (app.core.teaching_look)
    journalled: "ReviewCommand | None" = None  # the review journal's command (teach's `journal`)
    place_photos: int = 0  # the photos teaching the place after this teach, these and earlier ones
    left_held: int = 0  # files `write` holds of the photos taught: the label does not go into them

    @property
    def no_longer_taught(self) -> list[str]:
        return [gone.place for gone in self.untaught]

    def line(self) -> str:
        if self.taught == 0 and self.errors:
            return f"nothing taught as '{self.label}': {self.errors} photo{'s' if self.errors != 1 else ''} could not be used"
        text = f"taught '{self.label}' from {self.taught} photo{'s' if self.taught != 1 else ''}"
        if self.place_photos > self.taught:  # taught into a place that had photos: its new total
            text += f" ({self.place_photos:,} in all)"
        if self.embedded:
            text += f" ({self.embedded} decoded now)"
        if self.errors:
            text += f", {self.errors} failed"
        return text

    def move_lines(self) -> list[str]:
        """What the moves did, for the user to hear (teaching_moves.move_lines)."""
        return move_lines(self.label, self.moved, self.untaught)

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "model_id": self.model_id,
            "taught": self.taught,
            "embedded": self.embedded,
            "errors": self.errors,
            "photo_ids": list(self.photo_ids or []),
            "place_photos": self.place_photos,
            "left_held": self.left_held,
            **(self.look.to_json() if self.look is not None else {}),
        }


def load_model_bundle(model: str | Path | None) -> "ModelBundle":
    """The chosen bundle, or the default one; UsageError when there is none."""
    from model.bundle import default_bundle_path, load_bundle

    if model is None:
        default = default_bundle_path()
        if not default.exists():
            raise UsageError(
                f"no default model bundle at {default}; pass one with --model PATH.ltbundle "
                "(`landmark-tagger models` lists the bundles it knows)"
            )
        model = default
    return load_bundle(Path(model).expanduser())


def teach(
    index: "PhotoIndex",
    label: str,
    targets: Sequence[str | Path | int],
    *,
    model: str | Path | None = None,
    bundle: "ModelBundle | None" = None,
    predictor: "Predictor | None" = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    journal: str | None = None,
) -> TeachSummary:
    """Make the photos (paths, folders or photo ids) references for `label`.

    Each photo gets the user's label (accepted) and its embedding by the model becomes
    a reference. A photo that taught another label before now teaches only this one
    (the summary's `moved` and `no_longer_taught` say so). `journal`: the command as the
    user would name it, journalled in the same transaction for `undo --review` and Ctrl+Z
    (journalled_labels.TeachBefore; the summary's `journalled`); None: not journalled.
    Per-photo failures are recorded (stage 'teach') and the other photos are taught;
    UsageError for an empty label or when no target gives a photo, BundleError for an
    unusable model.
    """
    label = check_label(label)
    bundle = bundle or load_model_bundle(model)  # before the folders are scanned: a bad model changes nothing
    photo_ids, problems = resolve_photo_ids(index, targets)
    stored_only, notes, problems = taught_from_stored(index, bundle.id, problems)  # in iCloud, or deleted since
    photo_ids = list(dict.fromkeys(photo_ids + stored_only))
    if not photo_ids and problems:
        raise UsageError("; ".join(f"cannot teach from {path}: {why}" for path, why in problems))
    label = canonical_label(index, label, bundle.class_names())
    embedder = PhotoEmbedder(index, bundle, predictor)
    summary = TeachSummary(label=label, model_id=bundle.id, photo_ids=[], from_stored=notes)
    summary.errors += len(problems)
    summary.failures += problems
    usable = _prepare_references(index, embedder, photo_ids, summary, progress, cancel)
    with index.transaction() as conn:  # every photo or none: a kill or cancel leaves the index as it was
        was = TeachBefore.read(conn, usable, label) if journal is not None else None
        for start in range(0, len(usable), 500):  # a few statements per 500 photos, not per photo
            chunk = usable[start : start + 500]
            before = store.labels_taught_by(conn, chunk, other_than=label)
            # a photo whose embedding went since (tagged again as a blank frame) is left out
            vectors = ((i, vector) for i in chunk if (vector := embedder.stored_reference(i)) is not None)
            teaching = _add_references(conn, label, bundle.id, vectors)
            taught = [i for i in chunk if i in teaching]
            index.set_labels(taught, label, source="user", state="accepted")  # each carries what it teaches
            for photo_id in taught:
                summary.moved += [TaughtMove(index.get(photo_id).path, place) for place in before.get(photo_id, ())]
            summary.taught += len(taught)
            summary.photo_ids += taught
        # a place the moves left with no photo is no longer taught: its suggestions go
        summary.untaught = withdraw_untaught(conn, {move.before for move in summary.moved})
        summary.journalled = was.journal(conn, journal, summary) if was is not None else None
        summary.place_photos = store.taught_labels(conn).get(label, 0)
    summary.embedded = embedder.decoded
    summary.left_held = len(held_files(index.conn, summary.photo_ids))  # as `accept` names them (plan_stripped_hold)
    summary.look = look_of_place(index, bundle, label, summary.photo_ids) if summary.taught else None
    return summary


def _prepare_references(
    index: "PhotoIndex",
    embedder: PhotoEmbedder,
    photo_ids: Sequence[int],
    summary: TeachSummary,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    skip_forgotten: bool = False,
) -> list[int]:
    """The photos that can teach, each with its embedding stored before anything is
    taught (decoding is slow: no transaction waits on it), so that the one transaction
    reads their vectors one at a time (100,000 held at once: 400 MB); a photo that
    cannot be used is recorded (stage 'teach') and in `summary`, and left out.
    `skip_forgotten`: a photo taken out of the library meanwhile (a terminal's `forget`)
    is left out too, for the caller to leave as it is, instead of raising UsageError."""
    usable: list[int] = []
    for done, photo_id in enumerate(photo_ids):
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            embedder.prepare(photo_id)
            usable.append(photo_id)
        except PhotoReadError as error:
            path = index.get(photo_id).path
            index.record_error(path, "teach", str(error), photo_id=photo_id)
            summary.errors += 1
            summary.failures.append((path, str(error)))
            continue
        except UsageError:
            if not (skip_forgotten and store.unknown_photo_ids(index.conn, [photo_id])):
                raise
            continue
        if progress is not None:
            progress(Progress(done=done + 1, total=len(photo_ids), message=summary.label))
    return usable


def teach_untaught_labels(index: "PhotoIndex", bundle: "ModelBundle", photo_ids: Sequence[int]) -> int:
    """Photos the user gave a place of their own that teach nothing yet (labels read back
    from the files into a new index, or set while no model was usable) teach it now,
    from the embedding `tag` stored; places the user told the app to forget are left
    alone, and so are the model's own landmarks (a label alone may be a suggestion only
    accepted) but where the files it was read back from name it in their Teaches field
    (a correction taught, then written). Returns how many photos were taught."""
    known = {name.casefold() for name in bundle.class_names()}
    pending: dict[str, list[int]] = {}
    ids = [int(i) for i in photo_ids]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = index.conn.execute(
            "SELECT l.photo_id, l.label, EXISTS (SELECT 1 FROM read_back_keywords r WHERE r.photo_id = l.photo_id "
            "AND r.keyword = l.label AND r.teaches) "
            f"FROM labels l WHERE l.photo_id IN ({','.join('?' * len(chunk))}) "
            "AND l.source = 'user' AND l.state = 'accepted' AND l.label IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM taught_refs t WHERE t.photo_id = l.photo_id AND t.label = l.label) "
            "AND l.label NOT IN (SELECT label FROM forgotten_places) "
            "AND EXISTS (SELECT 1 FROM embeddings e WHERE e.photo_id = l.photo_id AND e.model_id = ?)",
            (*chunk, bundle.id),
        ).fetchall()
        for photo_id, label, file_says_it_teaches in rows:
            if file_says_it_teaches or label.casefold() not in known:
                pending.setdefault(label, []).append(int(photo_id))
    taught = 0
    for label, labelled in pending.items():
        try:
            taught += teach(index, label, labelled, bundle=bundle).taught
        except UsageError as error:  # a label no keyword can hold: say so, teach the rest
            index.record_error(None, "teach", f"'{label}' is not taught: {error}", photo_id=labelled[0])
    return taught


def _add_references(
    conn: "sqlite3.Connection", label: str, model_id: str, vectors: Iterable[tuple[int, np.ndarray]]
) -> set[int]:
    """Each photo's reference for `label` from its vector, replacing what it taught before
    (their labels are the caller's to set in the same transaction: a reference without
    its label, or the label without its reference, would teach a place the photo does
    not show); the photos that teach now. `vectors` may be read lazily: one vector is
    held at a time."""
    taught = set()
    for photo_id, vector in vectors:
        store.add_ref(conn, label, photo_id, model_id, vector)
        problems.clear(conn, ("teach",), photo_id=photo_id)  # it teaches now: an earlier failure is over
        taught.add(photo_id)
    store.forget_photos(conn, list(taught), keep_label=label)  # the places they taught before
    return taught


@dataclass(frozen=True)
class Correction:
    """What learn_from_correction did: the label as the index spells it, the label the
    photo had (rejected now; None when it had none or the same), and whether the photo
    teaches the label (no usable model, or a photo that cannot be read: not)."""

    label: str | None
    rejected: str | None
    taught: bool
    changed: bool = True  # its label, state or source changed (False: it was labelled so already)
    # left as it is, labelled again since the caller's `expected`: its (label, state) now
    labelled_since: ReviewState | None = None


def learn_from_correction(
    index: "PhotoIndex",
    photo_id: int,
    label: str | None,
    *,
    model: str | Path | None = None,
    bundle: "ModelBundle | None" = None,
    predictor: "Predictor | None" = None,
) -> Correction:
    """The user corrected a photo's label: the old label is rejected for this photo
    (never suggested again) and the photo teaches the new one (None: "no landmark",
    which teaches nothing and drops what the photo taught before).

    Call it from the `label` command and the GUI instead of a bare set_label. When no
    model is usable the label is still set, only teaching is skipped. Returns what it did.
    """
    return learn_from_corrections(index, [photo_id], label, model=model, bundle=bundle, predictor=predictor)[0]


def learn_from_corrections(
    index: "PhotoIndex",
    photo_ids: Sequence[int],
    label: str | None,
    *,
    model: str | Path | None = None,
    bundle: "ModelBundle | None" = None,
    predictor: "Predictor | None" = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    expected: Mapping[int, ReviewState] | None = None,
    record: "Callable[[sqlite3.Connection, list[Correction], list[store.RefRow], list[Untaught]], None] | None"
    = None,
    begin: "Callable[[sqlite3.Connection], None] | None" = None,
) -> list[Correction]:
    """learn_from_correction for several photos given one label, in one transaction, as
    accept and reject are: a kill (or cancel) leaves every photo as it was or every
    photo corrected, never a rejection or reference without the label it goes with.
    Photos without a stored embedding are decoded first, outside the transaction (a
    rerun finds them stored); the transaction reads each photo's vector from it.
    `expected`: each photo's (label, state) as the caller showed it (PhotoIndex.review_states;
    a photo it leaves out is expected to hold no label): a photo another program labelled
    again since (while this decoded, or the job waited) is left as it is, compared in the
    transaction that corrects the others, so its new label is never rejected, and so is
    one taken out of the library since (state labels.FORGOTTEN), where without `expected`
    an unknown id raises UsageError; its Correction says so (`labelled_since`). `record`:
    called with the corrections, the references they dropped (the places the photos
    taught before) and the places left with no photo that teaches them (their suggestions
    withdrawn: app.core.teaching_untaught) before that transaction commits, so that a
    record of them (the review journal) is kept with them or not at all. `begin`: called
    first in that transaction (under the write lock, after any wait for another program's),
    to read what the record needs as it is then. Returns what it did, photo by photo."""
    from model.errors import ModelError

    ids = [int(photo_id) for photo_id in photo_ids]
    if not ids:
        return []
    unknown = store.unknown_photo_ids(index.conn, ids)
    if expected is None:
        for photo_id in unknown[:1]:
            index.get(photo_id)  # its UsageError, before anything changes
    if label is not None:
        label = check_label(label)
        try:
            bundle = bundle or load_model_bundle(model)
        except (ModelError, UsageError):
            bundle = None  # no usable model: the label still counts, teaching waits
        label = canonical_label(index, label, bundle.class_names() if bundle else ())
    embedder = None
    if label is not None and bundle is not None:
        embedder = PhotoEmbedder(index, bundle, predictor)
        lesson = TeachSummary(label=label, model_id=bundle.id)
        gone = set(unknown)  # forgotten since the caller's look: nothing to decode, left as they are
        _prepare_references(index, embedder, [i for i in ids if i not in gone], lesson, progress, cancel,
                            skip_forgotten=expected is not None)
    corrections = []
    with index.transaction() as conn:
        if begin is not None:
            begin(conn)
        refs_before = store.ref_rows_of_photos(conn, ids) if record is not None else []
        taught_before = places_taught_by(conn, ids)
        for start in range(0, len(ids), 500):
            if cancel is not None:
                cancel.raise_if_cancelled()  # rolls back every photo corrected so far
            corrections += _correct(index, conn, ids[start : start + 500], label, embedder, expected)
            if progress is not None:  # tens of thousands of photos take seconds: say how far
                progress(Progress(done=len(corrections), total=len(ids), message="labelling"))
        if cancel is not None:
            cancel.raise_if_cancelled()
        # a place these photos were the last to teach is no longer taught: its suggestions go
        untaught = withdraw_untaught(conn, taught_before) if taught_before else []
        if record is not None:
            record(conn, corrections, store.refs_gone(conn, refs_before), untaught)
    return corrections


def _correct(index: "PhotoIndex", conn: "sqlite3.Connection", chunk: list[int], label: str | None,
             embedder: PhotoEmbedder | None, expected: Mapping[int, ReviewState] | None) -> list[Correction]:
    """These photos' corrections, inside the caller's transaction: each one's current label
    rejected, the new one set, for all of them at once (benchmarks/label_many.py), and
    taught from its stored embedding (`embedder`: None, or a photo without one, teaches
    nothing new); a photo no longer as `expected` (None: any) is left as it is."""
    current = index.review_states(chunk)  # one query for 500 photos
    since = {} if expected is None else changed_since(conn, chunk, expected)
    photo_ids = [photo_id for photo_id in chunk if photo_id not in since]
    rejected = {photo_id: current.get(photo_id, (None,))[0] for photo_id in photo_ids}
    rejected = {photo_id: old for photo_id, old in rejected.items() if old is not None and old != label}
    for photo_id, old in rejected.items():
        store.add_rejection(conn, photo_id, old)
    taught: set[int] = set()
    if label is None:
        store.forget_photos(conn, photo_ids)  # "no landmark" teaches nothing
    elif embedder is not None:
        vectors = ((i, vector) for i in photo_ids if (vector := embedder.stored_reference(i)) is not None)
        taught = _add_references(conn, label, embedder.bundle.id, vectors)
    changed = set(index.set_labels(photo_ids, label, source="user", state="accepted").changed)
    return [Correction(label, None, taught=False, changed=False, labelled_since=since[photo_id])
            if photo_id in since else
            Correction(label, rejected.get(photo_id), taught=photo_id in taught, changed=photo_id in changed)
            for photo_id in chunk]


def forget(index: "PhotoIndex", label: str, journal: str | None = None) -> store.ForgetSummary:
    """Stop recognising a taught label; the photos keep their labels, the suggestions
    teaching it made are withdrawn (teaching_store.withdraw_suggestions). `journal`: the
    command as the user would name it, journalled in the same transaction for `undo
    --review` and Ctrl+Z (journalled_labels.ForgetBefore; the summary's `journalled`)."""
    with index.transaction() as conn:
        was = ForgetBefore.read(conn, label) if journal is not None else None
        done = store.forget_label(conn, label)
        return was.journal(conn, journal, done) if was is not None else done


def taught_gallery(index: "PhotoIndex", model_id: str) -> "TaughtReferences | None":
    """The taught references of one model, vectors in its teaching space (None when
    nothing was taught for it)."""
    from model.predictor import TaughtReferences

    refs = store.refs_of_model(index.conn, model_id)
    sizes = {ref.vector.size for ref in refs}
    if not refs or len(sizes) != 1:
        return None
    return TaughtReferences([ref.label for ref in refs], np.stack([ref.vector for ref in refs]))


def taught_labels(index: "PhotoIndex") -> dict[str, int]:
    """Every taught label with its number of photos (any model)."""
    return store.taught_labels(index.conn)


def reembed_taught(
    index: "PhotoIndex",
    bundle: "ModelBundle",
    predictor: "Predictor | None" = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Give every taught photo a reference by `bundle` too, so taught labels survive a
    model change. Uses stored embeddings, else decodes. Returns how many references
    were added; photos that cannot be read are recorded and skipped."""
    have = {(ref.label, ref.photo_id) for ref in store.refs_of_model(index.conn, bundle.id)}
    missing = [pair for pair in store.taught_pairs(index.conn) if pair not in have]
    embedder = PhotoEmbedder(index, bundle, predictor)
    added = 0
    for done, (label, photo_id) in enumerate(missing):
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            vector = embedder.reference(photo_id)
        except MissingPhotoError as error:  # the scan found it gone: a rescan will not help
            why = missing_photo(error.path, f"this taught photo is missing, so the new model ({bundle.name}) "
                                            f"cannot learn '{label}' from it")
            index.record_error(error.path, "teach", why, photo_id=photo_id)
            continue
        except (PhotoReadError, UsageError) as error:
            path = _path_or_none(index, photo_id)
            index.record_error(path or f"photo {photo_id}", "teach", str(error), photo_id=photo_id)
            continue
        with index.transaction() as conn:
            store.add_ref(conn, label, photo_id, bundle.id, vector)
            problems.clear(conn, ("teach",), photo_id=photo_id)  # back (or relocated): no longer a problem
        added += 1
        if progress is not None:
            progress(Progress(done=done + 1, total=len(missing), message="re-embedding taught photos"))
    return added


def _path_or_none(index: "PhotoIndex", photo_id: int) -> str | None:
    try:
        return index.get(photo_id).path
    except UsageError:
        return None


def suggest(
    index: "PhotoIndex", query: str = "", options: "SuggestOptions | None" = None, **kwargs: Any
) -> "list[Suggestion]":
    """See app.core.teaching_suggest.suggest (re-exported here for the GUI and CLI)."""
    from app.core.teaching_suggest import SuggestOptions
    from app.core.teaching_suggest import suggest as run_suggest

    return run_suggest(index, query, options or SuggestOptions(), **kwargs)

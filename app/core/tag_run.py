"""One tagging run's pass over its selected photos: decoded photos in, batches
classified, predictions and embeddings stored, failures recorded, a TagResult per photo
out. The job around it (scan, selection, workers, model loading) is app.core.tagging.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from app.core.decode_workers import DecodedPhoto
from app.core.index.labels import stored_labels
from app.core.index.problems import clear_photos, decoder_fault_remembered, decoder_fault_state, photo_files_state
from app.core.progress import CancelToken, Progress, ProgressCallback
from app.core.retag_marks import mark_retagged, unfinished_retag
from app.core.tag_result import TagResult, stored_guess
from app.core.tag_selection import Selection
from app.core.teaching_store import drop_embedding, store_embedding, stored_descriptor, stored_embedding
from app.core.turned_pictures import turned_back_matches
from model.places import location_factors

if TYPE_CHECKING:
    from app.core.tagging import TagOptions, TagSummary

TOP_K = 5
# A file's vectors by one model, before and after it changed on disk, measured with the
# default bundle on a Colosseum photo (embedding / descriptor cosine): metadata edited
# (EXIF artist and GPS position) 1.0000 / 1.0000, saved again at JPEG quality 85
# 0.9997 / 0.9988, brightened 30 % 0.9914 / 0.9750; another photo of the Colosseum
# 0.667 / 0.208, a photo of another place −0.08 / −0.07.
SAME_PICTURE_COSINE = 0.9
_FIRST_BATCH = 8  # a small first batch makes the first result appear sooner


def same_picture(before: Sequence[np.ndarray | None], now: Sequence[np.ndarray | None]) -> bool:
    """Whether a photo's file shows the picture it showed when this model last saw it,
    from its vectors then and now (embedding, descriptor; None where not stored): a file
    whose metadata alone changed (a rating, a position, our own keywords) is the same
    picture, another photo saved under its name is not. Every pair stored must agree."""
    pairs = [(a, b) for a, b in zip(before, now) if a is not None and b is not None]
    for a, b in pairs:
        a, b = np.asarray(a, dtype=np.float32).ravel(), np.asarray(b, dtype=np.float32).ravel()
        norms = float(np.linalg.norm(a) * np.linalg.norm(b))
        if a.shape != b.shape or norms == 0 or float(a @ b) / norms < SAME_PICTURE_COSINE:
            return False
    return bool(pairs)


def run_threshold(bundle, options: TagOptions) -> float:
    """The "no landmark" threshold of this run: the option's, else the bundle's."""
    return bundle.threshold if options.threshold is None else float(options.threshold)


class TagRun:
    """One pass over the selected photos: batches in, predictions stored."""

    def __init__(self, index, bundle, options: TagOptions, selection: Selection, summary: TagSummary,
                 started: float, progress: ProgressCallback | None,
                 on_result: Callable[[TagResult], None] | None) -> None:
        self.index = index
        self.bundle = bundle
        self.options = options
        self.selection = selection
        self.summary = summary
        self.started = started
        self.progress = progress
        self.on_result = on_result
        self.threshold = run_threshold(bundle, options)
        self.places = bundle.places()  # where each landmark is, when the bundle says
        self.predictor = None
        self.taught = None
        self.space = None
        self.alike = None  # the model's landmarks each taught place's photos are (app.core.teaching_alike)
        self.done = 0
        self.outputs_checked = False
        self.run_id = getattr(summary.scan, "run_id", None)
        self.job_paths = {job.photo_id: job.paths for job in selection.jobs}
        # a retag under way to this model: each photo stored is marked done with it (retag_marks)
        self.retagging = unfinished_retag(index.conn, bundle.id) is not None
        # decoder crashes and hangs: (photo id, path, message, file_state) to keep
        self.decoder_faults: list[tuple[int, str, str, str]] = []

    def start_predictor(self, predictor) -> None:
        from app.core.taught_predictions import taught_scoring
        from app.core.teaching import reembed_taught

        self.predictor = predictor
        # Taught labels survive a model change: photos taught under another model get a
        # reference by this one (stored embeddings first, else decoded) before classifying.
        reembed_taught(self.index, self.bundle, predictor)
        scoring = taught_scoring(self.index, self.bundle)
        if scoring is not None:
            self.taught, self.space, self.alike = scoring.taught, scoring.space, scoring.alike
        self._report()

    def consume(self, decoded, cancel: CancelToken | None) -> None:
        """Pull decoded photos, classify full batches, stop when cancelled."""
        batch: list[DecodedPhoto] = []
        limit = min(_FIRST_BATCH, self.options.batch_size)
        try:
            for item in decoded:
                if item.pixels is None:
                    self._store_failure(item)
                else:
                    batch.append(item)
                if len(batch) >= limit:
                    self._classify(batch)
                    batch, limit = [], self.options.batch_size
                if cancelled(cancel):
                    break
            else:
                if batch:
                    self._classify(batch)
            # Only now: workers that die before decoding anything stop the pool
            # (DecodeWorkerError), and then their crashes may be no fault of the photos.
            self._remember_decoder_faults()
        finally:
            decoded.close()

    def _classify(self, batch: list[DecodedPhoto]) -> None:
        from model.image_detail import featureless, unscored
        from model.preprocess import normalize_batch

        pixels = np.stack([item.pixels for item in batch])
        embeddings, cosines, descriptors = self.predictor.embed_all(
            normalize_batch(pixels, self.bundle.preprocessing))
        if not self.outputs_checked:
            check_network_outputs(self.bundle, embeddings, cosines)
            self.outputs_checked = True
        factors = location_factors(self.places, self.index.positions([item.photo_id for item in batch]))
        tops = self._top_predictions(embeddings, cosines, descriptors, factors, [item.photo_id for item in batch])
        # A blank frame (lens cap, blown out, plain sky) shows no landmark whatever the
        # network says; its vectors are kept out of teaching, `suggest` and "Similar photos".
        blank = featureless(pixels)
        seen_before = [(stored_embedding(self.index.conn, item.photo_id, self.bundle.id),
                        stored_descriptor(self.index.conn, item.photo_id, self.bundle.id)) for item in batch]
        turned = self._only_turned(batch, pixels, embeddings, descriptors, tops, blank, seen_before)
        results = []
        with self.index.transaction() as conn:
            # the picture was read again: its damage note (kept for `stats --errors`, the
            # Problems panel, the detail pane) is over, or renewed below, with its label
            clear_photos(conn, ("damaged",), [item.photo_id for item in batch])
            for row, (item, top) in enumerate(zip(batch, tops)):
                threshold = self.threshold
                if blank[row]:  # "no landmark" even at threshold 0
                    top, threshold = unscored(top), float("inf")
                    drop_embedding(conn, item.photo_id, self.bundle.id)
                else:
                    store_embedding(conn, item.photo_id, self.bundle.id, embeddings[row],
                                    None if descriptors is None else descriptors[row])
                seen_now = (embeddings[row], None if descriptors is None else descriptors[row])
                changed = seen_before[row][0] is not None and (
                    blank[row] or not (row in turned or same_picture(seen_before[row], seen_now)))
                self.index.set_predictions(item.photo_id, self.bundle.id, top, threshold, image_changed=changed)
                if changed and not blank[row]:
                    self._renew_taught(conn, item.photo_id)
                if item.damage is not None:
                    self.index.record_error(item.path, "damaged", item.damage, photo_id=item.photo_id,
                                            run_id=self.run_id)
                results.append(self._result(item, top, threshold))
            if self.retagging:
                mark_retagged(conn, [item.photo_id for item in batch])
            kept = stored_labels(conn, [item.photo_id for item in batch])
            guesses = {photo_id: stored_guess(self.index, photo_id, stored) for photo_id, stored in kept.items()}
        for result in results:
            self.summary.tagged += 1
            self.summary.no_landmark += result.label is None  # the model's answer
            self.summary.damaged += result.damage is not None
            if self.summary.first_result_s is None:
                self.summary.first_result_s = time.monotonic() - self.started
            self._emit(result.as_stored(kept.get(result.photo_id), guesses.get(result.photo_id)))
        self.done += len(batch)
        self._report()

    def _renew_taught(self, conn, photo_id: int) -> None:
        """A taught photo whose picture changed (its file replaced or edited) teaches what it
        shows now: its references by this model follow the new embedding, as reembed_taught
        makes them (another model's follow when that model tags the new picture)."""
        from app.core.teaching_embedder import PhotoEmbedder
        from app.core.teaching_store import has_refs, renew_refs

        if has_refs(conn, photo_id, self.bundle.id):
            # from the vectors just stored (the descriptor as kept, float16), as teaching reads them
            vector = PhotoEmbedder(self.index, self.bundle).stored_reference(photo_id)
            if vector is not None:
                renew_refs(conn, photo_id, self.bundle.id, vector)

    def _only_turned(self, batch: list[DecodedPhoto], pixels: np.ndarray, embeddings: np.ndarray,
                     descriptors: np.ndarray | None, tops: Sequence, blank: np.ndarray,
                     seen_before: list[tuple]) -> set[int]:
        """Rows of the batch whose picture looks changed but is the one seen before,
        turned (app.core.turned_pictures): asked only for photos whose accepted model
        label the change would otherwise undo (the new top-1 says something else, so a
        library turned black and white whose answers stay pays nothing): 3 more network
        inputs for each, 7 at most."""
        from app.core.index.model_suggestions import acceptance_gives_way
        from model.preprocess import normalize_batch

        now = [(embeddings[row], None if descriptors is None else descriptors[row]) for row in range(len(batch))]
        rows = [row for row, item in enumerate(batch)
                if not blank[row] and seen_before[row][0] is not None and not same_picture(seen_before[row], now[row])
                and acceptance_gives_way(self.index.conn, item.photo_id, tops[row])]
        if not rows:
            return set()

        def embed(views: np.ndarray):
            found, _, described = self.predictor.embed_all(normalize_batch(views, self.bundle.preprocessing))
            return found, described

        matches = turned_back_matches(embed, [(pixels[row], seen_before[row]) for row in rows], same_picture,
                                      chunk=max(7, self.options.batch_size))
        return {row for row, turned in zip(rows, matches) if turned}

    def _top_predictions(self, embeddings: np.ndarray, cosines: np.ndarray, descriptors: np.ndarray | None,
                         factors: np.ndarray | None, photo_ids: Sequence[int]):
        """Top-k per photo; with taught labels, scored in the bundle's teaching space
        (app.core.teaching_space) on the model's calibrated scale, the names the user
        rejected for a photo left out of its scoring as `suggest` leaves them. factors:
        where the photos were taken (model.places)."""
        if self.taught is None or self.space is None:
            return self.predictor.classify(embeddings, cosines, k=TOP_K, factors=factors)
        from app.core.taught_predictions import TaughtScoring, top_with_taught

        return top_with_taught(self.index, self.bundle, TaughtScoring(self.taught, self.space, self.alike),
                               embeddings, descriptors, factors, photo_ids, TOP_K)

    def _result(self, item: DecodedPhoto, top, threshold: float) -> TagResult:
        best = top[0] if top else None
        confident = best is not None and best.score >= threshold
        return TagResult(
            photo_id=item.photo_id,
            path=self.selection.primary_paths.get(item.photo_id, item.path or ""),
            files=self.selection.files.get(item.photo_id, []),
            label=best.label if confident else None,
            landmark_id=best.landmark_id if confident else None,
            score=None if best is None else float(best.score),
            top=list(top),
            decoded_from=item.path,
            damage=item.damage,
        )

    def _store_failure(self, item: DecodedPhoto) -> None:
        """Record why the photo could not be decoded; a failure of its files' contents
        with what the files are (not decoded again while they stay so), any other (a
        drive gone, memory, a crashed or hung worker) without: the next run tries again.
        A crash or hang is kept to be remembered at the end of the run
        (_remember_decoder_faults)."""
        path = item.failed_paths[0] if item.failed_paths else self.selection.primary_paths.get(item.photo_id)
        error = item.error
        fault = "crashed" if item.decoder_crashed else "hung" if item.hung_after_s is not None else None
        if fault:  # read before record_error replaces the photo's last problem
            kept = decoder_fault_state(self.index.conn, item.photo_id, self.job_paths[item.photo_id], fault)
            if kept is not None:
                state, before = kept
                if before:
                    error = f"{path}: {decoder_fault_remembered(before, fault, item.hung_after_s)}"
                self.decoder_faults.append((item.photo_id, path, error or f"the decoder {fault}", state))
        state = photo_files_state(self.job_paths[item.photo_id]) if item.contents_failed else None
        self.index.record_error(path, "decode", item.error or "cannot decode", photo_id=item.photo_id,
                                run_id=self.run_id, file_state=state)
        if self.retagging:  # tried: a retag carried on does not read it again
            with self.index.transaction() as conn:
                mark_retagged(conn, [item.photo_id])
        self.summary.errors += 1
        self.summary.error_paths.append(str(path))
        self.done += 1
        self._emit(TagResult(
            photo_id=item.photo_id, path=self.selection.primary_paths.get(item.photo_id, str(path)),
            files=self.selection.files.get(item.photo_id, []), label=None, landmark_id=None,
            score=None, top=[], error=error,
        ))

    def _remember_decoder_faults(self) -> None:
        """Keep what the files of the photos whose decoder crashed or hung were: a photo
        whose decoder crashed, hung or failed on them before is not decoded again while
        they stay so, and says why."""
        for photo_id, path, message, state in self.decoder_faults:
            self.index.record_error(path, "decode", message, photo_id=photo_id, run_id=self.run_id, file_state=state)
        self.decoder_faults.clear()

    def _emit(self, result: TagResult) -> None:
        if self.on_result is not None:
            self.on_result(result)

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(Progress(self.done, self.summary.selected, "tagging", started_at=self.started))


def check_network_outputs(bundle, embeddings: np.ndarray, cosines: np.ndarray) -> None:
    """The bundle's network must output what its manifest and label map promise."""
    from model.errors import BundleError

    if cosines.shape[-1] != bundle.num_classes:
        raise BundleError(
            f"model bundle {bundle.path}: labels.json has {bundle.num_classes} labels but the network "
            f"outputs {cosines.shape[-1]} classes; the labels belong to another model"
        )
    if embeddings.shape[-1] != bundle.embedding_size:
        raise BundleError(
            f"model bundle {bundle.path}: bundle.json says embedding size {bundle.embedding_size} but "
            f"the network outputs {embeddings.shape[-1]}"
        )


def cancelled(cancel: CancelToken | None) -> bool:
    """Whether the user asked the job to stop."""
    return cancel is not None and cancel.cancelled

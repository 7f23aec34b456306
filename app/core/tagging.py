"""The tagging job: scan, pick the photos that need it, decode them in worker
processes, classify them in batches, store top-5 and embeddings.

Decoding (spawned workers, see decode_workers) and inference (ONNX Runtime in
this process) overlap: workers keep decoding while a batch runs. The workers
start while the network loads, so the first photos are classified within a few
seconds of starting; the bundle itself is loaded and checked first, so a mistyped or
broken --model changes nothing. Per-file problems are recorded in the index and the job
goes on; cancelling stops the workers at once and keeps every stored batch.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from app.core.decode_workers import DecodedPhoto, DecodeSettings, DecodeWorkers, decode_min_side, usable_cpus
from app.core.errors import UsageError
from app.core.index.labels import stored_labels
from app.core.index.problems import photo_files_state
from app.core.path_case import DiskNames, canonical_path
from app.core.photo_names import not_a_photo_reason
from app.core.scanner import scan
from app.core.progress import CancelToken, Progress, ProgressCallback
from app.core.tag_result import TagResult
from app.core.tag_selection import Selection, photo_ids_under, select_photos
from app.core.teaching_store import drop_embedding, store_embedding, stored_descriptor, stored_embedding
from app.core.wording import counted
from model.places import location_factors

if TYPE_CHECKING:
    from app.core.index import PhotoIndex

TOP_K = 5
# A file's vectors by one model, before and after it changed on disk, measured with the
# default bundle on a Colosseum photo (embedding / descriptor cosine): metadata edited
# (EXIF artist and GPS position) 1.0000 / 1.0000, saved again at JPEG quality 85
# 0.9997 / 0.9988, brightened 30 % 0.9914 / 0.9750; another photo of the Colosseum
# 0.667 / 0.208, a photo of another place −0.08 / −0.07.
SAME_PICTURE_COSINE = 0.9
_FIRST_BATCH = 8  # a small first batch makes the first result appear sooner
RETRY_HINT = "`tag --retry-failed` tries them again"


@dataclass(frozen=True)
class TagOptions:
    """How to tag. model None: the default bundle; threshold None: the bundle's;
    workers None: one decode process per CPU; threads None: half the CPUs, at least 1
    (`default_threads`). retry_failed: photos that could not be decoded are tried
    again although unchanged (retag does it too; so are the photos whose file is
    given by name)."""

    model: Path | None = None
    threshold: float | None = None
    workers: int | None = None
    batch_size: int = 16
    retag: bool = False
    threads: int | None = None
    retry_failed: bool = False


@dataclass
class TagSummary:
    """What a tagging run did."""

    model_id: str = ""
    model_name: str = ""
    selected: int = 0
    tagged: int = 0
    no_landmark: int = 0
    up_to_date: int = 0
    errors: int = 0
    failed_before: int = 0  # unchanged photos that could not be decoded before: not decoded again
    cancelled: bool = False
    seconds: float = 0.0
    first_result_s: float | None = None
    scan: Any = None
    error_paths: list[str] = field(default_factory=list)
    relabelled: list[int] = field(default_factory=list)  # up-to-date photos whose label the threshold changed
    # files given that are no photo (notes.txt, ._DSC_0001.JPG), each with why: skipped
    not_photos: list[tuple[str, str]] = field(default_factory=list)
    scan_problems: list[tuple[str, str]] = field(default_factory=list)  # (path, why) of the files asked for that cannot be read
    taught: int = 0  # photos whose label of the user's own place was taught now (teaching.teach_untaught_labels)
    skipped_folders: list[str] = field(default_factory=list)  # library folders not found, left as they are

    @property
    def rate(self) -> float:
        """Photos classified per second over the whole run."""
        return self.tagged / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """The one-line summary the CLI prints."""
        parts = [f"tagged {self.tagged} photo{'s' if self.tagged != 1 else ''}"]
        if self.tagged:
            parts.append(f"{self.no_landmark} without a landmark")
        if self.up_to_date:
            parts.append(f"{self.up_to_date} already up to date"
                         + (f" ({len(self.relabelled)} relabelled for this model and threshold)" if self.relabelled else ""))
        if self.errors:
            parts.append(f"{self.errors} failed")
        if self.failed_before:
            parts.append(f"{counted(self.failed_before, 'unchanged photo')} that could not be decoded skipped "
                         f"({RETRY_HINT})")
        read_back = getattr(self.scan, "labels_read", 0)
        if read_back:
            parts.append(f"{counted(read_back, 'label')} read from the files")
        if self.taught:
            parts.append(f"{counted(self.taught, 'photo')} you labelled taught your places")
        rate = f" ({self.rate:.1f} photos/s)" if self.tagged else ""  # a rate of nothing is noise
        text = ", ".join(parts) + f" in {self.seconds:.1f} s{rate}"
        if self.cancelled:
            text += "; cancelled, the rest is left for the next run"
        return text


def tag(
    index: "PhotoIndex",
    targets: Sequence[Path | str | int],
    options: TagOptions = TagOptions(),
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_result: Callable[[TagResult], None] | None = None,
    bundle=None,
) -> TagSummary:
    """Classify the photos under `targets` (folders/files: scanned first) or with
    these ids (ints), store top-5 predictions and embeddings, and call `on_result`
    per photo. `bundle`: options.model loaded already (load_tag_bundle). Raises
    BundleError/ModelError when the model is unusable (before anything is scanned) and
    UsageError for bad options; per-file problems are recorded, not raised."""
    started = time.monotonic()
    _check_options(options)
    if bundle is None:
        bundle = load_tag_bundle(options.model)
    summary = TagSummary()
    roots = [Path(t) for t in targets if not isinstance(t, int)]
    # A file that is no photo (a typo, notes.txt) is reported, and its folder not scanned for it.
    summary.not_photos = [(str(r), reason) for r in roots
                          if r.is_file() and (reason := not_a_photo_reason(r.name)) is not None]
    roots = [r for r in roots if str(r) not in dict(summary.not_photos)]
    # Spawning and building the network take a moment: start the workers and the ONNX
    # Runtime session (in a thread: it releases the GIL) while the folders are scanned.
    workers = DecodeWorkers(_worker_count(options))
    model = _ModelLoading(bundle, options)
    names = DiskNames()  # the folders of the paths given, listed once for all their photos
    try:
        if roots:
            summary.scan = _scan(index, roots, progress, cancel, names)
            summary.scan_problems = _scan_problems_within(index, roots, names)
            summary.scan.errors = len(summary.scan_problems)
            if _cancelled(cancel):
                summary.cancelled = True
                summary.seconds = time.monotonic() - started
                return summary
        photo_ids = [int(t) for t in targets if isinstance(t, int)]
        if roots:
            photo_ids += photo_ids_under(index, roots, names)
        summary.model_id, summary.model_name = bundle.id, bundle.name
        # a photo named by its file is tried again although it could not be decoded before
        named = photo_ids_under(index, [r for r in roots if not r.is_dir()], names)
        selection = select_photos(index, photo_ids, bundle.id, options.retag, options.retry_failed or named)
        summary.selected, summary.up_to_date = len(selection.jobs), selection.up_to_date
        summary.failed_before = selection.failed_before
        # Photos tagged before keep their predictions; a threshold changed since (the
        # option, Settings, a new bundle threshold) still decides their labels now.
        summary.relabelled = index.apply_threshold(selection.up_to_date_ids, bundle.id, _threshold(bundle, options))
        if selection.jobs and not _cancelled(cancel):
            run = _Run(index, bundle, options, selection, summary, started, progress, on_result)
            settings = DecodeSettings(bundle.preprocessing, decode_min_side(bundle.preprocessing))
            decoded = workers.decode(selection.jobs, settings)
            run.start_predictor(model.predictor())
            run.consume(decoded, cancel)
        if photo_ids:
            from app.core.teaching import teach_untaught_labels

            summary.taught = teach_untaught_labels(index, bundle, photo_ids)
    except KeyboardInterrupt:
        summary.cancelled = True
        raise
    finally:
        workers.close(terminate=True)
        model.join()
    summary.cancelled = summary.cancelled or _cancelled(cancel)
    summary.seconds = time.monotonic() - started
    return summary


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


def _threshold(bundle, options: TagOptions) -> float:
    """The "no landmark" threshold of this run: the option's, else the bundle's."""
    return bundle.threshold if options.threshold is None else float(options.threshold)


class _Run:
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
        self.threshold = _threshold(bundle, options)
        self.places = bundle.places()  # where each landmark is, when the bundle says
        self.predictor = None
        self.taught = None
        self.space = None
        self.done = 0
        self.outputs_checked = False
        self.run_id = getattr(summary.scan, "run_id", None)
        self.job_paths = {job.photo_id: job.paths for job in selection.jobs}

    def start_predictor(self, predictor) -> None:
        from app.core.teaching import reembed_taught, taught_gallery

        self.predictor = predictor
        # Taught labels survive a model change: photos taught under another model get a
        # reference by this one (stored embeddings first, else decoded) before classifying.
        reembed_taught(self.index, self.bundle, predictor)
        self.taught = taught_gallery(self.index, self.bundle.id)
        if self.taught is not None:
            from app.core.teaching_space import teaching_space

            self.space = teaching_space(self.bundle)
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
                if _cancelled(cancel):
                    return
            if batch:
                self._classify(batch)
        finally:
            decoded.close()

    def _classify(self, batch: list[DecodedPhoto]) -> None:
        from model.image_detail import featureless, unscored
        from model.preprocess import normalize_batch

        pixels = np.stack([item.pixels for item in batch])
        embeddings, cosines, descriptors = self.predictor.embed_all(
            normalize_batch(pixels, self.bundle.preprocessing))
        if not self.outputs_checked:
            _check_network_outputs(self.bundle, embeddings, cosines)
            self.outputs_checked = True
        factors = location_factors(self.places, self.index.positions([item.photo_id for item in batch]))
        tops = self._top_predictions(embeddings, cosines, descriptors, factors)
        # A blank frame (lens cap, blown out, plain sky) shows no landmark whatever the
        # network says; its vectors are kept out of teaching, `suggest` and "Similar photos".
        blank = featureless(pixels)
        results = []
        with self.index.transaction() as conn:
            for row, (item, top) in enumerate(zip(batch, tops)):
                threshold = self.threshold
                seen_before = (stored_embedding(conn, item.photo_id, self.bundle.id),
                               stored_descriptor(conn, item.photo_id, self.bundle.id))
                if blank[row]:  # "no landmark" even at threshold 0
                    top, threshold = unscored(top), float("inf")
                    drop_embedding(conn, item.photo_id, self.bundle.id)
                else:
                    store_embedding(conn, item.photo_id, self.bundle.id, embeddings[row],
                                    None if descriptors is None else descriptors[row])
                seen_now = (embeddings[row], None if descriptors is None else descriptors[row])
                changed = seen_before[0] is not None and (blank[row] or not same_picture(seen_before, seen_now))
                self.index.set_predictions(item.photo_id, self.bundle.id, top, threshold, image_changed=changed)
                results.append(self._result(item, top, threshold))
            kept = stored_labels(conn, [item.photo_id for item in batch])
        for result in results:
            self.summary.tagged += 1
            self.summary.no_landmark += result.label is None  # the model's answer
            if self.summary.first_result_s is None:
                self.summary.first_result_s = time.monotonic() - self.started
            self._emit(result.as_stored(kept.get(result.photo_id)))
        self.done += len(batch)
        self._report()

    def _top_predictions(self, embeddings: np.ndarray, cosines: np.ndarray, descriptors: np.ndarray | None,
                         factors: np.ndarray | None):
        """Top-k per photo; with taught labels, scored in the bundle's teaching space
        (app.core.teaching_space) on the model's calibrated scale. factors: where the
        photos were taken (model.places)."""
        if self.taught is None or self.space is None:
            return self.predictor.classify(embeddings, cosines, k=TOP_K, factors=factors)
        from app.core.teaching_scoring import RefinedReferences
        from app.core.teaching_space import score, top_predictions_with_taught

        references = RefinedReferences(self.taught.labels, self.taught.vectors, {})
        scores = score(self.space, embeddings, self.space.vectors(embeddings, descriptors), references,
                       factors=factors)
        return top_predictions_with_taught(scores, self.bundle, TOP_K)

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
        )

    def _store_failure(self, item: DecodedPhoto) -> None:
        """Record why the photo could not be decoded; a failure of its files' contents
        with what the files are (not decoded again while they stay so), any other (a
        drive gone, memory, a crashed worker) without: the next run tries again."""
        path = item.failed_paths[0] if item.failed_paths else self.selection.primary_paths.get(item.photo_id)
        state = photo_files_state(self.job_paths[item.photo_id]) if item.contents_failed else None
        self.index.record_error(path, "decode", item.error or "cannot decode", photo_id=item.photo_id,
                                run_id=self.run_id, file_state=state)
        self.summary.errors += 1
        self.summary.error_paths.append(str(path))
        self.done += 1
        self._emit(TagResult(
            photo_id=item.photo_id, path=self.selection.primary_paths.get(item.photo_id, str(path)),
            files=self.selection.files.get(item.photo_id, []), label=None, landmark_id=None,
            score=None, top=[], error=item.error,
        ))

    def _emit(self, result: TagResult) -> None:
        if self.on_result is not None:
            self.on_result(result)

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(Progress(self.done, self.summary.selected, "tagging", started_at=self.started))


class _ModelLoading:
    """Builds the bundle's Predictor in a background thread."""

    def __init__(self, bundle, options: TagOptions) -> None:
        self._options = options
        self._bundle = bundle
        self._predictor = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="landmark-tagger-model", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            from model.predictor import Predictor

            threads = self._options.threads or default_threads(_worker_count(self._options))
            self._predictor = Predictor(self._bundle, threads=threads)
        except BaseException as error:  # handed to the caller, which raises it
            self._error = error

    def predictor(self):
        """The Predictor, once its ONNX Runtime session is built."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._predictor

    def join(self) -> None:
        self._thread.join()


def _check_network_outputs(bundle, embeddings: np.ndarray, cosines: np.ndarray) -> None:
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


def _check_options(options: TagOptions) -> None:
    if options.batch_size < 1:
        raise UsageError(f"batch size {options.batch_size} must be at least 1")
    if options.threshold is not None and not 0.0 <= options.threshold <= 1.0:
        raise UsageError(f"threshold {options.threshold} must be between 0 and 1, e.g. --threshold 0.5")
    if options.workers is not None and options.workers < 0:
        raise UsageError(f"--workers {options.workers} must be 0 (decode in this process) or more")
    if options.threads is not None and options.threads < 1:
        raise UsageError(f"threads {options.threads} must be at least 1")


def default_workers() -> int:
    """Decode processes when not told: one per CPU (decoding is the larger half of
    the work per photo, and the processes wait on each other's disk reads)."""
    return usable_cpus()


def default_threads(workers: int) -> int:
    """ONNX Runtime threads when not told: half the CPUs, at least one, so that
    inference and the decode workers share the machine instead of fighting."""
    return max(1, usable_cpus() // 2)


def _worker_count(options: TagOptions) -> int:
    return default_workers() if options.workers is None else int(options.workers)


def _cancelled(cancel: CancelToken | None) -> bool:
    return cancel is not None and cancel.cancelled


def load_tag_bundle(path: Path | None):
    """The chosen bundle, or the default one with a clear error when it is absent:
    loaded before anything is scanned or stored (the CLI loads it before it opens the
    index), so that a mistyped --model leaves the library as it was."""
    from model.bundle import default_bundle_path, load_bundle

    if path is None:
        default = default_bundle_path()
        if not default.exists():
            raise UsageError(
                f"no default model bundle at {default}; pass one with --model PATH.ltbundle "
                "(`landmark-tagger models` lists the bundles it knows)"
            )
        path = default
    # The full ONNX check builds and runs a probe session (most of a second); the
    # Predictor's own session and the first batch check the same things for free.
    return load_bundle(Path(path).expanduser(), check_onnx=False)


def _scan(index, roots: list[Path], progress, cancel, names: DiskNames):
    """Scan the roots first so new and changed photos are known; a photo given by
    its file is scanned with its folder, without the folders below it (the scanner
    reads folders, pairing a photo's files; unchanged files only cost a stat). Folders
    are compared as the disk spells them: `trip/` and `Trip/IMG_1.JPG` given together
    on a case-insensitive disk are one folder, read whole."""
    folders: list[Path] = []
    given_folders: set[Path] = set()
    for root in roots:
        path = Path(root).expanduser()
        if not path.exists():
            raise UsageError(f"{root} does not exist; check the path")
        folder = canonical_path(path if path.is_dir() else path.parent, names)
        if path.is_dir():
            given_folders.add(folder)
        if folder not in folders:
            folders.append(folder)
    folder_only = [folder for folder in folders if folder not in given_folders]
    return scan(index, folders, progress=progress, cancel=cancel, folder_only=folder_only)


def _scan_problems_within(index, roots: list[Path], names: DiskNames) -> list[tuple[str, str]]:
    """(path, message) of the scan problems (after this scan) of the files and folders
    asked for: a photo given by its file is scanned with its folder, whose other bad
    files are not this run's business (they stay listed by `stats --errors`)."""
    from app.core.folder_paths import is_within
    from app.core.path_query import scanned_path

    wanted = [scanned_path(root, names) for root in roots]
    found = []
    for path, message in index.conn.execute(
        "SELECT path, message FROM errors WHERE stage = 'scan' AND path IS NOT NULL ORDER BY id"
    ):
        path = os.fsdecode(path) if isinstance(path, bytes) else path
        if any(is_within(path, root) for root in wanted):
            found.append((path, message))
    return found

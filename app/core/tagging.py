"""The tagging job: scan, pick the photos that need it, decode them in worker
processes, classify them in batches, store top-5 and embeddings.

Decoding (spawned workers, see decode_workers) and inference (ONNX Runtime in
this process) overlap: workers keep decoding while a batch runs. The workers
start while the network loads, so the first photos are classified within a few
seconds of starting; the bundle itself is loaded and checked first, so a mistyped or
broken --model changes nothing. Per-file problems are recorded in the index and the job
goes on; cancelling stops the workers at once and keeps every stored batch. The pass over
the decoded photos (batches classified, results stored and sent) is app.core.tag_run.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from app.core.cloud_files import icloud_stand_in_note
from app.core.decode_workers import DecodeSettings, DecodeWorkers, decode_min_side, usable_cpus
from app.core.errors import UsageError
from app.core.folders_joined import folders_joined_for_files
from app.core.path_case import DiskNames
from app.core.photo_names import not_a_photo_reason
from app.core.scanner import scan
from app.core.progress import CancelToken, ProgressCallback
from app.core.retag_marks import (RetagCarriedOn, RetagMark, begin_retag, end_retag_if_done, photos_to_retag,
                                  retag_carried_on, unfinished_retag)
from app.core.scan_links import kept_link_spellings, library_spelling
from app.core.tag_lock import one_tag_at_a_time
from app.core.tag_result import TagResult
from app.core.tag_run import TOP_K, TagRun, cancelled, run_threshold, same_picture
from app.core.tag_selection import photo_ids_under, select_photos
from app.core.taught_predictions import rescore_coming_back, untaught_here_words
from app.core.wording import counted

if TYPE_CHECKING:
    from app.core.index import PhotoIndex

# TOP_K and same_picture live with the batches (tag_run); callers know them from here.
__all__ = [
    "RETRY_HINT", "TOP_K", "TagOptions", "TagSummary", "default_threads", "default_workers", "load_tag_bundle",
    "same_picture", "tag",
]

RETRY_HINT = "`tag --retry-failed` tries them again"


@dataclass(frozen=True)
class TagOptions:
    """How to tag. model None: the default bundle; threshold None: the bundle's;
    workers None: one decode process per CPU; threads None: half the CPUs, at least 1
    (`default_threads`). retry_failed: photos that could not be decoded are tried
    again although unchanged (retag does it too; so are the photos whose file is
    given by name). A retag stopped part-way is carried on by the next run with this
    model, `retag` or not (app.core.retag_marks); start_over (with retag) begins anew."""

    model: Path | None = None
    threshold: float | None = None
    workers: int | None = None
    batch_size: int = 16
    retag: bool = False
    threads: int | None = None
    retry_failed: bool = False
    start_over: bool = False


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
    damaged: int = 0  # tagged from a picture whose data is damaged (each said on its result)
    failed_before: int = 0  # unchanged photos that could not be decoded before: not decoded again
    damaged_before: int = 0  # up-to-date photos labelled from a damaged picture before (their note is kept)
    cancelled: bool = False
    seconds: float = 0.0
    first_result_s: float | None = None
    scan: Any = None
    error_paths: list[str] = field(default_factory=list)
    relabelled: list[int] = field(default_factory=list)  # up-to-date photos whose label the threshold changed
    # files given that are no photo (notes.txt, ._DSC_0001.JPG), each with why: skipped
    not_photos: list[tuple[str, str]] = field(default_factory=list)
    scan_problems: list[tuple[str, str]] = field(default_factory=list)  # (path, why) of the files asked for that cannot be read
    up_to_date_named: list[int] = field(default_factory=list)  # photos given by their file with nothing to classify
    taught: int = 0  # photos whose label of the user's own place was taught now (teaching.teach_untaught_labels)
    # (label, photo id) taught under another model that could not teach this one (file missing or unreadable)
    untaught_here: list[tuple[str, int]] = field(default_factory=list)
    skipped_folders: list[str] = field(default_factory=list)  # library folders not found, left as they are
    # library folders a photo given by its file brought in, with their photo counts (folders_joined)
    folders_joined: list[tuple[Path, int]] = field(default_factory=list)
    retag: bool = False  # the run's options, for what a stopped run leaves to which next run
    retry_failed: bool = False
    retag_left: RetagMark | None = None  # the retag under way after the run, when one is left unfinished
    retag_carried_on: RetagCarriedOn | None = None  # what this run carries on of a retag stopped before

    @property
    def unscanned(self) -> int:
        """Files of the run its scan could not read (damaged, unreadable): no photo to tag."""
        return int(getattr(self.scan, "errors", 0) or 0)

    @property
    def rate(self) -> float:
        """Photos classified per second over the whole run."""
        return self.tagged / self.seconds if self.seconds > 0 else 0.0

    def line(self, again: str | None = None) -> str:
        """The one-line summary the CLI prints; `again`: the app's name for the action that
        carries a cancelled retag on ("Tag"), where the CLI names its commands."""
        parts = [f"tagged {self.tagged} photo{'s' if self.tagged != 1 else ''}"]
        if self.tagged:
            parts.append(f"{self.no_landmark} without a landmark")
        if self.up_to_date:
            parts.append(f"{self.up_to_date} already up to date"
                         + (f" ({len(self.relabelled)} relabelled for this model and threshold)" if self.relabelled else ""))
        if self.damaged:
            parts.append(f"{counted(self.damaged, 'damaged photo')} labelled from the part that could be read")
        if self.damaged_before:
            parts.append(f"{counted(self.damaged_before, 'unchanged photo')} labelled before from a damaged picture "
                         "(`landmark-tagger stats --errors` lists them)")
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
        if self.untaught_here:
            parts.append(untaught_here_words(self.untaught_here))
        rate = f" ({self.rate:.1f} photos/s)" if self.tagged else ""  # a rate of nothing is noise
        text = ", ".join(parts) + f" in {self.seconds:.1f} s{rate}"
        if self.cancelled:
            text += self.what_is_left(again)
        return text

    def what_is_left(self, again: str | None = None) -> str:
        """What resumes a stopped run. A plain run skips what is done, and carries on a retag
        (whose photos done are kept in the index); a retag stopped before it began starts over."""
        if self.retag_left is not None and self.retag_left.left:
            done = f" after {self.tagged:,} of {self.selected:,} photos" if self.selected else ""
            if again is not None:  # the app: its own action, no shell command it has no button for
                return (f"; cancelled{done}: {again} again carries on with the "
                        f"{counted(self.retag_left.left, 'photo')} of the retag left")
            return (f"; cancelled{done}: `tag` or `tag --retag` again carries on with the "
                    f"{counted(self.retag_left.left, 'photo')} of the retag left "
                    "(`tag --retag --start-over` reads them all again)")
        if self.retag:
            done = f" after {self.tagged:,} of {self.selected:,} photos" if self.selected else ""
            return (f"; cancelled{done}: `tag --retag` again starts over (a plain `tag` does only new "
                    "and changed photos)")
        if self.retry_failed:
            return ("; cancelled, the new and changed photos left are done by the next run, not those that "
                    f"could not be decoded: {RETRY_HINT}")
        return "; cancelled, the rest is left for the next run"


def tag(
    index: "PhotoIndex",
    targets: Sequence[Path | str | int],
    options: TagOptions = TagOptions(),
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_result: Callable[[TagResult], None] | None = None,
    bundle=None,
    on_retag_carried_on: Callable[[RetagCarriedOn], None] | None = None,
) -> TagSummary:
    """Classify the photos under `targets` (folders/files: scanned first) or with
    these ids (ints), store top-5 predictions and embeddings, and call `on_result`
    per photo. `bundle`: options.model loaded already (load_tag_bundle). Raises
    BundleError/ModelError when the model is unusable (before anything is scanned),
    UsageError for bad options and TagRunningError while another process tags the
    index (app.core.tag_lock); per-file problems are recorded, not raised.
    `on_retag_carried_on`: told, before any photo is read, what the run carries on of a
    retag stopped before (only when it carries some on)."""
    started = time.monotonic()
    _check_options(options)
    if bundle is None:
        bundle = load_tag_bundle(options.model)
    with one_tag_at_a_time(index):  # TagRunningError while another process tags this index
        return _tag(index, targets, options, progress, cancel, on_result, bundle, started, on_retag_carried_on)


def _tag(index: "PhotoIndex", targets: Sequence[Path | str | int], options: TagOptions,
         progress: ProgressCallback | None, cancel: CancelToken | None,
         on_result: Callable[[TagResult], None] | None, bundle, started: float,
         on_retag_carried_on: Callable[[RetagCarriedOn], None] | None = None) -> TagSummary:
    """tag() once it holds the index's tagging lock."""
    summary = TagSummary(model_id=bundle.id, model_name=bundle.name,  # named even when stopped during the scan
                         retag=options.retag, retry_failed=options.retry_failed)
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
            roots_before = index.roots()
            summary.scan = _scan(index, roots, progress, cancel, names)
            summary.folders_joined = folders_joined_for_files(index, roots_before, roots)
            summary.scan_problems = _scan_problems_within(index, roots, names)
            summary.scan.errors = len(summary.scan_problems)
            if cancelled(cancel):
                summary.cancelled = True
                summary.seconds = time.monotonic() - started
                return summary
        photo_ids = [int(t) for t in targets if isinstance(t, int)]
        if roots:
            photo_ids += photo_ids_under(index, roots, names)
        unplugged = getattr(summary.scan, "cards_not_connected", None)
        if unplugged:  # a card's photos inside a library folder, its card out: nothing to decode, said by the scan
            away = set(photo_ids_under(index, [Path(folder) for folder in unplugged], names))
            photo_ids = [photo_id for photo_id in photo_ids if photo_id not in away]
        # a photo named by its file is tried again although it could not be decoded before
        named = photo_ids_under(index, [r for r in roots if not r.is_dir()], names)
        # a retag stopped part-way: carried on, the photos it did already not read again
        retag = photos_to_retag(index.conn, photo_ids, bundle.id, options.retag, options.start_over)
        summary.retag_carried_on = retag_carried_on(index.conn, photo_ids, bundle.id, options.start_over)
        if summary.retag_carried_on is not None and on_retag_carried_on is not None:
            on_retag_carried_on(summary.retag_carried_on)  # said before the long part
        selection = select_photos(index, photo_ids, bundle.id, retag, options.retry_failed or named)
        summary.selected, summary.up_to_date = len(selection.jobs), selection.up_to_date
        summary.failed_before = selection.failed_before
        summary.damaged_before = damaged_among(index, selection.up_to_date_ids)
        named_ids = set(named)
        summary.up_to_date_named = [i for i in selection.up_to_date_ids if i in named_ids]
        # Photos tagged before keep their predictions; a threshold changed since (the
        # option, Settings, a new bundle threshold) still decides their labels now. Those
        # another model labelled since get this model's answer back, with the places
        # taught (scored from their stored vectors: its stored top-5 may predate them).
        threshold = run_threshold(bundle, options)
        rescored = rescore_coming_back(index, bundle, selection.up_to_date_ids, threshold, model.predictor)
        decided = index.apply_threshold(selection.up_to_date_ids, bundle.id, threshold)
        summary.relabelled = list(dict.fromkeys(rescored + decided))
        if selection.jobs and not cancelled(cancel):
            if options.retag:
                with index.transaction() as conn:
                    begin_retag(conn, bundle.id, [job.photo_id for job in selection.jobs], options.start_over)
            run = TagRun(index, bundle, options, selection, summary, started, progress, on_result)
            settings = DecodeSettings(bundle.preprocessing, decode_min_side(bundle.preprocessing))
            decoded = workers.decode(selection.jobs, settings, cancel)  # no blame for a worker stopped with the job
            run.start_predictor(model.predictor())
            run.consume(decoded, cancel)
        if photo_ids:
            from app.core.teaching import teach_untaught_labels

            summary.taught = teach_untaught_labels(index, bundle, photo_ids)
        if not cancelled(cancel):
            from app.core.taught_predictions import reembed_missing_taught

            # a place taught under another model (or with none usable) teaches this one too,
            # though no photo needed tagging: stored embeddings first, decoded where none
            summary.untaught_here = reembed_missing_taught(index, bundle, model.predictor)
    except KeyboardInterrupt:
        summary.cancelled = True
        raise
    finally:
        workers.close(terminate=True)
        model.join()
    summary.cancelled = summary.cancelled or cancelled(cancel)
    if not summary.cancelled:
        with index.transaction() as conn:
            end_retag_if_done(conn)
    summary.retag_left = unfinished_retag(index.conn, bundle.id)
    summary.seconds = time.monotonic() - started
    return summary


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


def _check_options(options: TagOptions) -> None:
    if options.batch_size < 1:
        raise UsageError(f"batch size {options.batch_size} must be at least 1")
    if options.threshold is not None and not 0.0 <= options.threshold <= 1.0:
        raise UsageError(f"threshold {options.threshold} must be between 0 and 1, e.g. --threshold 0.5")
    if options.workers is not None and options.workers < 0:
        raise UsageError(f"--workers {options.workers} must be 0 (decode in this process) or more")
    if options.start_over and not options.retag:
        raise UsageError("--start-over begins a retag anew: give it with --retag (`tag --retag --start-over`)")
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
    on a case-insensitive disk are one folder, read whole; one linked into a library
    folder under the link's path, as the library holds it (scan_links.library_spelling),
    or under the link scans keep when it is linked in twice (kept_link_spellings)."""
    folders: list[Path] = []
    given_folders: set[Path] = set()
    for root in roots:
        path = Path(root).expanduser()
        if not path.exists() and icloud_stand_in_note(path) is None:  # (one in iCloud: skipped with its note)
            raise UsageError(f"{root} does not exist; check the path")
        spelled = library_spelling(index, path if path.is_dir() else path.parent, names)
        folder = Path(kept_link_spellings(index, [spelled]).get(spelled, spelled))
        if path.is_dir():
            given_folders.add(folder)
        if folder not in folders:
            folders.append(folder)
    folder_only = [folder for folder in folders if folder not in given_folders]
    return scan(index, folders, progress=progress, cancel=cancel, folder_only=folder_only)


def _scan_problems_within(index, roots: list[Path], names: DiskNames) -> list[tuple[str, str]]:
    """(path, message) of the scan problems (after this scan) of the files and folders
    asked for: a photo given by its file is scanned with its folder, whose other bad
    files are not this run's business (they stay listed by `stats --errors`). A path
    through a link is looked for in each form the index may hold it under."""
    from app.core.folder_paths import is_within
    from app.core.path_query import scanned_paths

    wanted = [form for root in roots for form in scanned_paths(root, names, index)]
    found = []
    for path, message in index.conn.execute(
        "SELECT path, message FROM errors WHERE stage = 'scan' AND path IS NOT NULL ORDER BY id"
    ):
        path = os.fsdecode(path) if isinstance(path, bytes) else path
        if any(is_within(path, root) for root in wanted):
            found.append((path, message))
    return found


def damaged_among(index: "PhotoIndex", photo_ids: Sequence[int]) -> int:
    """How many of these photos were labelled from a picture whose data is damaged (the
    note tag_run keeps): a rerun that has nothing to decode still says they are there."""
    noted = {int(row[0]) for row in index.conn.execute(
        "SELECT photo_id FROM errors WHERE stage = 'damaged' AND photo_id IS NOT NULL")}
    return sum(1 for photo_id in photo_ids if photo_id in noted) if noted else 0

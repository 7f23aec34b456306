"""Decoding in spawned worker processes, so that JPEG/RAW decoding uses every
core while the main process runs the network.

Each worker has its own job queue and a bounded number of jobs outstanding, so
(1) memory stays flat however many photos there are, (2) the workers keep
decoding while the main process is busy with a batch, and (3) when a decoder
crashes the process (LibRaw on a hostile file), we know which photo did it:
that photo gets an error, the worker is replaced and the job goes on.

Each worker also has its own result pipe. A shared multiprocessing.Queue would not do:
its writers share one lock, and a worker killed while its feeder thread held that lock
(a decoder crash, or our kill of a hung worker) would block every other worker forever.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
from multiprocessing.connection import wait as wait_for_connections
from collections import deque
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import numpy as np

from app.core.ctrl_c_held_back import ctrl_c_held_back
from app.core.errors import PhotoReadError, TaggerError, failed_reading
from model.preprocess import decode_min_side  # noqa: F401  (tagging and teaching import it from here)
from model.process_limits import worker_processes_allowed

# How long to wait for a result before checking whether a worker died.
_POLL_S = 0.2
# A worker that answers nothing for this long while it has work is hung (a decoder
# looping on a hostile file): it is killed and the photo it was on gets the blame.
DEFAULT_STUCK_S = 300.0
# A process that has not answered yet is still starting (spawn re-imports numpy, Pillow,
# rawpy): its start-up must not count as being stuck on a photo.
STARTUP_ALLOWANCE_S = 30.0
# An idle worker checks this often whether the main process is still there.
_ORPHAN_CHECK_S = 2.0
# Workers that die before answering once, in a row: they cannot start at all.
_MAX_SILENT_DEATHS = 3
# How a process stopped by Ctrl-C exits: killed by SIGINT (POSIX: -2), or Windows'
# STATUS_CONTROL_C_EXIT (0xC000013A, read as unsigned or signed).
_CTRL_C_EXIT_CODES = frozenset({-signal.SIGINT, 0xC000013A, 0xC000013A - (1 << 32)})


class DecodeWorkerError(TaggerError):
    """The decode worker processes cannot run at all (not one bad photo)."""


@dataclass(frozen=True)
class DecodeJob:
    """One photo to decode: its files, best first (a JPEG before its RAW twin)."""

    photo_id: int
    paths: tuple[str, ...]


@dataclass(frozen=True)
class DecodeSettings:
    """What the network needs: the bundle's preprocessing and the decode size."""

    preprocessing: object  # model.preprocess.Preprocessing (kept loose: pickled to workers)
    min_side: int


@dataclass
class DecodedPhoto:
    """A decoded photo as the network's uint8 [S, S, 3] square, or why it failed.
    `contents_failed`: every file was read and none made an image (truncated, corrupt,
    no image data), which holds while the files stay as they are; not so when a file
    could not be read (gone, an I/O error, memory) or the worker crashed or hung on it.
    `decoder_crashed`: the worker process died decoding it (decoder_crash).
    `hung_after_s`: the worker gave no answer in this many seconds decoding it and was
    stopped (decoder_hang); None for a worker that answered, and for one stopped while
    every other decode worker stood still too (the machine's doing, not the photo's)."""

    photo_id: int
    path: str | None
    pixels: np.ndarray | None = None
    error: str | None = None
    failed_paths: list[str] = field(default_factory=list)
    contents_failed: bool = False
    decoder_crashed: bool = False
    hung_after_s: float | None = None
    damage: str | None = None  # libjpeg's words when the picture decoded was damaged (jpeg_damage)


def decode_job(job: DecodeJob, settings: DecodeSettings) -> DecodedPhoto:
    """Decode the first of the job's files that works; all errors when none does."""
    from app.core.decode import DAMAGE_INFO, decode_for_model
    from app.core.jpeg_damage import damage_note
    from model.preprocess import prepare_image

    errors: list[str] = []
    failed: list[str] = []
    contents_failed = bool(job.paths)
    for path in job.paths:
        try:
            image = decode_for_model(path, settings.min_side)
            pixels = prepare_image(image, settings.preprocessing)
            damage = image.info.get(DAMAGE_INFO)
            return DecodedPhoto(job.photo_id, path, pixels, failed_paths=failed,
                                damage=None if damage is None else damage_note(path, damage))
        except MemoryError:
            errors.append(f"{path}: not enough memory to decode this image")
            contents_failed = False
        except Exception as error:  # one bad file must never stop the job
            text = str(error) if isinstance(error, TaggerError) else f"{path}: {type(error).__name__}: {error}"
            errors.append(text)
            contents_failed = contents_failed and _failed_on_contents(error, path)
        failed.append(path)
    return DecodedPhoto(job.photo_id, None, error="; ".join(errors) or "no file to decode", failed_paths=failed,
                        contents_failed=contents_failed)


def decoder_crash(job: DecodeJob, exit_code: int | None) -> DecodedPhoto:
    """The result of a job whose worker process died on it (LibRaw on a hostile file, or
    the system's out-of-memory killer): no verdict on the contents, as it may not happen
    again; the tagging job remembers a photo that crashes twice (app.core.tag_run)."""
    what = f"the decoder crashed on this file (exit code {exit_code})"
    return DecodedPhoto(job.photo_id, None, error=_blamed(job, what), failed_paths=list(job.paths),
                        decoder_crashed=True)


def decoder_hang(job: DecodeJob, stuck_s: float) -> DecodedPhoto:
    """The result of a job whose worker gave no answer in `stuck_s` seconds (a decoder
    looping on a hostile file) and was stopped, other busy workers answering meanwhile
    (else machine_stalled); the tagging job remembers a photo that hangs twice
    (app.core.tag_run)."""
    return DecodedPhoto(job.photo_id, None, failed_paths=list(job.paths), hung_after_s=stuck_s,
                        error=_blamed(job, f"decoding took longer than {stuck_s:g} s and was stopped"))


def machine_stalled(job: DecodeJob, stuck_s: float) -> DecodedPhoto:
    """The result of a job whose worker was stopped for its silence while every other
    busy worker was silent too: the machine stood still (overloaded, suspended), so the
    photo is tried again at the next run whatever happened before."""
    return DecodedPhoto(job.photo_id, None, failed_paths=list(job.paths), error=_on_file(
        job, f"decoding took longer than {stuck_s:g} s and was stopped, as every decode worker stood still "
             "(the machine overloaded or suspended); tried again at the next run"))


def stopped_by_ctrl_c(job: DecodeJob, exit_code: int | None) -> DecodedPhoto:
    """The result of a job whose worker a Ctrl-C stopped (one that reached it before it
    could ignore Ctrl-C): no fault of the photo, which is tried again at the next run."""
    return DecodedPhoto(job.photo_id, None, failed_paths=list(job.paths), error=_on_file(
        job, f"decoding was stopped by Ctrl-C (exit code {exit_code}); tried again at the next run"))


def _blamed(job: DecodeJob, what: str) -> str:
    return _on_file(job, f"{what}; it is probably corrupt")


def _on_file(job: DecodeJob, what: str) -> str:
    return f"{job.paths[0] if job.paths else '?'}: {what}"


def _failed_on_contents(error: Exception, path: str) -> bool:
    """Whether the decoder read the file and could make no image of it (a PhotoReadError
    of its contents), and the file is still there: one that went away as it was read
    (a drive unplugged, a share dropped) says nothing of its contents."""
    if not isinstance(error, PhotoReadError) or failed_reading(error):
        return False  # not a verdict on the bytes: an I/O error, or a fault of ours
    try:
        os.stat(path)
    except OSError:
        return False
    return True


def usable_cpus() -> int:
    """CPUs this process may run on (affinity-aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _worker_main(jobs, results, worker_id: int) -> None:
    """The loop of one worker process: take a job, send back a DecodedPhoto.

    A thread of its own sends the results, so the worker decodes the next photo while
    the main process is still busy with the network and has not read the last one."""
    # Ctrl-C goes to the whole process group; the main process decides what stops.
    # (It started with Ctrl-C held back: app.core.ctrl_c_held_back.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Import the decoders now, while the main process loads the model.
    import app.core.decode  # noqa: F401
    import model.preprocess  # noqa: F401

    outbox: queue.Queue = queue.Queue()  # bounded by the jobs the main process hands out

    def send_results() -> None:
        while (message := outbox.get()) is not None:
            try:
                results.send(message)
            except OSError:  # the main process is gone
                return

    sender = threading.Thread(target=send_results, name="send-results", daemon=True)
    sender.start()
    parent = multiprocessing.parent_process()
    while True:
        try:
            item = jobs.get(timeout=_ORPHAN_CHECK_S)
        except queue.Empty:
            if parent is not None and not parent.is_alive():
                break  # the main process was killed: do not linger as an orphan
            continue
        if item is None:
            break
        job, settings = item
        outbox.put((worker_id, decode_job(job, settings)))
    outbox.put(None)
    sender.join()


class _Worker:
    """One process, its private job queue and result pipe, and the jobs it has not
    answered yet."""

    def __init__(self, context, worker_id: int) -> None:
        self.id = worker_id
        self.answered = False
        self.hung = False
        self.stalled = False  # silent while every other busy worker was too: see _kill_hung_workers
        self.busy_since = time.monotonic()
        self.jobs = context.Queue()
        self.results, writer = context.Pipe(duplex=False)
        self.results_open = True
        self.outstanding: deque[DecodeJob] = deque()
        self.process = context.Process(
            target=_worker_main, args=(self.jobs, writer, worker_id), daemon=True,
            name=f"landmark-tagger-decode-{worker_id}",
        )
        with ctrl_c_held_back():
            self.process.start()
        writer.close()  # the worker holds the only writer: its exit reads as end-of-file here

    def receive(self) -> tuple[int, DecodedPhoto] | None:
        """The next result from the pipe, or None once the worker is gone (end of file,
        or a message cut short by its death)."""
        try:
            return self.results.recv()
        except (EOFError, OSError, pickle.UnpicklingError):
            self.results_open = False
            return None

    def send(self, job: DecodeJob, settings: DecodeSettings) -> None:
        if not self.outstanding:
            self.busy_since = time.monotonic()
        self.outstanding.append(job)
        self.jobs.put((job, settings))

    def stop(self, terminate: bool) -> None:
        if terminate:
            if self.process.is_alive():
                self.process.terminate()
        else:
            self.jobs.put(None)
        self.jobs.cancel_join_thread()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.jobs.close()
        self.results.close()
        self.results_open = False


class DecodeWorkers:
    """A pool of spawned decode processes; start it early (spawning takes a moment),
    then `decode(jobs, settings)` and `close()` (or use it as a context manager).

    workers=0 decodes in the calling process (tests, tiny jobs); on Windows at most 61
    are started (model.process_limits), as it cannot wait on more pipes at once."""

    def __init__(self, workers: int, jobs_per_worker: int = 16, stuck_s: float = DEFAULT_STUCK_S) -> None:
        self.count = worker_processes_allowed(max(0, int(workers)))
        self.depth = max(1, int(jobs_per_worker))
        self.stuck_s = float(stuck_s)
        self._context = multiprocessing.get_context("spawn")
        self._workers: dict[int, _Worker] = {}
        self._next_id = 0
        self._silent_deaths = 0
        for _ in range(self.count):
            self._spawn()

    def __enter__(self) -> "DecodeWorkers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(terminate=exc[0] is not None)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self._next_id)
        self._workers[worker.id] = worker
        self._next_id += 1
        return worker

    def decode(self, jobs: Iterable[DecodeJob], settings: DecodeSettings, cancel=None) -> Iterator[DecodedPhoto]:
        """Decoded photos in completion order (not job order), one per job until the job
        is cancelled (`cancel`, a CancelToken): a worker found dead after that ends the
        stream, as the same Ctrl-C may have stopped it, and its photos are left for the
        next run rather than blamed.

        The first jobs are handed out at once, so the workers are busy before the
        caller starts iterating (e.g. while it builds its inference session)."""
        if self.count == 0:
            return (decode_job(job, settings) for job in jobs)
        waiting = iter(jobs)
        exhausted = self._fill(waiting, settings)
        return self._collect(waiting, exhausted, settings, cancel)

    def _collect(
        self, waiting: Iterator[DecodeJob], exhausted: bool, settings: DecodeSettings, cancel
    ) -> Iterator[DecodedPhoto]:
        while True:
            if not exhausted:
                exhausted = self._fill(waiting, settings)
            if exhausted and not any(w.outstanding for w in self._workers.values()):
                return
            readers = {w.results: w for w in self._workers.values() if w.results_open}
            received = False
            for connection in wait_for_connections(list(readers), timeout=_POLL_S):
                message = readers[connection].receive()
                if message is not None:
                    received = True
                    yield self._accept(message)
            if received:
                continue
            self._kill_hung_workers()
            if any(not w.process.is_alive() and w.outstanding for w in self._workers.values()):
                if cancel is not None and cancel.cancelled:
                    return
                # What a dead worker sent before dying is still in its pipe: take it
                # first, so only the photo it died on is blamed.
                yield from self._drain()
                yield from self._replace_dead_workers(settings)

    def _accept(self, message: tuple[int, DecodedPhoto]) -> DecodedPhoto:
        worker_id, result = message
        worker = self._workers.get(worker_id)
        if worker is not None and worker.outstanding:
            worker.outstanding.popleft()
            worker.answered = True
            worker.stalled = False
            worker.busy_since = time.monotonic()
            self._silent_deaths = 0
        return result

    def _drain(self) -> Iterator[DecodedPhoto]:
        """Every result dead workers sent before they died."""
        for worker in list(self._workers.values()):
            if worker.process.is_alive():
                continue
            while worker.results_open and worker.results.poll(0.05):
                message = worker.receive()
                if message is not None:
                    yield self._accept(message)

    def _fill(self, waiting: Iterator[DecodeJob], settings: DecodeSettings) -> bool:
        """Top every worker up to `depth` outstanding jobs; True when no job is left."""
        for worker in self._workers.values():
            while len(worker.outstanding) < self.depth:
                job = next(waiting, None)
                if job is None:
                    return True
                worker.send(job, settings)
        return False

    def _kill_hung_workers(self) -> None:
        now = time.monotonic()
        busy = [w for w in self._workers.values() if w.outstanding and w.process.is_alive()]
        hung = [w for w in busy if now - w.busy_since > self._silence_limit(w)]
        if hung and len(busy) > 1 and all(now - w.busy_since > self._silence_limit(w) / 2 for w in busy):
            # Every busy worker silent at once (or nearly: half its limit) is the machine
            # standing still, not their photos; a lone busy worker tells nothing.
            for worker in busy:
                worker.stalled = True
        for worker in hung:
            worker.hung = True
            worker.process.kill()
            worker.process.join(timeout=5)

    def _silence_limit(self, worker: _Worker) -> float:
        return self.stuck_s + (0.0 if worker.answered else STARTUP_ALLOWANCE_S)

    def _replace_dead_workers(self, settings: DecodeSettings) -> Iterator[DecodedPhoto]:
        """A worker that died took its current photo with it: report that photo,
        give the worker's other jobs to a fresh worker."""
        for worker in list(self._workers.values()):
            if worker.process.is_alive() or not worker.outstanding:
                continue
            culprit = worker.outstanding.popleft()
            code = worker.process.exitcode
            del self._workers[worker.id]
            worker.stop(terminate=True)
            ctrl_c = code in _CTRL_C_EXIT_CODES and not worker.hung  # no fault of its photos
            if not worker.answered and not worker.hung and not ctrl_c:
                self._silent_deaths += 1
                if self._silent_deaths >= _MAX_SILENT_DEATHS:
                    raise DecodeWorkerError(
                        f"decode worker processes exit before decoding anything (exit code {code}); "
                        "see the messages above, or run with --workers 0 to decode in this process"
                    )
            replacement = self._spawn()
            for job in worker.outstanding:
                replacement.send(job, settings)
            if ctrl_c:
                yield stopped_by_ctrl_c(culprit, code)
            elif worker.stalled:
                yield machine_stalled(culprit, self.stuck_s)
            elif worker.hung:
                yield decoder_hang(culprit, self.stuck_s)
            else:
                yield decoder_crash(culprit, code)

    def close(self, terminate: bool = False) -> None:
        """Stop the workers: politely when done, at once when cancelled."""
        for worker in self._workers.values():
            worker.stop(terminate=terminate)
        self._workers.clear()

"""A Windows machine with 64 or more logical CPUs: one decode worker per CPU, and
`landmark-train prepare`'s one resize process per core, stay within what Windows can
wait on (ProcessPoolExecutor refuses more than 61 workers; connection.wait before Python
3.13 more than 63 handles) instead of ending in a ValueError traceback."""

from __future__ import annotations

from concurrent.futures import Future

from app.core import decode_workers
from app.core.decode_workers import DecodeJob, DecodeSettings, DecodeWorkers, decode_min_side
from model import process_limits
from model.preprocess import Preprocessing
from tests.windows_fakes import FakeWorkerContext
from training import cache_images, prepare
from training.datasets import load_manifest
from training.prepare import PrepareConfig, prepare_dataset
from training.synthetic import make_class_folders

SETTINGS = DecodeSettings(Preprocessing(input_size=64), decode_min_side(Preprocessing(input_size=64)))
real_wait = decode_workers.wait_for_connections


def windows_wait_before_3_13(connections, timeout=None):
    """multiprocessing.connection.wait as Windows runs it on Python 3.11 and 3.12: every
    connection goes to one WaitForMultipleObjects, which takes at most 63 handles."""
    if len(connections) > 63:
        raise ValueError(f"need at most 63 handles, got a sequence of length {len(connections)}")
    return real_wait(connections, timeout)


def test_tagging_on_a_windows_machine_with_64_cpus_decodes_every_photo(monkeypatch):
    monkeypatch.setattr(process_limits, "ON_WINDOWS", True)
    monkeypatch.setattr(decode_workers, "wait_for_connections", windows_wait_before_3_13)
    context = FakeWorkerContext()
    monkeypatch.setattr(decode_workers.multiprocessing, "get_context", lambda method: context)
    jobs = [DecodeJob(i, (f"/photos/IMG_{i:04d}.jpg",)) for i in range(200)]
    with DecodeWorkers(64, jobs_per_worker=2) as workers:  # `tag` on 64 CPUs: one worker each
        assert workers.count == process_limits.MOST_WORKERS_ON_WINDOWS
        results = list(workers.decode(jobs, SETTINGS))
    assert sorted(r.photo_id for r in results) == list(range(200))
    assert len(context.started) == 61
    assert process_limits.worker_processes_allowed(8) == 8
    monkeypatch.setattr(process_limits, "ON_WINDOWS", False)  # other systems: one worker per CPU still
    assert process_limits.worker_processes_allowed(128) == 128


class WindowsProcessPool:
    """ProcessPoolExecutor as it starts on Windows (more than 61 workers refused), its
    work done in this process."""

    started_with: list[int] = []

    def __init__(self, max_workers: int) -> None:
        if max_workers > 61:
            raise ValueError("max_workers must be <= 61")
        self.started_with.append(max_workers)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, wait=True, cancel_futures=False) -> None:
        pass


def test_prepare_on_a_windows_machine_with_64_cores_resizes_with_61_processes(monkeypatch, tmp_path):
    make_class_folders(tmp_path / "photos", ["Arc", "Bridge"], [4, 4], size=40)
    monkeypatch.setattr(process_limits, "ON_WINDOWS", True)
    monkeypatch.setattr(prepare.os, "cpu_count", lambda: 64)
    monkeypatch.setattr(cache_images, "ProcessPoolExecutor", WindowsProcessPool)  # resizes for prepare
    WindowsProcessPool.started_with = []
    summary = prepare_dataset(PrepareConfig(tmp_path / "photos", tmp_path / "out", cache_size=16))  # --workers 0
    assert WindowsProcessPool.started_with == [61]
    assert summary.resized == 8 and not summary.errors and len(load_manifest(tmp_path / "out").images) == 8

"""A Ctrl-C is no photo's fault: decode workers start with it held back on Windows too
(the console sends it to every process attached to it), and a worker that died of it,
or that died once the job was cancelled, blames no photo and is not counted as a worker
that cannot start."""

from __future__ import annotations

import signal

import pytest

from app.core import ctrl_c_held_back
from app.core.decode_workers import DecodeJob, DecodeSettings, DecodeWorkers, decode_min_side
from app.core.progress import CancelToken
from model.preprocess import Preprocessing
from tests.windows_fakes import FakeKernel32, FakeWorkerContext, use_fake_kernel32

SETTINGS = DecodeSettings(Preprocessing(input_size=64), decode_min_side(Preprocessing(input_size=64)))
STATUS_CONTROL_C_EXIT = 0xC000013A  # how Windows reports a process a Ctrl-C ended


def jobs(count: int) -> list[DecodeJob]:
    return [DecodeJob(i, (f"/photos/IMG_{i:04d}.jpg",)) for i in range(count)]


def pool(monkeypatch, context: FakeWorkerContext, workers: int = 1) -> DecodeWorkers:
    monkeypatch.setattr("app.core.decode_workers.multiprocessing.get_context", lambda method: context)
    return DecodeWorkers(workers, jobs_per_worker=4)


def test_on_windows_a_worker_starts_with_ctrl_c_ignored_and_the_app_takes_it_again(monkeypatch):
    kernel32 = use_fake_kernel32(monkeypatch, FakeKernel32())
    monkeypatch.setattr(ctrl_c_held_back, "ON_WINDOWS", True)
    context = FakeWorkerContext(on_start=lambda: kernel32.ignoring_ctrl_c)
    with pool(monkeypatch, context, workers=2):
        assert context.started == [True, True]  # each worker inherits "ignore Ctrl-C"
        assert not kernel32.ignoring_ctrl_c  # the app itself stops on Ctrl-C again
    assert [call[1:] for call in kernel32.calls] == [(None, True), (None, False)] * 2


def test_on_windows_a_console_that_refuses_still_starts_the_workers(monkeypatch):
    class Refusing(FakeKernel32):
        def SetConsoleCtrlHandler(self, handler, add):  # noqa: N802
            self.calls.append(("SetConsoleCtrlHandler", handler, add))
            return 0  # no console (the app started from Explorer)

    kernel32 = use_fake_kernel32(monkeypatch, Refusing())
    monkeypatch.setattr(ctrl_c_held_back, "ON_WINDOWS", True)
    context = FakeWorkerContext()
    with pool(monkeypatch, context) as workers:
        assert len(list(workers.decode(jobs(2), SETTINGS))) == 2
    assert [call[2] for call in kernel32.calls] == [True]  # nothing to take back


@pytest.mark.parametrize("exit_code", [-signal.SIGINT, STATUS_CONTROL_C_EXIT], ids=["posix", "windows"])
def test_a_worker_stopped_by_ctrl_c_blames_no_photo(monkeypatch, exit_code):
    # Each worker dies of Ctrl-C before answering: three in a row would otherwise read as
    # "decode worker processes exit before decoding anything" and end the job.
    context = FakeWorkerContext(answers=0, exit_code=exit_code)
    with pool(monkeypatch, context) as workers:
        results = list(workers.decode(jobs(3), SETTINGS))
    assert sorted(r.photo_id for r in results) == [0, 1, 2]
    for result in results:
        assert not result.decoder_crashed and result.hung_after_s is None and not result.contents_failed
        assert "stopped by Ctrl-C" in result.error and "tried again at the next run" in result.error
        assert "corrupt" not in result.error
    context.exit_code = 3  # a crash of another kind still blames its photo
    with pool(monkeypatch, context) as workers:
        result, = workers.decode(jobs(1), SETTINGS)
    assert result.decoder_crashed and "the decoder crashed on this file (exit code 3)" in result.error


def test_a_worker_that_dies_once_the_job_is_cancelled_blames_no_photo(monkeypatch):
    """Windows: a worker's own KeyboardInterrupt inside multiprocessing's bootstrap exits 1,
    like a crash; once the job is cancelled its death says nothing of its photo."""
    context = FakeWorkerContext(answers=1, exit_code=1)
    cancel = CancelToken()
    with pool(monkeypatch, context) as workers:
        results = []
        for result in workers.decode(jobs(3), SETTINGS, cancel):
            results.append(result)
            cancel.cancel()  # the first Ctrl-C: the consumer goes on to its next check
    assert [r.photo_id for r in results] == [0] and results[0].error is None

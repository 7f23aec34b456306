"""The spawned decode workers: every job answered once, crashes and hangs blamed on one
photo only (not when every worker stands still at once), workers replaced, and the
same pixels as decoding in-process."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core.decode_workers import DecodeJob, DecodeSettings, DecodeWorkers, decode_min_side
from model.preprocess import Preprocessing

SETTINGS = DecodeSettings(Preprocessing(input_size=64), decode_min_side(Preprocessing(input_size=64)))


def big_jpeg(path: Path, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (1500, 2000, 3), dtype=np.uint8), "RGB").save(path, quality=95)
    return path


def test_min_side_covers_the_centre_crop():
    assert decode_min_side(Preprocessing(input_size=224)) == 224
    assert decode_min_side(Preprocessing(input_size=224, crop_fraction=0.875)) == 256
    assert decode_min_side(Preprocessing(input_size=224, resize="squash")) == 224


def test_in_process_decoding_reports_errors_per_photo(tmp_path):
    good = big_jpeg(tmp_path / "good.jpg")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"junk" * 100)
    with DecodeWorkers(0) as workers:
        results = list(workers.decode([DecodeJob(1, (str(good),)), DecodeJob(2, (str(bad),))], SETTINGS))
    assert results[0].pixels.shape == (64, 64, 3) and results[0].pixels.dtype == np.uint8
    assert results[1].pixels is None and str(bad) in results[1].error


@pytest.mark.slow
def test_spawned_workers_answer_every_job_once_with_the_same_pixels(tmp_path):
    paths = [big_jpeg(tmp_path / f"p{i}.jpg", seed=i) for i in range(5)]
    jobs = [DecodeJob(i, (str(path),)) for i, path in enumerate(paths)]
    with DecodeWorkers(0) as local:
        expected = {r.photo_id: r.pixels for r in local.decode(jobs, SETTINGS)}
    with DecodeWorkers(2, jobs_per_worker=2) as workers:
        results = list(workers.decode(jobs, SETTINGS))
    assert sorted(r.photo_id for r in results) == list(range(5))
    for result in results:
        assert np.array_equal(result.pixels, expected[result.photo_id])


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="kills a process with SIGKILL")
def test_a_worker_that_dies_costs_one_photo_and_is_replaced(tmp_path):
    path = big_jpeg(tmp_path / "p.jpg")
    jobs = [DecodeJob(i, (str(path),)) for i in range(20)]
    results = []
    with DecodeWorkers(1, jobs_per_worker=20) as workers:
        stream = workers.decode(jobs, SETTINGS)
        results.append(next(stream))
        (victim,) = [w.process for w in workers._workers.values()]
        os.kill(victim.pid, signal.SIGKILL)
        results.extend(stream)
        survivors = [w.process for w in workers._workers.values()]
    assert sorted(r.photo_id for r in results) == list(range(20))
    failed = [r for r in results if r.error]
    assert len(failed) == 1 and "crashed" in failed[0].error and failed[0].decoder_crashed
    assert len(survivors) == 1 and survivors[0].pid != victim.pid


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="kills a process with SIGKILL")
def test_workers_exit_when_the_main_process_is_killed(tmp_path):
    """A killed `tag` (SIGKILL, OOM killer) must not leave decode processes behind."""
    import subprocess
    import sys
    import time

    script = tmp_path / "owner.py"
    script.write_text(
        "import sys, time\n"
        "from app.core.decode_workers import DecodeWorkers\n"
        "if __name__ == '__main__':\n"
        "    workers = DecodeWorkers(1)\n"
        "    print([w.process.pid for w in workers._workers.values()][0], flush=True)\n"
        "    time.sleep(60)\n"
    )
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[1],
                             env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    worker_pid = int(owner.stdout.readline())
    owner.kill()
    owner.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(worker_pid, 0)
        except ProcessLookupError:
            return
        with open(f"/proc/{worker_pid}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                return  # exited, only not yet reaped
        time.sleep(0.2)
    os.kill(worker_pid, signal.SIGKILL)
    pytest.fail("the decode worker outlived its killed parent")


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="stops a process with SIGSTOP")
def test_a_hung_worker_is_killed_and_blamed_for_one_photo(tmp_path):
    path = big_jpeg(tmp_path / "p.jpg")
    jobs = [DecodeJob(i, (str(path),)) for i in range(6)]
    results = []
    # 5 s, not less: on a loaded 2-core machine a healthy worker can take over a second per photo.
    with DecodeWorkers(1, jobs_per_worker=6, stuck_s=5.0) as workers:
        stream = workers.decode(jobs, SETTINGS)
        results.append(next(stream))
        (victim,) = [w.process for w in workers._workers.values()]
        os.kill(victim.pid, signal.SIGSTOP)  # alive but making no progress, like a looping decoder
        results.extend(stream)
    assert sorted(r.photo_id for r in results) == list(range(6))
    failed = [r for r in results if r.error]
    assert len(failed) == 1 and "longer than 5 s" in failed[0].error, [r.error for r in failed]
    assert failed[0].hung_after_s == 5.0  # a lone worker's silence is held against its photo
    assert not victim.is_alive()


def _stop_workers_once_all_answered(tmp_path, stopped: int) -> list:
    """Decode 40 photos with two workers; once both have answered, stop `stopped` of
    them (SIGSTOP: alive but silent, like a looping decoder or a machine that stands
    still). Every result."""
    path = big_jpeg(tmp_path / "p.jpg")
    jobs = [DecodeJob(i, (str(path),)) for i in range(40)]
    results = []
    # 5 s, not less: on a loaded 2-core machine a healthy worker can take over a second per photo.
    with DecodeWorkers(2, jobs_per_worker=6, stuck_s=5.0) as workers:
        stream = workers.decode(jobs, SETTINGS)
        while not all(w.answered for w in workers._workers.values()):
            results.append(next(stream))
        for worker in list(workers._workers.values())[:stopped]:
            os.kill(worker.process.pid, signal.SIGSTOP)
        results.extend(stream)
    assert sorted(r.photo_id for r in results) == list(range(40))
    return [r for r in results if r.error]


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="stops a process with SIGSTOP")
def test_a_worker_hung_while_another_decodes_is_blamed_for_its_photo(tmp_path):
    (failed,) = _stop_workers_once_all_answered(tmp_path, stopped=1)
    assert failed.hung_after_s == 5.0 and "longer than 5 s" in failed.error, failed.error


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="stops processes with SIGSTOP")
def test_workers_all_silent_at_once_are_not_blamed_on_their_photos(tmp_path):
    """Every busy worker silent at once is the machine (overloaded, suspended): the
    photos they were on are tried again at the next run, whatever came before."""
    failed = _stop_workers_once_all_answered(tmp_path, stopped=2)
    assert len(failed) == 2, [r.error for r in failed]
    assert all(r.hung_after_s is None and "every decode worker stood still" in r.error for r in failed)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="kills processes with SIGKILL")
def test_workers_killed_while_sending_never_stall_the_others(tmp_path):
    """Kill workers again and again while results are flowing: every photo is still
    answered. (With one result queue shared by all workers, a worker killed while it
    held the queue's lock blocked every other worker for good.)"""
    import random
    import threading

    paths = [big_jpeg(tmp_path / f"p{i}.jpg", seed=i) for i in range(4)]
    jobs = [DecodeJob(i, (str(paths[i % 4]),)) for i in range(60)]
    results, kills = [], []
    rng = random.Random(0)
    workers = DecodeWorkers(2, jobs_per_worker=4)

    def consume() -> None:
        for result in workers.decode(jobs, SETTINGS):
            results.append(result)
            if len(results) % 6 == 0 and len(kills) < 8:
                live = [w.process for w in workers._workers.values() if w.answered and w.process.is_alive()]
                if live:
                    victim = rng.choice(live)
                    kills.append(victim.pid)
                    os.kill(victim.pid, signal.SIGKILL)

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    consumer.join(timeout=240)
    stalled = consumer.is_alive()
    workers.close(terminate=True)
    assert not stalled, f"stalled after {len(results)} of {len(jobs)} photos and {len(kills)} kills"
    assert sorted(r.photo_id for r in results) == list(range(len(jobs)))
    assert len(kills) >= 4 and len([r for r in results if r.error]) <= len(kills)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="Ctrl-C is held back by a signal mask (POSIX)")
def test_ctrl_c_while_a_worker_starts_neither_stops_it_nor_prints_its_traceback(tmp_path, capfd):
    """Ctrl-C reaches the whole process group, workers still importing included: each
    printed a KeyboardInterrupt traceback of its own and died, while the main process
    (which decides what stops, and reports it) was stopping cleanly."""
    path = big_jpeg(tmp_path / "p.jpg")
    with DecodeWorkers(1) as workers:
        (worker,) = workers._workers.values()
        os.kill(worker.process.pid, signal.SIGINT)  # right away: it is still starting
        (result,) = workers.decode([DecodeJob(1, (str(path),))], SETTINGS)
    assert result.error is None and result.pixels is not None
    err = capfd.readouterr().err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err

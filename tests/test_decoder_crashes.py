"""A photo whose decoder crashes (its worker process dies: LibRaw on a hostile RAW file)
or hangs (no answer in 300 s, then stopped) was decoded again at every `tag`, each run
paying the crash and a new worker, or the 300 s. One crash or hang may be the machine's
(memory, a signal, load), so the next run still tries the photo; a second on the same
files at a later run is remembered as a problem of the photo, listed with the others and
skipped until its files change or `tag --retry-failed`. A hang while every decode worker
stood still (the machine overloaded or suspended) never counts against the photo.

The faults are faked in this process (decode_workers.decode_job gives what the pool
gives for a worker that died or was stopped on the photo: decoder_crash, decoder_hang,
machine_stalled), never a real segfault or hang (test_tagging_workers has those).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import app.core.decode_workers as workers_module
from app.core.decode_workers import DecodedPhoto, DecodeWorkerError, decoder_crash, decoder_hang, machine_stalled
from app.core.index import PhotoIndex
from app.core.tagging import TagOptions, tag
from app.gui.app_words import in_app_words
from tests.test_index_support import jpeg_bytes, write_jpeg

HOSTILE = "DSC_0001.JPG"  # decoded first
STUCK_S = 0.5  # the pool's limit in these fakes (300 s in use)


@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as opened:
        yield opened


@pytest.fixture
def card(tmp_path: Path) -> Path:
    folder = tmp_path / "Iceland"
    write_jpeg(folder / HOSTILE, color=(10, 200, 30))
    write_jpeg(folder / "DSC_0002.JPG")
    return folder


@pytest.fixture
def crashes(monkeypatch) -> list[str]:
    """The decoder crashes on HOSTILE (decoding in this process); the names of the files
    it crashed on, one per attempt."""
    return _decoder_fault_on_hostile(monkeypatch, lambda job: decoder_crash(job, -11))


def _decoder_fault_on_hostile(monkeypatch, fault) -> list[str]:
    """Decoding HOSTILE gives fault(job), the others decode; HOSTILE once per attempt."""
    attempts: list[str] = []
    real = workers_module.decode_job

    def faulty(job, settings):
        if Path(job.paths[0]).name != HOSTILE:
            return real(job, settings)
        attempts.append(HOSTILE)
        return fault(job)

    monkeypatch.setattr(workers_module, "decode_job", faulty)
    return attempts


def _options(tiny_bundle, **changes) -> TagOptions:
    return TagOptions(model=Path(tiny_bundle.path), workers=0, batch_size=2, threads=1, **changes)


def _decode_problems(index: PhotoIndex) -> list[str]:
    return [error.message for error in index.errors(stage="decode")]


@pytest.mark.parametrize("fault, what", [
    (lambda job: decoder_crash(job, -11), "crashed on this file twice"),
    (lambda job: decoder_hang(job, STUCK_S), "hung on this file twice (no answer in 0.5 s)"),
], ids=["crashed", "hung"])
def test_a_photo_whose_decoder_crashed_or_hung_at_two_runs_is_skipped_until_it_changes(
        index, card, tiny_bundle, monkeypatch, fault, what) -> None:
    attempts = _decoder_fault_on_hostile(monkeypatch, fault)
    first = tag(index, [card], _options(tiny_bundle))
    assert (first.tagged, first.errors, first.failed_before) == (1, 1, 0)
    second = tag(index, [card], _options(tiny_bundle))  # once may be the machine's: tried again
    assert (second.errors, second.failed_before) == (1, 0)
    (problem,) = _decode_problems(index)
    assert problem.endswith(f"{HOSTILE}: the decoder {what}; skipped until it changes; "
                            "`tag --retry-failed` tries it again")
    assert "Tag selection tries it again" in in_app_words(problem)

    third = tag(index, [card], _options(tiny_bundle))
    assert (third.errors, third.failed_before) == (0, 1), third.line()
    assert attempts == [HOSTILE, HOSTILE]  # not handed to the decoder a third time
    assert len(_decode_problems(index)) == 1  # still listed

    (card / HOSTILE).write_bytes(jpeg_bytes(color=(200, 10, 30)))  # another file under its name
    changed = tag(index, [card], _options(tiny_bundle))
    assert (changed.errors, changed.failed_before) == (1, 0)
    assert attempts == [HOSTILE] * 3


def test_retry_failed_decodes_a_photo_remembered_for_its_crashes(index, card, tiny_bundle, crashes,
                                                                 monkeypatch) -> None:
    for _ in range(2):
        tag(index, [card], _options(tiny_bundle))
    monkeypatch.undo()  # a decoder that no longer crashes on it (the crash was not the file's after all)
    retried = tag(index, [card], _options(tiny_bundle, retry_failed=True))
    assert (retried.tagged, retried.errors, retried.failed_before) == (1, 0, 0), retried.line()
    assert _decode_problems(index) == []


def test_a_crash_after_retry_failed_is_remembered_again_at_once(index, card, tiny_bundle, crashes) -> None:
    for _ in range(2):
        tag(index, [card], _options(tiny_bundle))
    assert tag(index, [card], _options(tiny_bundle, retry_failed=True)).errors == 1
    assert tag(index, [card], _options(tiny_bundle)).failed_before == 1
    assert crashes == [HOSTILE] * 3


def test_crashes_in_a_run_whose_workers_cannot_start_are_not_held_against_the_photo(
        index, card, tiny_bundle, monkeypatch) -> None:
    """Workers that die before decoding anything stop the pool (DecodeWorkerError) after
    blaming the photos they were given: no fault of those photos, however often."""
    def dying(job, settings):
        if Path(job.paths[0]).name == HOSTILE:
            return decoder_crash(job, 1)
        raise DecodeWorkerError("decode worker processes exit before decoding anything (exit code 1)")

    monkeypatch.setattr(workers_module, "decode_job", dying)
    for _ in range(2):
        with pytest.raises(DecodeWorkerError):
            tag(index, [card], _options(tiny_bundle))
    monkeypatch.undo()
    healthy = tag(index, [card], _options(tiny_bundle))
    assert (healthy.tagged, healthy.errors, healthy.failed_before) == (2, 0, 0), healthy.line()


def test_stats_lists_the_remembered_crash_and_tag_exits_1(card, tiny_bundle, tmp_path, crashes, capsys) -> None:
    from app.cli.main import main

    db = str(tmp_path / "index.db")
    tag_card = ["--db", db, "tag", str(card), "--model", str(tiny_bundle.path), "--workers", "0"]
    assert [main(tag_card) for _ in range(3)] == [1, 1, 1]
    assert "1 unchanged photo that could not be decoded skipped" in capsys.readouterr().err
    assert main(["--db", db, "stats", "--errors"]) == 0
    assert "the decoder crashed on this file twice; skipped until it changes" in capsys.readouterr().out


@pytest.mark.parametrize("fault", [lambda job: decoder_crash(job, -11), lambda job: decoder_hang(job, STUCK_S)],
                         ids=["crashed", "hung"])
def test_retry_failed_decodes_again_a_photo_remembered_for_its_decoder(
        index, card, tiny_bundle, monkeypatch, fault) -> None:
    attempts = _decoder_fault_on_hostile(monkeypatch, fault)
    for _ in range(2):
        tag(index, [card], _options(tiny_bundle))
    assert tag(index, [card], _options(tiny_bundle, retry_failed=True)).failed_before == 0
    assert attempts == [HOSTILE] * 3


def test_hangs_while_every_decode_worker_stood_still_are_not_held_against_the_photo(
        index, card, tiny_bundle, monkeypatch) -> None:
    """The pool stopped every busy worker at once (the machine overloaded or suspended)."""
    stalls = _decoder_fault_on_hostile(monkeypatch, lambda job: machine_stalled(job, STUCK_S))
    for _ in range(3):
        run = tag(index, [card], _options(tiny_bundle))
        assert (run.errors, run.failed_before) == (1, 0), run.line()
    assert stalls == [HOSTILE] * 3
    assert "stood still" in _decode_problems(index)[0]


def test_a_hang_after_a_crash_is_remembered_in_the_words_of_what_happened(
        index, card, tiny_bundle, monkeypatch) -> None:
    _decoder_fault_on_hostile(monkeypatch, lambda job: decoder_crash(job, -11))
    tag(index, [card], _options(tiny_bundle))
    _decoder_fault_on_hostile(monkeypatch, lambda job: decoder_hang(job, STUCK_S))
    tag(index, [card], _options(tiny_bundle))
    (problem,) = _decode_problems(index)
    assert problem.endswith(f"{HOSTILE}: the decoder crashed, then hung on this file (no answer in 0.5 s); "
                            "skipped until it changes; `tag --retry-failed` tries it again")
    assert tag(index, [card], _options(tiny_bundle)).failed_before == 1


def test_a_crash_after_a_failure_to_decode_says_so_not_crashed_twice(
        index, card, tiny_bundle, monkeypatch) -> None:
    def unreadable(job) -> DecodedPhoto:  # read whole, and no image in it
        return DecodedPhoto(job.photo_id, None, error=f"{job.paths[0]}: truncated", failed_paths=list(job.paths),
                            contents_failed=True)

    _decoder_fault_on_hostile(monkeypatch, unreadable)
    assert tag(index, [card], _options(tiny_bundle)).errors == 1
    _decoder_fault_on_hostile(monkeypatch, lambda job: decoder_crash(job, -11))
    assert tag(index, [card], _options(tiny_bundle, retry_failed=True)).errors == 1
    (problem,) = _decode_problems(index)
    assert problem.endswith(f"{HOSTILE}: the decoder failed to decode, then crashed on this file; "
                            "skipped until it changes; `tag --retry-failed` tries it again")
    # a crash after the remembered crash is still a crash after crashes, not after a failure
    assert tag(index, [card], _options(tiny_bundle, retry_failed=True)).errors == 1
    assert _decode_problems(index)[0].endswith(": the decoder crashed on this file twice; skipped until it "
                                               "changes; `tag --retry-failed` tries it again")

"""A photo whose decoder crashes (its worker process dies: LibRaw on a hostile RAW file)
was decoded again at every `tag`, each run paying the crash and a new worker. One crash
may be the machine's (memory, a signal), so the next run still tries the photo; a crash
on the same files at a second run is remembered as a problem of the photo, listed with
the others and skipped until its files change or `tag --retry-failed`.

The crash is faked in this process (decode_workers.decode_job gives what the pool gives
for a worker that died on the photo, decoder_crash), never a real segfault.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import app.core.decode_workers as workers_module
from app.core.decode_workers import DecodeWorkerError, decoder_crash
from app.core.index import PhotoIndex
from app.core.tagging import TagOptions, tag
from app.gui.app_words import in_app_words
from tests.test_index_support import jpeg_bytes, write_jpeg

HOSTILE = "DSC_0001.JPG"  # decoded first


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
    attempts: list[str] = []
    real = workers_module.decode_job

    def crashing(job, settings):
        if Path(job.paths[0]).name != HOSTILE:
            return real(job, settings)
        attempts.append(HOSTILE)
        return decoder_crash(job, -11)

    monkeypatch.setattr(workers_module, "decode_job", crashing)
    return attempts


def _options(tiny_bundle, **changes) -> TagOptions:
    return TagOptions(model=Path(tiny_bundle.path), workers=0, batch_size=2, threads=1, **changes)


def _decode_problems(index: PhotoIndex) -> list[str]:
    return [error.message for error in index.errors(stage="decode")]


def test_a_photo_whose_decoder_crashed_at_two_runs_is_skipped_until_it_changes(
        index, card, tiny_bundle, crashes) -> None:
    first = tag(index, [card], _options(tiny_bundle))
    assert (first.tagged, first.errors, first.failed_before) == (1, 1, 0)
    second = tag(index, [card], _options(tiny_bundle))  # one crash may be the machine's: tried again
    assert (second.errors, second.failed_before) == (1, 0)
    (problem,) = _decode_problems(index)
    assert problem.endswith(f"{HOSTILE}: the decoder crashed on this file twice; skipped until it changes; "
                            "`tag --retry-failed` tries it again")
    assert "Tag selection tries it again" in in_app_words(problem)

    third = tag(index, [card], _options(tiny_bundle))
    assert (third.errors, third.failed_before) == (0, 1), third.line()
    assert crashes == [HOSTILE, HOSTILE]  # not handed to the decoder a third time
    assert len(_decode_problems(index)) == 1  # still listed

    (card / HOSTILE).write_bytes(jpeg_bytes(color=(200, 10, 30)))  # another file under its name
    changed = tag(index, [card], _options(tiny_bundle))
    assert (changed.errors, changed.failed_before) == (1, 0)
    assert crashes == [HOSTILE] * 3


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

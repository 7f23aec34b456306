"""A `tag --retag` stopped part-way (Ctrl-C, a kill, a laptop asleep) is carried on by the
next `tag` or `tag --retag` with the same model: the photos it retagged before the stop
are not read again, and `--start-over` begins anew (app.core.retag_marks)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.progress import CancelToken
from app.core.tagging import TagOptions, tag

PHOTOS = 6


@pytest.fixture
def folder(tmp_path) -> Path:
    trip = tmp_path / "Petra 2018"
    trip.mkdir()
    for i in range(PHOTOS):
        rng = np.random.default_rng(i)
        Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)).resize((320, 240)).save(trip / f"P_{i}.jpg")
    return trip


def unfinished_retag(index, model_id=None):
    from app.core.retag_marks import unfinished_retag as under_way  # (the behaviour is asserted first)

    return under_way(index.conn, model_id)


def options(bundle, **changes) -> TagOptions:
    return TagOptions(model=Path(bundle.path), workers=0, batch_size=1, **changes)


def read_by(index, folder, opts, **kwargs) -> list[int]:
    """The photos a run classified (read from their files), in order."""
    read: list[int] = []
    summary = tag(index, [folder], opts, on_result=lambda result: read.append(result.photo_id), **kwargs)
    assert summary.errors == 0
    return read


def stopped_retag(index, folder, bundle, after: int, abort: bool = False) -> list[int]:
    """A retag stopped once `after` photos were stored: cancelled (Ctrl-C, SIGTERM) or
    aborted where it stands (a second Ctrl-C: nothing of the job's end runs, as at a kill)."""
    cancel, read = CancelToken(), []

    def stop_after(result) -> None:
        read.append(result.photo_id)
        if len(read) >= after:
            if abort:
                raise KeyboardInterrupt
            cancel.cancel()

    if abort:
        with pytest.raises(KeyboardInterrupt):
            tag(index, [folder], options(bundle, retag=True), cancel=cancel, on_result=stop_after)
    else:
        assert tag(index, [folder], options(bundle, retag=True), cancel=cancel, on_result=stop_after).cancelled
    return read


@pytest.mark.parametrize("abort", [False, True], ids=["cancelled", "aborted"])
def test_a_plain_tag_carries_on_a_stopped_retag_without_reading_again_what_it_did(tmp_path, folder, tiny_bundle,
                                                                                 abort):
    with PhotoIndex.open(tmp_path / "index.db") as index:
        everyone = read_by(index, folder, options(tiny_bundle))
        assert len(everyone) == PHOTOS
        before = stopped_retag(index, folder, tiny_bundle, after=2, abort=abort)
    with PhotoIndex.open(tmp_path / "index.db") as index:  # another process, as after a kill
        after = read_by(index, folder, options(tiny_bundle))
        assert sorted(before + after) == sorted(everyone)  # each photo retagged once, none read twice
        assert unfinished_retag(index) is None  # finished: the next run is a plain one again
        assert read_by(index, folder, options(tiny_bundle)) == []


def test_a_retag_run_again_carries_on_and_start_over_reads_them_all(tmp_path, folder, tiny_bundle):
    with PhotoIndex.open(tmp_path / "index.db") as index:
        read_by(index, folder, options(tiny_bundle))
        before = stopped_retag(index, folder, tiny_bundle, after=3)
        after = read_by(index, folder, options(tiny_bundle, retag=True))
        assert len(after) == PHOTOS - len(before) and not set(after) & set(before)
        assert len(read_by(index, folder, options(tiny_bundle, retag=True))) == PHOTOS  # finished: a new retag
        stopped_retag(index, folder, tiny_bundle, after=2)
        assert len(read_by(index, folder, options(tiny_bundle, retag=True, start_over=True))) == PHOTOS
        assert unfinished_retag(index) is None


def test_the_stopped_retag_says_what_carries_it_on(tmp_path, folder, tiny_bundle, capsys):
    with PhotoIndex.open(tmp_path / "index.db") as index:
        read_by(index, folder, options(tiny_bundle))
        cancel = CancelToken()
        stopped = tag(index, [folder], options(tiny_bundle, retag=True), cancel=cancel,
                      on_result=lambda result: cancel.cancel())
        line = stopped.line()
    assert f"cancelled after 1 of {PHOTOS} photos: `tag` or `tag --retag` again carries on with the " \
           f"{PHOTOS - 1} photos of the retag left (`tag --retag --start-over` reads them all again)" in line, line
    code = main(["--db", str(tmp_path / "index.db"), "tag", str(folder), "--model", str(tiny_bundle.path),
                 "--workers", "0", "--json"])
    captured = capsys.readouterr()
    assert code == 0
    assert f": {PHOTOS - 1} of {PHOTOS} photos left" in captured.err
    assert "carrying on the retag started " in captured.err
    assert len([json.loads(text) for text in captured.out.splitlines()]) == PHOTOS - 1


def test_start_over_without_retag_is_refused_before_anything_is_done(tmp_path, folder, tiny_bundle, capsys):
    code = main(["--db", str(tmp_path / "index.db"), "tag", str(folder), "--model", str(tiny_bundle.path),
                 "--start-over"])
    assert code == 2 and "give it with --retag" in capsys.readouterr().err
    assert not (tmp_path / "index.db").exists()

"""What a stopped `tag --retag` or `--retry-failed` says is left, and which next run does it:
a plain `tag` skips photos that could not be decoded, so a stopped retry names what retries
them; a stopped retag says how far it got and what carries it on, not "the rest is left for
the next run"."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core.index import PhotoIndex
from app.core.progress import CancelToken
from app.core.tagging import RETRY_HINT, TagOptions, TagSummary, tag

LEFT_FOR_NEXT_RUN = "the rest is left for the next run"


@pytest.fixture
def folder(tmp_path) -> Path:
    trip = tmp_path / "Petra 2018"
    trip.mkdir()
    for i in range(4):
        rng = np.random.default_rng(i)
        Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)).resize((320, 240)).save(trip / f"P_{i}.jpg")
    return trip


def test_a_stopped_retag_leaves_no_rest_to_the_next_run_but_says_what_carries_it_on(tmp_path, folder, tiny_bundle):
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert tag(index, [folder], TagOptions(model=Path(tiny_bundle.path), workers=0, batch_size=1)).tagged == 4
        cancel = CancelToken()
        stopped = tag(index, [folder], TagOptions(model=Path(tiny_bundle.path), workers=0, batch_size=1, retag=True),
                      cancel=cancel, on_result=lambda result: cancel.cancel())
        assert stopped.cancelled and 1 <= stopped.tagged < 4
        line = stopped.line()
        assert LEFT_FOR_NEXT_RUN not in line
        assert re.search(rf"cancelled after {stopped.tagged} of 4 photos: `tag` or `tag --retag` again carries on",
                         line), line  # tests/test_retag_carried_on.py: what they do


def test_a_stopped_retry_of_failed_photos_names_what_retries_them():
    line = TagSummary(tagged=2, cancelled=True, retry_failed=True).line()
    assert LEFT_FOR_NEXT_RUN not in line and line.endswith(RETRY_HINT)


def test_a_stopped_plain_tag_leaves_the_rest_for_the_next_run():
    assert TagSummary(tagged=2, cancelled=True).line().endswith("; cancelled, " + LEFT_FOR_NEXT_RUN)

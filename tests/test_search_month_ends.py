"""`date:YYYY-MM` and `date:YYYY` through the time-ordered plan (photos_by_time, whose
key range ends after the last day a month can have): a photo taken on the 31st, late in
the evening, is in its month's pages and counts, and one of the next morning is not."""

from __future__ import annotations

import pytest

from app.core.index import PhotoIndex, compile_query, parse_query
from app.core.index import search_plan
from tests.test_index import add_photo

STAMPS = {
    "nov30": "2020-11-30T23:59:00",
    "dec01": "2020-12-01T00:00:00",
    "dec30": "2020-12-30T23:59:59",
    "dec31": "2020-12-31T23:59:59+01:00",
    "dec31_day": "2020-12-31",
    "jan01": "2021-01-01T00:00:00",
    "jan31": "2021-01-31T08:00:00",
}


@pytest.fixture
def month_ends():
    """A photo in Paris at each month end (and the mornings after it), 60 more on 2020-12-15."""
    with PhotoIndex.open(":memory:") as index:
        ids = {name: add_photo(index, "/lib/Paris", f"DSC_{name}", stamp) for name, stamp in STAMPS.items()}
        for n in range(60):
            add_photo(index, "/lib/Paris", f"IMG_{n:04d}", f"2020-12-15T12:{n:02d}:00")
        yield index, ids


@pytest.mark.parametrize(("query", "inside", "outside"), [
    ("paris date:2020-12", {"dec01", "dec30", "dec31", "dec31_day"}, {"nov30", "jan01", "jan31"}),
    ("date:2021-01 paris", {"jan01", "jan31"}, {"dec31", "dec31_day"}),
    ("date:2020-11 dsc", {"nov30"}, {"dec01"}),
    ("dsc date:2020", {"nov30", "dec01", "dec30", "dec31", "dec31_day"}, {"jan01"}),
    ("dsc before:2021-01-01", {"nov30", "dec01", "dec30", "dec31", "dec31_day"}, {"jan01"}),
])
def test_the_last_day_of_a_month_is_in_the_month(month_ends, query, inside, outside) -> None:
    index, ids = month_ends
    compiled = compile_query(parse_query(query))
    assert search_plan.time_ordered_usable(index.conn, compiled)
    found = set(index.photo_ids(query))  # the sorting plan
    pages = [r.id for r in index.search(query, limit=100)]  # the time-ordered plan
    assert {ids[name] for name in inside} <= found and not {ids[name] for name in outside} & found
    assert sorted(pages) == sorted(found)
    timed = search_plan.time_ordered_page(index.conn, "p.id", compiled, 100, 0)
    assert timed is not None and sorted(row[0] for row in timed) == sorted(found)
    assert index.count(query) == len(found)
    assert index.count(query, limit=1000) == len(found)

"""Pages of photos without a date through the time-ordered plan (photos_by_time): their
sort_key is their id, exact, so a page ending among them reads from that very key on and
its last photo is on it; page after page, every undated photo is listed once."""

from __future__ import annotations

import pytest

from app.core.index import PhotoIndex, compile_query, parse_query
from app.core.index import search_plan
from tests.test_index import add_photo


@pytest.fixture
def undated():
    """5 dated and 40 undated photos in Paris, 10 undated in Rome."""
    with PhotoIndex.open(":memory:") as index:
        for n in range(5):
            add_photo(index, "/lib/Paris", f"DSC_{n:04d}", f"2020-12-01T10:{n:02d}:00")
        for n in range(50):
            add_photo(index, "/lib/Paris" if n % 5 else "/lib/Roma", f"SCAN_{n:04d}", None)
        yield index


@pytest.mark.parametrize("query", ["paris", "scan", "roma", "folder:Paris scan"])
@pytest.mark.parametrize(("limit", "offset"), [(10, 0), (10, 5), (7, 3), (12, 30), (50, 0)])
def test_every_page_among_undated_photos_is_whole(undated, query, limit, offset) -> None:
    index = undated
    expected = index.photo_ids(query)
    compiled = compile_query(parse_query(query))
    assert search_plan.time_ordered_usable(index.conn, compiled)
    page = search_plan.time_ordered_page(index.conn, "p.id", compiled, limit, offset)
    assert page is None or [row[0] for row in page] == expected[offset: offset + limit]
    assert [record.id for record in index.search(query, limit=limit, offset=offset)] == expected[offset: offset + limit]

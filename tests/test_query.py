"""The search language: parsing, one-line errors, each term's meaning, the
two ways a page is fetched agree, and common queries use indexes."""

from __future__ import annotations

import pytest

from app.core.errors import QuerySyntaxError
from app.core.index import PhotoIndex, compile_query, parse_query
from app.core.index import search_plan
from app.core.index.photo_index import ORDER, PHOTO_COLUMNS
from tests.test_index import add_photo


@pytest.fixture
def library():
    """Six photos with labels, dates, cameras and places."""
    with PhotoIndex.open(":memory:") as index:
        ids = {
            "eiffel": add_photo(index, "/lib/2020/Paris", "DSC_0001", "2020-11-03T10:00:00+01:00"),
            "louvre": add_photo(index, "/lib/2020/Paris", "DSC_0002", "2020-11-04T10:00:00+01:00", model="NIKON D40"),
            "colosseum": add_photo(index, "/lib/2021/Roma", "IMG_0003", "2021-05-01T09:00:00"),
            "nodate": add_photo(index, "/lib/misc", "scan_0004", None),
            "cote": add_photo(index, "/lib/2019/Côte d'Azur", "DSC_0005", "2019-07-14T20:00:00"),
            "rejected": add_photo(index, "/lib/2021/Roma", "IMG_0006", "2021-05-02T09:00:00"),
        }
        index.set_label(ids["eiffel"], "Eiffel Tower", source="model", state="suggested", score=0.93)
        index.set_label(ids["louvre"], "Louvre", source="user", state="accepted", score=None)
        index.set_label(ids["colosseum"], "Colosseum", source="model", state="suggested", score=0.55)
        index.set_label(ids["rejected"], "Colosseum", source="model", state="rejected", score=0.7)
        index.conn.execute("UPDATE photos SET gps_lat = 48.8, gps_lon = 2.3, has_raw = 1 WHERE id = ?", (ids["eiffel"],))
        yield index, ids


CASES = [
    ("", {"eiffel", "louvre", "colosseum", "nodate", "cote", "rejected"}),
    ("eiffel", {"eiffel"}),
    ("EIFF", {"eiffel"}),
    ("tower eiff", {"eiffel"}),  # the last word is also a prefix …
    ("eiff tower", set()),  # … the others are whole words
    ('"eiffel tower"', {"eiffel"}),
    ("paris", {"eiffel", "louvre"}),
    ("cote", {"cote"}),
    ("côte", {"cote"}),
    ("DSC_0002", {"louvre"}),
    ('label:"Eiffel Tower"', {"eiffel"}),
    ("label:colosseum", {"colosseum", "rejected"}),
    ("camera:D40", {"louvre"}),
    ("camera:nikon -camera:d40", {"eiffel", "colosseum", "nodate", "cote", "rejected"}),
    ("date:2020-11", {"eiffel", "louvre"}),
    ("date:2020-11-04", {"louvre"}),
    ("date:2021", {"colosseum", "rejected"}),
    ("after:2020-11-04", {"louvre", "colosseum", "rejected"}),
    ("before:2020-11-04", {"eiffel", "cote"}),
    ("score>0.9", {"eiffel"}),
    ("score>=0.55", {"eiffel", "colosseum", "rejected"}),
    ("score<0.6", {"colosseum"}),
    ("state:suggested", {"eiffel", "colosseum"}),
    ("state:accepted", {"louvre"}),
    ("state:rejected", {"rejected"}),
    ("state:unlabelled", {"nodate", "cote"}),
    ("folder:Roma", {"colosseum", "rejected"}),
    ("folder:/lib/2020", {"eiffel", "louvre"}),
    ("folder:/lib/2020/Paris/", {"eiffel", "louvre"}),
    ("has:gps", {"eiffel"}),
    ("has:raw", {"eiffel"}),
    ("-has:gps", {"louvre", "colosseum", "nodate", "cote", "rejected"}),
    ("paris -eiffel", {"louvre"}),
    ("-paris", {"colosseum", "nodate", "cote", "rejected"}),
    ("-state:unlabelled -date:2021", {"eiffel", "louvre"}),
    ("colosseum", {"colosseum"}),  # a rejected label is not found by its words
    ("state:suggested score>0.5 date:2021 roma", {"colosseum"}),
    ("is:missing", set()),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_terms_select_the_right_photos(library, query: str, expected: set[str]) -> None:
    index, ids = library
    names = {v: k for k, v in ids.items()}
    assert {names[i] for i in index.photo_ids(query)} == expected
    assert index.count(query) == len(expected)
    assert {names[r.id] for r in index.search(query, limit=50)} == expected


@pytest.mark.parametrize(("query", "_"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_walking_newest_first_agrees_with_the_indexed_form(library, query: str, _) -> None:
    index, _ids = library
    compiled = compile_query(parse_query(query))
    sql = f"SELECT p.id FROM photos p LEFT JOIN labels l ON l.photo_id = p.id WHERE {compiled.row_where} {ORDER}"
    walked = [r[0] for r in index.conn.execute(sql, compiled.row_params)]
    assert walked == index.photo_ids(query)


def test_results_are_newest_first_and_paged(library) -> None:
    index, ids = library
    order = [r.id for r in index.search()]
    assert order[:5] == [ids["rejected"], ids["colosseum"], ids["louvre"], ids["eiffel"], ids["cote"]]
    assert order[-1] == ids["nodate"]
    assert [r.id for r in index.search(limit=2, offset=1)] == order[1:3]


def test_small_window_falls_back_to_the_indexed_form(library, monkeypatch) -> None:
    index, ids = library
    monkeypatch.setattr(search_plan, "MIN_WINDOW", 1)
    monkeypatch.setattr(search_plan, "WINDOW_PER_ROW", 1)
    assert [r.id for r in index.search("paris", limit=2)] == [ids["louvre"], ids["eiffel"]]
    assert [r.id for r in index.search("cote", limit=1)] == [ids["cote"]]
    assert [r.id for r in index.search("", limit=6)] == index.photo_ids("")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('label:"Eiffel', "unclosed quote"),
        ("colour:red", "unknown field 'colour'"),
        ("label:", "has no value"),
        ("date:2020-1", "YYYY-MM"),
        ("after:2020", "YYYY-MM-DD"),
        ("score>high", "must be a number"),
        ("score>2", "between 0 and 1"),
        ("score=0.5", ">, >="),
        ("state:maybe", "state is one of"),
        ("has:wings", "has: takes"),
        ("!!!", "no letters or digits"),
    ],
)
def test_malformed_queries_get_a_one_line_message(library, query: str, message: str) -> None:
    index, _ = library
    with pytest.raises(QuerySyntaxError, match=message) as caught:
        index.search(query)
    assert "\n" not in str(caught.value)


def _plan(index: PhotoIndex, sql: str, params: tuple) -> str:
    return " | ".join(row[3] for row in index.conn.execute("EXPLAIN QUERY PLAN " + sql, params))


@pytest.mark.parametrize(
    ("query", "expected_in_plan"),
    [
        ('label:"Eiffel Tower"', "labels_by_label"),
        ("state:suggested", "labels_by_state"),
        ("score>0.8", "labels_by_score"),
        ("paris", "photos_fts VIRTUAL TABLE INDEX 0:M"),
        ("date:2020-11", "photos_by_taken_at (taken_at>? AND taken_at<?)"),
        ("folder:/lib/2020", "photos_by_folder_time"),
    ],
)
def test_common_queries_use_indexes(library, query: str, expected_in_plan: str) -> None:
    index, _ = library
    compiled = compile_query(parse_query(query))
    indexed = f"SELECT {PHOTO_COLUMNS} FROM photos p LEFT JOIN labels l ON l.photo_id = p.id WHERE {compiled.where} {ORDER} LIMIT 50"
    plan = _plan(index, indexed, compiled.params)
    assert expected_in_plan in plan
    assert "SCAN p\b" not in plan and not plan.startswith("SCAN p ")
    walk = (
        f"SELECT {PHOTO_COLUMNS} FROM photos p INDEXED BY photos_by_taken_at LEFT JOIN labels l ON l.photo_id = p.id "
        f"WHERE {compiled.row_where} AND p.taken_at >= ? {ORDER} LIMIT 50"
    )
    walk_plan = _plan(index, walk, compiled.row_params + ("2000",))
    assert "photos_by_taken_at" in walk_plan and "TEMP B-TREE" not in walk_plan

"""The search language: parsing, one-line errors, each term's meaning, the
two ways a page is fetched agree, and common queries use indexes."""

from __future__ import annotations

from contextlib import contextmanager

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
    ("label:colosseum", {"colosseum"}),  # not the photo whose Colosseum the user rejected …
    ("label:colosseum state:rejected", {"rejected"}),  # … unless asked for (`accept` of it)
    ("label:colosseum state:suggested|rejected", {"colosseum", "rejected"}),
    ("label:colosseum -state:rejected", {"colosseum"}),
    ("-label:colosseum date:2021", {"rejected"}),  # the user said it is not the Colosseum
    ("label:colosseum OR label:louvre", {"colosseum", "louvre"}),
    ("camera:D40", {"louvre"}),
    ("camera:nikon -camera:d40", {"eiffel", "colosseum", "nodate", "cote", "rejected"}),
    ("date:2020-11", {"eiffel", "louvre"}),
    ("date:2020-11-04", {"louvre"}),
    ("date:2021", {"colosseum", "rejected"}),
    ("after:2020-11-04", {"louvre", "colosseum", "rejected"}),
    ("before:2020-11-04", {"eiffel", "cote"}),
    ("after:2020", {"eiffel", "louvre", "colosseum", "rejected"}),  # a year or month: from its first day
    ("after:2021-05", {"colosseum", "rejected"}),
    ("before:2020-11", {"cote"}),
    ("after:2020 before:2021", {"eiffel", "louvre"}),
    ("score>0.9", {"eiffel"}),
    ("score>=0.55", {"eiffel", "colosseum", "rejected"}),
    ("score<0.6", {"colosseum"}),
    ("score>=0", {"eiffel", "colosseum", "rejected"}),  # the ends of the range are scores too
    ("score>0", {"eiffel", "colosseum", "rejected"}),
    ("score<=1", {"eiffel", "colosseum", "rejected"}),
    ("state:suggested", {"eiffel", "colosseum"}),
    ("state:accepted", {"louvre"}),
    ("state:rejected", {"rejected"}),
    ("state:unlabelled", {"nodate", "cote"}),
    ("state:unlabeled", {"nodate", "cote"}),  # the US spelling means the same
    ("folder:Roma", {"colosseum", "rejected"}),
    ("folder:/lib/2020", {"eiffel", "louvre"}),
    ("folder:/lib/2020/Paris/", {"eiffel", "louvre"}),
    ("has:gps", {"eiffel"}),
    ("has:raw", {"eiffel"}),
    ("-has:date", {"nodate"}),
    ("has:date -has:gps", {"louvre", "colosseum", "cote", "rejected"}),
    ("-has:gps", {"louvre", "colosseum", "nodate", "cote", "rejected"}),
    ("paris -eiffel", {"louvre"}),
    ("-paris", {"colosseum", "nodate", "cote", "rejected"}),
    ("-state:unlabelled -date:2021", {"eiffel", "louvre"}),
    ("colosseum", {"colosseum"}),  # a rejected label is not found by its words
    ("state:suggested score>0.5 date:2021 roma", {"colosseum"}),
    ("is:missing", set()),
    ("path:/lib/2020/Paris/DSC_0002.JPG", {"louvre"}),
    ("path:/lib/2020/Paris", set()),  # a folder is folder:'s
    ("path:/lib/2020/Paris/DSC_0002.JPG path:/lib/2021/Roma/IMG_0003.JPG", {"louvre", "colosseum"}),  # any of them
    ("path:/lib/2020/Paris/DSC_0002.JPG path:/lib/2021/Roma/IMG_0003.JPG -label:louvre", {"colosseum"}),
    ("state:accepted path:/lib/2020/Paris/DSC_0002.JPG path:/lib/2021/Roma/IMG_0003.JPG", {"louvre"}),
    ("-path:/lib/2020/Paris/DSC_0002.JPG paris", {"eiffel"}),
    ("eiffel OR colosseum", {"eiffel", "colosseum"}),
    ("eiffel OR colos", {"eiffel", "colosseum"}),  # the last word a prefix, as when typing
    ("eiffel OR colosseum OR cote", {"eiffel", "colosseum", "cote"}),
    ("label:louvre OR label:colosseum state:suggested", {"colosseum"}),  # OR binds its neighbours
    ("state:suggested label:louvre OR label:colosseum", {"colosseum"}),
    ("date:2019 OR date:2021 -state:rejected", {"cote", "colosseum"}),
    ("score>0.9 OR -has:date", {"eiffel", "nodate"}),
    ("paris OR -has:date -camera:d40", {"eiffel", "nodate"}),
    ("folder:/lib/misc OR camera:D40", {"nodate", "louvre"}),
    ("path:/lib/2020/Paris/DSC_0002.JPG OR has:gps", {"louvre", "eiffel"}),
    ("colosseum or roma", set()),  # only OR in capitals joins: "or" is a word
    ("state:suggested|accepted", {"eiffel", "louvre", "colosseum"}),  # the choices as the help lists them
    ("label:louvre|colosseum -state:rejected", {"louvre", "colosseum"}),
    ("-has:gps|date", {"nodate"}),  # neither
    ("date:2019|2021 OR has:gps", {"cote", "colosseum", "rejected", "eiffel"}),
    ('label:"Eiffel Tower"|louvre', {"eiffel", "louvre"}),  # a quoted name among the choices
    ('label:"Eiffel|Tower"', {"eiffel"}),  # inside quotes "|" is part of the name (not Eiffel OR Tower)
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_terms_select_the_right_photos(library, query: str, expected: set[str]) -> None:
    index, ids = library
    names = {v: k for k, v in ids.items()}
    assert {names[i] for i in index.photo_ids(query)} == expected
    assert index.count(query) == len(expected)
    assert index.count(query, limit=2) == min(2, len(expected))  # the GUI's capped count
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
        ("date:2020-13", "no such date"),
        ("after:2021-02-30", "no such date"),
        ("-before:2020-00", "no such date"),
        ("after:2020-1", "YYYY-MM-DD"),
        ("before:yesterday", "YYYY-MM-DD"),
        ("score>high", "must be a number"),
        ("score>2", "between 0 and 1"),
        ("score=0.5", ">, >="),
        ("state:maybe", "state is one of"),
        ("has:wings", "has: takes"),
        ("path:DSC_0001.JPG", "takes a file's whole path"),
        ("!!!", "no letters or digits"),
        ("OR paris", "a term on each side"),
        ("paris OR", "a term on each side"),
        ("paris OR OR roma", "a term on each side"),
        ("paris OR is:missing", "cannot be joined with OR"),
        ("state:suggested|", "has no value"),
        ("has:gps|wings", "has: takes"),
        ("paris OR -has:gps|raw", "ambiguous"),
        ("-state:accepted|rejected OR paris", "ambiguous"),
    ],
)
def test_malformed_queries_get_a_one_line_message(library, query: str, message: str) -> None:
    index, _ = library
    with pytest.raises(QuerySyntaxError, match=message) as caught:
        index.search(query)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"eiffel", "louvre"}),
        ("is:missing", {"gone"}),
        ("-is:missing", {"eiffel", "louvre"}),  # what a saved search or `accept '… -is:missing'` acts on
        ("paris -is:missing", {"eiffel", "louvre"}),
        ("paris is:missing", {"gone"}),
        ("state:suggested -is:missing", {"eiffel"}),
    ],
)
def test_is_missing_and_its_negation_split_the_library(query: str, expected: set[str]) -> None:
    """-is:missing is the present photos only (as the empty query), never the missing ones."""
    with PhotoIndex.open(":memory:") as index:
        ids = {
            "eiffel": add_photo(index, "/lib/2020/Paris", "DSC_0001", "2020-11-03T10:00:00"),
            "louvre": add_photo(index, "/lib/2020/Paris", "DSC_0002", "2020-11-04T10:00:00"),
            "gone": add_photo(index, "/lib/2020/Paris", "DSC_0003", "2020-11-05T10:00:00"),
        }
        for name in ("eiffel", "gone"):
            index.set_label(ids[name], "Eiffel Tower", source="model", state="suggested", score=0.9)
        index.conn.execute("UPDATE photos SET missing = 1 WHERE id = ?", (ids["gone"],))
        names = {v: k for k, v in ids.items()}
        assert {names[i] for i in index.photo_ids(query)} == expected
        assert {names[r.id] for r in index.search(query, limit=50)} == expected
        assert index.count(query) == len(expected)
        compiled = compile_query(parse_query(query))
        sql = f"SELECT p.id FROM photos p LEFT JOIN labels l ON l.photo_id = p.id WHERE {compiled.row_where} {ORDER}"
        assert [r[0] for r in index.conn.execute(sql, compiled.row_params)] == index.photo_ids(query)


def test_a_place_called_none_is_found_when_quoted(library) -> None:
    """label:None is the "no landmark" hint; label:"None" is the name of a place."""
    index, ids = library
    index.set_label(ids["cote"], "None", source="user", state="accepted")
    assert index.photo_ids('label:"None"') == [ids["cote"]]
    assert [r.id for r in index.search('label:"none"', limit=5)] == [ids["cote"]]
    with pytest.raises(QuerySyntaxError, match="-has:label -state:unlabelled"):
        index.photo_ids("label:None")


def test_label_terms_ignore_case_and_accents_as_free_words_do(library) -> None:
    """NOCASE folds ASCII only: label:"chateau d'if" and "CHÂTEAU D'IF" missed
    "Château d'If" while the free words found it."""
    index, ids = library
    index.set_label(ids["cote"], "Château d'If", source="user", state="accepted")
    for query in ('label:"Château d\'If"', 'label:"chateau d\'if"', 'label:"CHÂTEAU D\'IF"', "label:Château-d'If"):
        assert index.photo_ids(query) == [ids["cote"]], query
        assert [p.id for p in index.search(query, limit=5)] == [ids["cote"]], query
    assert index.photo_ids("label:chateau") == []  # still the whole label, not a word of it
    assert index.photo_ids("-label:\"chateau d'if\" folder:2019") == []
    index.set_label(ids["cote"], None, source="user", state="accepted")
    assert index.photo_ids('label:"chateau d\'if"') == []


def _plan(index: PhotoIndex, sql: str, params: tuple) -> str:
    return " | ".join(row[3] for row in index.conn.execute("EXPLAIN QUERY PLAN " + sql, params))


@pytest.mark.parametrize(
    ("query", "expected_in_plan"),
    [
        ('label:"Eiffel Tower"', "labels_by_key"),
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


# -- time-ordered pages (photos_by_time, schema migration 4) -------------------------

TIME_QUERIES = [
    "", "paris", "pari", "roma", "camera:D850", "camera:d40", "folder:/lib/2020", "folder:/lib/2020/Paris",
    "folder:Paris", "state:suggested", "state:rejected", "state:unlabelled", "state:accepted",
    "state:suggested score>0.5", "paris has:gps", "roma -state:rejected", "dsc", "date:2020-11 paris",
    "after:2020-11-04 camera:nikon", "before:2021-01-01 state:suggested", '"eiffel tower"', "eiffel tow",
    "paris -camera:d40", "label:colosseum roma", "colos", "DSC_01", "d", "roma eif", "nikon d8", "paris 0", "0",
    "paris OR roma", "colos OR eiff", "state:accepted paris OR roma", "camera:d40 OR state:rejected date:2020-11",
]


@pytest.fixture
def crowded():
    """200 photos, many taken in the same minute (and second), some undated or
    dated by day only, with labels in every state."""
    with _crowded_index() as index:
        yield index


@pytest.fixture(scope="module")
def crowded_to_read():
    """`crowded`, built once for the tests that only read it (35 queries)."""
    with _crowded_index() as index:
        yield index


@contextmanager
def _crowded_index():
    import random

    rng = random.Random(3)
    with PhotoIndex.open(":memory:") as index:
        for n in range(200):
            place = rng.choice(["/lib/2020/Paris", "/lib/2021/Roma", "/lib/2020/Paris/sub", "/lib/2020-old"])
            roll = rng.random()
            if roll < 0.1:
                taken = None
            elif roll < 0.2:
                taken = f"2020-11-{rng.randint(1, 9):02d}"
            else:
                taken = f"2020-11-0{rng.randint(1, 5)}T10:0{rng.randint(0, 2)}:{rng.randint(0, 3):02d}" + rng.choice(
                    ["", ".5", "+01:00", ".25-05:00"]
                )
            photo_id = add_photo(index, place, f"DSC_{n:04d}", taken, model=rng.choice(["NIKON D850", "NIKON D40"]))
            roll = rng.random()
            if roll < 0.7:
                label = rng.choice(["Eiffel Tower", "Colosseum"])
                state = rng.choice(["suggested", "accepted", "rejected"])
                index.set_label(photo_id, label, source="model", state=state, score=round(rng.random(), 2))
            if rng.random() < 0.4:
                index.conn.execute("UPDATE photos SET gps_lat = 1, gps_lon = 2 WHERE id = ?", (photo_id,))
        yield index


@pytest.mark.parametrize("query", TIME_QUERIES)
def test_time_ordered_pages_match_the_sorted_order(crowded_to_read, monkeypatch, query: str) -> None:
    index = crowded_to_read
    expected = index.photo_ids(query)
    compiled = compile_query(parse_query(query))
    for limit, offset in ((5, 0), (7, 3), (50, 20), (300, 0)):
        page = search_plan.time_ordered_page(index.conn, "p.id", compiled, limit, offset) if compiled.time_match else None
        if page is not None:
            assert [r[0] for r in page] == expected[offset : offset + limit]
        assert [r.id for r in index.search(query, limit=limit, offset=offset)] == expected[offset : offset + limit]
    # a window too small for the page hands over to the sorting plan
    monkeypatch.setattr(search_plan, "MIN_WINDOW", 1)
    monkeypatch.setattr(search_plan, "WINDOW_PER_ROW", 1)
    assert [r.id for r in index.search(query, limit=10, offset=2)] == expected[2:12]


def test_dense_time_ordered_queries_do_not_fall_back(crowded) -> None:
    for query in ("paris", "pari", "colos", "state:suggested", "folder:/lib/2020", "camera:nikon"):
        compiled = compile_query(parse_query(query))
        assert search_plan.time_ordered_usable(crowded.conn, compiled)
        assert search_plan.time_ordered_page(crowded.conn, "p.id", compiled, 10, 0) is not None


def test_an_irregular_date_switches_the_time_order_off(crowded) -> None:
    index = crowded
    photo_id = add_photo(index, "/lib/2020/Paris", "odd", "2020:11:03 10:00:00")
    compiled = compile_query(parse_query("paris"))
    assert not search_plan.time_ordered_usable(index.conn, compiled)
    assert [r.id for r in index.search("paris", limit=300)] == index.photo_ids("paris")
    assert photo_id in index.photo_ids("paris")


def _time_rows(index: PhotoIndex) -> dict[int, str]:
    return dict(index.conn.execute("SELECT rowid, words FROM photos_by_time"))


def test_triggers_keep_the_time_table_in_step(crowded) -> None:
    from app.core.index.time_order import TIME_TABLE, words_sql

    index = crowded
    ids = index.photo_ids("")
    index.set_state(ids[:10], "rejected")
    index.set_label(ids[10], "Louvre", source="user", state="accepted")
    index.conn.execute("UPDATE photos SET taken_at = '2019-01-01T00:00:00' WHERE id = ?", (ids[11],))
    index.conn.execute("DELETE FROM labels WHERE photo_id = ?", (ids[12],))
    rebuilt = dict(
        index.conn.execute(
            f"SELECT p.sort_key, {words_sql('p.search_text', 'l.state')} FROM photos p "
            "LEFT JOIN labels l ON l.photo_id = p.id WHERE p.search_text <> ' '"
        )
    )
    assert _time_rows(index) == rebuilt
    assert index.conn.execute(f"INSERT INTO {TIME_TABLE}({TIME_TABLE}) VALUES ('integrity-check')") is not None
    assert index.photo_ids("louvre") == [ids[10]]
    assert [r.id for r in index.search("louvre", limit=5)] == [ids[10]]


def test_sort_key_follows_the_text_order_of_dates() -> None:
    import random

    from app.core.index.time_order import ID_LIMIT, minute_code

    index = PhotoIndex.open(":memory:")
    rng = random.Random(5)
    stamps = ["2020-11-03", "2020-11-03T00:00:00", "1999-12-31T23:59:59.99+14:00", "2020-11-03T23:59"]
    stamps += [
        f"{rng.randint(1900, 2100)}-{rng.randint(1, 12):02d}-{rng.randint(1, 31):02d}"
        + (f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}" if rng.random() < 0.8 else "")
        for _ in range(300)
    ]
    for n, stamp in enumerate(stamps):
        add_photo(index, "/lib", f"p{n}", stamp)
    rows = index.conn.execute("SELECT taken_at, id, sort_key FROM photos").fetchall()
    for taken_at, photo_id, key in rows:
        assert key == minute_code(taken_at) * ID_LIMIT + photo_id
    by_text = sorted(rows, key=lambda r: (r[0], r[1]))
    keys_in_text_order = [r[2] >> 29 for r in by_text]
    assert keys_in_text_order == sorted(keys_in_text_order)
    index.close()


def test_capped_count_stops_at_the_limit(crowded) -> None:
    index = crowded
    for query in ("", "paris", "state:suggested", "has:gps", "roma -state:rejected", "nothing-like-this"):
        exact = index.count(query)
        assert index.count(query, limit=10) == min(exact, 10)
        assert index.count(query, limit=10_000) == exact


def test_a_prefix_standing_for_many_words_is_still_answered(crowded, monkeypatch) -> None:
    from app.core.index import time_order

    index = crowded
    monkeypatch.setattr(time_order, "MAX_PREFIX_WORDS", 1)
    compiled = compile_query(parse_query("0"))
    assert not search_plan.time_ordered_usable(index.conn, compiled)
    assert [r.id for r in index.search("0", limit=20)] == index.photo_ids("0")[:20]
    for query in ("DSC_0", "paris 0", "state:rejected 0"):  # other words still pick candidates
        assert search_plan.time_ordered_usable(index.conn, compile_query(parse_query(query)))
        assert [r.id for r in index.search(query, limit=20)] == index.photo_ids(query)[:20]


def test_search_words_grow_with_the_photos(crowded) -> None:
    index = crowded
    words = {r[0] for r in index.conn.execute("SELECT word FROM search_words")}
    assert {"paris", "roma", "dsc", "0001", "nikon", "d850", "eiffel", "tower"} <= words
    assert not any("." in w for w in words)
    photo_id = index.photo_ids("")[0]
    index.set_label(photo_id, "Zanzibar Gate", source="user", state="accepted")
    assert index.conn.execute("SELECT count(*) FROM search_words WHERE word IN ('zanzibar', 'gate')").fetchone()[0] == 2
    assert [r.id for r in index.search("zanz", limit=5)] == [photo_id]


def test_a_photo_without_words_yet_switches_the_time_order_off(crowded) -> None:
    index = crowded
    index.conn.execute("INSERT INTO photos (folder, stem, primary_path, taken_at) VALUES ('/lib/x', 'bare', '/lib/x/bare.JPG', '2030-01-01')")
    bare = index.conn.execute("SELECT id FROM photos WHERE stem = 'bare'").fetchone()[0]
    assert not search_plan.time_ordered_usable(index.conn, compile_query(parse_query("state:unlabelled")))
    assert [r.id for r in index.search("state:unlabelled", limit=3)][0] == bare
    index.conn.execute("UPDATE photos SET search_text = ' lib x bare dir.lib dir.x ' WHERE id = ?", (bare,))
    assert search_plan.time_ordered_usable(index.conn, compile_query(parse_query("state:unlabelled")))
    assert [r.id for r in index.search("state:unlabelled", limit=3)][0] == bare
    assert [r.id for r in index.search("bar", limit=3)] == [bare]


def test_path_terms_find_names_that_are_not_utf8_and_many_files_at_once(library) -> None:
    """The paths go to SQLite as one JSON array (a glob of tens of thousands of files
    stays under its parameter limit); a name that is not UTF-8 goes as its bytes."""
    index, ids = library
    odd = add_photo(index, "/lib/caf\udce9", "DSC_0009", "2018-01-01T10:00:00")
    paths = ["/lib/caf\udce9/DSC_0009.JPG", "/lib/2021/Roma/IMG_0003.JPG"] + [f"/lib/none/{i}.JPG" for i in range(3000)]
    query = " ".join(f'path:"{p}"' for p in paths)
    assert set(index.photo_ids(query)) == {odd, ids["colosseum"]}
    assert index.count(query) == 2 and {r.id for r in index.search(query, limit=10)} == {odd, ids["colosseum"]}

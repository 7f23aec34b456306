"""The is: terms of the problems the index keeps (problem_terms): `search is:damaged`,
then `accept`/`write`/`label` by the same query, find the photos the Problems panel and
`stats --errors` list, by stage; negation and `|` as other is:/has: terms; an unknown
value (is:held: holds are read from the files, not kept) gets one line naming the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.errors import QuerySyntaxError
from app.core.index import PhotoIndex, compile_query, parse_query
from app.core.index import search_plan
from app.core.index.photo_index import ORDER, PHOTO_COLUMNS
from tests.test_index import add_photo

NAMES = ("damaged", "decoded", "unread", "written", "undone", "taught", "fine", "gone")


@pytest.fixture
def troubled():
    """One photo a kind of problem, as each job records it (a scan's names only the file);
    one without any; one missing whose picture was damaged; and a file the index never
    took in (its scan problem belongs to no photo)."""
    with PhotoIndex.open(":memory:") as index:
        ids = {name: add_photo(index, "/lib/2020/Paris", f"DSC_{n:04d}", f"2020-11-{n + 1:02d}T10:00:00")
               for n, name in enumerate(NAMES)}
        path = lambda name: f"/lib/2020/Paris/DSC_{NAMES.index(name):04d}.JPG"  # noqa: E731
        index.record_error(path("damaged"), "damaged", "3 extraneous bytes before marker", photo_id=ids["damaged"])
        index.record_error(path("decoded"), "decode", "cannot decode", photo_id=ids["decoded"])
        index.record_error(path("unread"), "scan", "not a readable JPEG image")
        index.record_error("/lib/2020/Paris/broken.JPG", "scan", "empty file (0 bytes)")
        index.record_error(path("written") + ".xmp", "write", "disk full", photo_id=ids["written"])
        index.record_error(path("undone"), "undo", "read-only disk", photo_id=ids["undone"])
        index.record_error(None, "teach", "'Petra' is not taught: too few photos", photo_id=ids["taught"])
        index.record_error(path("gone"), "damaged", "premature end of data", photo_id=ids["gone"])
        index.conn.execute("UPDATE photos SET missing = 1 WHERE id = ?", (ids["gone"],))
        index.set_label(ids["damaged"], "Eiffel Tower", source="model", state="suggested", score=0.9)
        index.set_label(ids["fine"], "Eiffel Tower", source="model", state="suggested", score=0.9)
        yield index, ids


PRESENT = set(NAMES) - {"gone"}
CASES = [
    ("is:damaged", {"damaged"}),
    ("is:unreadable", {"decoded", "unread"}),  # the panel's decode and scan rows
    ("is:write-failed", {"written"}),  # the problem names the photo's sidecar
    ("is:undo-failed", {"undone"}),
    ("is:teach-failed", {"taught"}),
    ("is:problem", PRESENT - {"fine"}),
    ("-is:problem", {"fine"}),
    ("-is:damaged", PRESENT - {"damaged"}),
    ("IS:Damaged", {"damaged"}),
    ("is:damaged|write-failed", {"damaged", "written"}),
    ("-is:damaged|unreadable", PRESENT - {"damaged", "decoded", "unread"}),
    ("is:damaged OR is:teach-failed", {"damaged", "taught"}),
    ("is:damaged OR date:2020-11-07", {"damaged", "fine"}),
    ("eiffel is:damaged", {"damaged"}),  # with words (photos_by_time)
    ("state:suggested -is:problem", {"fine"}),
    ('label:"Eiffel Tower" is:problem', {"damaged"}),
    ("is:missing is:damaged", {"gone"}),
    ("is:missing -is:damaged", set()),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[c[0] for c in CASES])
def test_problem_terms_find_the_photos_with_that_problem(troubled, query: str, expected: set[str]) -> None:
    index, ids = troubled
    names = {v: k for k, v in ids.items()}
    assert {names[i] for i in index.photo_ids(query)} == expected
    assert index.count(query) == len(expected)
    assert index.count(query, limit=2) == min(2, len(expected))  # the app's capped count
    assert {names[r.id] for r in index.search(query, limit=50)} == expected
    compiled = compile_query(parse_query(query))  # the walk newest first agrees
    sql = f"SELECT p.id FROM photos p LEFT JOIN labels l ON l.photo_id = p.id WHERE {compiled.row_where} {ORDER}"
    assert [r[0] for r in index.conn.execute(sql, compiled.row_params)] == index.photo_ids(query)


def test_a_problem_solved_leaves_the_search(troubled) -> None:
    """The terms read the problems as they are now: a photo tagged again clean is gone from is:damaged."""
    index, ids = troubled
    index.clear_errors(["damaged"], photo_id=ids["damaged"])
    assert index.photo_ids("is:damaged") == []
    assert ids["damaged"] not in index.photo_ids("is:problem")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("is:held", r"is: takes missing, problem, damaged, unreadable, write-failed, undo-failed, teach-failed or unwritten "
                    r"\(a file `write` holds .*`landmark-tagger write --dry-run` names them\)"),
        ("-is:held", "write --dry-run"),
        ("is:broken", "is: takes missing, problem, damaged"),
        ("is:written", r"is: takes .* or unwritten; did you mean -is:unwritten\?$"),
        ("-is:written", r"; did you mean is:unwritten\?$"),
        ("is:notwritten", r"; did you mean is:unwritten\?$"),
        ("is:Not-Written", r"; did you mean is:unwritten\?$"),
        ("-is:not-written", r"; did you mean -is:unwritten\?$"),
        ("is:damaged|held", "is: takes"),
        ("is:missing|damaged", "cannot be joined with OR"),
        ("is:damaged OR is:missing", "cannot be joined with OR"),
        ("paris OR -is:damaged|unreadable", "ambiguous"),
    ],
)
def test_an_unknown_or_misplaced_is_term_gets_one_line(troubled, query: str, message: str) -> None:
    index, _ = troubled
    with pytest.raises(QuerySyntaxError, match=message) as caught:
        index.search(query)
    assert "\n" not in str(caught.value)


def _plan(index: PhotoIndex, sql: str, params: tuple) -> str:
    return " | ".join(row[3] for row in index.conn.execute("EXPLAIN QUERY PLAN " + sql, params))


@pytest.mark.parametrize("query", ["is:problem", "is:unreadable", "-is:damaged", "is:damaged|write-failed"])
def test_problem_terms_look_each_photo_up_in_a_list_built_once(troubled, query: str) -> None:
    """No scan of the problems (nor of their files) for each photo: SQLite builds the
    list once and finds the photos by id; the walk newest first tests each row against it."""
    index, _ = troubled
    compiled = compile_query(parse_query(query))
    indexed = f"SELECT {PHOTO_COLUMNS} FROM photos p LEFT JOIN labels l ON l.photo_id = p.id WHERE {compiled.where} {ORDER} LIMIT 50"
    walk = (f"SELECT {PHOTO_COLUMNS} FROM photos p INDEXED BY photos_by_taken_at LEFT JOIN labels l "
            f"ON l.photo_id = p.id WHERE {compiled.row_where} {ORDER} LIMIT 50")
    for plan in (_plan(index, indexed, compiled.params), _plan(index, walk, compiled.row_params)):
        assert "LIST SUBQUERY" in plan and "CORRELATED" not in plan, plan
        assert "SEARCH f USING INDEX sqlite_autoindex_files" in plan, plan
    if not query.startswith("-") and "|" not in query:
        assert "SEARCH p USING INTEGER PRIMARY KEY" in _plan(index, indexed, compiled.params)


def test_few_problems_beside_a_common_word_are_sorted_not_walked(troubled, monkeypatch) -> None:
    """`eiffel is:damaged` walked the candidates of the common word (photos_by_time) before
    sorting the few damaged photos: 300 ms on 20,000 photos (benchmarks/search_latency.py --problems)."""
    index, ids = troubled

    def walked(*_args, **_kwargs):
        raise AssertionError("walked photos_by_time")

    monkeypatch.setattr(search_plan, "time_ordered_page", walked)
    monkeypatch.setattr(search_plan, "capped_count", walked)
    assert [r.id for r in index.search("eiffel is:damaged", limit=10)] == [ids["damaged"]]
    assert index.count("eiffel is:damaged", limit=10) == 1


def test_the_command_line_searches_and_writes_by_problem(tmp_path: Path, capsys) -> None:
    from app.cli.main import main
    from tests.test_index_support import write_jpeg

    root = tmp_path / "photos"
    write_jpeg(root / "Paris" / "DSC_0001.JPG", taken="2020:11:03 10:00:00")
    (root / "Paris" / "DSC_0001.NEF").write_bytes(b"")  # an empty RAW beside its JPEG: a scan problem
    write_jpeg(root / "Rome" / "IMG_0002.jpg", taken="2021:05:01 09:00:00")
    db = str(tmp_path / "index.db")
    main(["--db", db, "scan", str(root)])
    capsys.readouterr()
    assert main(["--db", db, "search", "--json", "is:unreadable"]) == 0
    assert [Path(json.loads(line)["path"]).name for line in capsys.readouterr().out.splitlines()] == ["DSC_0001.JPG"]
    assert main(["--db", db, "search", "--json", "-is:unreadable"]) == 0  # a query word, not an option
    assert [Path(json.loads(line)["path"]).name for line in capsys.readouterr().out.splitlines()] == ["IMG_0002.jpg"]
    assert main(["--db", db, "write", "--dry-run", "is:problem"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "search", "is:held"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is: takes missing, problem, damaged" in err and "write --dry-run" in err


@pytest.mark.parametrize("query", ["state:suggested is:problem", "eiffel is:unreadable", "eiffel is:damaged|write-failed",
                                   "state:suggested path:/lib/2020/Paris/DSC_0000.JPG", "eiffel id:1,2"])
def test_walks_test_each_candidate_against_the_list_not_read_it_for_each(troubled, query: str) -> None:
    """With 10,000 problem photos `state:suggested is:problem` took 20 s a page at offset 4,000:
    the photos_by_time walk looked each candidate's photo up by every id of the list (SEARCH p
    … rowid=?), reading the whole list per candidate; the list must only be tested against."""
    index, _ = troubled
    compiled = compile_query(parse_query(query))
    match = search_plan._time_match(index.conn, compiled)
    assert match is not None  # the walk this is about
    low, high = compiled.key_range
    time_walk = search_plan._time_sql("f.rowid", compiled, "ORDER BY f.rowid DESC LIMIT 100")
    taken_at_walk = (f"SELECT {PHOTO_COLUMNS} FROM photos p INDEXED BY photos_by_taken_at LEFT JOIN labels l "
                     f"ON l.photo_id = p.id WHERE {compiled.row_where} {ORDER} LIMIT 100")
    for plan in (_plan(index, time_walk, (match, low, high, *compiled.row_params)),
                 _plan(index, taken_at_walk, compiled.row_params)):
        photo_lookups = [step for step in plan.split(" | ") if step.startswith("SEARCH p ")]
        assert not [step for step in photo_lookups if "rowid=?" in step or "PRIMARY KEY" in step], plan


def test_many_problems_beside_a_common_word_are_walked_to_the_same_pages(troubled, monkeypatch) -> None:
    """Above FEW problem photos the planner walks photos_by_time; deep pages must be those sorting gives."""
    index, _ = troubled
    for query in ("eiffel is:problem", "state:suggested is:problem", "paris is:problem", "paris -is:problem"):
        sorted_pages = [[r.id for r in index.search(query, limit=2, offset=o)] for o in range(0, 8, 2)]
        monkeypatch.setattr(search_plan, "FEW", 1)  # every count is "many": the walk answers
        walked = [[r.id for r in index.search(query, limit=2, offset=o)] for o in range(0, 8, 2)]
        monkeypatch.undo()
        assert walked == sorted_pages and sum(sorted_pages, []) == index.photo_ids(query), query

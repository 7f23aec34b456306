"""A reviewer's search findings: free words found other photos with a page limit than
without one (the FTS table folded words less than photos.search_text), a query of
thousands of terms failed as a "check the disk" problem, and the refusal of a `|`
choice beside OR showed the parser's internal separator."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.core.errors import QuerySyntaxError
from app.core.index import PhotoIndex, parse_query
from app.core.index.query_parser import MOST_TERMS
from tests.test_index import add_photo
from tests.test_index_support import write_jpeg

LABELS = ["Straße des 17. Juni", "Ἀκρόπολις", "Ｐａｒｉｓ Tower", "ﬁne arts"]


def _labelled(index: PhotoIndex) -> list[int]:
    ids = []
    for n, label in enumerate(LABELS):
        photo = add_photo(index, "/lib/trip", f"DSC_000{n}", f"2020-01-0{n + 1}T10:00:00")
        index.set_label(photo, label, source="user", state="accepted")
        ids.append(photo)
    return ids


@pytest.fixture
def labelled():
    with PhotoIndex.open(":memory:") as index:
        _labelled(index)
        add_photo(index, "/lib/Großstadt", "DSC_0100", "2019-05-01T10:00:00", model="FinePixS2Pro")
        yield index


def _same_everywhere(index: PhotoIndex, query: str) -> list[int]:
    """The photos `query` finds, checked to be the same in every plan: a page (the GUI,
    `search --limit`), all of them (`search`, accept/reject/label), the count."""
    with_limit = [r.id for r in index.search(query, limit=50)]
    assert [r.id for r in index.search(query)] == with_limit, query
    assert index.photo_ids(query) == with_limit, query
    assert index.count(query) == len(with_limit) == index.count(query, limit=10_001), query
    return with_limit


@pytest.mark.parametrize("query, label", [
    ("strasse", "Straße des 17. Juni"),  # casefold: ß is ss
    ("straße", "Straße des 17. Juni"),
    ("ακροπολις", "Ἀκρόπολις"),  # Greek accents
    ("ΑΚΡΟΠΟΛΙΣ", "Ἀκρόπολις"),
    ("paris", "Ｐａｒｉｓ Tower"),  # full-width letters
    ('"paris tower"', "Ｐａｒｉｓ Tower"),
    ('"fine arts"', "ﬁne arts"),  # the fi ligature
])
def test_free_words_find_the_same_photos_with_and_without_a_limit(labelled, query, label) -> None:
    found = _same_everywhere(labelled, query)
    assert [labelled.get(photo).label for photo in found] == [label]


def test_a_prefix_and_field_words_are_folded_in_every_plan(labelled) -> None:
    assert len(_same_everywhere(labelled, "fine")) == 2  # "ﬁne arts" and the FinePix
    assert len(_same_everywhere(labelled, "grossstadt")) == 1
    assert len(_same_everywhere(labelled, "folder:grossstadt")) == 1
    assert len(_same_everywhere(labelled, "-strasse")) == 4
    assert len(_same_everywhere(labelled, "strasse OR paris")) == 2
    assert len(_same_everywhere(labelled, "paris OR stras")) == 2  # the last word is a prefix


def test_an_index_written_before_the_refolding_finds_them_after_the_upgrade(tmp_path: Path, monkeypatch) -> None:
    from app.core.index import schema

    path = tmp_path / "before.db"
    monkeypatch.setattr(schema, "LATEST_VERSION", schema.MIGRATIONS.index(schema.migration_20))
    with PhotoIndex.open(path) as index:
        ids = _labelled(index)
        with index.transaction() as conn:  # the rows as that version wrote them: the words as written
            for photo, label in zip(ids, LABELS):
                conn.execute("UPDATE photos_fts SET label = ?, folder = '/lib/trip' WHERE rowid = ?", (label, photo))
        assert index.photo_ids("strasse") == []
    monkeypatch.undo()
    with PhotoIndex.open(path) as index:
        assert index.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        for query, photo in [("strasse", ids[0]), ("ακροπολις", ids[1]), ("paris", ids[2]), ("fine", ids[3])]:
            assert _same_everywhere(index, query) == [photo], query
        assert len(_same_everywhere(index, "folder:trip")) == 4


def _terms(kind: str, count: int) -> str:
    return {
        "words joined by OR": " OR ".join([*(f"word{i}" for i in range(count - 1)), "arts"]),
        "free words": " ".join(["tower"] * count),
        "NOT terms": " ".join(["-has:gps"] * count),
        "NOT words": "tower " + " ".join(f"-word{i}" for i in range(count - 1)),
        "labels joined by OR": " OR ".join([*(f"label:x{i}" for i in range(count - 1)), 'label:"ﬁne arts"']),
        "label choices": "label:" + "|".join([*(f"x{i}" for i in range(count - 1)), "Ἀκρόπολις"]),
        "NOT labels": " ".join(f"-label:x{i}" for i in range(count)),
        "folder paths": " OR ".join(f"folder:/lib/trip{i}" for i in range(count)),
    }[kind]


@pytest.mark.parametrize("kind, found", [
    ("words joined by OR", 1), ("free words", 1), ("NOT terms", 4), ("NOT words", 1),
    ("labels joined by OR", 1), ("label choices", 1), ("NOT labels", 4), ("folder paths", 0),
])
def test_a_query_of_as_many_terms_as_allowed_works(kind: str, found: int) -> None:
    """SQLite refuses an expression over 1,000 deep, and FTS5 NOTs over 256: 1,000 terms
    joined by OR or 1,500 NOT terms failed ("Expression tree is too large")."""
    with PhotoIndex.open(":memory:") as index:
        _labelled(index)
        count = 1000 if kind == "folder paths" else MOST_TERMS  # thousands of ORed ranges plan slowly
        assert len(_same_everywhere(index, _terms(kind, count))) == found


def test_a_query_of_too_many_terms_is_refused_as_such() -> None:
    with pytest.raises(QuerySyntaxError, match=f"too many terms \\({MOST_TERMS + 1:,}\\)"):
        parse_query(_terms("labels joined by OR", MOST_TERMS + 1))
    parse_query(" ".join(f"path:/lib/DSC_{i:05d}.JPG" for i in range(MOST_TERMS + 1)))  # a list of files: one term


@pytest.mark.parametrize("query", [
    " OR ".join(f"word{i}" for i in range(1000)),
    " ".join("-has:gps" for _ in range(1500)),
])
def test_the_cli_searches_with_a_long_query(tmp_path: Path, capsys, query: str) -> None:
    write_jpeg(tmp_path / "photos" / "DSC_0001.JPG", taken="2020:11:03 10:00:00")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "photos")]) == 0
    capsys.readouterr()
    assert main(["--db", db, "search", "--count", query]) == 0
    assert capsys.readouterr().out.strip() == ("0" if "word" in query else "1")


def test_the_cli_names_a_query_of_too_many_terms_not_the_disk(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "search", " ".join(["-has:gps"] * (MOST_TERMS + 1))]) == 2
    err = capsys.readouterr().err
    assert "too many terms" in err and "disk" not in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("query, typed", [
    ("-has:gps|raw OR colosseum", "'-has:gps|raw'"),
    ("colosseum OR -state:accepted|rejected", "'-state:accepted|rejected'"),
])
def test_the_refusal_of_a_choice_beside_or_quotes_it_as_typed(query: str, typed: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    assert str(caught.value).startswith(f"{typed} beside OR is ambiguous"), caught.value

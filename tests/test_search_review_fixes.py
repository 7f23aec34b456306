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


# A quoted phrase (or a word that folds into several) whose words meet across two fields
# matched photos.search_text, one word list of every field, but no photos_fts column: a
# page (`search --limit 5 '"jpg nikon"'`) showed photos that `search` and --count did
# not find. A typed prefix matched the tagged folder words the same way ("di" in
# "dir.lib"). search_text now keeps the fields apart (search_text.FIELD_BREAK).

DI_WORDS = 17  # more than time_order.MAX_PREFIX_WORDS: the prefix is tested row by row


@pytest.fixture
def fields():
    """Photos named DSC_000n.JPG in /lib/trip by a NIKON D850, and photos labelled with
    words starting with "di" (none in the folder /lib/trip of the first ones)."""
    with PhotoIndex.open(":memory:") as index:
        for n in range(3):
            add_photo(index, "/lib/trip", f"DSC_000{n}", f"2020-01-0{n + 1}T10:00:00")
        for n in range(DI_WORDS):
            photo = add_photo(index, "/lib/other", f"IMG_{n:04d}", f"2020-02-{n + 1:02d}T10:00:00")
            index.set_label(photo, f"Dia{n}", source="user", state="accepted")
        yield index


@pytest.mark.parametrize("query, found", [
    ('"jpg nikon"', 0),  # the file names' last word, the camera's first
    ('"trip dsc"', 0),  # the folder's last word, the file names' first
    ('"dia0 lib"', 0),  # the label, the folder
    ('"nikon d850"', 3 + DI_WORDS),  # within the camera
    ('"lib trip"', 3),  # within the folder
    ("dsc_0001.jpg", 1),  # folds into the phrase "dsc 0001 jpg", within the names
    ("nikon di", DI_WORDS),  # the prefix "di" does not match the folder word "lib" tagged
    ("jpg nik", 3 + DI_WORDS),  # two words, each in its own field: found
    ("trip d85", 3),
    ("folder:trip", 3),
    ("folder:lib -folder:trip", DI_WORDS),
    ("camera:d850", 3 + DI_WORDS),
])
def test_a_phrase_matches_within_one_field_with_or_without_a_limit(fields, query: str, found: int) -> None:
    assert len(_same_everywhere(fields, query)) == found


def _search_text_before_the_fields_were_apart(text: str) -> str:
    """search_text as schema 21 wrote it: one word list, tags without their leading '.'."""
    return " " + " ".join(word.removeprefix(".") for word in text.split() if word != ".") + " "


def test_an_index_written_before_the_fields_were_apart_keeps_them_apart_after_the_upgrade(tmp_path: Path, monkeypatch) -> None:
    from app.core.index import schema
    from app.core.index.search_text import refresh_search_text
    from app.core.index.time_order import words_sql

    path = tmp_path / "before.db"
    monkeypatch.setattr(schema, "LATEST_VERSION", schema.MIGRATIONS.index(schema.migration_22))
    with PhotoIndex.open(path) as index:
        ids = [add_photo(index, "/lib/trip", f"DSC_000{n}", f"2020-01-0{n + 1}T10:00:00") for n in range(3)]
        index.set_label(ids[0], "Eiffel Tower", source="user", state="accepted")
        with index.transaction() as conn:  # the rows as that version wrote them (the triggers follow)
            for photo, text in conn.execute("SELECT id, search_text FROM photos").fetchall():
                conn.execute("UPDATE photos SET search_text = ? WHERE id = ?",
                             (_search_text_before_the_fields_were_apart(text), photo))
        assert len(index.search('"jpg nikon"', limit=10)) == 3  # what the page found then
    monkeypatch.undo()
    with PhotoIndex.open(path) as index:
        conn = index.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        upgraded = dict(conn.execute("SELECT id, search_text FROM photos"))
        with index.transaction():
            for photo in ids:
                refresh_search_text(conn, photo)
        assert dict(conn.execute("SELECT id, search_text FROM photos")) == upgraded  # as written today
        assert dict(conn.execute("SELECT rowid, words FROM photos_by_time")) == dict(conn.execute(
            f"SELECT p.sort_key, {words_sql('p.search_text', 'l.state')} FROM photos p "
            "LEFT JOIN labels l ON l.photo_id = p.id"))
        assert _same_everywhere(index, '"jpg nikon"') == []
        assert _same_everywhere(index, "eiff") == [ids[0]]
        assert len(_same_everywhere(index, "folder:trip dsc")) == 3
        index.set_label(ids[1], "Zanzibar Gate", source="user", state="accepted")  # the triggers are back
        assert _same_everywhere(index, "zanz") == [ids[1]]
        assert conn.execute("SELECT count(*) FROM search_words WHERE word = 'zanzibar'").fetchone()[0] == 1

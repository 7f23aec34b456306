"""Migration 36: the triggers that keep photos_by_time (the newest-first search rows) and
search_words in step with photos and labels do the same work cheaper (`reject QUERY` on
many photos took 3-4 × `accept QUERY` there): a row is replaced by one INSERT OR REPLACE
instead of a DELETE and an INSERT, and search_words is left alone where a search text
only loses words (a rejected label's). An index at migration 35 searches as before once
upgraded, and every kind of write after the upgrade leaves the rows and answers that the
triggers of 35 left."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core.index import PhotoIndex, catalog
from app.core.index.schema import LATEST_VERSION
from app.core.index.search_text import refresh_search_texts
from app.core.index.time_order import ID_LIMIT
from app.core.photo_info import PhotoInfo
from tests.test_index import add_photo

BEFORE = 35  # the schema before migration 36
QUERIES = ("", "label:Colosseum", "label:Petra", "state:rejected", "state:accepted", "state:suggested",
           "colosseum", "petra", "zanzibar", "col", "rome", "lens:nikkor", "camera:d850", '"img 0003"',
           "colosseum state:rejected", "rome state:accepted", "has:date")


def _library(path: Path, monkeypatch) -> list[int]:
    """An index at schema BEFORE: photos of several dates (one without), folders and
    lenses, labels suggested, accepted, rejected from the start, "no landmark", none."""
    from app.core.index import schema

    monkeypatch.setattr(schema, "LATEST_VERSION", BEFORE)
    with PhotoIndex.open(path) as index:
        ids = [add_photo(index, f"/lib/{'Rome' if n % 3 else 'Jordan'}", f"IMG_{n:04d}",
                         None if n == 5 else f"20{10 + n % 7}-0{1 + n % 9}-1{n % 10}T1{n % 10}:00:00",
                         lens="AF-S NIKKOR 24-70mm" if n % 4 == 0 else None)
               for n in range(14)]
        index.set_labels(ids[0:6], "Colosseum", source="model", state="suggested")
        index.set_labels(ids[6:9], "Petra", source="user", state="accepted")
        index.set_labels(ids[9:10], "Colosseum", source="user", state="rejected")
        index.set_labels(ids[10:11], None, source="model", state="suggested")
        index.set_state(ids[4:6], "rejected")
        assert index.conn.execute("PRAGMA user_version").fetchone()[0] == BEFORE
    monkeypatch.undo()
    return ids


def _what_searches_give(index: PhotoIndex) -> dict:
    """Each query's matches (all, a newest-first page from photos_by_time, oldest first,
    a capped count), and the search tables' rows as they are."""
    answers = {query: (index.photo_ids(query), [r.id for r in index.search(query, limit=4)],
                       [r.id for r in index.search(query, limit=4, oldest_first=True)], index.count(query, limit=50))
               for query in QUERIES}
    conn = index.conn
    conn.execute("INSERT INTO photos_by_time (photos_by_time) VALUES ('integrity-check')")
    conn.execute("INSERT INTO photos_fts (photos_fts) VALUES ('integrity-check')")
    return {"answers": answers,
            "photos_by_time": dict(conn.execute("SELECT rowid, words FROM photos_by_time")),
            "search_words": {row[0] for row in conn.execute("SELECT word FROM search_words")}}


def _write_every_way(index: PhotoIndex, ids: list[int]) -> list[dict]:
    """Each kind of write the triggers follow: states changed with and without the words
    (reject, accept again, re-suggest), a label rejected from the start then accepted (its
    words new to search_words), a first label, a label deleted and one moved to another
    photo (as a recognised move does), dates changed (a new key) and taken away, a photo's
    words gone and back, a photo labelled before its words are written (as a scan does).
    Returns photos_by_time's rows after each step."""
    steps = []

    def rows() -> None:
        steps.append(dict(index.conn.execute("SELECT rowid, words FROM photos_by_time")))

    index.set_state(ids[0:4] + ids[6:7], "rejected")
    rows()
    index.set_state(ids[2:3] + ids[4:5], "accepted")
    index.set_state(ids[7:8], "suggested")
    rows()
    index.set_labels(ids[11:12], "Zanzibar Gate", source="user", state="rejected")
    rows()
    index.set_state(ids[11:12], "accepted")
    index.set_labels(ids[12:13], "Petra", source="model", state="suggested")
    rows()
    with index.transaction() as conn:
        conn.execute("DELETE FROM labels WHERE photo_id IN (?, ?)", (ids[8], ids[10]))  # ("no landmark": same words)
        conn.execute("DELETE FROM labels WHERE photo_id = ?", (ids[13],))
        conn.execute("UPDATE labels SET photo_id = ? WHERE photo_id = ?", (ids[13], ids[1]))
        conn.execute("UPDATE photos SET taken_at = '2009-12-31T23:59:00' WHERE id = ?", (ids[3],))
        conn.execute("UPDATE photos SET taken_at = NULL WHERE id = ?", (ids[6],))
        conn.execute("UPDATE photos SET search_text = ' ' WHERE id = ?", (ids[9],))
        refresh_search_texts(conn, [ids[8], ids[13], ids[1]])
    rows()
    with index.transaction() as conn:
        refresh_search_texts(conn, [ids[9]])
        new_id, _ = catalog.save_photo(conn, "/lib/Rome", "IMG_0099", "/lib/Rome/IMG_0099.JPG", False,
                                       PhotoInfo(kind="jpeg", taken_at="2024-02-02T10:00:00"))
        conn.execute("INSERT INTO labels (photo_id, label, source, state) VALUES (?, 'Colosseum', 'model', "
                     "'suggested')", (new_id,))
        rows()
        refresh_search_texts(conn, [new_id])
    index.set_state([new_id, ids[7]], "rejected")
    rows()
    return steps


def test_an_index_at_migration_35_searches_as_before_once_upgraded(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "index.db"
    _library(path, monkeypatch)
    monkeypatch.setattr("app.core.index.schema.LATEST_VERSION", BEFORE)
    with PhotoIndex.open(path) as index:
        before = _what_searches_give(index)
    monkeypatch.undo()
    with PhotoIndex.open(path) as index:
        assert index.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert _what_searches_give(index) == before
    assert before["answers"]["state:rejected"][0] and before["answers"]["colosseum"][1]  # (not all empty)


def test_writes_after_the_upgrade_leave_what_the_triggers_of_35_left(tmp_path: Path, monkeypatch) -> None:
    old, new = tmp_path / "at35.db", tmp_path / "upgraded.db"
    ids = _library(old, monkeypatch)
    shutil.copyfile(old, new)
    with PhotoIndex.open(new) as index:
        assert index.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        upgraded = _write_every_way(index, ids), _what_searches_give(index)
    monkeypatch.setattr("app.core.index.schema.LATEST_VERSION", BEFORE)
    with PhotoIndex.open(old) as index:
        as_35_did = _write_every_way(index, ids), _what_searches_give(index)
    assert upgraded == as_35_did
    steps, searches = upgraded
    assert ids[9] not in {key % ID_LIMIT for key in steps[4]}  # (its words gone: no row)
    answers = searches["answers"]
    assert ids[0] in answers["state:rejected"][0] and ids[2] in answers["colosseum"][0]
    assert "zanzibar" in searches["search_words"] and answers["zanzibar"][0] == [ids[11]]


def test_rejecting_leaves_search_words_as_they_were(tmp_path: Path, monkeypatch) -> None:
    """A rejected label's words leave the photo's search text, whose other words are in
    search_words already: the upgraded trigger does not split the new text again."""
    path = tmp_path / "index.db"
    ids = _library(path, monkeypatch)
    with PhotoIndex.open(path) as index:
        index.conn.execute("DELETE FROM search_words WHERE word = 'rome'")  # a word that only a split would add back
        index.set_state(ids[0:4], "rejected")
        assert index.conn.execute("SELECT count(*) FROM search_words WHERE word = 'rome'").fetchone()[0] == 0
        index.set_state(ids[0:4], "accepted")  # the label's words come back: the new text is split
        assert index.conn.execute("SELECT count(*) FROM search_words WHERE word = 'rome'").fetchone()[0] == 1


def test_no_statement_writes_photos_or_labels_with_a_conflict_clause_the_triggers_would_inherit() -> None:
    """A trigger's INSERT OR REPLACE takes the conflict clause of the statement that fired it:
    an UPDATE OR IGNORE of labels would make photos_by_time's INSERT fail on the row it
    replaces. OR REPLACE (a first label) is the one such clause written."""
    import re

    clause = re.compile(r"\b(?:INSERT|UPDATE)\s+OR\s+(?:IGNORE|ABORT|FAIL|ROLLBACK)\s+(?:INTO\s+)?(?:photos|labels)\b",
                        re.IGNORECASE)
    root = Path(__file__).resolve().parents[1]
    found = [f"{path.relative_to(root)}: {match.group(0)}" for folder in ("app", "training", "model")
             for path in sorted((root / folder).rglob("*.py")) for match in clause.finditer(path.read_text("utf-8"))]
    assert found == []

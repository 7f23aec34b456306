"""`teach` of many photos: what the photos taught before is listed and dropped a chunk of
photos at a time, through an index of taught_refs by photo (schema migration 26), not
with two statements per photo that each read every taught reference (teaching in a
library that teaches took quadratic time); each photo ends as teaching it alone left it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.core import teaching
from app.core import teaching_store as store
from app.core.index import PhotoIndex
from tests import test_teaching
from tests.sql_trace import statements_run

library = test_teaching.library  # the fixture: photos in groups, their embeddings stored
NAME = "Our cabin"


def _reading_by_photo(statements: list[str]) -> list[str]:
    return [sql for sql in statements_run(statements) if "FROM taught_refs WHERE photo_id" in sql]


def test_teaching_photos_that_taught_another_place_reads_them_per_chunk(library, tiny_bundle):
    index, paths, ids = library
    teaching.teach(index, "Bakery", paths["bakery"], bundle=tiny_bundle)
    statements: list[str] = []
    index.conn.set_trace_callback(statements.append)
    summary = teaching.teach(index, NAME, paths["cabin"] + paths["bakery"], bundle=tiny_bundle)
    index.conn.set_trace_callback(None)
    assert len(_reading_by_photo(statements)) == 2  # what they taught listed, then dropped: once each
    photo_ids = ids["cabin"] + ids["bakery"]
    assert (summary.taught, summary.errors, sorted(summary.photo_ids)) == (len(photo_ids), 0, sorted(photo_ids))
    assert sorted((Path(move.path).name, move.before) for move in summary.moved) == sorted(
        (path.name, "Bakery") for path in paths["bakery"])
    assert summary.no_longer_taught == ["Bakery"]
    refs = index.conn.execute("SELECT label, photo_id FROM taught_refs ORDER BY photo_id").fetchall()
    assert refs == [(NAME, photo_id) for photo_id in sorted(photo_ids)]
    assert {(r.label, r.source, r.state) for r in map(index.get, photo_ids)} == {(NAME, "user", "accepted")}


def test_the_rows_of_some_photos_are_found_through_the_index(library) -> None:
    index, _, ids = library
    conn = index.conn
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    store.labels_taught_by(conn, ids["cabin"], other_than=NAME)
    store.forget_photos(conn, ids["cabin"], keep_label=NAME)
    conn.set_trace_callback(None)
    for sql in _reading_by_photo(statements):
        plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "taught_refs_by_photo" in plan, plan


def test_an_index_from_schema_25_gets_the_index_of_taught_refs(tmp_path: Path, monkeypatch) -> None:
    from app.core.index import schema

    path = tmp_path / "before.db"
    monkeypatch.setattr(schema, "LATEST_VERSION", schema.MIGRATIONS.index(schema.migration_26))
    PhotoIndex.open(path).close()
    monkeypatch.undo()
    with PhotoIndex.open(path) as index:
        assert index.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'taught_refs_by_photo'").fetchone()


def test_labels_taught_by_lists_each_photos_other_places_in_name_order(library, tiny_bundle) -> None:
    index, paths, ids = library
    teaching.teach(index, "Bakery", paths["bakery"], bundle=tiny_bundle)
    first, *others = ids["bakery"]
    with index.transaction() as conn:  # a photo that teaches a second place (by another model)
        store.add_ref(conn, "Abbey", first, "another-model", np.ones(tiny_bundle.embedding_size, np.float32))
    photos = ids["bakery"] + ids["cabin"]
    assert store.labels_taught_by(index.conn, photos, other_than=NAME) == {
        first: ["Abbey", "Bakery"], **{photo_id: ["Bakery"] for photo_id in others}}
    assert store.labels_taught_by(index.conn, photos, other_than="Bakery") == {first: ["Abbey"]}

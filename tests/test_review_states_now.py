"""PhotoIndex.review_states_now: what A, R and L compare with what the app shows, read in one
statement for any number of photos (the app's Ctrl+A + R on 30,000 photos made 90 of 500);
the same answer where SQLite has no JSON (the statements of 500 then)."""

from __future__ import annotations

import sqlite3

from app.core.index import PhotoIndex
from app.core.index.labels import FORGOTTEN
from tests.test_index import add_photo, index  # noqa: F401 (the fixture)


def _library(index: PhotoIndex) -> tuple[int, int, int, int]:
    """(labelled and accepted, "no landmark" rejected, never labelled, forgotten: no longer in the index)."""
    labelled, none, bare = (add_photo(index, "/lib", stem, "2020-01-01T10:00:00") for stem in ("a", "b", "c"))
    index.set_label(labelled, "Eiffel Tower")
    index.set_label(none, None)
    index.set_state([none], "rejected")
    return labelled, none, bare, max(labelled, none, bare) + 1000


def test_states_of_labelled_unlabelled_and_forgotten_photos(index: PhotoIndex) -> None:  # noqa: F811
    labelled, none, bare, gone = _library(index)
    now = index.review_states_now([gone, labelled, bare, none, labelled])
    expected = {labelled: ("Eiffel Tower", index.get(labelled).state), none: (None, "rejected"),
                gone: (None, FORGOTTEN)}
    assert now == expected  # a photo without a label is left out, as review_states leaves it
    assert index.review_states_now([]) == {}


class NoJson:
    """A connection whose SQLite has no json_each."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, *args):
        if "json_each" in sql:
            raise sqlite3.OperationalError("no such table: json_each")
        return self.conn.execute(sql, *args)


def test_without_json_the_same_states(index: PhotoIndex) -> None:  # noqa: F811
    ids = list(_library(index))
    with_json = index.review_states_now(ids)
    index.conn = NoJson(index.conn)
    try:
        assert index.review_states_now(ids) == with_json
    finally:
        index.conn = index.conn.conn

"""The `is:unwritten` photos kept in a temp table of the connection between queries.

Working out which photos are unwritten reads every labelled photo's files and write
records (unwritten_term): ~200-500 ms on 200,000 photos, which a search paid again for
each page, and twice more when the planner counted the list. PhotoIndex builds the list
once into TABLE and queries read it there (`p.id IN (SELECT photo_id FROM TABLE)`),
until the index changes: another connection's commit (PRAGMA data_version) or a row
this connection changed (its total_changes, which counts uncommitted rows too). A list
built inside a transaction is not kept (a rollback would take the index back, and the
table with it), nor is one on a read-only connection, which cannot write even a temp
table: that one gets the self-contained condition of unwritten_term.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from app.core.index.connection import is_read_only
from app.core.index.query_parser import AnyOf, Query, Term
from app.core.index.unwritten_term import UNWRITTEN, unwritten_ids_sql

TABLE = "temp.unwritten_photos"
# the query term field of is:unwritten read from TABLE (query._condition; as LABEL_NOT_REJECTED)
LISTED = "is (unwritten, listed)"


class UnwrittenList:
    """TABLE of one connection, and the state of the index it was built from."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        """Made with the connection: creating a table later would abort a statement of
        the connection still being read (SQLITE_ABORT_ROLLBACK); filling one does not."""
        self._built_at: tuple[int, int] | None = None  # (data_version, total_changes)
        self._usable = not is_read_only(conn)
        if self._usable:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (photo_id INTEGER PRIMARY KEY)")

    def through_list(self, conn: sqlite3.Connection, query: Query) -> Query:
        """The query with its is:unwritten terms reading TABLE, brought up to date; the
        query as it was where it has none, or TABLE cannot be written."""
        if not any(_is_unwritten(term) for item in query.terms for term in _members(item)):
            return query
        if not self._usable:
            return query
        self._refresh(conn)
        return Query(tuple(replace(item, terms=tuple(map(_listed, item.terms))) if isinstance(item, AnyOf)
                           else _listed(item) for item in query.terms))

    def _refresh(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if self._built_at == (version, conn.total_changes):
            return
        self._built_at = None
        conn.execute(f"DELETE FROM {TABLE}")
        conn.execute(f"INSERT INTO {TABLE} (photo_id) {unwritten_ids_sql()}")
        if not conn.in_transaction:
            # the version read before building: a commit since makes the next query build anew
            self._built_at = (version, conn.total_changes)


def _members(item: Term | AnyOf) -> tuple[Term, ...]:
    return item.terms if isinstance(item, AnyOf) else (item,)


def _is_unwritten(term: Term) -> bool:
    return term.field == "is" and term.value == UNWRITTEN


def _listed(term: Term) -> Term:
    return replace(term, field=LISTED) if _is_unwritten(term) else term

"""The `is:unwritten` photos kept in a temp table of the connection between queries.

Working out which photos are unwritten reads every labelled photo's files and write
records (unwritten_term): ~200-500 ms on 200,000 photos, which a search paid again for
each page, and twice more when the planner counted the list. PhotoIndex builds the list
once into TABLE and queries read it there (`p.id IN (SELECT photo_id FROM TABLE)`).
After a change of this connection (an accept, a label, a scan run here) only the photos
it touched are judged again: temp triggers on the tables the rule reads note them in
CHANGED while a list is kept (BUILT holds the PRAGMA data_version it was built at); a
write taken back (write_batches changed: every photo of the batch), a place forgotten
or taught again (forgotten_places: every photo of the place), or more than
REBUILD_ABOVE photos changed builds the list anew, as does another connection's commit
(data_version), which no temp trigger sees. The three temp tables go with the
transaction, so a rollback takes list, notes and index back together; a list brought up
to date inside a transaction is checked again by the next query. A read-only connection,
which cannot write even a temp table, gets the self-contained condition of unwritten_term.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from app.core.index.connection import is_read_only
from app.core.index.query_parser import AnyOf, Query, Term
from app.core.index.unwritten_term import UNWRITTEN, unwritten_ids_sql

TABLE = "temp.unwritten_photos"
CHANGED = "temp.unwritten_changed"  # photos changed by this connection since TABLE was built
BUILT = "temp.unwritten_built"  # one row: the data_version TABLE holds, NULL: to build anew
# judging a photo costs ~10-40 us a file: past this many, one pass over all is as quick
REBUILD_ABOVE = 2_000
# the tables whose rows the rule reads by photo_id (unwritten_term): a row's photo, before and after
_BY_PHOTO = ("labels", "rejections", "read_back_keywords", "files", "write_journal", "taught_refs",
             "unwritten_elsewhere")
# the tables read by label whose change builds the list anew: a place forgotten (rare) is every photo of it
_BY_LABEL = ("forgotten_places",)
# the query term field of is:unwritten read from TABLE (query._condition; as LABEL_NOT_REJECTED)
LISTED = "is (unwritten, listed)"


class UnwrittenList:
    """TABLE of one connection, and the state of the index it was built from."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        """Made with the connection: creating a table or trigger later would abort a
        statement of the connection still being read (SQLITE_ABORT_ROLLBACK); filling
        one does not."""
        self._fresh_at: tuple[int, int] | None = None  # (data_version, total_changes)
        self._usable = not is_read_only(conn) and _holds_every_table(conn)
        if self._usable:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (photo_id INTEGER PRIMARY KEY)")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {CHANGED} (photo_id INTEGER PRIMARY KEY)")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {BUILT} (version INTEGER)")
            if conn.execute(f"SELECT count(*) FROM {BUILT}").fetchone()[0] == 0:
                conn.execute(f"INSERT INTO {BUILT} (version) VALUES (NULL)")
            for statement in _triggers():
                conn.execute(statement)

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
        if self._fresh_at == (version, conn.total_changes):
            return
        self._fresh_at = None
        built = conn.execute(f"SELECT version FROM {BUILT}").fetchone()[0]
        changed = conn.execute(f"SELECT count(*) FROM {CHANGED}").fetchone()[0]
        if built == version and changed <= REBUILD_ABOVE:
            if changed:
                among = f"SELECT photo_id FROM {CHANGED}"
                conn.execute(f"DELETE FROM {TABLE} WHERE photo_id IN ({among})")
                conn.execute(f"INSERT INTO {TABLE} (photo_id) {unwritten_ids_sql(among)}")
        else:
            conn.execute(f"DELETE FROM {TABLE}")
            conn.execute(f"INSERT INTO {TABLE} (photo_id) {unwritten_ids_sql()}")
        conn.execute(f"DELETE FROM {CHANGED}")
        # the version read before building: a commit since makes the next query build anew
        conn.execute(f"UPDATE {BUILT} SET version = ?", (version,))
        if not conn.in_transaction:
            # inside one, a rollback may take TABLE back to a list with photos to judge again
            self._fresh_at = (version, conn.total_changes)


def _holds_every_table(conn: sqlite3.Connection) -> bool:
    """Whether the index has every table the triggers watch: one of a schema before
    read_back_keywords (opened at an older version, as the upgrade tests do) gets the
    self-contained condition instead of a list no trigger would keep up to date."""
    names = {row[0] for row in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")}
    return names.issuperset(_BY_PHOTO + _BY_LABEL)


def _triggers() -> list[str]:
    """The temp triggers noting in CHANGED the photos a change of this connection may
    make written or unwritten, while a list is kept (BUILT not NULL)."""
    # a trigger's statements name their tables unqualified: temp's come first
    changed, built = CHANGED.removeprefix("temp."), BUILT.removeprefix("temp.")
    keeping = f"(SELECT version FROM {built}) IS NOT NULL"

    def fresh(photo: str) -> str:
        # not OR IGNORE: an outer upsert's conflict handling overrides a trigger's
        return f"{photo} NOT IN (SELECT photo_id FROM {changed})"

    def note(photo: str) -> str:
        return f"INSERT INTO {changed} (photo_id) SELECT {photo} WHERE {photo} IS NOT NULL AND {fresh(photo)};"

    def owners(path: str) -> str:
        # the photos whose files have `path` as target: the file itself, its sidecar (either
        # naming): a write record of one photo's path is read for whoever has it now
        stem = f"substr({path}, 1, length({path}) - 4)"
        return (f"INSERT INTO {changed} (photo_id) SELECT photo_id FROM (SELECT photo_id FROM files WHERE "
                f"path = {path} UNION SELECT photo_id FROM files WHERE path = {stem} UNION SELECT photo_id FROM "
                f"files WHERE path > {stem} || '.' AND path < {stem} || '/') WHERE {fresh('photo_id')};")

    made = []
    for table in _BY_PHOTO:
        extra_new = owners("NEW.path") if table == "write_journal" else ""
        extra_old = owners("OLD.path") if table == "write_journal" else ""
        for event, body in (("INSERT", note("NEW.photo_id") + extra_new),
                            ("DELETE", note("OLD.photo_id") + extra_old),
                            ("UPDATE", note("OLD.photo_id") + note("NEW.photo_id") + extra_old + extra_new)):
            made.append(f"CREATE TEMP TRIGGER IF NOT EXISTS unwritten_{table}_{event.lower()} AFTER {event} "
                        f"ON main.{table} WHEN {keeping} BEGIN {body} END")
    # a files row REPLACE takes out (another photo's file at the path) fires no DELETE trigger
    for event in ("INSERT", "UPDATE OF path"):
        made.append(f"CREATE TEMP TRIGGER IF NOT EXISTS unwritten_files_before_{event.split()[0].lower()} "
                    f"BEFORE {event} ON main.files WHEN {keeping} BEGIN {owners('NEW.path')} END")
    # a write taken back (or its record dropped): every photo of the batch, built anew
    for event in ("UPDATE", "DELETE"):
        made.append(f"CREATE TEMP TRIGGER IF NOT EXISTS unwritten_write_batches_{event.lower()} AFTER {event} "
                    f"ON main.write_batches WHEN {keeping} BEGIN UPDATE {built} SET version = NULL; END")
    # a place forgotten or taught again: every photo labelled it, built anew (unwritten_term._carried)
    for table in _BY_LABEL:
        for event in ("INSERT", "UPDATE", "DELETE"):
            made.append(f"CREATE TEMP TRIGGER IF NOT EXISTS unwritten_{table}_{event.lower()} AFTER {event} "
                        f"ON main.{table} WHEN {keeping} BEGIN UPDATE {built} SET version = NULL; END")
    return made


def _members(item: Term | AnyOf) -> tuple[Term, ...]:
    return item.terms if isinstance(item, AnyOf) else (item,)


def _is_unwritten(term: Term) -> bool:
    return term.field == "is" and term.value == UNWRITTEN


def _listed(term: Term) -> Term:
    return replace(term, field=LISTED) if _is_unwritten(term) else term

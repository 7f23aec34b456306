"""`folder:"…"` typed in another letter case finds the folder the index holds.

A path typed or pasted on its own is looked up on disk first (app.core.path_query),
but a `folder:` term inside a longer query goes straight to the index, which holds each
folder as the disk spells it: `folder:"~/pictures/trip" label:Petra` found nothing for
`~/Pictures/Trip` on macOS or Windows. Search is case-insensitive everywhere else (free
words, `folder:paris`, labels), so a whole path that matches no folder as typed is
matched against the index's folders name by name, case and Unicode form folded. The
disk is not touched: a search must not stall on a drive that is unplugged or a share
that does not answer. Only a path with no photo under it as typed is respelled, so two
folders that differ in case on a case-sensitive disk are each found by their own name.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from pathlib import PurePath

from app.core.folder_paths import native_separators
from app.core.index.query import AnyOf, Query, Term, folder_condition
from app.core.path_case import fold
from app.core.path_query import is_absolute_path


def respell_folders(conn: sqlite3.Connection, query: Query) -> Query:
    """The query with each whole-path `folder:` term that holds no photo as typed
    spelled as the index holds that folder; with several spellings (two folders that
    differ in case on a case-sensitive disk, both unlike the typed one), any of them."""
    terms: list[Term | AnyOf] = []
    for item in query.terms:
        if isinstance(item, AnyOf):
            inner = [t for term in item.terms for t in _one_or_all(conn, term)]
            terms.append(replace(item, terms=tuple(inner)))
            continue
        spellings = _spellings(conn, item)
        if len(spellings) == 1:
            terms.append(spellings[0])
        elif item.negated:
            terms.extend(spellings)  # in none of them
        else:
            terms.append(AnyOf(tuple(spellings)))
    return query if tuple(terms) == query.terms else Query(tuple(terms))


def _one_or_all(conn: sqlite3.Connection, term: Term) -> list[Term]:
    """A term of an OR group respelled: a positive one by all its spellings; a negated
    one (in none of the spellings) cannot join the group as several, so it stays."""
    spellings = _spellings(conn, term)
    return [term] if term.negated and len(spellings) > 1 else spellings


def _spellings(conn: sqlite3.Connection, term: Term) -> list[Term]:
    if term.field != "folder" or not is_absolute_path(term.value):
        return [term]
    typed = native_separators(os.path.expanduser(term.value)).rstrip(os.sep)
    if not typed or _holds_photos(conn, typed):
        return [term]
    return [replace(term, value=spelling) for spelling in stored_spellings(conn, typed)] or [term]


def _holds_photos(conn: sqlite3.Connection, folder: str) -> bool:
    where, params = folder_condition(folder)
    return conn.execute(f"SELECT 1 FROM photos p WHERE {where} LIMIT 1", params).fetchone() is not None


def stored_spellings(conn: sqlite3.Connection, typed: str) -> list[str]:
    """The spellings in the index of the folder `typed` names, compared name by name
    (NFC, casefolded): the folder itself or the start of a folder below it."""
    wanted = [fold(part) for part in PurePath(typed).parts]
    found: set[str] = set()
    for (folder,) in conn.execute("SELECT DISTINCT folder FROM photos"):
        parts = PurePath(folder).parts
        if len(parts) >= len(wanted) and [fold(p) for p in parts[: len(wanted)]] == wanted:
            found.add(str(PurePath(*parts[: len(wanted)])))
    return sorted(found)

"""`folder:"…"` and `path:"…"` typed in another letter case find what the index holds.

A path typed or pasted on its own is looked up on disk first (app.core.path_query),
but a `folder:` term inside a longer query goes straight to the index, which holds each
folder as the disk spells it: `folder:"~/pictures/trip" label:Petra` found nothing for
`~/Pictures/Trip` on macOS or Windows. Search is case-insensitive everywhere else (free
words, `folder:paris`, labels), so a whole path that matches no folder as typed is
matched against the index's folders name by name, case and Unicode form folded. The
disk is not touched: a search must not stall on a drive that is unplugged or a share
that does not answer. Only a path with no photo under it as typed is respelled, so two
folders that differ in case on a case-sensitive disk are each found by their own name.
A `path:` term is respelled the same way, file by file (`accept 'path:~/pictures/trip/
dsc_0001.jpg'` on a Mac, or with is:missing for a photo on a drive that is unplugged):
a file the index holds as typed is that file alone, one it does not hold is any file
whose folder and name match it folded. A path the CLI or the app found on disk
(`path:="…"`, `folder:="…"`, see app.core.path_query) is never respelled: on a
case-sensitive disk img_0001.jpg copied in after the scan is not IMG_0001.JPG, and
`label …/img_0001.jpg` must not label that other photo. Only those paths were looked up
on disk, where the command named them; a typed term is not, so it cannot stall.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import defaultdict
from dataclasses import replace
from pathlib import PurePath

from app.core.folder_paths import native_separators
from app.core.index.connection import db_text
from app.core.index.query import PATH_JOIN, AnyOf, Query, Term, folder_condition
from app.core.path_case import fold
from app.core.path_query import is_absolute_path


def respell_folders(conn: sqlite3.Connection, query: Query) -> Query:
    """The query with each whole-path `folder:` term that holds no photo as typed
    spelled as the index holds that folder; with several spellings (two folders that
    differ in case on a case-sensitive disk, both unlike the typed one), any of them.
    Each file of a `path:` term that the index does not hold as typed: any file it
    holds under that name folded (see respell_paths)."""
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
    if term.field == "path":
        value = PATH_JOIN.join(respell_paths(conn, term.value.split(PATH_JOIN), set(term.exact)))
        return [term if value == term.value else replace(term, value=value)]
    if term.field != "folder" or not is_absolute_path(term.value) or term.exact:
        return [term]
    typed = native_separators(os.path.expanduser(term.value)).rstrip(os.sep)
    if not typed or _holds_photos(conn, typed):
        return [term]
    return [replace(term, value=spelling) for spelling in stored_spellings(conn, typed)] or [term]


def _holds_photos(conn: sqlite3.Connection, folder: str) -> bool:
    where, params = folder_condition(folder)
    return conn.execute(f"SELECT 1 FROM photos p WHERE {where} LIMIT 1", params).fetchone() is not None


def stored_spellings(conn: sqlite3.Connection, typed: str, folders: list[str] | None = None) -> list[str]:
    """The spellings in the index of the folder `typed` names, compared name by name
    (NFC, casefolded): the folder itself or the start of a folder below it. `folders`:
    the index's folders (indexed_folders), read once for many look-ups."""
    wanted = [fold(part) for part in PurePath(typed).parts]
    found: set[str] = set()
    for folder in indexed_folders(conn) if folders is None else folders:
        parts = PurePath(folder).parts
        if len(parts) >= len(wanted) and [fold(p) for p in parts[: len(wanted)]] == wanted:
            found.add(str(PurePath(*parts[: len(wanted)])))
    return sorted(found)


def indexed_folders(conn: sqlite3.Connection) -> list[str]:
    """Every folder holding a photo in the index."""
    return [folder for (folder,) in conn.execute("SELECT DISTINCT folder FROM photos")]


def respell_paths(conn: sqlite3.Connection, paths: list[str], exact: set[str] | None = None) -> list[str]:
    """`paths` with each one the index holds no file at replaced by the files it holds
    whose folder and name are that path's, compared name by name (NFC, casefolded);
    one matching none, or one of `exact` (found on disk as written), stays as typed.
    From the index alone: one query for the paths held as typed (a shell glob of
    thousands of files), one for the index's folders, and one per folder of the others."""
    absent = set(_not_held(conn, paths)) - (exact or set())
    if not absent:
        return paths
    by_folder: dict[str, list[str]] = defaultdict(list)
    for path in absent:
        by_folder[os.path.dirname(path)].append(path)
    spelled: dict[str, list[str]] = {}
    folders = indexed_folders(conn)
    for folder, typed in by_folder.items():
        held = _files_in(conn, stored_spellings(conn, folder, folders)) if folder else {}
        for path in typed:
            spelled[path] = sorted(held.get(fold(os.path.basename(path)), ())) or [path]
    return list(dict.fromkeys(found for path in paths for found in (spelled[path] if path in absent else [path])))


def _not_held(conn: sqlite3.Connection, paths: list[str]) -> list[str]:
    """The paths no file of the index has (a name that is not UTF-8 is looked up by its bytes)."""
    texts = [path for path in paths if isinstance(db_text(path), str)]
    absent = [row[0] for row in conn.execute(
        "SELECT j.value FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.path = j.value)",
        (json.dumps(texts),))]
    return absent + [path for path in paths if not isinstance(db_text(path), str) and conn.execute(
        "SELECT 1 FROM files WHERE path = CAST(? AS TEXT)", (db_text(path),)).fetchone() is None]


def _files_in(conn: sqlite3.Connection, folders: list[str]) -> dict[str, list[str]]:
    """{folded name: paths} of the files of the photos in `folders` (not below them)."""
    held: dict[str, list[str]] = defaultdict(list)
    for folder in folders:
        rows = conn.execute("SELECT f.path FROM photos p JOIN files f ON f.photo_id = p.id "
                            "WHERE p.folder = CAST(? AS TEXT)", (db_text(folder),))
        for (path,) in rows:
            path = os.fsdecode(path) if isinstance(path, bytes) else path
            if os.path.dirname(path) == folder:
                held[fold(os.path.basename(path))].append(path)
    return held

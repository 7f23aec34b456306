"""Paths found on disk through a link that scans skip find the photos the library has.

A folder linked into two library folders (libA/Shared and libB/Shared) is indexed once,
under the link a scan kept (scan_links.ScanLinks). A path the CLI or the app found on
disk through the other link (`label …/libB/Shared/DSCN0010.jpg X`, a photo dropped on
the window, the `path:="…"` and `folder:="…"` terms of app.core.path_query) would match
nothing: it also stands for the same file or folder under the link kept. Only those
paths, found on disk where they were named, are looked up there; a typed term
(`path:"…/libB/Shared/x.jpg"`) never touches the disk (see folder_spelling): it is
mapped by the paths the last scans skipped (linked_folders.skipped).
"""

from __future__ import annotations

import os
from pathlib import Path
from dataclasses import replace

from app.core.folder_paths import is_within, native_separators
from app.core.index import linked_folders
from app.core.index.query import PATH_JOIN, AnyOf, Query, Term
from app.core.path_query import is_absolute_path


def through_kept_links(index, query: Query) -> Query:
    """The query with each path of its `path:=` and `folder:=` terms that lies under a
    skipped link also standing for that path under the link kept."""
    from app.core.scan_links import kept_link_spellings

    exact = [path for item in query.terms for term in _terms(item) for path in term.exact]
    kept = kept_link_spellings(index, exact) if exact else {}
    typed = [path for item in query.terms for term in _terms(item) for path in _paths(term)
             if path not in term.exact and is_absolute_path(path)]
    kept.update(_skipped_spellings(index, typed) if typed else {})
    folders = [term.value for item in query.terms for term in _terms(item)
               if term.field == "folder" and is_absolute_path(term.value)]
    below = _skipped_below(index, folders) if folders else {}
    if not kept and not below:
        return query
    terms: list[Term | AnyOf] = []
    for item in query.terms:
        if isinstance(item, AnyOf):
            # a negated folder: can join the group only as it is (see folder_spelling._one_or_all)
            inner = (t for term in item.terms for t in (
                [term] if term.negated and term.field == "folder" else _with_kept(term, kept, below)))
            terms.append(replace(item, terms=tuple(inner)))
            continue
        found = _with_kept(item, kept, below)
        if len(found) == 1 or item.negated:
            terms.extend(found)  # a negated folder: in none of them
        else:
            terms.append(AnyOf(tuple(found)))
    return Query(tuple(terms))


def _terms(item: Term | AnyOf) -> tuple[Term, ...]:
    return item.terms if isinstance(item, AnyOf) else (item,)


def _paths(term: Term) -> list[str]:
    """The paths of a path: term, or the folder of a folder: one (a name too)."""
    if term.field == "path":
        return term.value.split(PATH_JOIN)
    return [term.value] if term.field == "folder" else []


def _skipped_spellings(index, typed: list[str]) -> dict[str, str]:
    """{typed path: the same file or folder as the library indexes it} for those of
    `typed` in a path the last scans skipped, from the index alone (no disk)."""
    from app.core.scan_links import held_under, in_library

    skipped = [(path, kept) for path, kept in linked_folders.skipped(index.conn) if in_library(index, path)]
    found = {}
    for path in typed:
        given = native_separators(os.path.expanduser(path))
        holders = [(skip, kept) for skip, kept in skipped if is_within(given, skip)]
        if holders:
            skip, kept = max(holders, key=lambda pair: len(pair[0]))  # the nearest
            found[path] = held_under(given.rstrip(os.sep) or given, skip, kept)
    return found


def _skipped_below(index, folders: list[str]) -> dict[str, list[str]]:
    """{folder: the paths the library holds the folders below it that scans skip under}:
    `X` holding X/Drive, which the library holds as lib/d (a link walked first), stands
    for lib/d too, so `search X`, `accept X` and `write X` reach all of X's photos.
    Compared as spelled (a `folder:` typed in another case has the index's spelling by
    now where a photo of X tells it, respell_folders); else case aside, only where the
    disk holding the skipped folder ignores case (asked of the disk then alone): on
    Linux `x` beside `X` is another folder, on macOS and Windows it is X."""
    from app.core.path_case import DiskNames, fold

    skipped = [(skip.rstrip(os.sep) or os.sep, kept) for skip, kept in linked_folders.skipped(index.conn)]
    names: DiskNames | None = None
    found: dict[str, list[str]] = {}
    for folder in folders:
        given = native_separators(os.path.expanduser(folder)).rstrip(os.sep) or os.sep
        inside = [kept for skip, kept in skipped if is_within(skip, given) and skip != given]
        if not inside:
            folded = fold(given)
            alike = [(skip, kept) for skip, kept in skipped
                     if is_within(fold(skip), folded) and fold(skip) != folded]
            if alike:
                names = names or DiskNames()
                inside = [kept for skip, kept in alike if names.ignores_case(Path(skip).parent)]
        if inside:
            found[folder] = list(dict.fromkeys(inside))
    return found


def _with_kept(term: Term, kept: dict[str, str], below: dict[str, list[str]] | None = None) -> list[Term]:
    """A path: term with the kept paths among its files; a folder: term, its kept form,
    and the kept forms of the skipped folders below it (`below`). The kept form of a path
    found on disk is as exact as it (`path:=`)."""
    added = [kept[path] for path in _paths(term) if path in kept]
    if term.field == "folder":
        added += [path for path in (below or {}).get(term.value, []) if path not in added]
    if not added:
        return [term]
    exact = tuple(kept[path] for path in term.exact if path in kept)
    if term.field == "path":
        paths = list(dict.fromkeys([*term.value.split(PATH_JOIN), *added]))
        return [replace(term, value=PATH_JOIN.join(paths), exact=(*term.exact, *exact))]
    exact = (*exact, *(path for path in added if term.exact and path not in kept.values()))  # below: as found
    return [term, *(replace(term, value=path, exact=(path,) if path in exact else ()) for path in added)]

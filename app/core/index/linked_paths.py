"""Paths found on disk through a link that scans skip find the photos the library has.

A folder linked into two library folders (libA/Shared and libB/Shared) is indexed once,
under the link a scan kept (scan_links.ScanLinks). A path the CLI or the app found on
disk through the other link (`label …/libB/Shared/DSCN0010.jpg X`, a photo dropped on
the window, the `path:="…"` and `folder:="…"` terms of app.core.path_query) would match
nothing: it also stands for the same file or folder under the link kept. Only those
paths, found on disk where they were named, are looked up; a typed term never touches
the disk (see folder_spelling).
"""

from __future__ import annotations

from dataclasses import replace

from app.core.index.query import PATH_JOIN, AnyOf, Query, Term


def through_kept_links(index, query: Query) -> Query:
    """The query with each path of its `path:=` and `folder:=` terms that lies under a
    skipped link also standing for that path under the link kept."""
    from app.core.scan_links import kept_link_spellings

    exact = [path for item in query.terms for term in _terms(item) for path in term.exact]
    kept = kept_link_spellings(index, exact) if exact else {}
    if not kept:
        return query
    terms: list[Term | AnyOf] = []
    for item in query.terms:
        if isinstance(item, AnyOf):
            # a negated folder: can join the group only as it is (see folder_spelling._one_or_all)
            inner = (t for term in item.terms for t in (
                [term] if term.negated and term.field == "folder" else _with_kept(term, kept)))
            terms.append(replace(item, terms=tuple(inner)))
            continue
        found = _with_kept(item, kept)
        if len(found) == 1 or item.negated:
            terms.extend(found)  # a negated folder: in none of them
        else:
            terms.append(AnyOf(tuple(found)))
    return Query(tuple(terms))


def _terms(item: Term | AnyOf) -> tuple[Term, ...]:
    return item.terms if isinstance(item, AnyOf) else (item,)


def _with_kept(term: Term, kept: dict[str, str]) -> list[Term]:
    """A path: term with the kept paths among its files; a folder: term and its kept form."""
    added = [kept[path] for path in term.exact if path in kept]
    if not added:
        return [term]
    if term.field == "path":
        paths = list(dict.fromkeys([*term.value.split(PATH_JOIN), *added]))
        return [replace(term, value=PATH_JOIN.join(paths), exact=(*term.exact, *added))]
    return [term, *(replace(term, value=path, exact=(path,)) for path in added)]

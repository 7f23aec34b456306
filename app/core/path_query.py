"""Paths given where a search query goes: `landmark-tagger accept Rome/DSC_0042.JPG`,
or a path pasted into the app's search field.

A shell completes file and folder names, and file managers copy whole paths ("Copy as
path" on Windows adds quotes), so people give them as queries. As free words they would
match nothing ("Rome/DSC_0042.JPG" is no word of any photo); an existing file becomes
`path:"…"` and an existing folder `folder:"…"`, both made absolute the way the scanner
stores them. With `exact` (the CLI, whose commands act on what the path names) they
are written `path:="…"`, `folder:="…"`: the disk has them as written, so the index
never respells them to a file or folder it holds in another letter case (a new
img_0001.jpg beside the indexed IMG_0001.JPG on a case-sensitive disk is not that
photo, and `label …/img_0001.jpg` must not label it). Only words that name something on
disk and either hold a separator, are a file, or are `.` or `..` (this folder, the one
above: `accept .` as `accept ./`) are taken: a bare "Petra" stays a free word even when a
folder of that name sits in the current folder, and `-petra` a NOT term unless a file
`-petra` is there. A "-" before a path (`-Rome/DSC_0001.JPG`, `-Rome/`) makes its terms
NOT terms: every photo but those. A path
through a link becomes the forms the index may hold it under (scanned_paths), any of
them.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

from app.core.errors import UsageError
from app.core.path_case import (
    DiskNames, canonical_entry, canonical_path, entries_through_links, spellings_through_links,
)

# cmd.exe's and PowerShell's wildcards for files: no "[" (a folder "Trip [2019]" is common
# on Windows, and glob would take "[2019]" for one character of 2, 0, 1, 9)
WILDCARDS = "*?"


# Files and folders given together become one OR of their terms, each its own SQL
# condition, and SQLite refuses an expression over 1,000 deep (files alone are one term).
MOST_PATHS_WITH_FOLDERS = 500


class NoFileMatches(UsageError):
    """A wildcard pattern given for files matched none (Windows, where the program expands them)."""


def query_with_paths(query: str | list[str], exact: bool = False) -> str | list[str]:
    """The query with a path (the whole string, or any item of a list) made a term
    (written as never to be respelled with `exact`, see path_term); several paths in a
    list mean any of them (see any_of_the_paths)."""
    if isinstance(query, list):
        return any_of_the_paths(query, path_alternatives(query, exact))
    return path_term(query, exact=exact) or query


def path_alternatives(words: list[str], exact: bool = False) -> list[list[str]]:
    """For each word, the terms of the file or folder it names on disk (two for a linked
    photo: its own name and its target's; none for a word that names nothing)."""
    names = DiskNames()
    return [_path_alternatives(word, names, exact) for word in words]


def any_of_the_paths(words: list[str], alternatives: list[list[str]]) -> list[str]:
    """The words with each path's terms in its place (`alternatives`: path_alternatives
    of `words`), several paths meaning any of them. The index takes several `path:`
    terms as any of those files (one term, however many files a shell glob gives), but
    `folder:` terms combine with AND, as typed ones must (`folder:2019 folder:Rome` is
    Rome inside 2019): when the paths include a folder (`accept trip/ other/`, `2019*/`),
    their terms become one OR of them where the first path was. A negated path's terms
    (`-Rome/`) stay where it was, out of the OR: "not there" ANDs with the rest."""
    negated = [bool(terms) and terms[0].startswith("-") for terms in alternatives]  # NOT terms: ANDed, as typed
    found = [term for terms, out in zip(alternatives, negated) if not out for term in terms]
    if len(found) < 2 or not any(term.startswith("folder:") for term in found):
        return [" ".join(terms) or word for word, terms in zip(words, alternatives)]
    if len(found) > MOST_PATHS_WITH_FOLDERS:
        folders = [word for word, terms in zip(words, alternatives) if terms and terms[0].startswith("folder:")]
        named = f"{', '.join(folders[:3])}{', …' if len(folders) > 3 else ''}"
        if all(term.startswith("folder:") for term in found):
            raise UsageError(f"{len(found)} folders at once ({named}): give the folder that holds them "
                             "instead (`Trips/` rather than `Trips/*/`)")
        raise UsageError(f"{len(found)} files and folders at once ({named} among them): give the folders that "
                         "hold the files instead (`Rome/` rather than `Rome/*`), or the files and the folders "
                         "in two commands")
    first = next(at for at, terms in enumerate(alternatives) if terms and not negated[at])
    return [" OR ".join(found) if at == first else " ".join(terms) or word
            for at, (word, terms) in enumerate(zip(words, alternatives)) if not terms or negated[at] or at == first]


def expand_wildcards(words: list[str]) -> list[str]:
    """The words as a POSIX shell hands them over. cmd.exe and PowerShell pass
    `Rome\\*.JPG` as typed, and as one free word it matches nothing (or unrelated
    photos): on Windows a word with a wildcard (* or ?; "[" is a plain character, as
    in cmd.exe, so `Trip [2019]\\*.JPG` is that folder's files) that names files becomes
    those files, sorted, as a shell lists them. A pattern with a separator names files, and
    NoFileMatches says when none match; one without a separator (`DSC_00*.JPG`) is
    expanded where it matches in the current folder and stays a word otherwise, as
    bash leaves it. Negated words, field terms and existing names stay as typed.
    Elsewhere the shell has expanded its patterns already: the words are unchanged."""
    if os.name != "nt":
        return list(words)
    return [match for word in words for match in _files_matching(word)]


def _files_matching(word: str) -> list[str]:
    from app.core.index.query import FIELDS

    if (not any(wildcard in word for wildcard in WILDCARDS) or word.startswith("-")
            or word.split(":", 1)[0].lower() in FIELDS):
        return [word]
    pattern = os.path.expanduser(word)
    try:
        if os.path.lexists(pattern):  # a name holding "?" or "*" (not on Windows disks, but shares)
            return [word]
        matches = sorted(glob.glob(pattern.replace("[", "[[]")))  # "[" as itself, not a class
    except (OSError, ValueError):  # a NUL byte, a name the system refuses: not a path
        return [word]
    if matches:
        return matches
    if any(separator in word for separator in ("/", "\\", os.sep)):
        raise NoFileMatches(f"no file matches {word}")
    return [word]


def pasted_path_query(text: str) -> str:
    """The search field's text, or the term for a whole absolute path pasted into it
    (quoted, "…" as Windows copies it or '…' as a terminal writes a dropped file, or as a
    file:// address). Relative paths mean nothing in the app (it has no current folder),
    so only absolute ones are looked up. A "-" before the path (`-/Volumes/Trip/Rome`)
    leaves out that photo or folder, as in the CLI."""
    given = text.strip()
    negated = is_negated(given)
    path = given[negated:]
    path = path[1:-1] if len(path) > 1 and path[0] == path[-1] and path[0] in "\"'" else path
    if path.lower().startswith("file://"):
        from urllib.parse import unquote, urlparse

        path = unquote(urlparse(path).path)
        if len(path) > 2 and path[0] == "/" and path[2] == ":":
            path = path[1:]  # file:///C:/… → C:/…
    if not is_absolute_path(path):
        return given
    return path_term("-" * negated + path, exact=True) or given  # found on disk: never another file's case twin


def is_absolute_path(text: str) -> bool:
    """/…, ~…, \\server\… or C:\… (C:/…): a path whatever the folder we are in."""
    return text.startswith(("/", "~", "\\")) or (len(text) > 2 and text[1] == ":" and text[2] in "/\\")


def path_terms(paths: list[str], exact: bool = False) -> list[str | None]:
    """path_term of each (photos dropped on the window), their folders listed once."""
    names = DiskNames()
    return [path_term(path, names, exact) for path in paths]


def path_term(text: str, names: DiskNames | None = None, exact: bool = False) -> str | None:
    """`path:"…"` or `folder:"…"` for a typed path that exists, else None. With `exact`,
    `path:="…"` or `folder:="…"`: the index takes them as written, never respelling them
    to a file or folder it holds in another letter case. A path through a link gets
    several terms (see _path_alternatives): `path:` ones, which the index takes as any
    of those files (as it does several typed ones), so the terms of several photos can
    stand side by side; `folder:` ones joined by OR."""
    alternatives = _path_alternatives(text, names or DiskNames(), exact)
    return " ".join(any_of_the_paths([text], [alternatives])) if alternatives else None


def _path_alternatives(text: str, names: DiskNames, exact: bool) -> list[str]:
    """The terms of the file or folder `text` names on disk, any of which finds it: its
    scanned_paths, and a linked photo's target too; none for a word that names nothing
    there. A word that starts with "-" names that file or folder (`-x.jpg` completed by a
    shell), else it is a NOT term: of the path after the "-" when that is one
    (`-Rome/DSC_0001.JPG`, `-Rome/`: each term negated, so the photos there are left out),
    of its words otherwise (`-has:gps`, `-petra`)."""
    text = text.strip()
    terms = _terms_of_the_path(text, names, exact)
    if terms or not is_negated(text):
        return terms
    return [f"-{term}" for term in _terms_of_the_path(text[1:], names, exact)]


def is_negated(word: str) -> bool:
    """`-Rome/`, `-has:gps`: a query's NOT term (`--` starts no term)."""
    return len(word) > 1 and word.startswith("-") and not word.startswith("--")


def _terms_of_the_path(text: str, names: DiskNames, exact: bool) -> list[str]:
    from app.core.index.query import FIELDS

    text = text.strip()
    if not text or text.split(":", 1)[0].lower() in FIELDS:
        return []  # a field term (label:…): not a path
    separators = {"/", os.sep} | ({os.altsep} if os.altsep else set())
    try:
        path = Path(text).expanduser()
        is_file, is_dir = path.is_file(), path.is_dir()
    except (OSError, ValueError):  # a name too long, a NUL byte: not a path
        return []
    named_folder = text in (os.curdir, os.pardir) or any(sep in text for sep in separators)
    if not (is_file or (is_dir and named_folder)):
        return []
    field = "path" if is_file else "folder"
    mark = "=" if exact else ""
    found = scanned_paths(path, names)
    if is_file and path.is_symlink():  # indexed by its own name, or as the library's photo it links to
        found.append(str(canonical_path(path, names)))
    return [f'{field}:{mark}"{where.replace(chr(34), chr(34) * 2)}"' for where in dict.fromkeys(found)]


def scanned_paths(path: Path, names: DiskNames | None = None, index=None) -> list[str]:
    """The paths under which the scanner may hold this file or folder: first as typed,
    the links on the way kept (a folder linked into a library folder is indexed under
    the link's path), then scanned_path (a link into the library: its photos are indexed
    in their own folder); one when no link is on the way (path_case.spellings_through_links).
    Given the `index`, last the path under another link to its folder that scans keep
    instead of the one on the way (scan_links.kept_link_spellings)."""
    if index is None:
        return _spellings_on_the_way(path, names)
    return scanned_paths_of([path], names, index)[0]


def scanned_paths_of(paths: list[Path], names: DiskNames | None, index) -> list[list[str]]:
    """scanned_paths of each of `paths` (a shell glob's files), the walked links read once
    for all of them rather than once a path."""
    from app.core.scan_links import kept_link_spellings

    found = [_spellings_on_the_way(path, names) for path in paths]
    kept = kept_link_spellings(index, list(dict.fromkeys(form for forms in found for form in forms)))
    return [list(dict.fromkeys([*forms, *(kept[form] for form in forms if form in kept)])) for forms in found]


def _spellings_on_the_way(path: Path, names: DiskNames | None) -> list[str]:
    path = Path(path).expanduser()
    forms = spellings_through_links(path, names) if path.is_dir() else entries_through_links(path, names)
    return [str(form) for form in forms]


def scanned_path(path: Path, names: DiskNames | None = None) -> str:
    """The path the scanner stores for this file or folder: folders (linked ones too)
    resolved, a file by its own name in its resolved folder, so a symbolic link to a
    photo stands for the link's entry, not its target's; each name spelled as the disk
    stores it (a case-insensitive disk opens `~/pictures/trip` for `~/Pictures/Trip`).
    Share `names` across many paths."""
    path = Path(path).expanduser()
    if path.is_dir():
        return str(canonical_path(path, names))
    return str(canonical_entry(path, names))

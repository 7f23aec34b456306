"""The words a review or write command was given as its query, and those among them
written as a path (a separator, or a photo file's extension) that name nothing: no file,
no folder, no photo of the library. accept, reject, label and write name such a typo as
not found (exit 1) rather than take the query without it, or report "0 files"."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

NOT_THERE = "no such file or folder, nor a photo of the library; check the path (is the drive mounted?)"


def words_as_typed(args: argparse.Namespace) -> list[str]:
    """The query's words as the user typed them, for messages: a path given became
    `path:="…"` terms (its target's path too, when it goes through a link), never typed."""
    return list(getattr(args, "query_as_typed", None) or [args.query])


def paths_not_there(index, args: argparse.Namespace) -> list[tuple[str, str]]:
    """(path, why) for each word typed as the query that is written as a path, with a
    separator or a photo file's extension (`Rome/DSC_0042.JPG`, `DSC_0042.JPG`, the rule
    of path_query and photo_info.file_kind), but names no file or folder and no photo of
    the library: a typo or a file gone, which the query would otherwise drop without a
    word beside the files found (`reject typo.jpg real.jpg` changed real.jpg, exit 0). A
    bare word stays a search word (`accept Colosseum`), so does a query of several terms,
    and a file name that matches photos as a word (`accept DSC_0042.JPG`), or a word with
    a separator inside (`AC/DC`); one written only as a path is (only_a_path: `Rom/`)
    does not, though "Rom" finds the Rome photos as a word."""
    from app.cli.command_line import is_negated_word
    from app.core.errors import QuerySyntaxError
    from app.core.index.query import FIELDS
    from app.core.photo_info import file_kind

    if not getattr(args, "query", None):
        return []  # '' (all photos) or nothing typed
    separators = {"/", os.sep} | ({os.altsep} if os.altsep else set())
    gone = []
    for word in words_as_typed(args):
        terms = word.split()
        if (not terms or any(is_negated_word(term) or term == "OR" or term.split(":", 1)[0].lower() in FIELDS
                             for term in terms)):
            continue  # a query's terms, not a path
        path = Path(word).expanduser()
        if not any(separator in word for separator in separators) and file_kind(path.name) is None:
            continue  # a bare word: a search word
        if is_there(word):
            continue  # a file or folder: the query's path term finds it
        as_path = str(path.absolute()).replace('"', '""')
        # written only as a path is (`Rom/`): "Rom" finding the Rome photos as a word is no reason to take it
        queries = ([f'path:"{as_path}"', f'folder:"{as_path}"'] if only_a_path(word, separators)
                   else [word, f'path:"{as_path}"'])
        try:
            if any(index.photo_ids(query) for query in queries):
                continue  # matches photos as a word, or a photo (a folder) the library holds there
        except QuerySyntaxError:
            pass
        gone.append((str(path), NOT_THERE))
    return gone


def only_a_path(word: str, separators: set[str]) -> bool:
    """Whether a word is written as only a path is: ending with a separator (`Rome/`),
    starting at a root, home or this folder (`/mnt/x`, `~/x`, `./x`, `C:\\x`), a photo
    file in a folder (`Rome/DSC_1.JPG`), or a name in a folder that is there
    (`Rome/DSC_1`). A separator inside a word otherwise (`AC/DC`, `2024/05`) may be a
    search word's."""
    from app.core.path_query import is_absolute_path
    from app.core.photo_info import file_kind

    if not any(separator in word for separator in separators):
        return False
    first = min(word.index(separator) for separator in separators if separator in word)
    folder = word[:first]
    return (word[-1] in separators or is_absolute_path(word) or folder in (os.curdir, os.pardir)
            or file_kind(Path(word).name) is not None or bool(folder) and is_there(folder))


def words_left(args: argparse.Namespace, not_there: list[tuple[str, str]]) -> list[str] | None:
    """The words typed less the paths `not_there`, or None when nothing is to be done:
    without them the other words would act alone (`reject Vienna/IMG_9.JPG -eiffel`
    would reject every photo but the Eiffel Tower's, a search word written with a slash,
    `reject "AC/DC Tower" Vienna/`, the whole folder), or nothing else was typed. Photo
    files not there beside files and folders there are each a term ORed with the others:
    without them, the query matches no photo it would not have."""
    from app.core.photo_info import file_kind

    gone = {path for path, _ in not_there}
    rest = [word for word in words_as_typed(args) if str(Path(word).expanduser()) not in gone]
    if not rest or not all(map(is_there, rest)) or any(file_kind(Path(path).name) is None for path in gone):
        return None
    return rest


def query_of(words: list[str]) -> str:
    """The query made again from words typed, the files and folders among them made
    terms as the command line makes them (path_query)."""
    from app.core.path_query import query_with_paths

    return " ".join(query_with_paths(words, exact=True)) if words else ""


def is_there(word: str) -> bool:
    """Whether a word typed is a file or folder there (a path term of the query)."""
    try:
        return Path(word).expanduser().exists()
    except (OSError, ValueError):  # a name too long, a NUL byte: none there
        return False

"""The words a review or write command was given as its query, and what those written
as a path (a separator, or a photo file's extension) name when no file or folder is
there: a photo or folder the index holds at that path (its drive not mounted, its file
gone), which the query then takes as that path's term, or nothing at all, a typo.
accept, reject, label and write name each such typo as not found (exit 1) and do
nothing, rather than take the query without it, act on the other paths, or report
"0 files"."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

NOT_THERE = "no such file or folder, nor a photo of the library; check the path (is the drive mounted?)"


@dataclass(frozen=True)
class TypedPaths:
    """What the paths typed as the query name: (path, why) for each that names nothing
    (`not_there`), and the query made again with each path that only the index holds
    as that photo's or folder's term (`query`; None when no path is such); of the paths
    that name nothing, those typed negated (`-Rome/typo.jpg`: `negated_not_there`),
    which as words would leave out no photo: search names those."""

    not_there: list[tuple[str, str]]
    query: str | None = None
    negated_not_there: list[tuple[str, str]] = field(default_factory=list)  # those typed after a "-", also above


def words_as_typed(args: argparse.Namespace) -> list[str]:
    """The query's words as the user typed them, for messages: a path given became
    `path:="…"` terms (its target's path too, when it goes through a link), never typed."""
    return list(getattr(args, "query_as_typed", None) or [args.query])


def written_as_a_path(word: str) -> bool:
    """Whether a word typed is written as a path: with a separator or a photo file's
    extension (`Rome/DSC_0042.JPG`, `DSC_0042.JPG`, the rule of path_query and
    photo_info.file_kind), and no NOT term, OR or field term among its terms (those are a
    query's). A bare word (`Colosseum`) is a search word."""
    from app.cli.command_line import is_negated_word
    from app.core.index.query import FIELDS
    from app.core.photo_info import file_kind

    terms = word.split()
    if not terms or any(is_negated_word(term) or term == "OR" or term.split(":", 1)[0].lower() in FIELDS
                        for term in terms):
        return False
    return any(separator in word for separator in _separators()) or file_kind(Path(word).name) is not None


def typed_paths(index, args: argparse.Namespace) -> TypedPaths:
    """The paths typed as the query that name no file or folder there, looked up in the
    index. One the index holds a photo or a folder at (the drive not mounted, the file
    gone) becomes that path's term, as `path:"…"` finds it: as a bare word it matched
    nothing (or other photos by their words). One that names nothing is a typo or a file
    gone, which the query would otherwise drop without a word (`reject typo.jpg
    real.jpg` changed real.jpg). A bare file name that matches photos as a word stays
    one (`accept DSC_0042.JPG`), and so does a word with a separator inside (`AC/DC`);
    one written only as a path is (only_a_path: `Rom/`) does not, though "Rom" finds
    the Rome photos as a word. A path after a "-" (`-Rome/DSC_0042.JPG`) is looked up
    the same: the index's photo or folder there becomes its NOT term, and nothing there
    is as much a typo (as a NOT of words it would leave out nothing, and `reject` act
    on the very photo meant to be left out). One holding a space (`-Old Town/`) is the
    index's photo or folder there too, but names no typo: nothing there, it stays a NOT
    of its words, as `-Rome/ Paris/` typed as one argument means."""
    from app.core.errors import QuerySyntaxError
    from app.core.path_query import is_negated

    if not getattr(args, "query", None):
        return TypedPaths([])  # '' (all photos) or nothing typed
    words = words_as_typed(args)
    held: dict[int, str] = {}
    gone, gone_negated = [], []
    for at, typed in enumerate(words):
        # `-Rome/x.JPG`: the path after the "-", unless `-x.JPG` is there
        negated = is_negated(typed) and not is_there(typed)
        spaced = negated and len(typed.split()) > 1  # `-Old Town/`, or `-Rome/ Paris/` typed as one argument
        word = typed[negated:]
        if not written_as_a_path(word) or is_there(word):
            continue  # a search word, or a file or folder: the query's path term finds it
        path = Path(word).expanduser()
        as_path = str(path.absolute()).replace('"', '""')
        try:
            term = next((term for term in (f'path:"{as_path}"', f'folder:"{as_path}"') if index.photo_ids(term)),
                        None)
            if term is not None:
                held[at] = "-" * negated + term
                continue
            if spaced:
                continue  # no photo or folder there: NOT of its words, as `-Rome/ Paris/` means (no typo named)
            # written only as a path is (`Rom/`): "Rom" finding the Rome photos as a word is no reason to take it
            if not only_a_path(word, _separators()) and index.photo_ids(word):
                continue
        except QuerySyntaxError:
            pass
        gone.append((str(path), NOT_THERE))
        if negated:
            gone_negated.append(gone[-1])
    return TypedPaths(gone, _query_with_held_paths(words, held) if held else None, gone_negated)


def _query_with_held_paths(words: list[str], held: dict[int, str]) -> str:
    """The query made again from words typed, as the command line makes it
    (path_query, exact), the paths only the index holds given their `held` terms."""
    from app.core.path_query import any_of_the_paths, path_alternatives

    alternatives = path_alternatives(words, exact=True)
    for at, term in held.items():
        alternatives[at] = [term]
    return " ".join(any_of_the_paths(words, alternatives))


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


def may_be_a_name_piece(word: str) -> bool:
    """Whether a word typed may be a piece of a place name the shell split, its quotes
    forgotten (`AC/DC` of `label FILE AC/DC Tower`): no file or folder there, no NOT
    term, nor written only as a path is (`Rome/`, `Rome/DSC_0009.JPG`)."""
    from app.cli.command_line import is_negated_word

    return not (is_there(word) or is_negated_word(word) or only_a_path(word, _separators())
                or _is_query_syntax(word))


def _is_query_syntax(word: str) -> bool:
    """A word the search language reads as more than a word (`OR`, `NOT`, `state:suggested`,
    `score>0.5`): the query's, never a piece of a name the shell split (quoting it into
    NAME would label every photo the query was to leave out)."""
    from app.core.index.query_parser import FIELD_PATTERN, FIELDS, SCORE_PATTERN

    field = FIELD_PATTERN.match(word)
    return (word.upper() in {"OR", "NOT", "AND"} or bool(SCORE_PATTERN.match(word))
            or bool(field and field.group(1).lower() in (*FIELDS, "score")))


def is_there(word: str) -> bool:
    """Whether a word typed is a file or folder there (a path term of the query)."""
    try:
        return Path(word).expanduser().exists()
    except (OSError, ValueError):  # a name too long, a NUL byte: none there
        return False


def _separators() -> set[str]:
    return {"/", os.sep} | ({os.altsep} if os.altsep else set())


def nothing_done_line(verb: str, args: argparse.Namespace, not_there: list[tuple[str, str]]) -> str | None:
    """The line after the paths not there when other words were typed beside them: the
    command did nothing, so that no one takes the good paths for done (`reject a.JPG
    typo.JPG` rejects neither: fixing the typo beats half the command done)."""
    if not not_there or len(words_as_typed(args)) <= len(not_there):
        return None
    done = "written" if verb == "write" else "changed"
    paths = "path" if len(not_there) == 1 else "paths"
    return f"{verb}: nothing {done}; correct the {paths} above and run it again"

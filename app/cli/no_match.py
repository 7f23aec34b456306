"""The line of a command whose query matched no photo at all (`accept Colosseun`,
`write Colosseun`): one wording for every command that takes a query and acts on its
photos, naming the landmark the query likely misspells, so a typo fails a script
(exit 1) instead of looking like success or sending the user to the wrong cure."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.paths_typed import is_there, words_as_typed

SEARCH_HINT = "try it with `landmark-tagger search`"


def no_match_hint(index, query: str) -> str:
    """What to try instead: the label: term of a landmark on the photos that `query`'s
    plain words likely misspell (as search says it), else the search to try it with."""
    from app.core.landmark_typo_hints import landmark_typo_choices
    from app.core.library import landmark_counts

    choices = landmark_typo_choices(query, (name for name, _ in landmark_counts(index)))
    return f"did you mean {choices}?" if choices else SEARCH_HINT


def no_match_line(verb: str, args: argparse.Namespace, hint: str = "") -> str:
    """`accept: no photo matches 'Colosseun' (did you mean label:"Colosseum"?)`."""
    return f"{verb}: no photo matches {' '.join(words_as_typed(args))!r} ({hint or SEARCH_HINT})"


# The terms a typo can make match nothing: free words and a label: name (a landmark
# misspelt), a path: (a file name mistyped), a folder: naming no folder of the index. The
# other fields filter (is:, state:, date:, camera:, a folder: the index holds, …): matching
# nothing is an empty result, and so is a NOT term.
_TYPO_FIELDS = frozenset({"text", "label", "path"})


def could_be_a_typo(query: str, index=None) -> bool:
    """Whether `query`, matching no photo, is plausibly a typo (`write Colosseun`: exit 1,
    "no photo matches"), not an empty result (`write is:unwritten` with every file
    written: a cron job's normal run, exit 0). With `index`, a folder: term naming a
    folder no photo of the index is in or below is one too (`folder:Rmoe`), as a path: is;
    one it holds filters (`is:unwritten folder:Rome`), and so does one that is a folder on
    disk (an empty library folder, one spelt through a link or with ".."), as the plain
    path is (names_a_path). A query that does not parse is left to say so where it is run."""
    from app.core.index.query_parser import AnyOf, parse_query
    from app.core.errors import QuerySyntaxError

    try:
        items = parse_query(query).terms
    except QuerySyntaxError:
        return True
    positive = [term for item in items for term in (item.terms if isinstance(item, AnyOf) else (item,))
                if not (term.negated or item.negated)]
    return any(term.field in _TYPO_FIELDS for term in positive) or (
        index is not None and any(term.field == "folder" and not _is_a_folder(term.value)
                                  and not _folder_known(index, term.value) for term in positive))


def _is_a_folder(folder: str) -> bool:
    """Whether `folder` names a folder on disk (`~` expanded; links and ".." followed by the
    system, relative to the working folder, as a plain path typed is)."""
    try:
        return Path(folder).expanduser().is_dir()
    except (OSError, ValueError, RuntimeError):  # a name too long, a NUL byte, no home to expand: none there
        return False


def _folder_known(index, folder: str) -> bool:
    """Whether a photo of the index is in `folder` or below it, as folder: finds it (one
    missing too: its drive not mounted is no typo). A term that does not compile is left
    to say so where the query is run."""
    from app.core.errors import QuerySyntaxError

    term = 'folder:"' + folder.replace('"', '""') + '"'
    try:
        return any(index.count(query, limit=1) for query in (term, term + " is:missing"))
    except QuerySyntaxError:
        return True


def names_a_path(args: argparse.Namespace) -> bool:
    """Whether a word typed is a file or folder there: a library folder holding no photo
    matches none, and that is no typo (`write Rome/empty` writes nothing, exit 0)."""
    return any(is_there(word) for word in words_as_typed(args))

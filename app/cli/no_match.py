"""The line of a command whose query matched no photo at all (`accept Colosseun`,
`write Colosseun`): one wording for every command that takes a query and acts on its
photos, naming the landmark the query likely misspells, so a typo fails a script
(exit 1) instead of looking like success or sending the user to the wrong cure."""

from __future__ import annotations

import argparse

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


def names_a_path(args: argparse.Namespace) -> bool:
    """Whether a word typed is a file or folder there: a library folder holding no photo
    matches none, and that is no typo (`write Rome/empty` writes nothing, exit 0)."""
    return any(is_there(word) for word in words_as_typed(args))

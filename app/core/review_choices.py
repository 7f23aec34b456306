"""The user's own review choices that a bulk accept or reject leaves as they are.

"Reject the wrong ones, then accept the rest" is how photos are reviewed: `accept
QUERY` over many photos must not turn a label the user rejected back into an accepted
one (which `write` then puts into the file), nor `reject QUERY` reject a label the
user accepted or gave. Such a photo changes only when the user names it: its file
given (typed, or as a shell glob gives it, or a `path:` term), its file name or stem
typed as a word (`reject DSC_0041`), or the query asking for that state (`accept
'label:Petra state:rejected'`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Collection, Mapping, Sequence

from app.core.index.connection import id_chunks
from app.core.index.query_parser import AnyOf, Query, Term, parse_query
from app.core.index.search_text import fold_words

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from app.core.index.labels import ReviewState

# the state set -> the user's choice that setting it would overturn
OVERTURNED_CHOICE = {"accepted": "rejected", "rejected": "accepted"}


@dataclass(frozen=True)
class ReviewTargets:
    """The photos a review command changes, and those left as they are (`kept`): the
    user's own choice, in the state `kept_state`, which the command did not name."""

    change: list[int]
    kept: list[int]
    kept_state: str


def review_targets(index: "PhotoIndex", photo_ids: Sequence[int], state: str, query: str,
                   named_ids: Collection[int] = ()) -> ReviewTargets:
    """The matching photos split into those `state` is set on and the user's choices
    kept (see the module). `named_ids`: the photos of the files typed on the command
    line. Read in the caller's transaction, so that the split still holds when the
    states change in it."""
    kept_state = OVERTURNED_CHOICE.get(state, "")
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    if not kept_state or not ids:
        return ReviewTargets(ids, [], kept_state)
    parsed = parse_query(query or "")
    if _asks_for_state(parsed, kept_state) or _names_files_only(parsed):
        return ReviewTargets(ids, [], kept_state)
    named = {int(i) for i in named_ids}
    choices = _users_choices(index, [i for i in ids if i not in named], kept_state)
    choices -= _named_by_file_name(index, choices, parsed)
    return ReviewTargets([i for i in ids if i not in choices], [i for i in ids if i in choices], kept_state)


def choices_kept_among(ids: list[int], state: str, states: Mapping[int, "ReviewState"]) -> tuple[list[int], list[int]]:
    """(the photos to change, those left as they are) of the app's A or R on several chosen
    photos (Ctrl+A on a search), by their (label, state) as the app looked (`states`): A
    leaves those whose label the user rejected and R those the user accepted, as accept
    and reject of a query do; chosen alone, or all of that kind, they are what the user
    means to change."""
    kept_state = OVERTURNED_CHOICE[state]
    kept = [i for i in ids if states.get(i, (None, "unlabelled"))[1] == kept_state]
    if not kept or len(kept) == len(ids):
        return ids, []
    left = set(kept)
    return [i for i in ids if i not in left], kept


def _users_choices(index: "PhotoIndex", photo_ids: list[int], kept_state: str) -> set[int]:
    """Those of these photos whose label is the user's choice in `kept_state`: rejected,
    or (for a reject) accepted or given by the user (source user) and not rejected."""
    if kept_state == "rejected":
        condition = "state = 'rejected'"
    else:
        condition = "state != 'rejected' AND (state = 'accepted' OR source = 'user')"
    found: set[int] = set()
    for chunk, marks in id_chunks(photo_ids):
        found.update(int(row[0]) for row in index.conn.execute(
            f"SELECT photo_id FROM labels WHERE photo_id IN ({marks}) AND {condition}", chunk))
    return found


def _named_by_file_name(index: "PhotoIndex", photo_ids: Collection[int], query: Query) -> set[int]:
    """Those of these photos one of whose file names, or its stem, the query has as a
    word (`reject DSC_0041`, `accept a.jpg`, `DSC_1 OR DSC_2`), compared as search folds them."""
    words = {fold_words(term.value) for term in _terms_asked_for(query) if term.field == "text" and not term.negated}
    words.discard(())
    if not words or not photo_ids:
        return set()
    found: set[int] = set()
    for chunk, marks in id_chunks(sorted(photo_ids)):
        rows = index.conn.execute(f"SELECT photo_id, name FROM files WHERE photo_id IN ({marks})", chunk)
        for photo_id, name in rows:
            stem = name.rsplit(".", 1)[0]
            if fold_words(name) in words or fold_words(stem) in words:
                found.add(int(photo_id))
    return found


def _asks_for_state(query: Query, state: str) -> bool:
    """The query has a `state:` term for `state`, alone or among OR's choices
    (`state:rejected`, `state:suggested|rejected`), not negated."""
    return any(term.field == "state" and term.value == state and not term.negated
               for term in _terms_asked_for(query))


def _names_files_only(query: Query) -> bool:
    """Every photo the query matches is one of the files it names: it holds a `path:`
    term (the files typed become one) that is not negated nor an OR choice beside
    other kinds of terms."""
    for item in query.terms:
        if isinstance(item, AnyOf):
            if not item.negated and all(term.field == "path" and not term.negated for term in item.terms):
                return True
        elif item.field == "path" and not item.negated:
            return True
    return False


def _terms_asked_for(query: Query) -> list[Term]:
    """The query's terms, those joined by OR included, unless the OR is negated."""
    terms: list[Term] = []
    for item in query.terms:
        if isinstance(item, AnyOf):
            terms += [] if item.negated else list(item.terms)
        else:
            terms.append(item)
    return terms

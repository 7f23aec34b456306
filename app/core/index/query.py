"""The search language shared by the CLI and the GUI, parsed into terms
(app.core.index.query_parser) and compiled here to SQL WHERE clauses with parameters.

    eiffel "notre dame" label:"Eiffel Tower" camera:D850 lens:18-55mm date:2020-11
    after:2020-11-01 before:2021-01-01 score>0.8 state:suggested folder:Paris
    path:/photos/DSC_0001.JPG has:gps has:raw has:date has:label is:missing id:12,40 -word
    is:problem is:damaged is:unreadable is:write-failed is:undo-failed is:teach-failed is:unwritten

Terms combine with AND; OR (in capitals) between two terms matches either
(`Colosseum OR Petra state:accepted`: OR binds the terms beside it, as in mail
searches); a leading '-' negates a term; the empty query matches every photo that is
not missing. `has:label`: the label names a landmark (in any state); `-has:label`:
"no landmark" or never tagged (`state:unlabelled` alone). Free words match whole words of the label,
folder, file names, camera and lens, case and accents ignored; the last free word
also matches as a prefix ("eiff" finds "Eiffel"), as when typing. The words are
folded as the index folds them (search_text.fold_words: "strasse" finds "Straße",
"kobenhavn" "København", "paris" "Ｐａｒｉｓ"; each letter of a script written without
spaces is a word of its own, so "旅行" finds "京都旅行"), whichever store answers.

`path:="…"` and `folder:="…"` (written by app.core.path_query for a path that exists
on disk, spelled as the disk spells it) are taken as written: never respelled to a
file or folder the index holds in another letter case (see folder_spelling). `id:12,40`:
the photos of these ids (the "id" of every per-photo --json line). `is:damaged` and the
other problem terms: the photos with such a problem now (problem_terms); `is:unwritten`:
those whose files `write` would change now, as the index knows them (unwritten_term).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from app.core.errors import QuerySyntaxError
from app.core.folder_paths import native_separators, subtree_range
from app.core.index.query_parser import (
    FIELDS, PATH_JOIN, PREFIX_END, AnyOf, Query, Term, parse_query,
)
from app.core.path_query import is_absolute_path

__all__ = [
    "FIELDS", "PATH_JOIN", "AnyOf", "CompiledQuery", "Query", "QuerySyntaxError", "Term",
    "compile_query", "folder_condition", "parse_query",
]


@dataclass(frozen=True)
class CompiledQuery:
    """The query as SQL over `photos AS p` (and `labels AS l` for the row form).

    `where`/`params`: indexed form (FTS5 and label indexes pick the rows, then
    they are sorted), best when few photos match.
    `row_where`/`row_params`: the same conditions tested row by row on
    `p LEFT JOIN labels l`, for walking photos newest first and stopping at
    the page's end, best when many match; None when a term has no row form.
    `range_where`/`range_params`: the date conditions alone (they bound the walk).
    """

    where: str
    params: tuple
    uses_text_search: bool
    row_where: str | None = None
    row_params: tuple = ()
    range_where: str = "1"
    range_params: tuple = ()
    # (SQL selecting the ids one positive indexed term allows, alternative
    # parameter tuples from cheapest to exact): the planner counts a few of them
    # to tell "few match" from "many match".
    selectors: tuple[tuple[str, tuple[tuple, ...]], ...] = ()
    picks_ids: bool = False  # an FTS or label term selects photo ids (sort via photos_sort_key)
    # the positive FTS5 expression, and `where` without it, for joining from
    # photos_fts (cheaper than `p.id IN (…)` when many words match)
    fts_match: str | None = None
    where_without_fts: str = ""
    params_without_fts: tuple = ()
    # photos_by_time (rowid = sort_key, see time_order): an FTS5 expression
    # allowing a superset of the matches (row_where decides), and the sort_key
    # range the date terms allow; None when no positive term has a time-ordered form.
    time_match: str | None = None
    key_range: tuple[int, int] = (-(1 << 63), (1 << 63) - 1)
    time_prefix: str = ""  # the free words whose last is a prefix (see time_order.expand_prefix)
    # terms joined by OR: testing rows one by one until a count's cap is slow when few
    # match (3 s for two file names among 1,000,000 photos); the indexed form is not
    joins_alternatives: bool = False
    # a positive problem term (is:damaged …): few photos have one, so the planner counts
    # the selectors before walking photos_by_time ("eiffel is:damaged" on 20,000 photos: 340 ms
    # a page walking the candidates of "eiffel", 15 ms sorting the damaged ones)
    counts_first: bool = False


def compile_query(query: Query, with_rejected_labels: bool = False) -> CompiledQuery:
    """Turn parsed terms into SQL. Text-like terms (free words, camera:, lens:, folder
    names) go into one FTS5 MATCH; the others become indexed conditions.
    `with_rejected_labels`: `label:` finds rejected labels too (see LABEL_NOT_REJECTED)."""
    query = _without_wordless_words(query)
    if not with_rejected_labels:
        query = _labels_as_decided(query)
    conditions: list[str] = []
    params: list = []
    positive_fts: list[str] = []
    negative_fts: list[str] = []
    wants_missing = False
    prefix_term = _prefix_term(query)
    for term in query.terms:
        if term.field == "is" and term.value == "missing":
            wants_missing = not term.negated
            continue
        fts = _fts_expression(term, prefix=term is prefix_term)
        if fts is not None:
            (negative_fts if term.negated else positive_fts).append(fts)
            continue
        sql, values = _any_condition(term, prefix_term) if isinstance(term, AnyOf) else _condition(term)
        conditions.append(f"NOT coalesce(({sql}), 0)" if term.negated else sql)
        params.extend(values)
    missing_condition = "p.missing = 1" if wants_missing else "p.missing = 0"
    fts_match = None
    without_fts = (_joined([missing_condition, *conditions], "AND"), tuple(params))
    if positive_fts:
        # FTS5 flattens a run of ANDs or ORs but nests each NOT (at most 256 deep)
        expression = " AND ".join(positive_fts) + (f" NOT ({' OR '.join(negative_fts)})" if negative_fts else "")
        fts_match = expression
        conditions.insert(0, "p.id IN (SELECT rowid FROM photos_fts WHERE photos_fts MATCH ?)")
        params.insert(0, expression)
    elif negative_fts:
        conditions.insert(0, "p.id NOT IN (SELECT rowid FROM photos_fts WHERE photos_fts MATCH ?)")
        params.insert(0, " OR ".join(negative_fts))
    conditions.insert(0, missing_condition)
    row_where, row_params = _row_form(query, wants_missing, prefix_term)
    range_conditions: list[str] = []
    range_params: list = []
    for term in query.terms:
        if term.field in ("date", "after", "before") and not term.negated:
            sql, values = _condition(term)
            range_conditions.append(sql)
            range_params.extend(values)
    from app.core.index.unwritten_list import LISTED

    selectors: list[tuple[str, tuple[tuple, ...]]] = []
    picks_ids = bool(positive_fts)
    if positive_fts:
        # FTS5 builds the whole merged doclist of a prefix term before the first
        # row, so first count the words as whole words: cheap, and when that
        # already finds many, the prefix form finds at least as many.
        exact = " AND ".join(e.removesuffix("*") for e in positive_fts)
        alternatives = ((exact,), (params[0],)) if exact != params[0] else ((exact,),)
        selectors.append(("SELECT rowid FROM photos_fts WHERE photos_fts MATCH ?", alternatives))
    for term in query.terms:
        if (not term.negated and term.field in ("label", LABEL_NOT_REJECTED, "score", "state", "path", "id", "is", LISTED)
                and term.value not in ("unlabelled", "missing")):
            sql, values = _condition(term)
            selectors.append((sql.removeprefix("p.id IN (").removesuffix(")"), (tuple(values),)))
            picks_ids = True
        elif not term.negated and term.field == "folder" and is_absolute_path(term.value):
            sql, values = _condition(term)
            selectors.append((f"SELECT p.id FROM photos p WHERE {sql}", (tuple(values),)))
    return CompiledQuery(
        _joined(conditions, "AND"), tuple(params), bool(positive_fts or negative_fts),
        row_where, row_params, _joined(range_conditions, "AND") or "1", tuple(range_params), tuple(selectors),
        picks_ids, fts_match, *without_fts, *_time_form(query, prefix_term),
        joins_alternatives=any(isinstance(term, AnyOf) for term in query.terms),
        counts_first=any(term.field in ("is", LISTED) and term.value != "missing" and not term.negated
                         for term in query.terms),
    )


# What `label:X` selects, the one rule for every command (README, "label:"):
# - search and all built on it (the app's search bar, library panel and saved searches,
#   `search --json`, accept, reject, label, suggest, the app's bulk accept): the photos whose
#   label X the user has not rejected, unless the query asks for `state:rejected` (a label
#   the user rejected is no claim that the photo shows that landmark, as its words are not
#   searchable); compiled as LABEL_NOT_REJECTED;
# - write (compile_query's with_rejected_labels, from plan_writes): every photo labelled X,
#   rejected too, as its files may hold our keyword X and taking a rejected keyword out
#   is part of its job. rename counts every holder (library.label_holders_query).
LABEL_NOT_REJECTED = "label (not rejected)"


def _labels_as_decided(query: Query) -> Query:
    """The query with its `label:` terms finding the labels the user did not reject,
    unless it asks for rejected photos (`label:Petra state:rejected`, as `accept` of
    those is typed: review_choices): a rejected suggestion says the photo is not Petra."""
    flat = [t for item in query.terms for t in (item.terms if isinstance(item, AnyOf) and not item.negated else (item,))]
    if any(t.field == "state" and t.value == "rejected" and not t.negated for t in flat):
        return query

    def decided(term: Term) -> Term:
        return replace(term, field=LABEL_NOT_REJECTED) if term.field == "label" else term

    return Query(tuple(replace(item, terms=tuple(map(decided, item.terms))) if isinstance(item, AnyOf)
                       else decided(item) for item in query.terms))


def _time_form(query: Query, prefix_term: Term | None) -> tuple[str | None, tuple[int, int], str]:
    """The photos_by_time expression (positive terms only: the row form tests
    every term exactly) and the sort_key range of the date terms."""
    from app.core.index.search_text import FIELD_TAGS, FOLDER_TAG, fold_words
    from app.core.index.time_order import fts_phrase, key_after_all_before, lowest_key_at_or_after, state_phrase

    phrases: list[str] = []
    low, high = -(1 << 63), (1 << 63) - 1
    for term in query.terms:
        if term.negated:
            continue
        phrase = None
        if term.field == "text":
            phrase = fts_phrase(term.value, prefix=term is prefix_term)
        elif term.field in ("camera", "lens"):
            phrase = fts_phrase(term.value, prefix=False, tag=FIELD_TAGS[term.field])
        elif term.field == "folder":
            if not is_absolute_path(term.value):
                phrase = fts_phrase(term.value, prefix=False, tag=FOLDER_TAG)
            else:
                # the path's last word picks the candidates (its first words, like
                # "home user pictures", are in every photo); the row form tests the path
                folder = os.path.expanduser(term.value).rstrip("/\\")
                words = fold_words(folder) if folder.encode("utf-8", "replace").decode("utf-8") == folder else ()
                phrase = fts_phrase(words[-1], prefix=False, tag=FOLDER_TAG) if words else None
        elif term.field == "state":
            phrase = state_phrase(term.value)
        elif term.field in ("date", "after"):
            low = max(low, lowest_key_at_or_after(term.value))
        if term.field in ("date", "before"):
            high = min(high, key_after_all_before(term.value + (PREFIX_END if term.field == "date" else "")))
        if phrase is not None:
            phrases.append(phrase)
    prefix_text = prefix_term.value if prefix_term is not None else ""
    return (" AND ".join(phrases) if phrases else None), (low, high), prefix_text


def _prefix_term(query: Query) -> Term | None:
    """The last unquoted free word (not negated), also one joined by OR: it also
    matches as a prefix (search as you type); other words match whole words, which
    FTS5 answers much faster."""
    flat = [t for item in query.terms for t in (item.terms if isinstance(item, AnyOf) else (item,))]
    texts = [t for t in flat if t.field == "text" and not t.phrase and not t.negated]
    return texts[-1] if texts else None


def _row_form(query: Query, wants_missing: bool, prefix_term: Term | None) -> tuple[str | None, tuple]:
    """Every term as a condition on one row of `p LEFT JOIN labels l`."""
    conditions = ["p.missing = 1" if wants_missing else "p.missing = 0"]
    params: list = []
    for term in query.terms:
        if term.field == "is" and term.value == "missing":
            continue
        sql, values = _row_condition(term, prefix_term)
        conditions.append(sql)
        params.extend(values)
    return _joined(conditions, "AND"), tuple(params)


def _row_condition(term: Term | AnyOf, prefix_term: Term | None) -> tuple[str, list]:
    """One term as a condition on a row of `p LEFT JOIN labels l` (negation included)."""
    from app.core.index.search_text import FIELD_TAGS, label_key, word_pattern

    if isinstance(term, AnyOf):
        return _either(_row_condition(member, prefix_term) for member in term.terms)
    if term.field in ("text", "camera", "lens") or (term.field == "folder" and not is_absolute_path(term.value)):
        tag = FIELD_TAGS.get(term.field, "")
        pattern = word_pattern(term.value, prefix=term is prefix_term, tag=tag)
        if pattern is None:
            raise _no_words(term.value)
        sql, values = "p.search_text LIKE ?", [pattern]
    elif term.field == "label":
        sql, values = "l.label_key = ?", [label_key(term.value)]
    elif term.field == LABEL_NOT_REJECTED:
        sql, values = "l.label_key = ? AND l.state != 'rejected'", [label_key(term.value)]
    elif term.field == "score":
        sql, values = _score_condition("l.", term)
    elif term.field == "state":
        sql, values = ("l.photo_id IS NULL", []) if term.value == "unlabelled" else ("l.state = ?", [term.value])
    elif term.field == "has" and term.value == "label":
        sql, values = "l.label IS NOT NULL", []
    elif term.field == "is" and term.value == "unwritten":  # on the row's own label: no list built
        from app.core.index.unwritten_term import unwritten_on_label_row

        sql, values = unwritten_on_label_row(), []
    else:
        sql, values = _condition(term)
        if sql.startswith("p.id IN ("):
            # `+` keeps the list a membership test: as `p.id IN (…)` SQLite may drive the
            # photos lookup from the list, reading all of it for each candidate row (a page
            # of "state:suggested is:problem" at offset 4,000: 20 s with 10,000 problems)
            sql = "+" + sql
    return (f"NOT coalesce(({sql}), 0)" if term.negated else sql), values


def _any_condition(any_of: AnyOf, prefix_term: Term | None) -> tuple[str, list]:
    """The indexed form of terms joined by OR: each its own condition (words through
    the FTS5 table), any of them true."""
    parts = []
    for term in any_of.terms:
        fts = _fts_expression(term, prefix=term is prefix_term)
        if fts is not None:
            sql, values = "p.id IN (SELECT rowid FROM photos_fts WHERE photos_fts MATCH ?)", [fts]
        else:
            sql, values = _condition(term)
        parts.append(((f"NOT coalesce(({sql}), 0)" if term.negated else sql), values))
    return _either(parts)


def _either(parts) -> tuple[str, list]:
    """(sql, values) pairs joined by OR into one condition."""
    parts = list(parts)
    return "(" + _joined([f"({sql})" for sql, _ in parts], "OR") + ")", [v for _, values in parts for v in values]


# SQLite refuses an expression over 1,000 deep, and `a AND b AND …` is as deep as it is
# long: longer runs of conditions are joined in groups of this many, then the groups.
GROUP = 16


def _joined(conditions: list[str], operator: str) -> str:
    """The conditions joined by AND or OR as a shallow tree (the same order, so their
    parameters keep theirs): a query of thousands of terms stays within SQLite's depth."""
    while len(conditions) > GROUP:
        conditions = [f"({f' {operator} '.join(conditions[i : i + GROUP])})"
                      for i in range(0, len(conditions), GROUP)]
    return f" {operator} ".join(conditions)


def _fts_phrase(text: str) -> str:
    """The words of `text` as one FTS5 phrase, folded as photos_fts holds them
    (search_text.fts_row): FTS5's own folding keeps "ß" and Greek accents."""
    from app.core.index.search_text import folded_text

    words = folded_text(text)
    if not words:
        raise _no_words(text)
    return f'"{words}"'  # letters and digits only: nothing to escape


def _without_wordless_words(query: Query) -> Query:
    """The query without its free words of no letters or digits ("🗼", "–", "&") where
    other free words remain: a label copied from the listing ("🗼 Tower", "Tour Eiffel –
    Paris") is searched by its words, as a quoted phrase of it is. Without other free
    words it is refused (_no_words): dropping it would find every photo, or all of a state."""
    from app.core.index.search_text import folded_text

    def wordless(term: Term | AnyOf) -> bool:
        return isinstance(term, Term) and term.field == "text" and not folded_text(term.value)

    dropped = [term for term in query.terms if wordless(term)]
    if not dropped:
        return query
    kept = tuple(term for term in query.terms if not wordless(term))
    if not any(isinstance(term, Term) and term.field == "text" for term in kept):
        raise _no_words(dropped[0].value, free=True)
    return Query(kept)


def _no_words(text: str, free: bool = False) -> QuerySyntaxError:
    """The refusal of a term with no letters or digits; `free`: a free word, which may be
    a label of signs alone ("🗼🗼"), found by label:."""
    if free and text.rstrip("/\\") not in (".", ".."):
        return QuerySyntaxError(f"{text!r} has no letters or digits to search for; a label of such signs alone "
                                f"is found by label:\"{text}\"")
    if text.rstrip("/\\") in (".", ".."):  # `accept '. state:rejected'`: quoted with other terms
        return QuerySyntaxError(f"{text!r} has no letters or digits to search for; to mean that folder, give "
                                f"{text} as a word of its own, not inside quotes with other terms "
                                f"(`accept {text} state:rejected`, not `accept '{text} state:rejected'`)")
    return QuerySyntaxError(f"{text!r} has no letters or digits to search for")


def _fts_expression(term: Term, prefix: bool) -> str | None:
    if term.field == "text":
        return _fts_phrase(term.value) + ("*" if prefix else "")
    if term.field in ("camera", "lens"):  # their photos_fts columns
        return f"{term.field} : " + _fts_phrase(term.value)
    if term.field == "folder" and not is_absolute_path(term.value):
        return "folder : " + _fts_phrase(term.value)
    return None


# `score` is how sure the model is of the label a photo has: for "no landmark" (label NULL,
# the score stored being its best guess's, which fell short) that is 1 - the best guess, so
# `accept 'score>0.7'` never confirms "no landmark" on a photo the model thought 75 % Colosseum
# and `score<0.5` finds it among the unsure ones. Both sides compare the stored score alone,
# so the labels_by_score index still picks the rows.
_FLIPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


def _score_condition(prefix: str, term: Term) -> tuple[str, list]:
    """A score term on a labels row (`prefix`: "l." in the joined form)."""
    number = float(term.value)
    return (f"(({prefix}score {term.operator} ? AND {prefix}label IS NOT NULL) OR "
            f"({prefix}score {_FLIPPED[term.operator]} ? AND {prefix}label IS NULL))"), [number, round(1.0 - number, 12)]


def _condition(term: Term) -> tuple[str, list]:
    from app.core.index.search_text import label_key

    value = term.value
    if term.field == "label":
        return "p.id IN (SELECT photo_id FROM labels WHERE label_key = ?)", [label_key(value)]
    if term.field == LABEL_NOT_REJECTED:
        return "p.id IN (SELECT photo_id FROM labels WHERE label_key = ? AND state != 'rejected')", [label_key(value)]
    if term.field == "score":
        sql, values = _score_condition("", term)
        return f"p.id IN (SELECT photo_id FROM labels WHERE {sql})", values
    if term.field == "state":
        if value == "unlabelled":
            return "p.id NOT IN (SELECT photo_id FROM labels)", []
        return "p.id IN (SELECT photo_id FROM labels WHERE state = ?)", [value]
    if term.field == "date":
        return "(p.taken_at >= ? AND p.taken_at < ?)", [value, value + PREFIX_END]
    if term.field == "after":
        return "p.taken_at >= ?", [value]
    if term.field == "before":
        return "p.taken_at < ?", [value]
    if term.field == "has":
        return {"gps": "p.gps_lat IS NOT NULL", "raw": "p.has_raw = 1", "date": "p.taken_at IS NOT NULL",
                "label": "p.id IN (SELECT photo_id FROM labels WHERE label IS NOT NULL)"}[value], []
    if term.field == "folder":
        return folder_condition(value)
    if term.field == "path":  # any file of the photo: the RAW of a pair finds it too
        return _path_condition(value.split(PATH_JOIN))
    if term.field == "is" and value == "unwritten":
        from app.core.index.unwritten_term import unwritten_condition

        return unwritten_condition()
    from app.core.index.unwritten_list import LISTED, TABLE

    if term.field == LISTED:  # is:unwritten read from the list PhotoIndex keeps
        return f"p.id IN (SELECT photo_id FROM {TABLE})", []
    if term.field == "is":  # is:missing chose the photos looked at (compile_query): the others are problems
        from app.core.index.problem_terms import problem_condition

        return problem_condition(value)
    if term.field == "id":  # one JSON array: a script's list of thousands stays one parameter
        import json

        return "p.id IN (SELECT value FROM json_each(?))", [json.dumps([int(i) for i in value.split(",")])]
    raise QuerySyntaxError(f"cannot search on {term.field!r}")


def _path_condition(paths: list[str]) -> tuple[str, list]:
    """Photos with a file at any of `paths`. The paths travel as one JSON array, so a
    shell glob of tens of thousands of files stays within SQLite's limit on
    parameters; a name that is not UTF-8 (JSON cannot carry it) goes as its own bytes."""
    import json

    from app.core.index.connection import db_text

    values = [db_text(path) for path in paths]
    texts = [v for v in values if isinstance(v, str)]
    raw = [v for v in values if not isinstance(v, str)]
    tests = (["path IN (SELECT value FROM json_each(?))"] if texts else []) + \
        ([f"path IN ({', '.join(['CAST(? AS TEXT)'] * len(raw))})"] if raw else [])
    params = ([json.dumps(texts)] if texts else []) + raw
    return f"p.id IN (SELECT photo_id FROM files WHERE {' OR '.join(tests)})", params


def folder_condition(value: str, sep: str = os.sep) -> tuple[str, list]:
    """The folder itself and the index range of the folders below it ([folder + the
    separator, folder + the separator's successor): not a sibling like "folder-2"),
    bound as text whatever bytes the name holds (a non-UTF-8 folder found on disk)."""
    from app.core.index.connection import db_text

    folder = native_separators(os.path.expanduser(value)).rstrip(sep)
    if not folder:
        return "1", []
    low, high = subtree_range(folder, sep)
    return (
        "(p.folder = CAST(? AS TEXT) OR (p.folder >= CAST(? AS TEXT) AND p.folder < CAST(? AS TEXT)))",
        [db_text(folder), db_text(low), db_text(high)],
    )

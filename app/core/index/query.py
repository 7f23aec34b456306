"""The search language shared by the CLI and the GUI, parsed into terms and
compiled to one SQL WHERE clause with parameters.

    eiffel "notre dame" label:"Eiffel Tower" camera:D850 date:2020-11
    after:2020-11-01 before:2021-01-01 score>0.8 state:suggested folder:Paris
    path:/photos/DSC_0001.JPG has:gps has:raw has:date is:missing -word

Terms combine with AND; OR (in capitals) between two terms matches either
(`Colosseum OR Petra state:accepted`: OR binds the terms beside it, as in mail
searches); a leading '-' negates a term; the empty query matches every photo that is
not missing. Free words match whole words of the label,
folder, file names and camera, case and accents ignored; the last free word
also matches as a prefix ("eiff" finds "Eiffel"), as when typing.

`path:="…"` and `folder:="…"` (written by app.core.path_query for a path that exists
on disk, spelled as the disk spells it) are taken as written: never respelled to a
file or folder the index holds in another letter case (see folder_spelling).
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field

from app.core.errors import QuerySyntaxError
from app.core.folder_paths import native_separators, subtree_range
from app.core.path_query import is_absolute_path

FIELDS = ("label", "camera", "date", "after", "before", "state", "folder", "path", "has", "is")
STATES = ("suggested", "accepted", "rejected", "unlabelled")
HAS_VALUES = ("gps", "raw", "date")
IS_VALUES = ("missing",)
SCORE_OPERATORS = (">=", "<=", ">", "<")
DATE_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
SCORE_PATTERN = re.compile(r"^score(>=|<=|>|<|=)(.*)$", re.IGNORECASE)
FIELD_PATTERN = re.compile(r"^([A-Za-z_]+):(.*)$", re.DOTALL)
# A whole Windows path typed or pasted bare (E:\\Trip\\DSC_0001.JPG, its drive unplugged;
# \\\\nas\\photos\\…): its drive letter is no field name.
WINDOWS_PATH_PATTERN = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\[^\\/]+[\\/])")
# U+FFFF sorts after every character of an ISO date, so "2020-11" <= x < "2020-11\uffff"
# selects every timestamp that starts with "2020-11" and still uses the index.
PREFIX_END = "\uffff"


@dataclass(frozen=True)
class Term:
    """One condition: `field` is 'text' for free words, or a field name, or 'score'."""

    field: str
    value: str
    negated: bool = False
    operator: str = ""
    phrase: bool = False
    # the paths of a path: or folder: term found on disk as written (`path:="…"`):
    # never respelled to another file the index holds under that name folded
    exact: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    """Terms joined by OR: a photo matching any of them. `field` "any" lets the
    loops over a query's terms pass it by wherever only one kind of term counts."""

    terms: tuple[Term, ...]
    field: str = "any"
    negated: bool = False


@dataclass(frozen=True)
class Query:
    terms: tuple[Term | AnyOf, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.terms


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


def parse_query(text: str) -> Query:
    """Parse the search language; raises QuerySyntaxError with a one-line reason."""
    return Query(_any_of_the_paths(_join_or(_expand_choices(_tokens(text or "")))))


OR = "OR"
CHOICE_FIELDS = ("state", "has", "label", "camera", "date")
CHOICE = "\x1f"  # an unquoted "|" as _tokens hands it over (a quoted one stays "|")


def _expand_choices(tokens: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """`state:suggested|accepted` as `state:suggested OR state:accepted`, the way the help
    lists the choices (`label:"Eiffel Tower"|Louvre` too: a "|" inside quotes is part of
    the name); `-has:gps|raw` leaves out both (NOT a AND NOT b)."""
    expanded: list[tuple[str, bool]] = []
    for position, (token, quoted) in enumerate(tokens):
        negated = token.startswith("-")
        match = FIELD_PATTERN.match(token[negated:])
        if not match or match.group(1).lower() not in CHOICE_FIELDS or CHOICE not in match.group(2):
            expanded.append((token.replace(CHOICE, "|"), quoted))
            continue
        beside = tokens[max(0, position - 1) : position] + tokens[position + 1 : position + 2]
        if negated and (OR, False) in beside:
            raise QuerySyntaxError(f"{token!r} beside OR is ambiguous; write its values as separate -terms")
        name = token[: negated + len(match.group(1)) + 1]  # "-state:" or "label:"
        choices = [name + value for value in match.group(2).split(CHOICE)]
        for number, choice in enumerate(choices):
            if number and not negated:
                expanded.append((OR, False))
            expanded.append((choice, False))
    return expanded


def _join_or(tokens: list[tuple[str, bool]]) -> tuple[Term | AnyOf, ...]:
    """The terms, with those on either side of an unquoted OR made one AnyOf."""
    items: list[Term | AnyOf] = []
    joining = False
    for token, quoted in tokens:
        if token == OR and not quoted:
            if joining or not items:
                raise QuerySyntaxError("OR needs a term on each side, like Colosseum OR Petra")
            joining = True
            continue
        term = _term(token, quoted)
        if joining:
            if term.field == "is" or items[-1].field == "is":
                raise QuerySyntaxError("is:missing cannot be joined with OR; search the missing photos on their own")
            before = items.pop()
            items.append(AnyOf((*(before.terms if isinstance(before, AnyOf) else (before,)), term)))
            joining = False
        else:
            items.append(term)
    if joining:
        raise QuerySyntaxError("OR needs a term on each side, like Colosseum OR Petra")
    return tuple(items)


PATH_JOIN = "\0"  # no file name holds a NUL: the separator of the paths of one path: term


def _any_of_the_paths(terms: tuple[Term, ...]) -> tuple[Term, ...]:
    """Several path: terms mean any of those files (`accept a.JPG b.JPG`, a shell glob),
    not a photo that is all of them: the positive ones become one term, where the first was."""
    paths = [t.value for t in terms if t.field == "path" and not t.negated]
    if len(paths) < 2:
        return terms
    exact = tuple(dict.fromkeys(p for t in terms if t.field == "path" and not t.negated for p in t.exact))
    merged = Term("path", PATH_JOIN.join(dict.fromkeys(paths)), exact=exact)
    first = next(i for i, t in enumerate(terms) if t.field == "path" and not t.negated)
    rest = [t for i, t in enumerate(terms) if i == first or not (t.field == "path" and not t.negated)]
    return tuple(merged if t is terms[first] else t for t in rest)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Split on white space, keeping "quoted parts" (also after field:) together; a
    doubled quote inside them is one quote (label:"Café ""Le Procope"" Paris"), so backslashes
    stay plain text (Windows paths, E:\\). Returns (token, whether its value was quoted)."""
    tokens: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        buffer: list[str] = []
        quoted = False
        while i < n and not text[i].isspace():
            if text[i] == '"':
                end = i
                while True:
                    begin, end = end + 1, text.find('"', end + 1)
                    if end < 0:
                        raise QuerySyntaxError(f"unclosed quote in {text[start:]!r}: add the closing \"")
                    buffer.append(text[begin:end])
                    if text[end + 1 : end + 2] != '"':
                        break
                    buffer.append('"')  # "" inside quotes
                    end += 1
                quoted = True
                i = end + 1
            else:
                buffer.append(CHOICE if text[i] == "|" else text[i])
                i += 1
        tokens.append(("".join(buffer), quoted))
    return tokens


def _term(token: str, quoted: bool) -> Term:
    negated = token.startswith("-") and len(token) > 1
    body = token[1:] if negated else token
    if WINDOWS_PATH_PATTERN.match(body):
        return _bare_path_term(body, negated)
    score = SCORE_PATTERN.match(body)
    if score and not quoted:
        return _score_term(body, score.group(1), score.group(2), negated)
    match = FIELD_PATTERN.match(body)
    if match and not (quoted and body.startswith('"')):
        name, value = match.group(1).lower(), match.group(2)
        if name == "score":
            raise QuerySyntaxError(f"{body!r}: write a comparison like score>0.8 (>, >=, <, <=)")
        if name not in FIELDS:
            raise QuerySyntaxError(f"unknown field {name!r} in {body!r}; known fields: {', '.join(FIELDS)}, score")
        if not value.strip():
            raise QuerySyntaxError(f"{body!r} has no value; write e.g. {name}:{_example(name)}")
        return _field_term(name, value.strip(), negated, body)
    if not body.strip():
        raise QuerySyntaxError(f"empty term {token!r}")
    return Term("text", body, negated=negated, phrase=quoted)


def _bare_path_term(path: str, negated: bool) -> Term:
    """A bare absolute path as the term it means: `path:` for a photo's file name,
    `folder:` (the folder and those below it) for anything else."""
    from app.core.photo_info import file_kind

    field = "path" if file_kind(re.split(r"[\\/]", path.rstrip("\\/"))[-1]) else "folder"
    return _field_term(field, path, negated, f"{field}:{path}")


def _score_term(body: str, operator: str, value: str, negated: bool) -> Term:
    if operator == "=" or operator not in SCORE_OPERATORS:
        raise QuerySyntaxError(f"{body!r}: use one of >, >=, <, <= with score")
    try:
        number = float(value)
    except ValueError:
        raise QuerySyntaxError(f"{body!r}: the score must be a number between 0 and 1, like score>0.8") from None
    if not 0.0 <= number <= 1.0:
        raise QuerySyntaxError(f"{body!r}: scores lie between 0 and 1")
    return Term("score", repr(number), negated=negated, operator=operator)


def _check_calendar(value: str, body: str) -> None:
    """2020-13 or 2021-02-30 match the pattern but no photo: say so instead of finding nothing."""
    year, month, day = (value.split("-") + ["01", "01"])[:3]
    try:
        datetime.date(max(int(year), 1), int(month), int(day))
    except ValueError:
        raise QuerySyntaxError(f"{body!r}: there is no such date") from None


def _field_term(name: str, value: str, negated: bool, body: str) -> Term:
    if name in ("path", "folder") and value.startswith("=") and is_absolute_path(value[1:]):
        term = _field_term(name, value[1:], negated, body)  # as the disk spells it: taken as written
        return Term(name, term.value, negated=negated, exact=(term.value,))
    lowered = value.lower()
    if name == "date" and not DATE_PATTERN.match(value):
        raise QuerySyntaxError(f"{body!r}: write the date as YYYY, YYYY-MM or YYYY-MM-DD")
    if name in ("after", "before"):
        if not DATE_PATTERN.match(value):
            raise QuerySyntaxError(f"{body!r}: write the day as YYYY-MM-DD (or YYYY, YYYY-MM: its first day)")
    if name in ("date", "after", "before"):
        _check_calendar(value, body)
    if name in ("after", "before"):
        value += "-01-01"[len(value) - 4 :]  # after:2010 = from 2010-01-01 on; before:2012-05 = up to April
    if name == "state":
        if lowered == "unlabeled":
            lowered = "unlabelled"
        if lowered not in STATES:
            raise QuerySyntaxError(f"{body!r}: state is one of {', '.join(STATES)}")
        value = lowered
    if name == "has":
        if lowered not in HAS_VALUES:
            raise QuerySyntaxError(f"{body!r}: has: takes {' or '.join(HAS_VALUES)}")
        value = lowered
    if name == "path":
        if not is_absolute_path(value):
            raise QuerySyntaxError(f"{body!r}: path: takes a file's whole path, like path:{_example('path')} "
                                   "(folder: takes folders)")
        value = native_separators(os.path.expanduser(value))
    if name == "is":
        if lowered not in IS_VALUES:
            raise QuerySyntaxError(f"{body!r}: is: takes {' or '.join(IS_VALUES)}")
        value = lowered
    return Term(name, value, negated=negated)


def _example(name: str) -> str:
    return {
        "label": '"Eiffel Tower"',
        "camera": "D850",
        "date": "2020-11",
        "after": "2020-11-01",
        "before": "2020-12-01",
        "state": "suggested",
        "folder": "Paris",
        "path": "/photos/DSC_0001.JPG",
        "has": "gps",
        "is": "missing",
    }[name]


def compile_query(query: Query) -> CompiledQuery:
    """Turn parsed terms into SQL. Text-like terms (free words, camera:, folder
    names) go into one FTS5 MATCH; the others become indexed conditions."""
    conditions: list[str] = []
    params: list = []
    positive_fts: list[str] = []
    negative_fts: list[str] = []
    wants_missing = False
    prefix_term = _prefix_term(query)
    for term in query.terms:
        if term.field == "is":
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
    without_fts = (" AND ".join([missing_condition, *conditions]), tuple(params))
    if positive_fts:
        expression = " AND ".join(positive_fts) + "".join(f" NOT {e}" for e in negative_fts)
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
        if not term.negated and term.field in ("label", "score", "state", "path") and term.value != "unlabelled":
            sql, values = _condition(term)
            selectors.append((sql.removeprefix("p.id IN (").removesuffix(")"), (tuple(values),)))
            picks_ids = True
        elif not term.negated and term.field == "folder" and is_absolute_path(term.value):
            sql, values = _condition(term)
            selectors.append((f"SELECT p.id FROM photos p WHERE {sql}", (tuple(values),)))
    return CompiledQuery(
        " AND ".join(conditions), tuple(params), bool(positive_fts or negative_fts),
        row_where, row_params, " AND ".join(range_conditions) or "1", tuple(range_params), tuple(selectors),
        picks_ids, fts_match, *without_fts, *_time_form(query, prefix_term),
        joins_alternatives=any(isinstance(term, AnyOf) for term in query.terms),
    )


def _time_form(query: Query, prefix_term: Term | None) -> tuple[str | None, tuple[int, int], str]:
    """The photos_by_time expression (positive terms only: the row form tests
    every term exactly) and the sort_key range of the date terms."""
    import os

    from app.core.index.search_text import CAMERA_TAG, FOLDER_TAG, fold_words
    from app.core.index.time_order import fts_phrase, key_after_all_before, lowest_key_at_or_after, state_phrase

    phrases: list[str] = []
    low, high = -(1 << 63), (1 << 63) - 1
    for term in query.terms:
        if term.negated:
            continue
        phrase = None
        if term.field == "text":
            phrase = fts_phrase(term.value, prefix=term is prefix_term)
        elif term.field == "camera":
            phrase = fts_phrase(term.value, prefix=False, tag=CAMERA_TAG)
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
        if term.field == "is":
            continue
        sql, values = _row_condition(term, prefix_term)
        conditions.append(sql)
        params.extend(values)
    return " AND ".join(conditions), tuple(params)


def _row_condition(term: Term | AnyOf, prefix_term: Term | None) -> tuple[str, list]:
    """One term as a condition on a row of `p LEFT JOIN labels l` (negation included)."""
    from app.core.index.search_text import CAMERA_TAG, FOLDER_TAG, label_key, word_pattern

    if isinstance(term, AnyOf):
        return _either(_row_condition(member, prefix_term) for member in term.terms)
    if term.field in ("text", "camera") or (term.field == "folder" and not is_absolute_path(term.value)):
        tag = {"text": "", "camera": CAMERA_TAG, "folder": FOLDER_TAG}[term.field]
        pattern = word_pattern(term.value, prefix=term is prefix_term, tag=tag)
        if pattern is None:
            raise QuerySyntaxError(f"{term.value!r} has no letters or digits to search for")
        sql, values = "p.search_text LIKE ?", [pattern]
    elif term.field == "label":
        sql, values = "l.label_key = ?", [label_key(term.value)]
    elif term.field == "score":
        sql, values = f"l.score {term.operator} ?", [float(term.value)]
    elif term.field == "state":
        sql, values = ("l.photo_id IS NULL", []) if term.value == "unlabelled" else ("l.state = ?", [term.value])
    else:
        sql, values = _condition(term)
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
    return "(" + " OR ".join(f"({sql})" for sql, _ in parts) + ")", [v for _, values in parts for v in values]


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _fts_expression(term: Term, prefix: bool) -> str | None:
    if term.field == "text":
        return _fts_string(term.value) + ("*" if prefix else "")
    if term.field == "camera":
        return "camera : " + _fts_string(term.value)
    if term.field == "folder" and not is_absolute_path(term.value):
        return "folder : " + _fts_string(term.value)
    return None


def _condition(term: Term) -> tuple[str, list]:
    from app.core.index.search_text import label_key

    value = term.value
    if term.field == "label":
        return "p.id IN (SELECT photo_id FROM labels WHERE label_key = ?)", [label_key(value)]
    if term.field == "score":
        return f"p.id IN (SELECT photo_id FROM labels WHERE score {term.operator} ?)", [float(value)]
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
        return {"gps": "p.gps_lat IS NOT NULL", "raw": "p.has_raw = 1", "date": "p.taken_at IS NOT NULL"}[value], []
    if term.field == "folder":
        return folder_condition(value)
    if term.field == "path":  # any file of the photo: the RAW of a pair finds it too
        return _path_condition(value.split(PATH_JOIN))
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
    """The folder and everything below it, as one index range [folder, folder + the
    separator's successor) — which also holds siblings like "folder-2" — and a test on
    the character after the folder's name that drops them."""
    folder = native_separators(os.path.expanduser(value)).rstrip(sep)
    if not folder:
        return "1", []
    _, high = subtree_range(folder, sep)
    return (
        "(p.folder >= ? AND p.folder < ? AND (p.folder = ? OR substr(p.folder, ?, 1) = ?))",
        [folder, high, folder, len(folder) + 1, sep],
    )

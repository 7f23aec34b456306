"""The search language parsed into terms (see app.core.index.query for the
language and for its SQL): the words split, quotes and `|` choices read, OR joined,
each term checked, so a mistake is one line that says what to write instead."""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field

from app.core.errors import QuerySyntaxError
from app.core.folder_paths import native_separators
from app.core.index.problem_terms import PROBLEM_STAGES
from app.core.path_query import is_absolute_path

FIELDS = ("label", "camera", "lens", "date", "after", "before", "state", "folder", "path", "has", "is", "id")
STATES = ("suggested", "accepted", "rejected", "unlabelled")
HAS_VALUES = ("gps", "raw", "date", "label")  # label: a landmark's name, in any state
# is:missing, the kinds of problem the index keeps, then is:unwritten (unwritten_term)
IS_VALUES = ("missing", *PROBLEM_STAGES, "unwritten")
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



# Enough for a query typed, a saved search that grew or a generated one. Each term is an
# SQL condition (up to five parameters: SQLite takes 32,766), and SQLite plans thousands
# of conditions slowly (3,000 folder paths joined by OR: about 2 s a search). The paths of one
# list of files (a shell glob of thousands of photos) are one term.
MOST_TERMS = 3_000


def parse_query(text: str) -> Query:
    """Parse the search language; raises QuerySyntaxError with a one-line reason."""
    query = Query(_any_of_the_paths(_join_or(_expand_choices(_tokens(text or "")))))
    _refuse_no_landmark_as_words(query.terms)
    terms = sum(len(item.terms) if isinstance(item, AnyOf) else 1 for item in query.terms)
    if terms > MOST_TERMS:
        raise QuerySyntaxError(f"the query has too many terms ({terms:,}); one search takes at most "
                               f"{MOST_TERMS:,}: split it into several")
    return query


OR = "OR"
CHOICE_FIELDS = ("state", "has", "is", "label", "camera", "lens", "date", "id")
CHOICE = "\x1f"  # an unquoted "|" as _tokens hands it over (a quoted one stays "|")


def plain_words(text: str) -> str | None:
    """The words of a search made of plain words only (no field terms, none negated), as
    typed, for the hints a search that found nothing gives; None for any other search or
    one that does not parse."""
    try:
        terms = parse_query(text).terms
    except QuerySyntaxError:
        return None
    if not terms or not all(isinstance(term, Term) and term.field == "text" and not term.negated
                            for term in terms):
        return None
    return " ".join(term.value for term in terms)


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
            typed = token.replace(CHOICE, "|")
            raise QuerySyntaxError(f"{typed!r} beside OR is ambiguous; write its values as separate -terms")
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
            if _is_missing(term) or _is_missing(items[-1]):
                raise QuerySyntaxError("is:missing cannot be joined with OR; search the missing photos on their own")
            before = items.pop()
            items.append(AnyOf((*(before.terms if isinstance(before, AnyOf) else (before,)), term)))
            joining = False
        else:
            items.append(term)
    if joining:
        raise QuerySyntaxError("OR needs a term on each side, like Colosseum OR Petra")
    return tuple(items)


def _is_missing(item: Term | AnyOf) -> bool:
    """is:missing (or -is:missing) chooses the photos a query looks at, missing or present:
    no alternative to another term."""
    return item.field == "is" and item.value == "missing"


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
        if name == "label":
            _refuse_no_landmark_as_a_name(value.strip(), quoted, body)
        return _field_term(name, value.strip(), negated, body)
    if not body.strip():
        raise QuerySyntaxError(f"empty term {token!r}")
    return Term("text", body, negated=negated, phrase=quoted)


NO_LANDMARK_TERM = "-has:label -state:unlabelled"  # the photos tagged "no landmark"


def _refuse_no_landmark_as_a_name(value: str, quoted: bool, body: str) -> None:
    """`label:none` and `label:"no landmark"` found nothing (no landmark is no name, the
    label is empty): say which term finds those photos instead. A quoted "None" stays a
    name, for a place that is called so."""
    from app.core.index.search_text import label_key

    key = label_key(value)
    if key == "no landmark" or (key == "none" and not quoted):
        raise _no_landmark_hint(body)


def _refuse_no_landmark_as_words(terms: tuple[Term | AnyOf, ...]) -> None:
    """Free words that are exactly `no landmark` ("no landmark" quoted, or with other
    terms beside them) found nothing without a word, as label:"no landmark" did: the
    same hint. Other words with them (`no landmark rome`) are searched as typed."""
    from app.core.index.search_text import label_key

    words = [term for term in terms if term.field == "text"]
    if words and not any(term.negated for term in words) and \
            label_key(" ".join(term.value for term in words)) == "no landmark":
        raise _no_landmark_hint(" ".join(term.value for term in words))


def _no_landmark_hint(body: str) -> QuerySyntaxError:
    return QuerySyntaxError(f"{body!r}: \"no landmark\" is no label name; photos tagged with no landmark "
                            f"are found with {NO_LANDMARK_TERM} (-has:label alone adds those never tagged)")


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
    if name == "id":
        value = _photo_ids(value, body)
    if name == "is":
        if lowered not in IS_VALUES:
            raise QuerySyntaxError(f"{body!r}: is: takes {', '.join(IS_VALUES[:-1])} or {IS_VALUES[-1]}"
                                   + _NOT_KEPT.get(lowered, "") + _unwritten_hint(lowered, negated))
        value = lowered
    return Term(name, value, negated=negated)


# what is: cannot find, as the index does not keep it: where the user finds it instead
_NOT_KEPT = {
    "held": " (a file `write` holds is told by reading it, not kept in the index: "
            "`landmark-tagger write --dry-run` names them)",
}


# is: values a photographer types for the written state, each with whether it means
# "written": the only such value is unwritten, so is:written is -is:unwritten
_WRITTEN_WORDS = {"written": True, "notwritten": False, "not-written": False, "not_written": False}


def _unwritten_hint(lowered: str, negated: bool) -> str:
    """`is:written` says "did you mean -is:unwritten?", as the bare word "written"
    does (state_word_hints); `is:notwritten` says "is:unwritten?"."""
    if lowered not in _WRITTEN_WORDS:
        return ""
    sign = "-" if _WRITTEN_WORDS[lowered] != negated else ""
    return f"; did you mean {sign}is:unwritten?"


ID_PATTERN = re.compile(r"\d+", re.ASCII)


def _photo_ids(value: str, body: str) -> str:
    """`id:123` or `id:123,456`: the photos' ids, as every per-photo `--json` line gives
    them; the one name of a photo that always works (a file name that is not UTF-8
    reaches JSON with U+FFFD in it and can no longer name its file)."""
    ids = [part.strip() for part in value.split(",")]
    if not all(ID_PATTERN.fullmatch(part) for part in ids):
        raise QuerySyntaxError(f"{body!r}: id: takes photo ids, the \"id\" of a --json line, like id:123 or id:123,456")
    return ",".join(str(int(part)) for part in ids)


def _example(name: str) -> str:
    return {
        "label": '"Eiffel Tower"',
        "camera": "D850",
        "lens": "18-55mm",
        "date": "2020-11",
        "after": "2020-11-01",
        "before": "2020-12-01",
        "state": "suggested",
        "folder": "Paris",
        "path": "/photos/DSC_0001.JPG",
        "has": "gps",
        "is": "missing",
        "id": "123",
    }[name]

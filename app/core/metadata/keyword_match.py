"""When two keywords are one: the form keywords are compared in, and a field's items
normalised once for many look-ups (KeywordSet).

A field may hold thousands of keywords; checking each of them against the others by
normalising every item again for every keyword made planning a write quadratic in
their number (13 s at 5,000). KeywordSet normalises them once.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from model.labels import label_form


def keyword_form(keyword: str) -> str:
    """The form keywords are compared in, and a label is read back in (read_back): one
    Unicode form (NFC; text taken from a macOS file name is decomposed, "E" + U+0301)
    and single spaces within each level of a hierarchy, so a keyword that reads back as
    the landmark is the landmark's to a write too. Keywords stay in the file as they are."""
    return "|".join(label_form(level) for level in keyword.split("|"))


def spelt_form(keyword: str) -> str:
    """keyword_form keeping the invisible characters label_form drops (a zero-width space,
    a BOM: model.labels.IGNORED_IN_NAMES): a keyword of ours an older version wrote with
    one ("Big Ben" + U+200B) matches the label, but is not it as spelt, and a write of the
    label replaces it (else the file keeps a look-alike of the keyword other photos hold)."""
    return "|".join(unicodedata.normalize("NFC", " ".join(level.split())) for level in keyword.split("|"))


def ours_form(keyword: str) -> str:
    """spelt_form in one letter case: a keyword our write put in, as a relabel finds it to
    take out (Lightroom re-cases it). A look-alike spelt with an invisible character that
    we never wrote is the user's own, and stays."""
    return spelt_form(keyword).casefold()


def matching_form(keyword: str) -> str:
    """keyword_form in one letter case: two keywords are one where theirs are equal."""
    return keyword_form(keyword).casefold()


def is_keyword(item: str, keyword: str) -> bool:
    """Whether a field's item is `keyword`: the spaces a program put around it (XPKeywords
    "Family; Trip"), its Unicode form or its letter case ("colosseum" re-cased in
    Lightroom: labels are one in any case) do not make it another keyword; they stay as they are."""
    return matching_form(item) == matching_form(keyword)


class KeywordSet:
    """A field's items as is_keyword matches them, normalised once: `keyword in items`
    is holds_keyword(items, keyword) in constant time, for a loop over another field."""

    __slots__ = ("_forms",)

    def __init__(self, items: Iterable[str] | None = ()) -> None:
        self._forms = frozenset(matching_form(item) for item in items or ())

    def __contains__(self, keyword: str) -> bool:
        return matching_form(keyword) in self._forms


def holds_keyword(values: list[str] | None, keyword: str) -> bool:
    """Whether a field's items hold `keyword` (the spaces around them aside); for many
    keywords against one field, KeywordSet."""
    form = matching_form(keyword)
    return any(matching_form(item) == form for item in values or [])


def without_keyword(values: list[str] | None, keyword: str | None) -> list[str] | None:
    """`values` without the items that are `keyword` (the spaces around them aside)."""
    if values is None or keyword is None:
        return values
    form = matching_form(keyword)
    return [item for item in values if matching_form(item) != form]


def holds_a_keyword(values: list[str] | None) -> bool:
    """Whether a field holds a keyword: an empty list, or blank items, hold none."""
    return any(value.strip() for value in values or [])


class OursSet:
    """Keywords of ours as a relabel takes them out (ours_form), normalised once:
    `item in ours` for each of a field's items."""

    __slots__ = ("_forms",)

    def __init__(self, keywords: Iterable[str] | None = ()) -> None:
        self._forms = frozenset(ours_form(keyword) for keyword in keywords or ())

    def __contains__(self, item: str) -> bool:
        return ours_form(item) in self._forms

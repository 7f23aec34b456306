"""A search that found nothing and is a likely typo of a landmark on the user's photos
gets one line naming it, as `label` and the app's L ask (label_names.close_landmarks): a
bare "0 photos" left the user thinking there were none. Plain words ("colloseum" for
"Colosseum", "eiffel towr"), one misspelt word of a longer name ("massenna" for "Place
Massena"), and the name in a label: term (`label:"Place Massenna"`, the form the guide
teaches, so the commonest place for the slip). Never a refusal, and only for the shapes
typos take, so a real word a letter away from a short name ("home" beside "Rome") is
left alone."""

from __future__ import annotations

from typing import Iterable

from app.core.errors import QuerySyntaxError
from app.core.index.query_parser import AnyOf, parse_query, plain_words
from app.core.index.search_text import fold_words
from app.core.label_names import close_landmarks, edit_distance
from app.core.library import label_query
from app.core.name_order import accent_free
from model.labels import label_form

ANY_TYPO_FROM = 8  # letters from which close_landmarks' two edits of any kind are typos enough


def landmark_typo_hint(text: str, landmarks: Iterable[str]) -> str | None:
    """The line for a search `text` that found nothing when its plain words or a label:
    name in it are a likely misspelling of one of `landmarks` (those on photos:
    library.landmark_counts, which a label: term finds); None when they are not, or the
    query holds no such words (only filters) or does not parse."""
    found = _misspelt(text, list(landmarks))
    if found is None:
        return None
    what, near = found
    return f"No landmark on your photos {what}: did you mean {_as_terms(near)}?"


def landmark_typo_choices(text: str, landmarks: Iterable[str]) -> str | None:
    """The label: terms a `text` that found nothing likely misspells (`label:"Colosseum"`,
    several joined by "or"), for a command's own "did you mean"; None as for
    landmark_typo_hint."""
    found = _misspelt(text, list(landmarks))
    return _as_terms(found[1]) if found else None


def _misspelt(text: str, landmarks: list[str]) -> tuple[str, list[str]] | None:
    """What the user typed that names no landmark ("is called “Colloseum”", "has the word
    “massenna”"), and the landmarks it likely misspells: the plain words as one name, else one of them as a word of a longer name;
    for a query with field terms, the names of its label: terms."""
    typed = plain_words(text)
    if typed is not None:
        near = _near(typed, landmarks)
        if near:
            return f"is called “{typed}”", near
        return _word_of_a_name(typed, landmarks)
    for name in _label_names(text):
        near = _near(name, landmarks)
        if near:
            return f"is called “{name}”", near
    return None


def _near(typed: str, landmarks: list[str]) -> list[str]:
    return [name for name in close_landmarks(typed, landmarks) if _looks_like_a_typo(typed, name)]


def _word_of_a_name(typed: str, landmarks: list[str]) -> tuple[str, list[str]] | None:
    """A typed word that is no word of any landmark but a typo of a word of one ("massenna"
    for "Place Massena", "colloseum" in "colloseum rome"), with the landmarks it is in."""
    words_of = {name: fold_words(name) for name in landmarks}
    known = {word for name in landmarks for word in fold_words(name)}
    for word in typed.split():
        if fold_words(word) and set(fold_words(word)) <= known:
            continue
        near = [name for name, words in words_of.items() if _near(word, list(words))]
        if near:
            return f"has the word “{word}”", near
    return None


def _label_names(text: str) -> list[str]:
    """The names of a query's label: terms that are not negated (a NOT term matching
    nothing is no typo), in an OR group too; none when it does not parse."""
    try:
        items = parse_query(text).terms
    except QuerySyntaxError:
        return []
    return [term.value for item in items if not item.negated
            for term in (item.terms if isinstance(item, AnyOf) else (item,))
            if term.field == "label" and not term.negated]


def _as_terms(names: list[str]) -> str:
    return " or ".join(label_query(name) for name in names)


def _looks_like_a_typo(typed: str, name: str) -> bool:
    """Whether `typed` is `name` with a typo's shape: for a long name any two edits
    (close_landmarks), for a shorter one a letter dropped or added, doubled ones too, or
    two letters swapped ("panteon" or "panthheon" for "Pantheon", "louver" for "Louvre");
    not one letter changed for another, which makes other real words ("home" of "Rome")."""
    key, other = _letters(typed), _letters(name)
    if key == other or len(key) >= ANY_TYPO_FROM:
        return True
    if len(key) == len(other):
        return sorted(key) == sorted(other) and edit_distance(key, other, 1) == 1  # a swap
    return abs(len(key) - len(other)) == 1 and edit_distance(key, other, 1) == 1


def _letters(name: str) -> str:
    """The letters and digits close_landmarks compares, case and accents folded."""
    return "".join(ch for ch in accent_free(label_form(name)) if ch.isalnum())

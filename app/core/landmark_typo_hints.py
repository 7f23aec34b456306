"""A search of plain words that found nothing and is a likely typo of a landmark on the
user's photos ("colloseum" for "Colosseum", "eiffel towr") gets one line naming it, as
`label` and the app's L ask (label_names.close_landmarks): a bare "0 photos" left the user
thinking there were none. Never a refusal, and only for the shapes typos take, so a real
word a letter away from a short name ("home" beside "Rome") is left alone."""

from __future__ import annotations

from typing import Iterable

from app.core.index.query_parser import plain_words
from app.core.label_names import close_landmarks, edit_distance
from app.core.library import label_query
from app.core.name_order import accent_free
from model.labels import label_form

ANY_TYPO_FROM = 8  # letters from which close_landmarks' two edits of any kind are typos enough


def landmark_typo_hint(text: str, landmarks: Iterable[str]) -> str | None:
    """The line for a search `text` of plain words that found nothing when they are a
    likely misspelling of one of `landmarks` (those on photos: library.landmark_counts,
    which a label: term finds); None when they are not, or the query holds other terms
    (those the user wrote as terms) or does not parse."""
    choices = landmark_typo_choices(text, landmarks)
    if choices is None:
        return None
    return f"No landmark on your photos is called “{plain_words(text)}”: did you mean {choices}?"


def landmark_typo_choices(text: str, landmarks: Iterable[str]) -> str | None:
    """The label: terms a `text` of plain words that found nothing likely misspells
    (`label:"Colosseum"`, several joined by "or"), for a command's own "did you mean";
    None as for landmark_typo_hint."""
    typed = plain_words(text)
    if typed is None:
        return None
    near = [name for name in close_landmarks(typed, landmarks) if _looks_like_a_typo(typed, name)]
    if not near:
        return None
    return " or ".join(label_query(name) for name in near)


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

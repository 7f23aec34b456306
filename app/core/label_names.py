"""Landmark names typed by the user, checked against the landmarks the library knows.

A typo ("Colloseum" beside "Colosseum", "Tajmahal" beside "Taj Mahal") given as a
label made a second place silently, and the photo then taught it: the CLI's `label`
and the app's L ask `close_landmarks` first and name the near match instead, as for a
name that differs from a known one in accents alone ("Zurich" for "Zürich"): another
keyword for the place in the files. So did a word the app uses for its own states ("no
landmark", "rejected"): they ask `own_state_named` too."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Iterable

from app.core.name_order import accent_free, name_order
from model.labels import label_form

if TYPE_CHECKING:
    from app.core.index import PhotoIndex

MOST_SHOWN = 3  # near matches named at once: more says little to someone who made a typo

NO_LANDMARK = "no landmark"
# The words the app uses for its states, as `label:` compares names (label_key): given as a
# label, they meant the state, and the photos would be labelled, written and taught as a
# place called so.
_STATE_WORDS = {
    NO_LANDMARK: NO_LANDMARK, "none": NO_LANDMARK,
    "unlabelled": "unlabelled", "unlabeled": "unlabelled", "suggested": "suggested",
    "accepted": "accepted", "accept": "accepted", "rejected": "rejected", "reject": "rejected",
}


# The invisible controls that make text display in another order than it is stored.
_DIRECTION_CONTROLS = {
    0x202A: "left-to-right embedding", 0x202B: "right-to-left embedding", 0x202C: "pop directional formatting",
    0x202D: "left-to-right override", 0x202E: "right-to-left override", 0x2066: "left-to-right isolate",
    0x2067: "right-to-left isolate", 0x2068: "first strong isolate", 0x2069: "pop directional isolate",
}


def unwritable_character(name: str) -> str | None:
    """The first character of `name` that no keyword can hold, named for the user, else
    None: the rule of every label (teaching.check_label, read_back.is_label_text). XMP is
    XML, which has no control character (but tab and line break, which label_form makes
    spaces), no U+FFFE or U+FFFF and no half of a UTF-16 surrogate pair; a name holding
    one was labelled and taught, and every `write` then failed with "XMP is not
    well-formed XML", as if the photo were damaged. A byte that is not UTF-8 in a
    command's argument reaches Python as such a half (U+DC80-U+DCFF).

    Nor a direction override, embedding or isolate (U+202A-U+202E, U+2066-U+2069): "Dome
    " + U+202E + "evil" is stored so and shown as "Dome live" here and in every other
    program, a look-alike of another name. A right-to-left name needs none of them (the
    marks U+200E, U+200F stay)."""
    for char in name:
        code = ord(char)
        if unicodedata.category(char) == "Cc":
            return f"a control character (U+{code:04X})"
        if code in _DIRECTION_CONTROLS:
            return (f"a {_DIRECTION_CONTROLS[code]} (U+{code:04X}), which shows the text after it in "
                    "another order than it is stored")
        if code in (0xFFFE, 0xFFFF):
            return f"U+{code:04X}, a noncharacter that XMP cannot hold"
        if 0xDC80 <= code <= 0xDCFF:
            return f"the byte 0x{code - 0xDC00:02X}, which is not UTF-8 text (is the terminal set to UTF-8?)"
        if 0xD800 <= code <= 0xDFFF:
            return f"U+{code:04X}, half of a UTF-16 surrogate pair alone, which XMP cannot hold"
    return None


def own_state_named(name: str, new: bool = False) -> str | None:
    """The state of the app's own that `name`, typed as a label, stands for: "no landmark"
    for "No landmark", "(no landmark)" or "none"; "accepted", "rejected", "suggested" or
    "unlabelled" for those words (and "accept", "reject"). None for a landmark's name.
    `new`: the user says it is a place all the same (the CLI's --new; a town is called
    None); "no landmark" itself is still refused: `label:` could never find it."""
    from app.core.index.search_text import label_key

    key = label_key(label_form(name))
    if new and key != NO_LANDMARK:
        return None
    return _STATE_WORDS.get(key or "")


def not_a_landmark_name(name: str, state: str) -> str:
    """The refusal of a label naming one of the app's states (`state`: own_state_named's);
    each face adds the way to that state (the CLI's --no-landmark and `reject`, the app's
    "(no landmark)" and R)."""
    if state == NO_LANDMARK:
        return f"{name!r} is no landmark name but the label of a photo that shows none"
    return f"{name!r} is no landmark name but a review state ({state})"


def known_landmarks(index: "PhotoIndex | None", class_names: Iterable[str] = ()) -> list[str]:
    """The landmarks a typed name is compared with: the model's classes (`class_names`,
    the bundle's) and every label on a photo or taught in the index (None: no index yet)."""
    names = dict.fromkeys(label_form(name) for name in class_names)
    if index is not None:
        names.update(dict.fromkeys(index.known_labels()))
    return sorted(names, key=name_order)


def near_landmarks(index: "PhotoIndex | None", name: str, class_names: Iterable[str] = (),
                   renamed: str | None = None) -> list[str]:
    """The known landmarks (known_landmarks) a typed `name` is probably a typo of, none
    when it is one of them (case and Unicode form aside, as teaching.canonical_label takes
    it). `renamed`: the name a rename gives up, no near name of its new one ("Our cabbin"
    to "Our cabin" is the fix of a typo). UsageError for a name no label can hold."""
    from app.core.teaching import canonical_label, check_label

    classes = list(class_names)
    typed = check_label(name)
    if index is not None:
        typed = canonical_label(index, typed, classes)
    near = close_landmarks(typed, known_landmarks(index, classes))
    return [other for other in near if renamed is None or other.casefold() != renamed.casefold()]


def close_landmarks(name: str, known: Iterable[str]) -> list[str]:
    """The landmarks among `known` that `name` is probably a misspelling of, nearest first
    (at most MOST_SHOWN). None when `name` is one of `known`, case and Unicode form aside
    ("colosseum" is that landmark; teaching.canonical_label takes its spelling). First
    those it differs from in accents alone (differs_in_accents_only: "Zurich" typed for
    "Zürich", or "Château d'If" for the model's "Chateau d'If"): each spelling is a keyword
    of its own in the files, so Lightroom or digiKam would list the place twice. Else none
    when it has the words of one of `known` once punctuation is set aside too, as `label:`
    compares them ("Notre Dame de Paris"); else the same letters and digits once case,
    accents, spaces and punctuation are set aside ("Tajmahal" for "Taj Mahal"), or one or
    two letters apart (one for a name under 8 letters, none under 4)."""
    from app.core.index.search_text import label_key

    key = _letters(name)
    if not key:
        return []
    typed = label_form(name)
    others = list(dict.fromkeys(known))
    if any(label_form(other).casefold() == typed.casefold() for other in others):
        return []
    accents_only = [other for other in others if differs_in_accents_only(typed, other)]
    if accents_only:
        return sorted(accents_only, key=name_order)[:MOST_SHOWN]
    words = label_key(typed)
    candidates = [(other, _letters(other)) for other in others]
    if any(label_key(other) == words for other, _ in candidates):
        return []
    allowed = 0 if len(key) < 4 else 1 if len(key) < 8 else 2
    near = []
    for other, other_key in candidates:
        if other_key and abs(len(other_key) - len(key)) <= allowed:
            distance = edit_distance(key, other_key, allowed)
            if distance <= allowed:
                near.append((distance, name_order(other), other))
    return [other for _, _, other in sorted(near)[:MOST_SHOWN]]


def differs_in_accents_only(name: str, other: str) -> bool:
    """Whether `name` and `other` are the same letters once accents and case are set aside
    but not once case alone is ("Zurich Grossmunster" and "Zürich Grossmünster"; not
    "ölberg" and "Ölberg", a case that teaching.canonical_label folds to the known one)."""
    name, other = label_form(name), label_form(other)
    return name.casefold() != other.casefold() and accent_free(name) == accent_free(other)


def _letters(name: str) -> str:
    """The name's letters and digits, case and accents folded (accent_free): what a typo
    leaves alike."""
    return "".join(ch for ch in accent_free(label_form(name)) if ch.isalnum())


def edit_distance(a: str, b: str, most: int) -> int:
    """Letters to insert, delete, change or swap with the next (Damerau) to make `a` into
    `b`; any answer above `most` is given as most + 1 (the row is cut short there)."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > most:
            return most + 1
        previous2, previous = previous, current
    return min(previous[-1], most + 1)


def did_you_mean(name: str, near: list[str]) -> str:
    """The question for a typed name close to known landmarks (`near`), naming them; each
    face adds its way to make the name a new landmark all the same (the CLI's --new). Where
    they differ from it in accents alone it says so: the user sees no typo there, and the
    cost is a second keyword for the place. A difference in invisible joiners (ZWJ, ZWNJ
    of an Indic or Sinhala spelling) is named as such, in words: there is nothing to see."""
    if near and all(differs_in_accents_only(name, other) for other in near):
        them = "it" if len(near) == 1 else "them"
        return (f"no landmark named {shown_name(name)}; did you mean {_choices(near)}? {shown_name(name)} differs "
                f"from {them} only {_how_it_differs(name, near)}, and would be another keyword for the place in "
                "the files.")
    return f"no landmark named {shown_name(name)}; did you mean {_choices(near)}?"


# The invisible characters a spelling may hold or lack where the fold sees one word.
_JOINER_WORDS = {"\u200c": "zero-width non-joiner (U+200C)", "\u200d": "zero-width joiner (U+200D)"}


def shown_name(name: str) -> str:
    """`name` quoted as repr quotes it, but with its joiners as they are rather than
    escaped (`\\u200c` reads as garbage and cannot be pasted back into a shell)."""
    shown = repr(name)
    for joiner in _JOINER_WORDS:
        shown = shown.replace(joiner.encode("unicode_escape").decode(), joiner)
    return shown


def _how_it_differs(name: str, near: list[str]) -> str:
    """"in accents", "in character width" (full-width "ＴＯＫＹＯ" for "TOKYO"), "by an
    invisible zero-width non-joiner (U+200C)", or accents and joiners both."""
    joiners = [words for joiner, words in _JOINER_WORDS.items()
               if any(name.count(joiner) != other.count(joiner) for other in near)]
    if not joiners:
        if all(_width_free(name) == _width_free(other) for other in near):
            return "in character width (full-width or half-width forms)"
        return "in accents"
    invisible = "an invisible " + " and a ".join(joiners)
    if all(_without_joiners(name) == _without_joiners(other) for other in near):
        return f"by {invisible}"
    return f"in accents and by {invisible}"


# Runs of the Halfwidth and Fullwidth Forms block (NFKC composes "ｶﾞ" to "ガ" as a run).
_WIDTH_FORMS = re.compile("[\uff01-\uffee]+")


def _width_free(text: str) -> str:
    """`text` with its full-width and half-width forms made plain ("ＴＯＫＹＯ" gives
    "TOKYO"), case folded."""
    return _WIDTH_FORMS.sub(lambda run: unicodedata.normalize("NFKC", run.group()), label_form(text)).casefold()


def _without_joiners(text: str) -> str:
    return label_form("".join(ch for ch in text if ch not in _JOINER_WORDS)).casefold()


def merges_only_when_exact(name: str, near: list[str]) -> str:
    """A new name for a renamed place close to landmarks in use (`near`): a rename into
    one of them merges the two places, so a typo of one is never taken as that merge, nor
    as a second place, without asking; each face adds its way to rename as typed."""
    return (f"{name!r} is close to {_choices(near)}; rename merges into an existing name "
            "only when it is typed exactly")


def _choices(near: list[str]) -> str:
    return " or ".join(shown_name(other) for other in near)

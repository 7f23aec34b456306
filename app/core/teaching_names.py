"""Names of taught places as the user types them: checked (what a keyword can hold) and
given the spelling already in use, so that one place never gets two look-alike labels
(and keywords). Split out of app.core.teaching, which still exports them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from app.core.errors import UsageError
from app.core.label_names import unwritable_character
from model.labels import label_form

if TYPE_CHECKING:
    from app.core.index import PhotoIndex


def check_label(label: str | None) -> str:
    """A usable label: line breaks, tabs and runs of spaces become one space (a keyword
    is one line in every photo tool), composed characters (NFC: macOS hands "é" over as
    "e" + accent, which would make a second, identical-looking keyword); not empty.
    UsageError otherwise, and for any other character XMP (XML) cannot hold: a control
    character, U+FFFE or U+FFFF, a lone surrogate (label_names.unwritable_character)."""
    text = label_form(label or "")
    if not text:
        raise UsageError("a taught label needs a name, e.g. teach \"Our cabin\" PHOTO…")
    bad = unwritable_character(text)
    if bad is not None:
        raise UsageError(f"the label {text!r} holds {bad}; a keyword can only hold printable text")
    return text


def stored_label(label: str | None) -> str:
    """A label the index may already hold, as check_label reads it but without refusing
    what XMP cannot hold: an older version stored such names, and renaming or forgetting
    them is the way out (UsageError only when empty)."""
    text = label_form(label or "")
    if not text:
        raise UsageError("a taught label needs a name, e.g. teach \"Our cabin\" PHOTO…")
    return text


def canonical_label(index: "PhotoIndex", label: str, names: Iterable[str] = ()) -> str:
    """The spelling already in use for `label`, ignoring case and Unicode form (label_form):
    the model's landmark names first, then taught labels, then labels on photos. Typing
    "colosseum" for a photo the model called "Colosseum", or "Château d'If" composed for a
    model trained on macOS folder names (decomposed), must not reject the model's label
    and start a second, look-alike label (and keyword) for the same place."""
    from app.core.index.search_text import label_key

    key = label_form(label).casefold()

    def same(name: str) -> bool:
        return label_form(name).casefold() == key

    for name in names:
        if same(name):
            return name
    taught = [row[0] for row in index.conn.execute("SELECT DISTINCT label FROM taught_refs")]
    # label_key picks the candidates through its index; label_form alone decides (SQLite's
    # NOCASE would miss "CHÂTEAU D'IF" for "Château d'If")
    on_photos = [row[0] for row in index.conn.execute(
        "SELECT DISTINCT label FROM labels WHERE label_key = ?", (label_key(label),))]
    for candidates in (taught, on_photos):
        spellings = [name for name in candidates if same(name)]
        if spellings:
            return label if label in spellings else min(spellings)
    return label

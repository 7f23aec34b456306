"""The one form a landmark label is kept in.

Labels reach us from folder names (a model's class names, when it was trained on a
folder per class), from photo metadata and from what the user types. macOS hands names
over decomposed (NFD: "e" + U+0301), a keyword field may hold a line break or doubled
spaces, so the same place could come in under two spellings that look the same: a
second label, a second keyword, and the model's label rejected as a "correction".
Every way in goes through label_form; code that compares labels ignoring case compares
`label_form(text).casefold()`.
"""

from __future__ import annotations

import unicodedata


def label_form(text: str) -> str:
    """`text` composed (NFC) with each run of white space (line breaks and tabs too) made
    one space and none at either end."""
    return unicodedata.normalize("NFC", " ".join(text.split()))

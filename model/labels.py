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


# Invisible format characters that mean nothing in a name, dropped as runs of spaces are
# made one: a zero-width space (U+200B), word joiner (U+2060), the invisible operators
# (U+2061-U+2064), the deprecated format controls (U+206A-U+206F) and a byte order mark
# (U+FEFF) come with text pasted from a web page or a PDF, and "Big Ben" + U+200B was a
# second keyword that looks like "Big Ben". The joiners (U+200C, U+200D: a glyph's shape
# in Indic or Persian, an emoji sequence), direction marks and variation selectors stay.
IGNORED_IN_NAMES = str.maketrans(dict.fromkeys(
    [0x200B, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, *range(0x206A, 0x2070), 0xFEFF]))


def label_form(text: str) -> str:
    """`text` composed (NFC) with each run of white space (line breaks and tabs too) made
    one space and none at either end, and the invisible characters of IGNORED_IN_NAMES
    dropped."""
    if not text.isascii():
        text = text.translate(IGNORED_IN_NAMES)
    return unicodedata.normalize("NFC", " ".join(text.split()))

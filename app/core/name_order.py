"""The order in which names are shown to people (folders, landmarks, taught places), and
the accent-free form that orders them and that completion matches.

Sorting by str.casefold put every accented initial after Z ("Äpfel", "Ölberg", "Église"
after "Zürich") and a name decomposed (NFD, as macOS names files) among the plain
letters while the same name composed (NFC) went to the end. Names are ordered by their
letters with accents and case set aside, as readers of German or French expect and as
search already compares words (search_text.fold_words). The C library's locale collation
is not used: it differs between platforms and the locale may be absent."""

from __future__ import annotations

import unicodedata

from app.core.name_folding import fold_letters


def accent_free(text: str) -> str:
    """`text` case-folded with its accents taken off, the same for either Unicode form:
    "Zürich" and "zurich" give "zurich", "Straße" gives "strasse", "København" gives
    "kobenhavn"; full-width letters and ligatures made plain. The fold search compares
    words by (name_folding.fold_letters); spaces and punctuation stay."""
    return fold_letters(text)


def name_order(name: str) -> tuple[str, str, str, str]:
    """The sort key of a name shown to people: its accent-free letters first ("Äpfel"
    beside "apfel", "Église" among the E's), then the composed name case-folded (the
    plain letter before the accented one: "Chateau" before "Château"), then as written
    (capitals first), then as stored, so NFC and NFD spellings of one name sort alike."""
    composed = unicodedata.normalize("NFC", name)
    return accent_free(name), composed.casefold(), composed, name

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


def accent_free(text: str) -> str:
    """`text` case-folded with its accents taken off, the same for either Unicode form:
    "Zürich" and "zurich" give "zurich", "Straße" gives "strasse". NFKD also makes
    full-width letters and ligatures plain, as search does; spaces and punctuation stay."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def name_order(name: str) -> tuple[str, str, str, str]:
    """The sort key of a name shown to people: its accent-free letters first ("Äpfel"
    beside "apfel", "Église" among the E's), then the composed name case-folded (the
    plain letter before the accented one: "Chateau" before "Château"), then as written
    (capitals first), then as stored, so NFC and NFD spellings of one name sort alike."""
    composed = unicodedata.normalize("NFC", name)
    return accent_free(name), composed.casefold(), composed, name

"""`label:` for a label with no letters or digits ("★", "♥", a user's marks for favourites):
label_key has no words to compare then, so it compares the label itself, case-folded;
label:"★" lists the ★ photos alone, not every photo whose label has no words."""

from __future__ import annotations

import pytest

from app.core.index import PhotoIndex
from tests.test_index import add_photo
from tests.test_index_support import assert_every_search_finds


@pytest.fixture
def marked():
    """Photos labelled "★", "♥", "☆" (one each, the ★ twice) and "Louvre", one minute apart."""
    with PhotoIndex.open(":memory:") as index:
        ids = {}
        for n, (name, label) in enumerate((("star", "★"), ("star2", "★"), ("heart", "♥"),
                                           ("open_star", "☆"), ("louvre", "Louvre"))):
            ids[name] = add_photo(index, "/lib/Paris", f"DSC_{n:04d}", f"2020-12-01T10:{n:02d}:00")
            index.set_label(ids[name], label, source="user", state="accepted", score=None)
        yield index, ids


@pytest.mark.parametrize(("query", "expected"), [
    ('label:"★"', {"star", "star2"}),
    ("label:★", {"star", "star2"}),
    ('label:"♥"', {"heart"}),
    ('label:"☆" paris', {"open_star"}),
    ('-label:"★" paris', {"heart", "open_star", "louvre"}),
    ('label:"♦"', set()),
])
def test_a_label_without_words_finds_only_its_own_photos(marked, query, expected) -> None:
    index, ids = marked
    assert_every_search_finds(index, query, sorted(ids[name] for name in expected))

"""A free word of no letters or digits in a search (t_unicode-1): a label copied from the
listing ("🗼 Tower", "Tour Eiffel – Paris", "Rome - Forum") was refused whole for its "🗼"
or "–". Beside other free words such a word is left out; without them it is refused,
naming label:, which finds a label of signs alone."""

from __future__ import annotations

import pytest

from app.core.errors import QuerySyntaxError
from app.core.index import PhotoIndex
from tests.test_index import add_photo
from tests.test_index_support import assert_every_search_finds


@pytest.fixture(scope="module")
def labelled():
    """Photos labelled "🗼 Tower", "Tour Eiffel – Paris" and "🗼🗼", one minute apart."""
    with PhotoIndex.open(":memory:") as index:
        ids = {}
        for n, (name, label) in enumerate((("tower", "🗼 Tower"), ("eiffel", "Tour Eiffel – Paris"),
                                           ("signs", "🗼🗼"))):
            ids[name] = add_photo(index, "/lib/Trip", f"DSC_{n:04d}", f"2020-12-01T10:{n:02d}:00")
            index.set_label(ids[name], label, source="user", state="accepted", score=None)
        yield index, ids


@pytest.mark.parametrize(("query", "expected"), [
    ("🗼 Tower", {"tower"}),
    ("Tower 🗼", {"tower"}),
    ("Tour Eiffel – Paris", {"eiffel"}),
    ("Tour - Paris", {"eiffel"}),
    ("Tour & Eiffel state:accepted", {"eiffel"}),
])
def test_a_word_without_letters_beside_words_is_left_out(labelled, query, expected) -> None:
    index, ids = labelled
    assert_every_search_finds(index, query, sorted(ids[name] for name in expected))


@pytest.mark.parametrize("query", ["🗼🗼", "🗼 state:accepted"])
def test_a_word_without_letters_and_no_other_word_names_label(labelled, query) -> None:
    index, ids = labelled
    with pytest.raises(QuerySyntaxError, match='found by label:"🗼'):
        index.search(query)
    assert_every_search_finds(index, 'label:"🗼🗼"', [ids["signs"]])

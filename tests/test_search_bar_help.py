"""The search field's tooltip is the app's only summary of the query language: every
field the parser knows must be named there (the lens field was once left out)."""

import re

from app.core.index.query_parser import FIELDS
from app.gui.search_bar import LANGUAGE

# path: is typed by pasting a path, which the tooltip says in words.
NAMED_IN_WORDS = {"path"}


def test_the_search_tooltip_names_every_field_of_the_query_language():
    missing = [field for field in FIELDS if field not in NAMED_IN_WORDS and f"{field}:" not in LANGUAGE]
    assert not missing, f"search tooltip does not name: {missing}"


def test_the_search_help_names_has_label_and_the_no_landmark_term():
    """has:label and the "no landmark" photos' term came after the help line was written."""
    from app.core.index.query_parser import HAS_VALUES, NO_LANDMARK_TERM
    from app.gui.search_bar import PLACEHOLDER

    assert f"has:{'|'.join(HAS_VALUES)}" in LANGUAGE and NO_LANDMARK_TERM in LANGUAGE
    assert re.search(r"has:[a-z|]*label", PLACEHOLDER), PLACEHOLDER


def test_the_search_help_names_every_is_value():
    """is:damaged and the other problem terms came after the help line was written."""
    from app.core.index.query_parser import IS_VALUES

    named = set(re.findall(r"is:([a-z|-]+)", LANGUAGE))
    values = {value for group in named for value in group.split("|")}
    assert set(IS_VALUES) <= values, set(IS_VALUES) - values

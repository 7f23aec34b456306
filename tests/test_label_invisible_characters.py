"""Invisible characters pasted with a label (t_unicode-4): a zero-width space, word joiner
or byte order mark from a web page made "Big Ben" + U+200B a second keyword and a second
taught place that look like "Big Ben"; a label of U+200B alone was taken. They are dropped
as runs of spaces are made one (model.labels.label_form). A direction override or isolate
("Dome " + U+202E + "evil", shown as "Dome live") is refused like a control character."""

from __future__ import annotations

import re

import pytest

from app.core.errors import UsageError
from app.core.index import PhotoIndex
from app.core.teaching import canonical_label, check_label
from model.labels import label_form


@pytest.mark.parametrize("typed", ["Big Ben\u200b", "\ufeffBig Ben", "Big\u2060 Ben", "  Big \u200b Ben  "])
def test_an_invisible_character_pasted_with_a_label_is_dropped(typed: str) -> None:
    assert check_label(typed) == "Big Ben"


def test_the_joiners_a_script_needs_stay() -> None:
    persian = "\u0644\u0637\u0641\u200c\u0627\u0644\u0644\u0647"
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    assert label_form(persian) == persian and label_form(family) == family


@pytest.mark.parametrize("typed", ["\u200b", " \ufeff \u2060 "])
def test_a_label_of_invisible_characters_alone_is_empty(typed: str) -> None:
    with pytest.raises(UsageError, match="needs a name"):
        check_label(typed)


@pytest.mark.parametrize(("typed", "named"), [("Dome \u202eevil\u202c x", "right-to-left override (U+202E)"),
                                              ("\u2067Petra\u2069", "right-to-left isolate (U+2067)")])
def test_a_direction_override_or_isolate_is_refused(typed: str, named: str) -> None:
    with pytest.raises(UsageError, match=re.escape(named)):
        check_label(typed)


def test_a_pasted_name_takes_the_known_spelling(tmp_path) -> None:
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert canonical_label(index, check_label("\ufeffBig Ben\u200b"), ["Big Ben"]) == "Big Ben"


def test_label_of_a_zero_width_space_alone_is_empty(tmp_path, capsys) -> None:
    from app.cli.main import main
    from tests.test_index_support import write_jpeg

    write_jpeg(tmp_path / "Trip" / "IMG_0001.jpg")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "Trip")]) == 0
    assert main(["--db", db, "label", "IMG_0001", "\u200b"]) == 2
    assert "the label NAME is empty" in capsys.readouterr().err

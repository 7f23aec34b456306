"""Words of the scripts of India and Southeast Asia keep their combining marks.

A vowel sign, a virama or a Thai tone mark (Unicode Mn/Mc) is part of the word there, no
accent, but the fold dropped it and FTS5's tokenizer split words at it: "ที่พัก" was held
as ท, พ, ก, so `search ที่` found every name with a ท ("ปราสาทหิน" too) and `search ทพก`
found "ที่พัก"; "मंदिर" was the three words म, द, र. They are found as they are typed now,
in every plan of a search and in `label:`; an index an older version wrote gets them on
upgrade (schema migration 40)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.index.schema import LATEST_VERSION
from app.core.index.search_text import fold_words
from tests.test_index import add_photo
from tests.test_search_review_fixes import _same_everywhere
from tests.test_search_words_in_any_script import _rows

BEFORE = 39  # the schema before migration 40
LIBRARY = [("/lib/ที่พัก", "Hotel"), ("/lib/ปราสาทหิน", "ปราสาทหินพิมาย"), ("/lib/मंदिर यात्रा", "मंदिर"),
           ("/lib/नमस्ते", "Namaste"), ("/lib/தஞ்சாவூர்", "பெரிய கோயில்"), ("/lib/Zürich", "Grossmünster"),
           # with a zero-width joiner (Sri, as Sinhala keyboards type it) and non-joiner
           ("/lib/ශ්\u200dරී ලංකා", "Temple of the Tooth"), ("/lib/Himalaya", "क्\u200dष पर्\u200cवत")]


def test_a_words_marks_stay_in_it_and_accents_still_go() -> None:
    assert fold_words("मंदिर") == ("मंदिर",) and fold_words("नमस्ते") == ("नमस्ते",)
    assert fold_words("ที่พัก") == ("ที่", "พั", "ก")  # Thai: a letter with its marks is a word
    assert fold_words("தஞ்சாவூர்") == ("தஞ்சாவூர்",)
    assert fold_words("Zürich Ἀκρόπολις Łódź") == ("zurich", "ακροπολισ", "lodz")
    assert fold_words("שָׁלוֹם") == ("שלום",)  # Hebrew points are optional, typed without


def test_a_joiner_inside_a_word_neither_splits_it_nor_keeps_the_word_without_it_from_matching() -> None:
    assert fold_words("ශ්\u200dරී ලංකා") == fold_words("ශ්රී ලංකා") == ("ශ්රී", "ලංකා")
    assert fold_words("क्\u200dष") == ("क्ष",) and fold_words("पर्\u200cवत") == ("पर्वत",)


def _library(index: PhotoIndex) -> list[int]:
    ids = []
    for n, (folder, label) in enumerate(LIBRARY):
        photo = add_photo(index, folder, f"IMG_{n:04d}", f"2022-0{n + 1}-01T10:00:00")
        index.set_label(photo, label, source="user", state="accepted")
        ids.append(photo)
    return ids


@pytest.fixture
def marked():
    with PhotoIndex.open(":memory:") as index:
        yield index, _library(index)


QUERIES = [("ที่", [0]), ("ที่พัก", [0]), ("ทพก", []), ("ปราสาท", [1]), ("ปราสาทหิน", [1]),
           ("मंदिर", [2]), ('"मंदिर यात्रा"', [2]), ("मदर", []), ("नमस्ते", [3]), ("नमसत", []),
           ("label:मंदिर", [2]), ("folder:தஞ்சாவூர்", [4]), ("கோயில்", [4]), ("zurich", [5]),
           ("ශ්රී", [6]), ("ශ්\u200dරී", [6]), ('"ශ්රී ලංකා"', [6]), ("folder:ශ්රී", [6]), ("රී", []),
           ("क्ष", [7]), ("पर्वत", [7]), ("पर्\u200cवत", [7]), ('label:"क्ष पर्वत"', [7]), ("ष", [])]


@pytest.mark.parametrize("query, found", QUERIES)
def test_a_word_with_marks_is_found_as_typed_in_every_plan(marked, query, found) -> None:
    index, ids = marked
    assert sorted(_same_everywhere(index, query)) == [ids[i] for i in found]


def test_the_cli_finds_a_thai_word_and_not_its_bare_letter(tmp_path, capsys) -> None:
    from app.cli.main import main

    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        _library(index)
    assert main(["--db", str(db), "search", "ที่"]) == 0
    out = capsys.readouterr().out
    assert "ที่พัก" in out and "ปราสาทหิน" not in out


def _words_dropping_marks(text: str) -> tuple[str, ...]:
    """fold_words as it was before migration 40: every mark with a combining class
    dropped, and a word split at every other mark."""
    import re
    import unicodedata

    from app.core import name_folding

    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch in name_folding.KANA_VOICING)
    plain = name_folding.COMPOSED_BACK.sub(lambda run: unicodedata.normalize("NFC", run.group()), plain)
    plain = plain.casefold().translate(name_folding.PLAIN_LETTERS)
    unspaced = name_folding.UNSPACED
    return tuple(re.findall(rf"(?=[^\W_])[{unspaced}]|[^\W_{unspaced}]+", plain))


def _old_index(path: Path, monkeypatch) -> list[int]:
    """The library at schema BEFORE, its words as that version folded them."""
    from app.core.index import schema, search_text

    monkeypatch.setattr(schema, "LATEST_VERSION", BEFORE)
    monkeypatch.setattr(search_text, "fold_words", _words_dropping_marks)
    with PhotoIndex.open(path) as index:
        ids = _library(index)
    monkeypatch.undo()
    return ids


def test_an_index_an_older_version_wrote_finds_them_once_upgraded(tmp_path: Path, monkeypatch) -> None:
    old, fresh = tmp_path / "at39.db", tmp_path / "fresh.db"
    ids = _old_index(old, monkeypatch)
    with PhotoIndex.open(fresh) as index:
        _library(index)
    before = _rows(old)
    assert before["version"] == BEFORE and "म" in before["search_words"]
    with PhotoIndex.open(old) as index:
        assert index.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        for query, found in QUERIES:
            assert sorted(_same_everywhere(index, query)) == [ids[i] for i in found], query
    after = _rows(old)
    assert {key: value for key, value in after.items() if key != "version"} == \
        {key: value for key, value in _rows(fresh).items() if key != "version"}  # as this version writes them
    assert after["search_text"][ids[5]] == before["search_text"][ids[5]]  # Latin words: left as they were
    assert "म" not in after["search_words"] and "मंदिर" in after["search_words"]

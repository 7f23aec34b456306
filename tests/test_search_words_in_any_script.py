"""Names in scripts written without spaces, and letters that are no letter plus an accent.

A word inside a run of Chinese or Japanese letters (Thai, Korean compounds…) was not
found: `search 旅行` found nothing in the folder "京都旅行 2019" while `京都` found it (a
search matches words from their start, and the run was one word). And "Kobenhavn",
"Lodz" or "Thingvellir" found nothing of "København", "Łódź" or "Þingvellir", where
"Zurich" finds "Zürich": ø, ł, þ… are no base letter plus an accent, which the fold
took off. Both are fixed in the one fold names are compared by (app.core.name_folding),
in every plan of a search, in `label:`, in completion and in the label dialogs' question;
an index an older version wrote gets them on upgrade (schema migration 37)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.index.schema import LATEST_VERSION
from app.core.label_names import close_landmarks, did_you_mean
from app.core.name_order import accent_free, name_order
from tests.test_index import add_photo
from tests.test_search_review_fixes import _same_everywhere

BEFORE = 36  # the schema before migration 37
REPO = Path(__file__).resolve().parents[1]


# -- words inside a run of letters of an unspaced script ------------------------------------

def _kyoto(index: PhotoIndex) -> list[int]:
    """The brief's library: two photos of the folder "京都旅行 2019", one labelled "金閣寺 (鹿苑寺)"."""
    first = add_photo(index, "/lib/京都旅行 2019", "DSC_0001", "2019-04-01T10:00:00")
    second = add_photo(index, "/lib/京都旅行 2019", "DSC_0002", "2019-04-02T10:00:00")
    index.set_label(second, "金閣寺 (鹿苑寺)", source="user", state="accepted")
    return [first, second]


@pytest.fixture
def scripts():
    with PhotoIndex.open(":memory:") as index:
        _kyoto(index)
        for n, (folder, label) in enumerate([("/lib/서울", "경복궁"), ("/lib/Bangkok", "กรุงเทพมหานคร"),
                                             ("/lib/Tokyo", "ガイド"), ("/lib/Tokyo", "ｶﾞｲﾄﾞ"),
                                             ("/lib/Tokyo", "カイト"), ("/lib/東京Tower2020", "Tokyo Tower")]):
            photo = add_photo(index, folder, f"IMG_{n:04d}", f"2020-01-0{n + 1}T10:00:00")
            index.set_label(photo, label, source="user", state="accepted")
        yield index


@pytest.mark.parametrize("query, found", [
    ("京都", 2), ("京都旅行", 2), ("金閣", 1),  # the run's beginning: as before
    ("旅行", 2), ("寺", 1), ("閣寺", 1), ("都旅", 2), ("鹿苑", 1), ("苑寺", 1),  # anywhere in it
    ("旅行 2019", 2), ('"旅行 2019"', 2), ("旅行 金閣", 1), ("folder:旅行", 2), ("-旅行", 6),
    ("旅行 OR 복궁", 3), ('label:"金閣寺 (鹿苑寺)"', 1), ("label:金閣寺", 0),  # label: is the whole label
    ("복궁", 1), ("서울", 1), ("folder:울", 1),  # Korean: syllables
    ("มหานคร", 1),  # Thai
    ("イド", 2), ("ガイ", 2), ("カイ", 1), ("ｶﾞｲﾄﾞ", 2),  # kana keep their voicing marks, half-width or not
    ("京tow", 1), ("東京 tower", 1), ("京 2020", 0),  # beside Latin letters: the same
])
def test_a_run_of_unspaced_letters_is_found_from_any_of_its_letters(scripts, query, found) -> None:
    assert len(_same_everywhere(scripts, query)) == found, query


def test_the_cli_finds_a_word_inside_the_run(tmp_path, capsys) -> None:
    from app.cli.main import main

    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        _kyoto(index)
    for query, found in [("京都", 2), ("旅行", 2), ("寺", 1), ("閣寺", 1)]:
        assert main(["--db", str(db), "search", "--count", query]) == 0
        assert capsys.readouterr().out.strip() == str(found), query


def test_latin_words_still_match_whole_or_from_their_start() -> None:
    with PhotoIndex.open(":memory:") as index:
        tower = add_photo(index, "/lib/Paris", "DSC_0001", "2020-01-01T10:00:00")
        index.set_label(tower, "Zürich Tower", source="user", state="accepted")
        assert _same_everywhere(index, "tow") == [tower]  # the last word: a prefix
        assert _same_everywhere(index, "zurich tow") == [tower]
        for query in ("ower", "urich", "tow zurich", "paris tower ich"):
            assert _same_everywhere(index, query) == [], query  # no word from inside a Latin word


# -- letters that are no base letter plus an accent ------------------------------------------

PLAIN_LETTER_NAMES = ["København", "Łódź Kaliska", "Straße des 17. Juni", "Þingvellir", "Ærøskøbing",
                      "Œuvre Notre-Dame", "Kadıköy", "Đakovo"]


@pytest.fixture
def plain_letters():
    with PhotoIndex.open(":memory:") as index:
        for n, label in enumerate(PLAIN_LETTER_NAMES):
            photo = add_photo(index, f"/lib/{label}", f"DSC_{n:04d}", f"2020-01-0{n + 1}T10:00:00")
            index.set_label(photo, label, source="user", state="accepted")
        yield index


@pytest.mark.parametrize("query, label", [
    ("kobenhavn", "København"), ("KØBENHAVN", "København"), ("koben", "København"),
    ("lodz", "Łódź Kaliska"), ("LODZ kal", "Łódź Kaliska"), ("strasse", "Straße des 17. Juni"),
    ("thingvellir", "Þingvellir"), ("aeroskobing", "Ærøskøbing"), ("oeuvre", "Œuvre Notre-Dame"),
    ("kadikoy", "Kadıköy"), ("dakovo", "Đakovo"),
    ("label:kobenhavn", "København"), ('label:"lodz kaliska"', "Łódź Kaliska"), ("folder:thingvellir", "Þingvellir"),
])
def test_letters_that_are_no_letter_plus_accent_are_found_typed_plainly(plain_letters, query, label) -> None:
    found = _same_everywhere(plain_letters, query)
    assert [plain_letters.get(photo).label for photo in found] == [label], query


def test_the_dialogs_compare_names_by_the_same_fold() -> None:
    known = ["København", "Łódź Kaliska", "Colosseum"]
    assert close_landmarks("Kobenhavn", known) == ["København"]  # differs in accents alone: asked
    assert close_landmarks("Lodz Kaliska", known) == ["Łódź Kaliska"]
    assert "only in accents" in did_you_mean("Kobenhavn", ["København"])
    assert close_landmarks("københavn", known) == []  # case alone: the known one
    assert accent_free("Łódź Kaliska") == "lodz kaliska"  # what completion matches (name_completer)
    assert sorted(["Zürich", "Oslo", "Øresund", "Odense"], key=name_order) == ["Odense", "Øresund", "Oslo", "Zürich"]


@pytest.mark.gui
def test_completion_offers_the_name_for_its_plain_letters(qtbot) -> None:
    pytest.importorskip("pytestqt")
    from app.gui.label_dialog import LabelDialog

    known = ["København", "Łódź Kaliska", "京都旅行"]
    dialog = LabelDialog(known, None, 1, known=known)
    qtbot.addWidget(dialog)
    completer = dialog.completer
    for typed, name in [("koben", "København"), ("lodz", "Łódź Kaliska"), ("旅行", "京都旅行")]:
        completer.setCompletionPrefix(typed)
        assert completer.completionCount() == 1, typed
        completer.setCurrentRow(0)
        assert completer.currentCompletion() == name


# -- an index an older version wrote -----------------------------------------------------------

def _fold_before_37(text: str) -> tuple[str, ...]:
    """search_text.fold_words as it was before migration 37."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return tuple(re.findall(r"[^\W_]+", plain.casefold()))


UPGRADED_LABELS = [("/lib/Danmark", "København", "accepted"), ("/lib/Polska", "Łódź Kaliska", "suggested"),
                   ("/lib/Rome", "Colosseum", "accepted"), ("/lib/Zürich", "Grossmünster", "accepted"),
                   ("/lib/서울", "경복궁", "accepted"), ("/lib/Tokyo", "ガイド", "accepted"),
                   ("/lib/Kyoto", "金閣寺", "rejected")]


def _library(path: Path, monkeypatch, fold=None) -> list[int]:
    """The library at schema BEFORE, its words folded by `fold` (None: as now)."""
    from app.core.index import schema, search_text

    monkeypatch.setattr(schema, "LATEST_VERSION", BEFORE if fold else LATEST_VERSION)
    if fold:
        monkeypatch.setattr(search_text, "fold_words", fold)
    with PhotoIndex.open(path) as index:
        ids = _kyoto(index)
        for n, (folder, label, state) in enumerate(UPGRADED_LABELS):
            photo = add_photo(index, folder, f"IMG_{n:04d}", f"2021-0{n + 1}-01T10:00:00",
                              lens="Ø 50mm" if n < 2 else None)  # (København's and Łódź's)
            index.set_labels([photo], label, source="user" if state == "accepted" else "model", state=state)
            ids.append(photo)
    monkeypatch.undo()
    return ids


def _rows(path: Path) -> dict:
    """Everything the fold is stored in, as it is (read without upgrading)."""
    conn = sqlite3.connect(path)
    try:
        return {"version": conn.execute("PRAGMA user_version").fetchone()[0],
                "search_text": dict(conn.execute("SELECT id, search_text FROM photos")),
                "photos_fts": {row[0]: row[1:] for row in conn.execute("SELECT rowid, * FROM photos_fts")},
                "label_key": dict(conn.execute("SELECT photo_id, label_key FROM labels")),
                "photos_by_time": dict(conn.execute("SELECT rowid, words FROM photos_by_time")),
                "search_words": {row[0] for row in conn.execute("SELECT word FROM search_words")}}
    finally:
        conn.close()


def test_an_index_an_older_version_wrote_finds_them_once_upgraded(tmp_path: Path, monkeypatch) -> None:
    old, fresh = tmp_path / "at36.db", tmp_path / "fresh.db"
    ids = _library(old, monkeypatch, fold=_fold_before_37)
    _library(fresh, monkeypatch)
    before = _rows(old)
    assert before["version"] == BEFORE and "京都旅行" in before["search_words"]
    with PhotoIndex.open(old) as index:
        assert index.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        for query, found in [("旅行", ids[:2]), ("閣寺", ids[1:2]), ("label:金閣寺 state:rejected", ids[8:9]),
                             ("kobenhavn", ids[2:3]), ("koben", ids[2:3]), ("label:kobenhavn", ids[2:3]),
                             ("lodz", ids[3:4]), ("lens:o", ids[2:4]), ("복궁", ids[6:7]), ("ガイ", ids[7:8]),
                             ("カイ", []), ("colosseum", ids[4:5]), ("zurich", ids[5:6])]:
            assert sorted(_same_everywhere(index, query)) == found, query
    after = _rows(old)
    assert {key: value for key, value in after.items() if key != "version"} == \
        {key: value for key, value in _rows(fresh).items() if key != "version"}  # as this version writes them
    for photo in ids[4:6]:  # Latin words only ("Zürich" too): left as they were
        assert after["search_text"][photo] == before["search_text"][photo]
        assert after["photos_fts"][photo] == before["photos_fts"][photo]
    assert "京都旅行" not in after["search_words"] and "københavn" not in after["search_words"]


@pytest.mark.parametrize("where, calls", [
    ("app.core.index.search_text.label_key", 2),  # while label_key is written again
    ("app.core.index.search_text._write_search_texts", 1),  # after the photos' words were
    ("app.core.index.migrations_latest._word_no_fold_gives", 2),  # while search_words loses words
])
def test_an_upgrade_killed_at_any_point_leaves_the_index_as_it_was(tmp_path: Path, monkeypatch, where, calls) -> None:
    db = tmp_path / "index.db"
    ids = _library(db, monkeypatch, fold=_fold_before_37)
    before = _rows(db)
    module, name = where.rsplit(".", 1)
    code = textwrap.dedent(f"""
        import importlib, os
        from app.core.index import PhotoIndex
        module = importlib.import_module({module!r})
        real, calls = getattr(module, {name!r}), []

        def killed(*args):
            answer = real(*args)
            calls.append(1)
            if len(calls) == {calls}:
                os.kill(os.getpid(), 9)
            return answer

        setattr(module, {name!r}, killed)
        PhotoIndex.open({str(db)!r})
    """)
    killed = subprocess.run([sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert killed.returncode != 0
    assert _rows(db) == before  # at 36, as it was
    with PhotoIndex.open(db) as index:  # the next open upgrades
        assert index.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert sorted(_same_everywhere(index, "旅行")) == ids[:2]
        assert _same_everywhere(index, "kobenhavn") == ids[2:3]

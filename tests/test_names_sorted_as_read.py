"""Names shown to people are sorted by their letters, accents and case aside
(app.core.name_order): sorting by str.casefold put "Äpfel", "Ölberg" and "Église" after
"Zürich" in the library panel, the Label dialog's list and `stats --landmarks`, and a
folder named in NFD (as macOS names files) sorted apart from the same name in NFC."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from app.cli.main import main
from app.core import library
from app.core.index import PhotoIndex
from app.core.label_names import known_landmarks
from app.core.library import FolderNode
from app.core.name_order import accent_free, name_order
from tests.test_gui_support import insert_synthetic_photos

NFD = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731

LANDMARKS = ["Zürich Grossmünster", "Église Saint-Étienne", "Ölberg", "apfel tower", "Chateau Zeta",
             "Château d'If", "金閣寺 (鹿苑寺)"]
LANDMARKS_AS_READ = ["apfel tower", "Château d'If", "Chateau Zeta", "Église Saint-Étienne", "Ölberg",
                     "Zürich Grossmünster", "金閣寺 (鹿苑寺)"]


def test_accented_names_sort_beside_their_plain_letters_in_either_unicode_form() -> None:
    names = ["Zürich", "Äpfel", "camera", "Ölberg", "apfel", "Église", NFD("Äbtissin"), "Chateau-plain", "Château",
             "olive", "Eiffel"]
    assert sorted(names, key=name_order) == [NFD("Äbtissin"), "apfel", "Äpfel", "camera", "Château", "Chateau-plain",
                                             "Église", "Eiffel", "Ölberg", "olive", "Zürich"]
    for name in ("Äpfel", "Crêpes à Orléans", "Église"):  # the same place whichever form the disk gave
        composed, decomposed = unicodedata.normalize("NFC", name), NFD(name)
        assert composed != decomposed
        assert name_order(composed)[:3] == name_order(decomposed)[:3]
        assert sorted([decomposed, "Zürich", composed, "Abbey"], key=name_order)[1:3] in ([composed, decomposed],
                                                                                          [decomposed, composed])
    # the plain letter first, then capitals first: one order, whatever order the names came in
    assert sorted(["château", "Chateau", "chateau", "Château"], key=name_order) == [
        "Chateau", "chateau", "Château", "château"]
    assert accent_free("Straße") == "strasse" and accent_free(NFD("Öl")) == accent_free("öl") == "ol"


@pytest.fixture
def db(tmp_path):
    """An index whose photos carry LANDMARKS, one each, in that order."""
    insert_synthetic_photos(tmp_path / "index.db", len(LANDMARKS), folder="/photos/trip")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        for photo_id, name in enumerate(LANDMARKS, 1):
            index.set_label(photo_id, name, source="user", state="accepted")
    return tmp_path / "index.db"


def test_landmarks_in_the_panel_the_completion_and_the_typo_check_sort_as_read(db) -> None:
    with PhotoIndex.open(db) as index:
        assert [name for name, _ in library.landmark_counts(index)] == LANDMARKS_AS_READ
        assert index.known_labels() == LANDMARKS_AS_READ
        assert known_landmarks(index) == LANDMARKS_AS_READ
        assert library.label_choices(index, bundle=Path("/no/such.ltbundle")) == LANDMARKS_AS_READ


def test_stats_lists_the_landmarks_as_read(db, capsys) -> None:
    assert main(["--db", str(db), "stats", "--landmarks"]) == 0
    listed = [line.split(None, 1)[1] for line in capsys.readouterr().out.splitlines()[-len(LANDMARKS):]]
    assert listed == LANDMARKS_AS_READ


@pytest.mark.gui
def test_the_library_panel_lists_folders_as_read(qtbot) -> None:
    pytest.importorskip("pytestqt")
    from app.gui.library_tree import LibraryTree

    names = ["Zürich", "Äpfel", "apfel", "Ölberg", "camera", NFD("Äbtissin (NFD)"), "Château", "Chateau-plain",
             "Crêpes à Orléans", "京都旅行 2019", "olive"]
    root = FolderNode("/lib", "lib", count=len(names), children=[FolderNode(f"/lib/{name}", name, 1) for name in names])
    tree = LibraryTree()
    qtbot.addWidget(tree)
    tree.show_folders(len(names), [root])
    shown = tree.topLevelItem(1)
    assert shown.text(0) == "lib"
    assert [shown.child(row).text(0) for row in range(shown.childCount())] == [
        NFD("Äbtissin (NFD)"), "apfel", "Äpfel", "camera", "Château", "Chateau-plain", "Crêpes à Orléans",
        "Ölberg", "olive", "Zürich", "京都旅行 2019"]

"""A place name typed without its accents ("Zurich Grossmunster" for the user's own
"Zürich Grossmünster"): the Label/Teach dialog's completion offered nothing for it, and
OK (or the CLI's `label`) stored it as typed beside the accented one, two keywords for one
place in the files. Completion now matches accents aside (app.gui.name_completer), and a
name that differs from a known one in accents alone is asked about as a likely typo
(app.core.label_names.close_landmarks), as a misspelling is."""

from __future__ import annotations

import unicodedata

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.label_names import close_landmarks, did_you_mean
from tests.test_metadata_support import add_photo, make_jpeg

KNOWN = ["Zürich Grossmünster", "Église Saint-Étienne", "Ölberg", "Château d'If", "Château de Versailles",
         "Chateau Zeta", "Colosseum"]


def test_a_name_differing_in_accents_alone_is_a_likely_typo_of_the_known_one() -> None:
    assert close_landmarks("Zurich Grossmunster", KNOWN) == ["Zürich Grossmünster"]
    assert close_landmarks("eglise saint-etienne", KNOWN) == ["Église Saint-Étienne"]
    assert close_landmarks("Olberg", KNOWN) == ["Ölberg"]
    assert close_landmarks("Chateau d'If", KNOWN) == ["Château d'If"]
    assert close_landmarks("Château d'If", ["Chateau d'If"]) == ["Chateau d'If"]  # accents added: asked too
    # the known name itself, in any case or Unicode form: taken (canonical_label folds it)
    for typed in ("ölberg", "ZÜRICH GROSSMÜNSTER", unicodedata.normalize("NFD", "Château d'If")):
        assert close_landmarks(typed, KNOWN) == [], typed
    # both spellings in use already: the one typed is taken
    assert close_landmarks("Zurich Grossmunster", [*KNOWN, "Zurich Grossmunster"]) == []
    assert close_landmarks("Notre Dame de Paris", ["Notre-Dame de Paris"]) == []  # punctuation aside: as before
    question = did_you_mean("Olberg", ["Ölberg"])
    assert "did you mean 'Ölberg'?" in question and "only in accents" in question
    assert "accents" not in did_you_mean("Colloseum", ["Colosseum"])


def _library(tmp_path):
    db, folder = tmp_path / "index.db", tmp_path / "photos"
    folder.mkdir()
    with PhotoIndex.open(db) as index:
        add_photo(index, [make_jpeg(folder / "DSC_0001.JPG", seed=1)], "Zürich Grossmünster", "accepted")
        other = add_photo(index, [make_jpeg(folder / "DSC_0002.JPG", seed=2)], None, "unlabelled")
    return db, folder / "DSC_0002.JPG", other


def test_label_refuses_the_name_without_its_accents_unless_new(tmp_path, capsys) -> None:
    db, photo, other = _library(tmp_path)
    assert main(["--db", str(db), "label", str(photo), "Zurich Grossmunster"]) == 1
    err = capsys.readouterr().err
    assert "did you mean 'Zürich Grossmünster'?" in err and "only in accents" in err and "--new" in err
    with PhotoIndex.open(db) as index:
        assert index.get(other).label is None
    assert main(["--db", str(db), "label", str(photo), "zürich grossmünster"]) == 0  # case alone: the known one
    with PhotoIndex.open(db) as index:
        assert index.get(other).label == "Zürich Grossmünster"
    assert main(["--db", str(db), "label", str(photo), "Zurich Grossmunster", "--new"]) == 0
    with PhotoIndex.open(db) as index:
        assert index.get(other).label == "Zurich Grossmunster"


@pytest.mark.gui
def test_completion_offers_the_accented_names_for_text_typed_without_accents(qtbot) -> None:
    pytest.importorskip("pytestqt")
    from app.gui.label_dialog import LabelDialog

    dialog = LabelDialog(KNOWN, None, 1, known=KNOWN)
    qtbot.addWidget(dialog)
    completer = dialog.completer

    def offered(typed: str) -> list[str]:
        completer.setCompletionPrefix(typed)
        found = []
        for row in range(completer.completionCount()):
            completer.setCurrentRow(row)
            found.append(completer.currentCompletion())  # what goes into the field
        return found

    assert offered("zurich") == ["Zürich Grossmünster"]
    assert offered("eglise") == ["Église Saint-Étienne"]
    assert offered("olberg") == ["Ölberg"]
    assert offered("grossmunster") == ["Zürich Grossmünster"]  # anywhere in the name, as before
    for typed in ("chateau", "Châ", unicodedata.normalize("NFD", "Châ")):
        assert sorted(offered(typed)) == ["Chateau Zeta", "Château d'If", "Château de Versailles"], typed
    assert offered("colos") == ["Colosseum"]


@pytest.mark.gui
def test_ok_on_the_name_without_its_accents_asks_and_offers_the_known_one(qtbot) -> None:
    pytest.importorskip("pytestqt")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    from app.gui.label_dialog import MAKE_NEW, LabelDialog

    dialog = LabelDialog(KNOWN, None, 1, known=KNOWN)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.field.setText("Zurich Grossmunster")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.result() != LabelDialog.DialogCode.Accepted
    assert "did you mean 'Zürich Grossmünster'?" in dialog.question.text() and ok.text() == MAKE_NEW
    assert [button.text() for button in dialog.near_buttons] == ["Zürich Grossmünster"]
    qtbot.mouseClick(dialog.near_buttons[0], Qt.MouseButton.LeftButton)
    assert dialog.result() == LabelDialog.DialogCode.Accepted and dialog.label() == "Zürich Grossmünster"


def test_label_names_an_invisible_joiner_as_the_difference_not_accents(tmp_path, capsys) -> None:
    """"पर्वत मंदिर" typed for the known "पर्‌वत मंदिर" (with a zero-width non-joiner):
    refused as a second keyword, saying which invisible character differs, in words, and
    showing the known name as it is (not with a `\\u200c` escape) so it can be pasted."""
    known, typed = "पर्\u200cवत मंदिर", "पर्वत मंदिर"
    db, folder = tmp_path / "index.db", tmp_path / "photos"
    folder.mkdir()
    with PhotoIndex.open(db) as index:
        add_photo(index, [make_jpeg(folder / "DSC_0001.JPG", seed=1)], known, "accepted")
        other = add_photo(index, [make_jpeg(folder / "DSC_0002.JPG", seed=2)], None, "unlabelled")
    assert main(["--db", str(db), "label", str(folder / "DSC_0002.JPG"), typed]) == 1
    err = capsys.readouterr().err
    assert f"did you mean '{known}'?" in err and "\\u200c" not in err
    assert f"'{typed}' differs from it only by an invisible zero-width non-joiner (U+200C)," in err
    assert "accents" not in err
    with PhotoIndex.open(db) as index:
        assert index.get(other).label is None
    sinhala = did_you_mean("ශ්රී ලංකා", ["ශ්\u200dරී ලංකා"])
    assert "only by an invisible zero-width joiner (U+200D)," in sinhala and "\\u200d" not in sinhala

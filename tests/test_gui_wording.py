"""Small words the app got wrong: a cancel said "cancelled" twice, a rename used straight
quotes, an untagged photo said "run Tag", a folder read listed five zero counts, and a
model landmark offered a Rename… that then refused."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from app.core.rename import RenameSummary  # noqa: E402
from app.core.scan_summary import ScanSummary  # noqa: E402
from tests.test_gui_support import added_folder, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


class CancelledTagging:
    """A tag summary as the core writes it for a cancelled run."""

    def line(self) -> str:
        return "tagged 16 photos, 3 without a landmark in 4.0 s; cancelled, the rest is left for the next run"


def test_a_cancelled_job_says_cancelled_once_and_what_was_kept(window) -> None:
    window.jobs._on_cancelled("Tagging library", CancelledTagging())
    message = window.statusBar().currentMessage()
    assert message.count("cancelled") == 1, message
    assert message == ("Tagging library: cancelled — tagged 16 photos, 3 without a landmark in 4.0 s; "
                       "the work done so far is kept, the rest is left for the next run")
    window.jobs._on_cancelled("Reading folder", ScanSummary(photos=5, new=5, status="cancelled"))
    message = window.statusBar().currentMessage()
    assert message == "Reading folder: cancelled — 5 photos, 5 new; the work done so far is kept"


def test_a_folder_read_leaves_out_the_counts_that_are_zero(qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui.job_host import describe_summary

    messages: list[str] = []
    monkeypatch.setattr(window, "show_message", messages.append)
    added_folder(qtbot, window, tmp_path, count=3)
    assert "Reading folder: done — 3 photos, 3 new" in messages
    assert messages[-1] == "Reading folder: done — 3 photos, 3 new. Press Tag folder to recognise the landmarks in them."
    assert describe_summary(ScanSummary(photos=9, changed=1, errors=2)) == "9 photos, 1 changed, 2 errors"
    assert describe_summary(ScanSummary(photos=0)) == "0 photos"
    assert ScanSummary(photos=3, new=3).line().endswith("0 missing, 0 errors")  # the command line's is whole


def test_a_rename_names_the_places_in_curly_quotes(window) -> None:
    from app.gui.job_words import rename_line

    summary = RenameSummary(old="St Peter's", new="Our cabin", photos=2, accepted=0, references=1, merged=False)
    assert rename_line(summary) == "Renamed “St Peter's” to “Our cabin”: 2 photos relabelled, 1 taught photo teaches the new name"
    merged = RenameSummary(old="Bakery", new="Our cabin", photos=2, accepted=0, references=0, merged=True)
    assert rename_line(merged) == "Merged “Bakery” into “Our cabin”: 2 photos relabelled"


def test_an_untagged_photo_names_the_buttons_that_tag_it() -> None:
    from types import SimpleNamespace

    from app.gui.detail_pane import state_text

    text = state_text(SimpleNamespace(state="unlabelled", source=None, score=None), [])
    assert "run Tag" not in text and "Tag folder" in text and "Tag selection" in text


def test_a_model_landmarks_rename_is_greyed_out_with_the_reason(qtbot, window, tmp_path) -> None:
    folder = added_folder(qtbot, window, tmp_path, count=2)
    assert folder.exists()
    first, second = window.grid_model.ids()[:2]
    window.index.set_label(first, "Colosseum", source="model", state="suggested", score=0.9)  # in the default model
    window.index.set_label(second, "Our cabin", source="user", state="accepted")
    window.library_changed()
    tree = window.library_tree
    qtbot.waitUntil(lambda: tree.has_landmark("Colosseum") and tree.has_landmark("Our cabin"), timeout=10000)
    (rename,) = tree.menu_for(tree._find_landmark("Colosseum")).actions()
    assert rename.text() == "Rename…" and not rename.isEnabled()
    assert "comes with the model" in rename.toolTip()
    assert tree.menu_for(tree._find_landmark("Colosseum")).toolTipsVisible()
    (rename,) = tree.menu_for(tree._find_landmark("Our cabin")).actions()
    assert rename.isEnabled()


def test_a_job_failing_on_a_file_that_is_no_model_says_so_in_the_apps_words(window) -> None:
    window.jobs._on_failed("Teaching “Our cabin”",
                          "model bundle /m/photo.ltbundle is not a zip file; it is corrupt or not a bundle")
    message = window.statusBar().currentMessage()
    assert message == ("Teaching “Our cabin” failed: model bundle /m/photo.ltbundle is not a Landmark Tagger "
                       "model (a file of another kind, or a damaged one) — choose another model bundle in Settings")


def test_find_suggestions_says_when_the_model_holds_the_look_alikes_instead_of_asking_for_more_photos() -> None:
    """A place taught from photos of a landmark the model knows: its other photos keep the
    model's confident label, and teaching more photos would not change that."""
    from app.core.teaching_suggest import HeldPlace, SuggestReport
    from app.gui.teach_actions import TeachActions

    report = SuggestReport(threshold=0.79, taught=4, tagged=60, scored=56,
                           held=[HeldPlace("Our tower", "Pavillon Noir", 3)])
    message = TeachActions._suggestions_message(0, report)
    assert message == ("No new suggestions: 3 photos are recognised confidently as “Pavillon Noir”, a landmark "
                       "the model knows, like the photos you taught as “Our tower”, and keep that label; if they "
                       "show “Our tower”, label them (L).")
    assert "teach more" not in message


def test_a_cancelled_teach_or_label_says_no_photo_was_changed(window, monkeypatch) -> None:
    """Teach… and L write all their photos in one transaction: a cancel changes none,
    yet the app said "the work done so far is kept"."""
    monkeypatch.setattr(window.jobs.runner, "start", lambda name, work, *holds_index: True)  # never runs
    for start, name in [(lambda: window.jobs.correct([1], "Colosseum"), "Learning from your label"),
                        (lambda: window.jobs.teach("Our cabin", [1]), "Teaching “Our cabin”")]:
        assert start()
        window.jobs._on_cancelled(name, None)
        assert window.statusBar().currentMessage() == f"{name}: cancelled; no photo was changed"
    assert window.jobs.start("Tagging library", lambda *args: None)
    window.jobs._on_cancelled("Tagging library", CancelledTagging())
    assert "the work done so far is kept" in window.statusBar().currentMessage()


def _every_job_result() -> list:
    """One of each result a job of the app's hands to describe_summary (job_work, review_work,
    choice_work, review_undo's take-backs), its int fields non-zero so a dump of them shows."""
    from app.core.index.forget import FolderContents, MissingPhotos
    from app.core.index.labels import StateChange
    from app.core.index.review_journal import ReviewCommand, TakenBack
    from app.core.metadata.write_summary import WriteSummary
    from app.core.relocate import RelocateSummary
    from app.core.tagging import TagSummary
    from app.core.teaching import TeachSummary
    from app.core.teaching_untaught import StatesChanged
    from app.gui.choice_work import ChoiceMade, HeldQuestion
    from app.gui.job_work import FoldersNotFound, LibraryCheck, LocateQuestion, LocateRefused
    from app.gui.review_work import CorrectionSummary

    command = ReviewCommand(id=4, verb="accept", command="the app's A", at="2026-12-06", photos=3)
    return [ScanSummary(photos=9, new=2), LibraryCheck(ScanSummary(photos=9, new=2), []),
            LocateQuestion("the old folder still holds its files", 3), LocateRefused("not a photo folder"),
            RelocateSummary(old="a", new="b"), FolderContents(folder="a", photos=3, yours=2, taught=1),
            MissingPhotos(photos=3, yours=2, taught=1), TagSummary(), FoldersNotFound(["a"]),
            WriteSummary(written=3), WriteSummary(written=3, done_word="restored"), TeachSummary(label="Our cabin"),
            RenameSummary(old="Our cabin", new="The cabin", photos=3, accepted=3, references=1, merged=False),
            StateChange(changed=2100, left={}), StatesChanged(changed=2100, left={}),
            TakenBack(command, restored=[1, 2], left={}), CorrectionSummary((1, 2), "Our cabin", "a.jpg"),
            ChoiceMade([1], {}, [], [], (), None, left_held=1), HeldQuestion(("a.jpg",), 2), ([], None)]


@pytest.mark.parametrize("summary", _every_job_result(), ids=lambda summary: type(summary).__name__)
def test_a_jobs_end_never_names_its_results_fields_nor_quotes_the_cores_way(summary) -> None:
    """guitest-1: Ctrl+Z of a bulk A said "done — changed 2,100" (StateChange's field);
    guitest-2: Rename… said "done — renamed 'Our cabin' …" before its follow-up said it in curly quotes."""
    import dataclasses
    import re

    from app.gui.job_host import describe_summary

    text = describe_summary(summary)
    fields = [field.name.replace("_", " ") for field in dataclasses.fields(summary)] if dataclasses.is_dataclass(
        summary) else []
    # the dump read "changed 2,100 · left held 0": a field's name and its number, a part to itself
    assert [name for name in fields if re.search(rf"(^|· ){name} [\d,]+( ·|$)", text)] == [], text
    assert "'Our cabin'" not in text and "object at 0x" not in text


def test_a_rename_cancelled_too_late_says_it_was_done_in_the_apps_words(qtbot, window) -> None:
    """A rename has no look at Cancel: one that came during it left every photo renamed, said
    as done (its follow-up's words, curly quotes), not "cancelled … the work done so far is kept"."""
    from app.gui.job_words import rename_line

    summary = RenameSummary(old="Our cabin", new="The cabin", photos=3, accepted=0, references=0, merged=False)
    # the follow-up JobController.rename_place gives its job, in short
    window.jobs._after["Renaming “Our cabin”"] = lambda done: window.show_message(rename_line(done))
    window.jobs._on_cancelled("Renaming “Our cabin”", summary)
    qtbot.waitUntil(lambda: "Cancel" in window.statusBar().currentMessage(), timeout=5000)
    assert window.statusBar().currentMessage() == (
        "Renaming “Our cabin”: done before Cancel could stop it — Renamed “Our cabin” to “The cabin”: 3 photos relabelled")

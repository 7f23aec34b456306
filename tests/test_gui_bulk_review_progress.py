"""A bulk L of 41,956 photos showed "Learning from your label · starting…" for 23 s, then
done (a bulk Accept 5.6 s), which reads as a hang, and its closing message named the ~150
labels the photos lost in one line (found by a tester). The jobs now count the photos
done (n of N) as they go, and the message names a few labels and counts the rest."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from app.gui.review_work import CorrectionSummary  # noqa: E402
from app.gui.job_words import correction_text  # noqa: E402
from tests.test_gui_support import wait_for_job  # noqa: E402
from tests.test_gui_bulk_review_cancel import PHOTOS, big_window, select_all  # noqa: E402,F401

pytestmark = pytest.mark.gui


def steps_of(win) -> list[tuple[int, int | None, str]]:
    seen: list[tuple[int, int | None, str]] = []
    win.jobs.runner.progressed.connect(lambda p: seen.append((p.done, p.total, p.message)))
    return seen


def test_a_bulk_label_counts_its_photos_as_it_goes(qtbot, big_window) -> None:
    seen = steps_of(big_window)
    select_all(qtbot, big_window)
    ids = big_window.selected_ids()
    big_window.set_user_label(ids, "Our hotel", big_window.index.review_states(ids))
    wait_for_job(qtbot, big_window)
    assert (500, PHOTOS, "labelling") in seen and (2_500, PHOTOS, "labelling") in seen


def test_the_ctrl_z_of_a_bulk_label_counts_its_photos_as_it_goes(qtbot, big_window) -> None:
    """Its take-back showed a busy bar with no count (6 s at 20,000 photos: review4 F6)."""
    select_all(qtbot, big_window)
    ids = big_window.selected_ids()
    big_window.set_user_label(ids, "Our hotel", big_window.index.review_states(ids))
    wait_for_job(qtbot, big_window)
    seen = steps_of(big_window)
    assert big_window.undo_review()
    wait_for_job(qtbot, big_window)
    assert [step for step in seen if step[0] <= 1_000] == [(500, PHOTOS, "taking back"), (1_000, PHOTOS, "taking back")]
    assert (PHOTOS, PHOTOS, "taking back") in seen


def test_a_bulk_accept_counts_its_photos_as_it_goes(qtbot, big_window, monkeypatch) -> None:
    from app.core import teaching_untaught

    monkeypatch.setattr(teaching_untaught, "STATE_CHUNK", 1_000, raising=False)
    seen = steps_of(big_window)
    select_all(qtbot, big_window)
    big_window.accept_selected()
    wait_for_job(qtbot, big_window)
    assert [step for step in seen if step[0] < PHOTOS] == [(1_000, PHOTOS, "accepted"), (2_000, PHOTOS, "accepted")]


def test_the_labels_a_bulk_label_took_off_are_named_a_few_and_counted() -> None:
    rejected = tuple(f"Local Landmark {n:03d}" for n in range(150))
    summary = CorrectionSummary(tuple(range(1, 42)), "Our hotel", "a.jpg", learnt=tuple(range(1, 42)),
                                rejected=rejected)
    assert correction_text(summary) == ("Labelled 41 photos “Our hotel” — learnt; “Local Landmark 000”, "
                                        "“Local Landmark 001” and 148 other places won't be suggested for them "
                                        "again.")
    few = CorrectionSummary((1, 2), "Our hotel", "a.jpg", learnt=(1, 2), rejected=("Petra", "Taj Mahal"))
    assert correction_text(few).endswith("; “Petra”, “Taj Mahal” won't be suggested for them again.")

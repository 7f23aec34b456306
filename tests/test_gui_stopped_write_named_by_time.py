"""A stopped write or undo in the app is named by when it began ("the write started today
at 21:38"), as Undo write's question names it, not by a batch number the app shows nowhere
else ("Undo write takes back the 3 files batch 1 holds")."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

pytest.importorskip("PySide6")
from app.gui.job_words import stopped_undo_text, stopped_write_text, write_moment  # noqa: E402

STARTED = "2026-12-05T20:38:00+00:00"


def _write_summary(**fields) -> SimpleNamespace:
    summary = dict(batch_id=1, batch_files=3, undone_meanwhile=False, left_for_the_next_write=False,
                   cancelled_before=None, done_word="written", line=lambda: "3 files written, 0 failed (cancelled)")
    summary.update(fields)
    return SimpleNamespace(**summary)


def test_a_stopped_write_is_named_by_when_it_began_not_by_its_batch_number() -> None:
    when = write_moment(STARTED)
    cancelled = stopped_write_text("Writing labels", _write_summary(), STARTED)
    assert cancelled == (f"Writing labels: cancelled — 3 files written, 0 failed; Undo write takes back the 3 files "
                         f"of the write started {when}; Write labels… again writes the rest (as a write of its own, "
                         "which Undo write takes back first)")
    closed = stopped_write_text("Writing labels", _write_summary(left_for_the_next_write=True), STARTED)
    assert closed.endswith(f"; Write labels… again writes the rest as part of the write started {when}, so that one "
                           "Undo write takes back all its files (now it takes back these 3 files)")
    undo = _write_summary(done_word="restored", line=lambda: "2 files restored, 0 failed (cancelled)")
    assert stopped_undo_text("Undoing last write", undo, STARTED) == (
        f"Undoing last write: cancelled — 2 files restored, 0 failed; Undo again restores the rest of the write made "
        f"{when}")
    for text in (cancelled, closed, stopped_undo_text("Undoing last write", undo, STARTED)):
        assert "batch" not in text
    # an index without the time: still no number
    assert stopped_undo_text("Undoing last write", undo, None).endswith("Undo again restores the rest of that write")
    assert "the 3 files of this write;" in stopped_write_text("Writing labels", _write_summary(), None)

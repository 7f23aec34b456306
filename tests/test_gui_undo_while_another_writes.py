"""The app's Undo write while another process (a CLI `write`, a cron job, a second window)
writes or undoes a batch of the same index (concurrency findings 11, F1): it says so and
asks nothing, where it used to offer to take back the unfinished write ("the labels
written to 1 photo") and then fail with "a write is running". Once that write is over, it
asks about the newest write again."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

pytest.importorskip("pytestqt")

from app.core.index import PhotoIndex, running_writes  # noqa: E402
from app.core.metadata import journal  # noqa: E402
from tests.test_gui_write_cancelled_batch import window  # noqa: E402, F401 (a fixture)

pytestmark = pytest.mark.gui
EARLIER = datetime(2024, 12, 5, 9, 15).astimezone()


@pytest.fixture
def asked_and_said(window, monkeypatch):  # noqa: F811
    """(the questions Undo write asks, answered No; the status lines it shows)."""
    import app.gui.job_controller as job_controller

    asked: list[str] = []
    said: list[str] = []
    monkeypatch.setattr(job_controller, "go_ahead", lambda parent, title, text, *a, **k: asked.append(text) or False)
    monkeypatch.setattr(window, "show_message", lambda text, *args, **kwargs: said.append(text))
    return asked, said


def _finished_write(index: PhotoIndex) -> int:
    """A write finished earlier (what it changed is not needed to ask)."""
    with index.transaction() as conn:
        return int(conn.execute("INSERT INTO write_batches (started_at, finished_at, status) VALUES (?, ?, 'done')",
                                (EARLIER.isoformat(), (EARLIER + timedelta(seconds=5)).isoformat())).lastrowid)


def test_undo_write_while_another_write_runs_says_so_and_asks_nothing(window, asked_and_said, tmp_path) -> None:  # noqa: F811
    asked, said = asked_and_said
    finished = _finished_write(window.index)
    with PhotoIndex.open(tmp_path / "index.db") as cli:  # the `write` in a terminal, its batch claimed
        running = journal.start_batch(cli)
        assert window.jobs.undo_after_asking() is False
        assert asked == []
        assert said == ["Labels are being written to your photos by another window or the command line; "
                        "undo when it has finished."]
        assert not window.jobs.busy  # no undo started, to be refused
        assert not journal.batch_undone(window.index, running)
        journal.finish_batch(cli, running, "done")  # it changed nothing: dropped, as a real one is

    assert window.jobs.undo_after_asking() is False  # answered No
    assert len(asked) == 1 and "on 5 Dec 2024 at 09:15" in asked[0], asked
    assert not journal.batch_undone(window.index, finished)


def test_undo_write_while_another_undo_runs_says_so_and_asks_nothing(window, asked_and_said, tmp_path) -> None:  # noqa: F811
    asked, said = asked_and_said
    finished = _finished_write(window.index)
    with PhotoIndex.open(tmp_path / "index.db") as cli:  # an `undo` in a terminal, its batch claimed
        with cli.transaction() as conn:
            running_writes.claim_undo(conn, finished)
        assert window.jobs.undo_after_asking() is False
        assert (asked, said) == ([], ["A write is being undone by another window or the command line; "
                                      "try again when it has finished."])
        journal.finish_undo(cli, finished)
    assert window.jobs.undo_after_asking() is False
    assert len(asked) == 1


def test_a_write_whose_process_was_killed_is_still_offered(window, asked_and_said, tmp_path) -> None:  # noqa: F811
    """A batch left 'running' by a killed write blocks nothing: Undo write asks to take it back."""
    asked, said = asked_and_said
    with PhotoIndex.open(tmp_path / "index.db") as cli:
        running = journal.start_batch(cli)
        running_writes.release_batch(cli.conn, running)  # this process no longer writes it: as if killed
    assert window.jobs.undo_after_asking() is False
    assert len(asked) == 1 and asked[0].startswith("Take back the labels written to"), asked

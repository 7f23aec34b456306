"""The window's one running job: started on the JobRunner, its progress in the JobBar, new
labels streamed into the grid, per-file problems collected in the ErrorsPanel, its closing
words in the status bar; Cancel, and the stop when the window closes. JobController (the
window's jobs) builds on it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer, Signal

from app.gui.app_words import in_app_words
from app.gui.errors_panel import MAX_ROWS as MAX_PROBLEM_ROWS
from app.gui.job_runner import JobRunner
from app.gui.job_words import (cancelled_batch_text, cancelled_text, hard_links_text, late_cancel_text,
                               retag_carried_on_text, scan_line, stopped_undo_text, stopped_write_text, tag_line)
from app.gui.tag_end_words import CANCELLING_TAG_TEXT

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

REFRESH_MS = 300  # new labels reach the grid in batches, not one repaint per photo
CLOSE_WAIT_MS = 10_000  # how long closing the window waits for the job to stop (stop_for_closing)
CLOSE_SLICE_MS = 50  # the window repaints this often meanwhile
CLOSING_WRITE_TEXT = ("Finishing the file being written… (for up to {seconds:g} s; a file not written by then is left "
                      "as it was, and the next Write or Undo carries on from there)")


def cancelling_text(name: str, writes_photos: bool) -> str:
    """What a job does between Cancel and its stop, said in the job bar."""
    if writes_photos:
        return "Cancelling: finishing the file being written…"
    if name.startswith("Tagging"):
        return CANCELLING_TAG_TEXT
    return "Cancelling…"


def describe_summary(summary) -> str:
    """What a job's end says after "done —": a scan's or a tagging's counts, a summary's
    line(), or "" when its follow-up says what the job did in the app's words. Never its
    fields by name ("changed 2,100", "left held 0"): a result with no words of its own says none."""
    from app.core.rename import RenameSummary
    from app.core.scan_summary import ScanSummary
    from app.core.tagging import TagSummary
    from app.core.teaching import TeachSummary

    if summary is None or isinstance(summary, (list, tuple)):
        return ""  # list results (suggestions, corrected photos) are reported by the job's follow-up
    if isinstance(summary, ScanSummary):
        return scan_line(summary)
    if isinstance(summary, TagSummary):
        return tag_line(summary)
    if isinstance(summary, (TeachSummary, RenameSummary)):
        return ""  # its follow-up says it in the app's words ("Renamed “Our cabin” …", not 'Our cabin')
    if callable(getattr(summary, "line", None)):
        # a write's, an undo's: a cancelled batch left; a write's files with other names (hard links)
        return str(summary.line()) + cancelled_batch_text(summary) + hard_links_text(summary)
    # a bulk A/R's or its Ctrl+Z's StateChange, a Ctrl+Z's TakenBack, an L's CorrectionSummary: the follow-up speaks
    return ""


class JobHost(QObject):
    """Owns the JobRunner of a MainWindow: one job at a time, its progress, its closing
    words and the per-file problems it recorded."""

    job_stopped = Signal(str)

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.runner = JobRunner(self)
        self._pending_refresh: set[int] = set()
        self._refresh_timer = QTimer(self, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self._flush_refresh)
        self._last_error_id = 0
        self._after: dict[str, Callable[[object], None]] = {}
        self._changes_nothing_when_cancelled = False  # the running job writes all or nothing (start)
        self._unchanged: Callable[[], str] | None = None  # its follow-up when it changed nothing (start)
        self._may_change_files = False  # the running job reads folders or writes photos (start)
        self._writes_photos = False  # the running job writes photo files: a write, an undo (start)
        self._cancelled_words: str | None = None  # what a cancelled job that changes nothing left (start)
        self._closing_message: str | None = None  # the last job's words in the status bar
        self.runner.started.connect(self._on_started)
        self.runner.progressed.connect(window.job_bar.update_progress)
        self.runner.item_done.connect(self._on_item)
        self.runner.finished.connect(self._on_finished)
        self.runner.cancelled.connect(self._on_cancelled)
        self.runner.failed.connect(self._on_failed)
        self.runner.stopped.connect(self._on_stopped)
        window.job_bar.cancel_button.clicked.connect(self.cancel)

    @property
    def busy(self) -> bool:
        return self.runner.busy

    # -- starting jobs -------------------------------------------------------------
    def start(self, name: str, work, after: Callable[[object], None] | None = None,
              all_or_nothing: bool = False, may_change_files: bool = False,
              unchanged: Callable[[], str] | None = None, holds_index: bool = False,
              writes_photos: bool = False, cancelled_words: str | None = None) -> bool:
        """Run `work` as the job `name`; `after(summary)` once it is done. An
        `all_or_nothing` job writes its result in one transaction: cancelled, it changed nothing,
        and then (or when it failed, rolled back) `unchanged()` runs, its words closing the message
        (a Ctrl+Z puts its step back: "Ctrl+Z takes the accept back").
        After a job that `may_change_files` (writes photos, or reads folders and so finds
        photos changed or evicted to iCloud) the tiles of changed files are made again. While a job
        that `holds_index` (one transaction from its start) runs, A, R, L and Ctrl+Z wait for it.
        One that `writes_photos` makes the closing window say it finishes the file in hand (stop_for_closing).
        `cancelled_words`: a job that changes nothing (the write's plan) closes, cancelled, with
        "{name}: cancelled — {cancelled_words}", not "the work done so far is kept" (there is none)."""
        if self.runner.busy:
            self.say_busy()
            return False
        errors = self.window.index.errors(limit=1)
        self._last_error_id = errors[0].id if errors else 0
        if after is not None:
            self._after[name] = after
        self._unchanged = unchanged if all_or_nothing else None
        self._changes_nothing_when_cancelled = all_or_nothing
        self._may_change_files = may_change_files
        self._writes_photos = writes_photos
        self._cancelled_words = cancelled_words
        return self.runner.start(name, work, holds_index)

    def say_busy(self, why: str = "") -> None:
        """Why nothing was done, to the status bar and a screen reader: wait for the running
        job (`why`, after a colon), or, Cancel pressed, that it is stopping (the user has
        cancelled it already)."""
        name = self.runner.name if "“" in self.runner.name else f"“{self.runner.name}”"  # Teaching “Petra” as it is
        if self.runner.cancelling:
            text = f"{name} is stopping (cancelled); try again in a moment."
        else:
            text = f"Wait for {name} to finish (or cancel it) first" + (f": {why}." if why else ".")
        self.window.show_message(text, announced=True)

    def after_this_job(self, then: Callable[[], object]) -> None:
        """Run `then` once the runner is free (a job's follow-up may come before it is)."""
        if not self.runner.busy:
            then()
            return

        def once(_name: str) -> None:
            self.job_stopped.disconnect(once)
            QTimer.singleShot(0, then)

        self.job_stopped.connect(once)

    def cancel(self) -> None:
        """Stop the running job; until it has, the bar says what it still finishes (a tag run
        finishes the photos being read: Esc at 8 of 17 ended with 16 tagged, unsaid)."""
        if self.runner.busy:
            self.runner.cancel()
            self.window.job_bar.cancelling(cancelling_text(self.runner.name or "", self._writes_photos))

    def stop_for_closing(self) -> bool:
        """The window closes (the user closed the app, or a logout closed it): the job stops
        as after a kill, not as the user's Cancel, so a write leaves its batch for the next
        write to carry on (one Undo then takes back both), an undo the rest of its batch for
        the next Undo. Waited for CLOSE_WAIT_MS at most, the window repainting and its status
        line saying what it finishes: a file whose write hangs (a network share that stopped
        answering) must not freeze the app, and quitting then is safe, as a kill is (the file's
        journal entry is begun before its rename; the next write or undo recovers it). Returns
        whether the job has stopped."""
        if not self.runner.busy:
            return True
        self.runner.cancel(by_user=False)
        if self._writes_photos:
            self.window.show_message(CLOSING_WRITE_TEXT.format(seconds=CLOSE_WAIT_MS / 1000))
        deadline = time.monotonic() + CLOSE_WAIT_MS / 1000
        while not self.runner.wait(CLOSE_SLICE_MS):
            if time.monotonic() >= deadline:
                return False
            # no user input: a click now must not start a job or close the window again
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        return True

    # -- events ---------------------------------------------------------------------
    def _on_started(self, name: str) -> None:
        # The last job's closing words ("… cancelled — the rest is left for the next run")
        # would read as this job's while it runs; other messages stay their time.
        bar = self.window.statusBar()
        if self._closing_message is not None and bar.currentMessage() == in_app_words(
                self._closing_message, self.window.index_named):  # as show_message put it
            bar.clearMessage()
        self._closing_message = None
        self.window.job_bar.begin(name)
        self.window.set_jobs_enabled(False)
        self._refresh_timer.start()

    def _on_item(self, result) -> None:
        from app.core.retag_marks import RetagCarriedOn

        if isinstance(result, RetagCarriedOn):  # why a Tag reads photos it tagged before
            self.window.show_message(retag_carried_on_text(result))
            return
        photo_id = getattr(result, "photo_id", None)
        if photo_id is not None:
            self._pending_refresh.add(int(photo_id))

    def _flush_refresh(self) -> None:
        if self._pending_refresh:
            ids, self._pending_refresh = self._pending_refresh, set()
            self.window.photos_changed(ids)
        self._collect_errors()

    def _changed_nothing(self) -> str:
        """Run the all-or-nothing job's `unchanged` follow-up (it changed nothing): its
        words for the closing message, after " — ", or ""."""
        unchanged, self._unchanged = self._unchanged, None
        words = unchanged() if unchanged is not None else ""
        return f" — {words}" if words else ""

    def _on_finished(self, name: str, summary) -> None:
        self._unchanged = None
        text = describe_summary(summary)
        if getattr(summary, "nothing_done_yet", False):  # its follow-up asks the user first (HeldQuestion)
            self._show_closing(f"{name}: {text}")
        else:
            self._show_closing(f"{name}: done" + (f" — {text}" if text else ""))
        after = self._after.pop(name, None)
        if after is not None:
            QTimer.singleShot(0, lambda: after(summary))

    def _on_cancelled(self, name: str, summary) -> None:
        after = self._after.pop(name, None)
        # a result that only asks first (HeldQuestion: nothing_done_yet) changed nothing: no question, no second job
        committed = summary is not None and not getattr(summary, "nothing_done_yet", False)
        if self._changes_nothing_when_cancelled and committed:
            # its one transaction was committed before the cancel came: every photo changed,
            # and its follow-up (the step Ctrl+Z takes back) must not be lost; a Ctrl+Z (`unchanged`) left none
            undoable, self._unchanged = self._unchanged is None, None
            self._closing_message = None
            QTimer.singleShot(0, lambda: self._finished_despite_cancel(name, summary, after, undoable))
            return
        if self._cancelled_words is not None:  # it changed nothing, whether it had ended or not
            self._show_closing(f"{name}: cancelled — {self._cancelled_words}")
            return
        if self._changes_nothing_when_cancelled:  # its photos are as they were
            self._show_closing(f"{name}: cancelled; no photo was changed" + self._changed_nothing())
            return
        if getattr(summary, "done_word", "") == "restored":  # an undo: the rest of its batch is the next Undo's
            self._show_closing(stopped_undo_text(name, summary, self._batch_started_at(summary)))
            return
        if getattr(summary, "done_word", "") == "written":  # a write: what Undo write and a rerun do with its batch
            self._show_closing(stopped_write_text(name, summary, self._batch_started_at(summary)))
            return
        from app.core.rename import RenameSummary
        from app.core.tagging import TagSummary

        if isinstance(summary, RenameSummary):  # one transaction with no look at Cancel: renamed whole
            self._closing_message = None
            QTimer.singleShot(0, lambda: self._finished_despite_cancel(name, summary, after, undoable=False))
            return
        if isinstance(summary, TagSummary):  # "stopped" once, what is left for next time, not the CLI's tail
            self._show_closing(f"{name}: stopped — {tag_line(summary)}")
            return
        text = describe_summary(summary)
        self._show_closing(cancelled_text(name, text))

    def _batch_started_at(self, summary) -> str | None:
        """When the stopped write's (or undo's) batch began, to name it as Undo write's
        question does: the user never saw its number."""
        from app.core.metadata.journal import batch_started_at

        # the window closing waits for the job's stop with its index open (stop_for_closing)
        return batch_started_at(self.window.index, summary.batch_id) if summary.batch_id is not None else None

    def _finished_despite_cancel(self, name: str, summary, after: Callable[[object], None] | None,
                                 undoable: bool = True) -> None:
        """An all-or-nothing job whose change was made before Cancel reached it: its
        follow-up runs as if done, and the message says Cancel came too late."""
        if after is not None:
            after(summary)
        said = self.window.statusBar().currentMessage()
        text = describe_summary(summary) if not said else said
        self._show_closing(late_cancel_text(name, text, undoable))

    def _on_failed(self, name: str, message: str) -> None:
        self._after.pop(name, None)
        message = in_app_words(message)
        if "bundle" in message.lower() and "Settings" not in message:
            message += " — choose another model bundle in Settings"
        self.window.errors_panel.add_problem(None, name, message)
        # an all-or-nothing job rolled back: nothing changed
        closing = self._changed_nothing() if self._changes_nothing_when_cancelled else ""
        self._show_closing(f"{name} failed: {message}{closing}")

    def _show_closing(self, text: str) -> None:
        self._closing_message = text
        self.window.show_message(text)

    def _on_stopped(self, name: str) -> None:
        self._refresh_timer.stop()
        self._flush_refresh()
        self._collect_errors()
        # a problem the job got past (a damaged photo put back from a backup and read whole) leaves the panel
        self.window.errors_panel.refresh_recorded(self.window.index.errors(limit=MAX_PROBLEM_ROWS))
        self.window.job_bar.end()
        self.window.set_jobs_enabled(True)
        if self._may_change_files:  # a tile must not keep the picture of a file changed or evicted
            self.window.thumbnails.recheck()
        self.window.library_changed()
        self.job_stopped.emit(name)

    def _collect_errors(self) -> None:
        """Move the per-file problems the job recorded in the index into the panel."""
        new = [e for e in self.window.index.errors(limit=500) if e.id > self._last_error_id]
        if new:
            self._last_error_id = max(e.id for e in new)
        for error in reversed(new):
            self.window.errors_panel.add_recorded(error)

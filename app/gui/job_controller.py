"""The window's jobs: scan after "Add folder…", tag folder/selection, write (dry run
first), undo. Runs them through JobRunner, shows progress in the JobBar, streams
new labels into the grid and collects per-file problems in the ErrorsPanel."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog, QMessageBox

from app.core.wording import counted
from app.gui import job_work, label_actions, review_work
from app.gui.app_words import in_app_words
from app.gui.job_runner import JobRunner
from app.gui.job_words import (cancelled_batch_text, cancelled_text, correction_text, late_cancel_text, rename_line,
                               scan_line, stopped_undo_text, stopped_write_words, tag_line, teach_text, write_text)
from app.gui.write_dialog import WritePlanDialog

if TYPE_CHECKING:
    from app.core.index.labels import StateChange
    from app.gui.main_window import MainWindow

REFRESH_MS = 300  # new labels reach the grid in batches, not one repaint per photo
CLOSE_WAIT_MS = 10_000  # how long closing the window waits for the job to stop (stop_for_closing)
CLOSE_SLICE_MS = 50  # the window repaints this often meanwhile
CLOSING_WRITE_TEXT = ("Finishing the file being written… (for up to {seconds:g} s; a file not written by then is left "
                      "as it was, and the next Write or Undo carries on from there)")
NOTHING_TO_UNDO = "Nothing to undo: no labels have been written yet."


def describe_summary(summary) -> str:
    """ "photos 120 · new 3 · errors 1" from a summary dataclass (its int fields)."""
    from app.core.scan_summary import ScanSummary
    from app.core.tagging import TagSummary

    if summary is None or isinstance(summary, (list, tuple)):
        return ""  # list results (suggestions, corrected photos) are reported by the job's follow-up
    if isinstance(summary, ScanSummary):
        return scan_line(summary)
    if isinstance(summary, TagSummary):
        return tag_line(summary)
    if callable(getattr(summary, "line", None)):
        return str(summary.line()) + cancelled_batch_text(summary)  # a write's, an undo's: a cancelled batch left
    if dataclasses.is_dataclass(summary):
        parts = [f"{f.name.replace('_', ' ')} {getattr(summary, f.name):,}" for f in dataclasses.fields(summary)
                 if isinstance(getattr(summary, f.name), int) and not isinstance(getattr(summary, f.name), bool)
                 and not f.name.endswith("id")]
        return " · ".join(parts)
    return str(summary)


def not_found_text(folders: list[Path]) -> str:
    """The library folders a rescan skipped, and what to do about them."""
    return (f"{', '.join(folder.name or str(folder) for folder in folders)} not found (drive not connected? "
            "if it moved, Locate folder… in its menu)")


def skipped_text(title: str, summary, skipped: list[str]) -> str:
    """A tagging job's last words when folders were not found: "Tagging library: done —
    tagged 3 photos …; card not found (drive not connected? …)", or "Nothing tagged: card
    not found (…)" when none of its folders was there."""
    if isinstance(summary, job_work.FoldersNotFound):
        return f"Nothing tagged: {not_found_text([Path(folder) for folder in skipped])}"
    return f"{title}: done — {tag_line(summary)}; {not_found_text([Path(folder) for folder in skipped])}"


class JobController(QObject):
    """Owns the JobRunner of a MainWindow and the follow-up of each job."""

    job_stopped = Signal(str)

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.runner = JobRunner(self)
        self.bundles = review_work.BundleCache()  # the model for teaching, loaded once in the worker
        self._pending_refresh: set[int] = set()
        self._refresh_timer = QTimer(self, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self._flush_refresh)
        self._last_error_id = 0
        self._after: dict[str, Callable[[object], None]] = {}
        self._changes_nothing_when_cancelled = False  # the running job writes all or nothing (start)
        self._unchanged: Callable[[], str] | None = None  # its follow-up when it changed nothing (start)
        self._may_change_files = False  # the running job reads folders or writes photos (start)
        self._writes_photos = False  # the running job writes photo files: a write, an undo (start)
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
              writes_photos: bool = False) -> bool:
        """Run `work` as the job `name`; `after(summary)` once it is done. An
        `all_or_nothing` job writes its result in one transaction: cancelled, it changed nothing,
        and then (or when it failed, rolled back) `unchanged()` runs, its words closing the message
        (a Ctrl+Z puts its step back: "Ctrl+Z takes the accept back").
        After a job that `may_change_files` (writes photos, or reads folders and so finds
        photos changed or evicted to iCloud) the tiles of changed files are made again. While a job
        that `holds_index` (one transaction from its start) runs, A, R, L and Ctrl+Z wait for it.
        One that `writes_photos` makes the closing window say it finishes the file in hand (stop_for_closing)."""
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

    def scan(self, roots: list[Path]) -> bool:
        def report(summary) -> None:  # a folder just added: say what comes next
            if getattr(summary, "new", 0):
                self.window.show_message(f"Reading folder: done — {scan_line(summary)}. Press Tag folder to recognise "
                                         "the landmarks in them.")

        return self.start("Reading folder", job_work.scan_work(self.window.db_path, roots), after=report,
                          may_change_files=True)

    def check_folders(self) -> bool:
        """Read the library's folders for photos copied into them since (when the app
        opens); says what it found, what to press when there are new photos, which
        library folders it did not find, and a write left unfinished (the app closed during it)."""
        def report(check) -> None:
            summary, absent = check.scan, check.absent
            said = stopped_write_words(self.window.index)  # the app opens on a write left unfinished
            if summary is None:
                if absent or said:
                    self.window.show_message(said + (not_found_text(absent) if absent else ""))
                return
            if summary.new:
                text = (f"{counted(summary.new, 'new photo')} in the library's folders — Tag folder recognises "
                        f"the landmarks in them ({scan_line(summary)})")
            elif summary.changed or summary.moved or summary.missing or summary.errors:
                text = f"Library folders checked: {scan_line(summary)}"
            else:
                text = "Library folders checked: nothing new"
            if absent:
                text += f"; {not_found_text(absent)}"
            self.window.show_message(said + text)

        return self.start("Checking folders", job_work.check_library_work(self.window.db_path), after=report,
                          may_change_files=True)

    def relocate(self, folder: str, new: str, follow_copy: bool = False) -> bool:
        def report(summary) -> None:
            if isinstance(summary, job_work.LocateQuestion):  # nothing changed: the user decides
                if self.window.follow_copy_anyway(folder, new, summary):
                    self.after_this_job(lambda: self.relocate(folder, new, follow_copy=True))
                return
            if isinstance(summary, job_work.LocateRefused):  # nothing changed
                said = in_app_words(summary.line())
                self.window.show_message(said[:1].upper() + said[1:])
                return
            self.window.show_message(summary.line())
            self.window.folder_located(summary.old, summary.new)

        work = job_work.relocate_work(self.window.db_path, folder, new, follow_copy)
        return self.start("Locating folder", work, after=report, may_change_files=True)

    def after_this_job(self, then: Callable[[], object]) -> None:
        """Run `then` once the runner is free (a job's follow-up may come before it is)."""
        if not self.runner.busy:
            then()
            return

        def once(_name: str) -> None:
            self.job_stopped.disconnect(once)
            QTimer.singleShot(0, then)

        self.job_stopped.connect(once)

    def forget(self, folder: str) -> bool:
        def report(contents) -> None:
            copy = f" The index as it was is copied at {contents.backup}." if contents.backup else ""
            self.window.show_message(f"{folder} left the library: {contents.line()} forgotten; the files are untouched."
                                     + copy)

        return self.start("Removing folder", job_work.forget_work(self.window.db_path, folder), after=report,
                          holds_index=True)

    def set_states(self, ids_by_state: dict[str, list[int]], expected: dict, title: str,
                   after: Callable[[StateChange], None], unchanged: Callable[[], str] | None = None,
                   journal: str | None = None, taken_back=None) -> bool:
        """Accept, reject or re-suggest many photos at once, those still as `expected`
        (review_work.state_work, with its `journal` and `taken_back`); `after(StateChange)` on
        the GUI thread; `unchanged()` when cancelled or failed, every photo as it was (start)."""
        work = review_work.state_work(self.window.db_path, ids_by_state, expected, journal=journal,
                                      taken_back=taken_back)
        return self.start(title, work, after=after, all_or_nothing=True, unchanged=unchanged, holds_index=True)

    def rename_place(self, old: str, new: str, landmarks: dict[str, str]) -> bool:
        """Rename a place; the status bar says what changed, the library panel follows."""
        def report(summary) -> None:
            self.window.show_message(rename_line(summary))
            self.window.library_tree.rename_landmark(old, summary.new)  # chosen there, it stays chosen

        return self.start(f"Renaming “{old}”", job_work.rename_work(self.window.db_path, old, new, landmarks),
                          after=report, holds_index=True)

    def count_missing(self, then: Callable[[object], None]) -> bool:
        """Count the missing photos Forget missing photos… would take (job_work.missing_count_work),
        off the GUI thread; `then(MissingPhotos)` asks the user."""
        return self.start("Counting missing photos", job_work.missing_count_work(self.window.db_path), after=then)

    def forget_missing(self) -> bool:
        def report(missing) -> None:
            copy = f" The index as it was is copied at {missing.backup}." if missing.backup else ""
            kept = missing.kept_line("Tag folder reads the folders again")
            self.window.show_message(f"Forgot {missing.line()}." + (f" {kept[0].upper()}{kept[1:]}." if kept else "")
                                     + copy)

        return self.start("Forgetting missing photos", job_work.forget_missing_work(self.window.db_path), after=report,
                          holds_index=True)

    def tag(self, targets: list, title: str) -> bool:
        return self.start(title, job_work.tag_work(self.window.db_path, targets, self.window.settings),
                          may_change_files=True)

    def tag_folders(self, folders: list[Path], title: str, skipped: Sequence[str] = ()) -> bool:
        """Tag these folders; those not found — `skipped` (greyed in the library panel), or
        gone when the worker looks — are named at the end, as for the whole library."""
        def report(summary) -> None:
            absent = list(skipped) + list(summary.skipped_folders)
            if absent:
                self.window.show_message(skipped_text(title, summary, absent))

        return self.start(title, job_work.folders_tag_work(self.window.db_path, folders, self.window.settings),
                          after=report, may_change_files=True)

    def tag_library(self) -> bool:
        """Tag the library's folders that are there, and name those skipped (not found)."""
        def report(summary) -> None:
            if summary.skipped_folders:
                self.window.show_message(skipped_text("Tagging library", summary, summary.skipped_folders))

        return self.start("Tagging library", job_work.library_tag_work(self.window.db_path, self.window.settings),
                          after=report, may_change_files=True)

    def plan_write(self, query: str, include_suggested: bool) -> bool:
        def show_plan(plan) -> None:
            dialog = WritePlanDialog(list(plan or []), include_suggested, self.window)
            dialog.include_suggested.toggled.connect(lambda _on: dialog.done(2))
            result = dialog.exec()
            if result == 2:
                QTimer.singleShot(0, lambda: self.plan_write(query, dialog.include_suggested.isChecked()))
            elif result == QDialog.DialogCode.Accepted and dialog.to_write:
                QTimer.singleShot(0, lambda: self.write(dialog.to_write, left_out=dialog.blocked))

        work = job_work.plan_work(self.window.db_path, query, include_suggested, self.window.settings)
        return self.start("Preparing write", work, after=show_plan)

    def write(self, plan: list, left_out: int = 0) -> bool:
        """Write `plan`; `left_out` files the write list showed as impossible are named in
        the closing message, not tried again and counted as new failures."""
        def report(summary) -> None:
            if left_out:
                self.window.show_message(write_text(summary, left_out))

        return self.start("Writing labels", job_work.write_work(self.window.db_path, plan, self.window.settings),
                          after=report, may_change_files=True, writes_photos=True)

    def undo(self) -> bool:
        def report(summary) -> None:
            if getattr(summary, "batch_id", 0) is None:
                self.window.show_message(NOTHING_TO_UNDO)

        return self.start("Undoing last write", job_work.undo_work(self.window.db_path), after=report,
                          may_change_files=True, writes_photos=True)

    def undo_after_asking(self) -> bool:
        """Undo write from the toolbar, the menu or its key: it changes photo files, so it
        asks first, naming the batch and how many files it puts back."""
        from app.core.metadata.journal import batch_size, cancelled_batch_before, last_batch_id

        window = self.window
        batch_id = last_batch_id(window.index)
        if batch_id is None:
            window.show_message(NOTHING_TO_UNDO)
            return False
        size = batch_size(window.index, batch_id)  # counted in SQL: the GUI thread decodes no saved bytes
        files, photos = counted(size.files, "file"), counted(size.photos, "photo")
        left = cancelled_batch_before(window.index, batch_id)  # what this Undo leaves keyworded, unless said
        after = (f" Batch {left.id}, a write you cancelled, still holds {counted(left.files, 'file')}: Undo again "
                 "takes them back." if left is not None else "")
        answer = QMessageBox.question(
            window, "Undo write",
            f"Undo write batch {batch_id}: put back what it changed in {files} ({photos})? The keywords it "
            "wrote are taken out of them, and the sidecars it created are removed." + after)
        return answer == QMessageBox.StandardButton.Yes and self.undo()

    def teach(self, label: str, photo_ids: list[int]) -> bool:
        """Teach `label` from these photos; the status bar says what was taught, which photos
        could not be used and why, and which place a photo stopped teaching (one place a photo)."""
        from app.core.teaching import taught_labels

        taught_before = taught_labels(self.window.index)

        def report(summary) -> None:
            self.window.photos_changed(getattr(summary, "photo_ids", None) or photo_ids)
            # Ctrl+Z takes it back (the review journal's command)
            self.window.remember_label_step(getattr(summary, "journalled", None), summary.photo_ids or [],
                                            summary.label, taught=True)
            self.window.show_message(teach_text(summary, taught_before, taught_labels(self.window.index)))

        work = review_work.teach_work(self.window.db_path, label, photo_ids, self.window.settings, self.bundles)
        # what the photos teach is written in one transaction, seconds for many (marked from the start: the
        # decoding before it is not told apart, so A waits for it too)
        return self.start(f"Teaching “{label}”", work, after=report, all_or_nothing=True, holds_index=True)

    def correct(self, photo_ids: list[int], label: str | None, expected: dict | None = None,
                left: dict | None = None) -> bool:
        """The user's label for these photos, learnt from (old label rejected, new one taught);
        those no longer as `expected` (the app's look) are left and shown as they are now.
        `left`: photos the app left out before the job ({id: (label, state) now}), named in
        its message with those the job leaves, so it names every photo not changed."""
        def report(summary) -> None:
            if left:
                summary = dataclasses.replace(summary, left={**left, **summary.left})
            withdrawn = [photo_id for _, ids in summary.untaught for photo_id in ids]
            self.window.photos_changed([*summary.photo_ids, *summary.left, *withdrawn])
            self.window.remember_label_step(summary.journalled, summary.photo_ids, summary.label)
            self.window.show_message(correction_text(summary))

        work = review_work.correction_work(self.window.db_path, photo_ids, label, self.window.settings, self.bundles,
                                        expected)
        # many photos: their one transaction takes seconds (a few photos': a moment, after decoding them)
        return self.start("Learning from your label", work, after=report, all_or_nothing=True,
                          holds_index=len(photo_ids) > label_actions.BULK_IN_WORKER)

    def find_suggestions(self, query: str) -> bool:
        """Re-score the library against what was taught; the review list then shows the new ones."""
        def report(result) -> None:
            found, suggest_report = result if result else ([], None)
            self.window.photos_changed([s.photo_id for s in found])
            self.window.suggestions_found(len(found), suggest_report)

        work = review_work.suggest_work(self.window.db_path, query, self.window.settings, self.bundles)
        return self.start("Finding suggestions", work, after=report)

    def cancel(self) -> None:
        if self.runner.busy:
            self.runner.cancel()
            self.window.job_bar.cancelling()

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
        self._show_closing(f"{name}: done" + (f" — {text}" if text else ""))
        after = self._after.pop(name, None)
        if after is not None:
            QTimer.singleShot(0, lambda: after(summary))

    def _on_cancelled(self, name: str, summary) -> None:
        after = self._after.pop(name, None)
        if self._changes_nothing_when_cancelled and summary is not None:
            # its one transaction was committed before the cancel came: every photo changed,
            # and its follow-up (the step Ctrl+Z takes back) must not be lost; a Ctrl+Z (`unchanged`) left none
            undoable, self._unchanged = self._unchanged is None, None
            self._closing_message = None
            QTimer.singleShot(0, lambda: self._finished_despite_cancel(name, summary, after, undoable))
            return
        if self._changes_nothing_when_cancelled:  # its photos are as they were
            self._show_closing(f"{name}: cancelled; no photo was changed" + self._changed_nothing())
            return
        if getattr(summary, "done_word", "") == "restored":  # an undo: the rest of its batch is the next Undo's
            self._show_closing(stopped_undo_text(name, summary))
            return
        text = describe_summary(summary)
        self._show_closing(cancelled_text(name, text))

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
            self.window.errors_panel.add_problem(error.path, error.stage, error.message)

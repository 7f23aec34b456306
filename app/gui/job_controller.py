"""The window's jobs: scan after "Add folder…", tag folder/selection, write (dry run
first), undo, teach and correct. Each is started on JobHost (job_host.py: progress,
closing words, problems) with its follow-up, what the window shows or asks after it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog

from app.core.wording import counted
from app.gui import job_work, label_actions, review_work
from app.gui.app_words import in_app_words
from app.gui.held_words import with_left_held
from app.gui.job_host import JobHost
from app.gui.safe_question import go_ahead
from app.gui.job_words import (correction_text, rename_line, scan_line, stopped_write_words, tag_line, teach_text,
                               write_moment, write_text)
from app.gui.write_dialog import WritePlanDialog

if TYPE_CHECKING:
    from app.core.index.labels import StateChange
    from app.gui.main_window import MainWindow

NOTHING_TO_UNDO = "Nothing to undo: no labels have been written yet."
# Said instead of the Undo write question while another process writes or undoes (the CLI refuses then too).
UNDO_WAITS_FOR_WRITE = ("Labels are being written to your photos by another window or the command line; "
                        "undo when it has finished.")
UNDO_WAITS_FOR_UNDO = ("A write is being undone by another window or the command line; "
                       "try again when it has finished.")


def nothing_to_undo_text(index) -> str:
    """Undo write with no write left to undo: none was made, or each was undone already (the
    CLI's "no write batch to undo"); never "not written yet" after a write was taken back."""
    from app.core.metadata.journal import undone_batches

    undone = undone_batches(index)
    if not undone:
        return NOTHING_TO_UNDO
    return f"Nothing to undo: {'the last write was' if undone == 1 else 'every write was'} undone already."


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


class JobController(JobHost):
    """The window's jobs, each started on the JobHost with its follow-up."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.bundles = review_work.BundleCache()  # the model for teaching, loaded once in the worker

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

    def forget(self, folder: str) -> bool:
        def report(contents) -> None:
            copy = f" The index as it was is copied at {contents.backup}." if contents.backup else ""
            self.window.show_message(f"{folder} left the library: {contents.line()} forgotten; the files are untouched."
                                     + copy)

        return self.start("Removing folder", job_work.forget_work(self.window.db_path, folder), after=report,
                          holds_index=True)

    def set_states(self, ids_by_state: dict[str, list[int]], expected: dict, title: str,
                   after: Callable[[StateChange], None], unchanged: Callable[[], str] | None = None,
                   journal: str | None = None, taken_back=None, release_held: bool = False) -> bool:
        """Accept, reject or re-suggest many photos at once, those still as `expected`
        (review_work.state_work, with its `journal` and `taken_back`); `after(StateChange)` on
        the GUI thread; `unchanged()` when cancelled or failed, every photo as it was (start)."""
        work = review_work.state_work(self.window.db_path, ids_by_state, expected, journal=journal,
                                      taken_back=taken_back, release_held=release_held)
        return self.start(title, work, after=after, all_or_nothing=True, unchanged=unchanged, holds_index=True)

    def rename_place(self, old: str, new: str, landmarks: dict[str, str]) -> bool:
        """Rename a place; the status bar says what changed, the library panel follows."""
        def report(summary) -> None:
            self.window.show_message(with_left_held(rename_line(summary), summary.left_held))
            self.window.library_tree.rename_landmark(old, summary.new)  # chosen there, it stays chosen
            self.window.remember_rename(summary.old, summary.new, summary.merged)  # Ctrl+Z meets it

        return self.start(f"Renaming “{old}”", job_work.rename_work(self.window.db_path, old, new, landmarks),
                          after=report, holds_index=True)

    def count_missing(self, then: Callable[[object], None]) -> bool:
        """Count the missing photos Forget missing photos… would take (job_work.missing_count_work),
        off the GUI thread; `then(MissingPhotos)` asks the user."""
        return self.start("Counting missing photos", job_work.missing_count_work(self.window.db_path), after=then)

    def forget_missing(self) -> bool:
        def report(missing) -> None:
            copy = f" The index as it was is copied at {missing.backup}." if missing.backup else ""
            kept = missing.kept_line("Tag folder reads the folders again", take_in="Tag folder")
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
        def show_plan(found) -> None:
            plan, lightroom_misses, linked = found or ([], [], [])
            dialog = WritePlanDialog(list(plan or []), include_suggested, self.window, jpegs_left_unchanged=not (
                job_work.write_options(self.window.settings).write_into_jpeg), lightroom_misses=lightroom_misses,
                hard_linked=linked)
            dialog.include_suggested.toggled.connect(lambda _on: dialog.done(2))
            result = dialog.exec()
            if result == 2:
                QTimer.singleShot(0, lambda: self.plan_write(query, dialog.include_suggested.isChecked()))
            elif result == QDialog.DialogCode.Accepted and dialog.to_write:
                QTimer.singleShot(0, lambda: self.write(dialog.to_write, left_out=dialog.blocked))

        work = job_work.plan_work(self.window.db_path, query, include_suggested, self.window.settings)
        return self.start("Preparing write", work, after=show_plan, cancelled_words="nothing written")

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
                self.window.show_message(nothing_to_undo_text(self.window.index))

        return self.start("Undoing last write", job_work.undo_work(self.window.db_path), after=report,
                          may_change_files=True, writes_photos=True)

    def undo_after_asking(self) -> bool:
        """Undo write from the toolbar, the menu or its key: it changes photo files, so it
        asks first, saying which write it takes back (by when it was made: the user never
        saw a batch's number) and how many files it puts back; No is the default. While
        another process writes (or undoes) it says so and asks nothing: the newest batch is
        then one still growing, and the undo would be refused."""
        from app.core.metadata.journal import (batch_size, batch_started_at, cancelled_batch_before, last_batch_id,
                                               undo_blocked_by)

        window = self.window
        blocked_by = undo_blocked_by(window.index)
        if blocked_by is not None:
            window.show_message(UNDO_WAITS_FOR_WRITE if blocked_by == "write" else UNDO_WAITS_FOR_UNDO)
            return False
        batch_id = last_batch_id(window.index)
        if batch_id is None:
            window.show_message(nothing_to_undo_text(window.index))
            return False
        size = batch_size(window.index, batch_id)  # counted in SQL: the GUI thread decodes no saved bytes
        when = f" {write_moment(batch_started_at(window.index, batch_id))}".rstrip()
        files = counted(size.files, "file") if size.files != size.photos else ""
        written = f"the labels written to {counted(size.photos, 'photo')}" + (f" ({files})" if files else "")
        left = cancelled_batch_before(window.index, batch_id)  # what this Undo leaves keyworded, unless said
        before = f" {write_moment(batch_started_at(window.index, left.id))}".rstrip() if left is not None else ""
        after = (f" A write you cancelled{before} still holds {counted(left.files, 'file')}: Undo again takes "
                 "them back." if left is not None else "")
        return go_ahead(
            window, "Undo write",
            f"Take back {written}{when}? The keywords that write added are taken out of the files again, "
            "and the sidecars it created are removed." + after) and self.undo()

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
            self.window.show_message(with_left_held(teach_text(summary, taught_before, taught_labels(self.window.index)),
                                                    getattr(summary, "left_held", 0)))

        work = review_work.teach_work(self.window.db_path, label, photo_ids, self.window.settings, self.bundles)
        # what the photos teach is written in one transaction, seconds for many (marked from the start: the
        # decoding before it is not told apart, so A waits for it too)
        return self.start(f"Teaching “{label}”", work, after=report, all_or_nothing=True, holds_index=True)

    def correct(self, photo_ids: list[int], label: str | None, expected: dict | None = None,
                left: dict | None = None, release_held: bool = False, left_held: int = 0) -> bool:
        """The user's label for these photos, learnt from (old label rejected, new one taught);
        those no longer as `expected` (the app's look) are left and shown as they are now.
        `left`: photos the app left out before the job ({id: (label, state) now}), named in
        its message with those the job leaves, so it names every photo not changed. `left_held`:
        the held files the user chose to leave alone, named at its end (held_words.with_left_held)."""
        def report(summary) -> None:
            if left:
                summary = dataclasses.replace(summary, left={**left, **summary.left})
            withdrawn = [photo_id for _, ids in summary.untaught for photo_id in ids]
            self.window.photos_changed([*summary.photo_ids, *summary.left, *withdrawn])
            self.window.remember_label_step(summary.journalled, summary.photo_ids, summary.label)
            self.window.show_message(with_left_held(correction_text(summary), left_held))

        work = review_work.correction_work(self.window.db_path, photo_ids, label, self.window.settings, self.bundles,
                                        expected, release_held=release_held)
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

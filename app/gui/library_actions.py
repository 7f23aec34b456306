"""What the library panel's menus and the search field's bookmark ask for: locate a
folder that moved, remove a folder from the library, forget the missing photos, keep
or drop a saved search; and where Add folder… opens. Mixed into MainWindow; the work
runs in JobController's worker or is one small change to the index or the settings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from app.core.errors import TaggerError
from app.core.folder_paths import is_within
from app.core.settings import save_settings
from app.core.wording import counted
from app.gui.file_dialogs import picker_options
from app.gui.read_only_index import refused_as_read_only
from app.gui.picker_start import start_folder, start_folder_for_missing
from app.gui.safe_question import go_ahead


def folder_title(folder: str) -> str:
    """The folder's name as a dialog names it: a whole drive (`E:\\`, `\\\\nas\\photos\\`,
    `/`) has no name, so its drive or anchor stands for it."""
    path = Path(folder)
    return path.name or path.drive or path.anchor or folder


class LibraryActions:
    """Mixed into MainWindow (index, jobs, settings, show_message, results_display,
    current_photo, the library panel, the detail pane and the results)."""

    def locate_folder(self, folder: str) -> bool:
        """A library folder not found: ask where it is now and follow it (its photos keep
        their labels; app.core.relocate checks that the files there are the ones indexed).
        The picker opens at once, in home when the folder's drive does not answer."""
        if refused_as_read_only(self):
            return False
        start = start_folder_for_missing(folder)
        chosen = QFileDialog.getExistingDirectory(self, f"Where is {folder_title(folder)} now?", start,
                                                  picker_options(folders_only=True))
        return bool(chosen) and self.jobs.relocate(folder, chosen)

    def follow_copy_anyway(self, folder: str, new: str, question) -> bool:
        """Locate folder… chose a folder unlike a move (job_work.LocateQuestion: the old one
        still holds its files, or the new one under half of them): follow it as a copy only
        when the user says so, naming the photos that would be marked missing."""
        missing = counted(question.would_go_missing, "photo file")
        said = question.message.replace("relocate follows", "Locate folder… follows")  # the app's word
        said += "" if said.endswith(("?", ".")) else "."
        answer = QMessageBox.question(
            self, "Locate folder",
            f"{said}\n\nFollow {folder_title(new)} anyway, as a copy of {folder_title(folder)}? "
            f"The {missing} not in it would be marked missing (their labels stay until you forget missing photos).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            self.show_message(f"{folder_title(folder)} not located: nothing changed.")
            return False
        return True

    def add_folder_start(self) -> str:
        """Where Add folder… opens: beside the folder added last (photos come from a card or
        a photo drive, seldom from home, as Lightroom's import remembers), else home; the
        disk is asked off the GUI thread, as that drive may not answer."""
        last = self.settings.last_added_folder
        return start_folder([Path(last).parent]) if last else str(Path.home())

    def remember_added_folder(self, folder: str) -> None:
        """Kept in the settings for the next Add folder…, this start and the next. A settings
        file that cannot be written only makes it open in home after a restart: said in the
        status bar, as for the sort order, and in Problems, since the folder's read that
        follows puts its own line in the status bar."""
        self.settings = replace(self.settings, last_added_folder=folder)
        try:
            save_settings(self.settings, on_set_aside=self.settings_set_aside)
        except (TaggerError, OSError) as error:
            message = f"Folder added last not kept for the next start: {error}"
            self.show_message(message)
            self.errors_panel.add_problem(None, "settings", message)

    def folder_located(self, old: str, new: str) -> None:
        """After Locate folder…: the folder chosen in the library panel stays chosen at its
        new place, and the photo of the detail pane, if it is one of the located folder's
        (it said "File missing"), is shown as it is now (its new path and preview) and
        current in the grid again; a photo of another folder stays as it was, the grid
        keeping its selection."""
        self.library_tree.follow_folder(old, new)
        self.folders = self.library_tree.selected_folders()
        record = self.detail.record
        if record is not None and is_within(record.path, old):
            self.current_photo.refresh_detail()
            self.select_after_load = record.id
        self.refresh_results()

    def forget_folder(self, folder: str) -> bool:
        """Take a library folder out of the library, once the user has seen what goes."""
        from app.core.index.forget import folder_contents

        if refused_as_read_only(self):
            return False
        try:
            contents = folder_contents(self.index, folder)
        except TaggerError as error:
            self.show_message(str(error))
            return False
        return self.confirm_forget_folder(contents) and self.jobs.forget(contents.folder)

    def save_search(self, query: str) -> bool:
        """Keep the search typed under a name; the library panel lists it."""
        from app.core.index import parse_query

        try:
            parse_query(query)
        except TaggerError as error:
            self.show_message(f"This search cannot be saved: {error}")
            return False
        name, ok = QInputDialog.getText(self, "Save search", "Name of the saved search:", text=query[:60])
        name = name.strip()
        if not ok or not name:
            return False
        saved = tuple(pair for pair in self.settings.saved_searches if pair[0] != name) + ((name, query),)
        return self._keep_saved_searches(saved, f"Saved the search “{name}”: the library panel lists it.")

    def delete_saved_search(self, name: str) -> bool:
        saved = tuple(pair for pair in self.settings.saved_searches if pair[0] != name)
        return self._keep_saved_searches(saved, f"Deleted the saved search “{name}”.")

    def _keep_saved_searches(self, saved: tuple, message: str) -> bool:
        settings = replace(self.settings, saved_searches=saved)
        try:
            save_settings(settings, on_set_aside=self.settings_set_aside)
        except (TaggerError, OSError) as error:
            self.show_message(f"Settings not saved: {error}")
            return False
        self.settings = settings.validated()
        if self._snapshot is not None:
            self.results_display.show_library(self._snapshot)
        self.show_message(message)
        return True

    def forget_missing_photos(self) -> bool:
        """Forget the photos whose files are gone, once the user has seen what goes (those of
        a folder not found, or left empty as a drive not connected leaves its mount point, are
        kept). Counted in a job: that asks the disks, which a share not answering holds for long."""
        return not refused_as_read_only(self) and self.jobs.count_missing(self.ask_forget_missing)

    def ask_forget_missing(self, missing) -> bool:
        """Ask about the MissingPhotos counted; forget them after the counting job, if yes."""
        kept = (f"\n\nThe missing photos of {', '.join(missing.skipped_folders)} stay: the folder is not found "
                "or the empty mount point of a card that was mounted on it when its photos were scanned, as when "
                "its drive is not connected."
                if missing.skipped_folders else "")
        kept = staying_text(missing) + kept
        if missing.photos == 0:
            self.show_message("No missing photo to forget." + kept.replace("\n\n", " "))
            return False
        unwritten = ("\n\nLabels you set or accepted on them live only in the index." if missing.yours else "")
        if not go_ahead(self, "Forget missing photos",
                        f"Forget {missing.line()}? Their files are gone from the library's folders; a copy of the "
                        "index is taken first." + unwritten + kept):
            return False
        self.jobs.after_this_job(self.jobs.forget_missing)
        return True

    def confirm_forget_folder(self, contents) -> bool:
        unwritten = ("\n\nLabels you set or accepted live only in the index until Write labels puts them "
                     "into the photos." if contents.yours else "")
        return go_ahead(
            self, "Remove from library",
            f"Remove {contents.folder} from the library?\n\nThe index forgets {contents.line()}. "
            "The files are not touched; Add folder brings the photos back, with the labels written into "
            "them."
            + unwritten)


def staying_text(missing) -> str:
    """The missing photos the library panel counts that Forget missing photos… keeps, and
    why: the question said nothing of them, so a photo in iCloud looked as if it would go."""
    owed = missing.awaiting_scan - missing.in_icloud
    text = ""
    if missing.in_icloud:
        one = missing.in_icloud == 1
        text += (f"\n\n{counted(missing.in_icloud, 'missing photo')} {'stays' if one else 'stay'}: "
                 f"{'it is' if one else 'they are'} in iCloud, not downloaded (Tag folder finds "
                 f"{'it' if one else 'them'} again, with {'its' if one else 'their'} labels).")
    if owed:
        text += (f"\n\n{counted(owed, 'missing photo')} {'stays' if owed == 1 else 'stay'}: a scan that did "
                 "not finish still has to look for where they went (Tag folder reads the folders again).")
    back = getattr(missing, "back_on_disk", 0)
    if back:
        one = back == 1
        text += (f"\n\n{counted(back, 'photo')} {'is' if one else 'are'} back on disk and "
                 f"{'stays' if one else 'stay'}: Tag folder takes {'it' if one else 'them'} in.")
    unread = getattr(missing, "not_checked", 0)
    if unread:
        text += (f"\n\n{counted(unread, 'missing photo')} {'stays' if unread == 1 else 'stay'}: "
                 f"{'it' if unread == 1 else 'they'} could not be checked on disk (a folder not readable, or a name the system's file name "
                 "encoding cannot spell).")
    behind = getattr(missing, "behind_dead_links", 0)
    if behind:
        one = behind == 1
        text += (f"\n\n{counted(behind, 'missing photo')} {'stays' if one else 'stay'}: reached through "
                 f"the folder link {', '.join(missing.dead_links)}, which points nowhere (a drive not "
                 "connected?); if they are gone, remove the link and tag the folder again.")
    return text

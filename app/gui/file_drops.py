"""Folders and photo files dropped on the main window from a file manager: folders are
added like "Add folder…", photos are looked up and those the library does not know yet
are tagged. Mixed into MainWindow; the work runs in JobController's worker."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer

from app.core import library
from app.core.wording import counted
from app.gui.read_only_index import refused_as_read_only


class FileDrops:
    """Mixed into MainWindow (index, jobs, search_bar, add_folders and
    `_photos_after_folders`, the photos waiting for the folders dropped with them)."""

    @staticmethod
    def _dropped(event) -> tuple[list[Path], list[Path]]:
        """(folders, photo files) of a drop from a file manager."""
        from app.core.photo_info import file_kind

        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
        return ([p for p in paths if p.is_dir()],
                [p for p in paths if p.is_file() and file_kind(p.name) is not None])

    def dragEnterEvent(self, event) -> None:
        folders, photos = self._dropped(event)
        if (folders and not self.jobs.busy) or photos:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        """Folders dropped on the window are added like "Add folder…"; photo files
        dropped on it are looked up (a search for those files), to see what the library
        knows of them, and those it does not know yet are tagged (their folder joins the
        library on its own, as `landmark-tagger tag FILE` does). Photos dropped beside
        folders (outside them) are taken once the folders are read: they were ignored."""
        folders, photos = self._dropped(event)
        if folders and not self.jobs.busy:
            event.acceptProposedAction()
            outside = [photo for photo in photos if not any(photo.is_relative_to(folder) for folder in folders)]
            started = self.add_folders(folders)
            if outside and started:
                self._photos_after_folders = outside
                self.jobs.job_stopped.connect(self._take_photos_dropped_with_folders)
            elif outside:
                self._take_dropped_photos(outside)
        elif photos:
            event.acceptProposedAction()
            self._take_dropped_photos(photos)

    def _take_photos_dropped_with_folders(self, _job: str) -> None:
        self.jobs.job_stopped.disconnect(self._take_photos_dropped_with_folders)
        photos, self._photos_after_folders = self._photos_after_folders, []
        # after the job's own follow-up (it runs on the next turn of the event loop)
        QTimer.singleShot(0, lambda: self._take_dropped_photos(photos))

    def _take_dropped_photos(self, photos: list[Path]) -> None:
        """Show the photos dropped; tag those the library does not know yet."""
        from app.core.path_query import path_terms

        # found on disk: the index never takes them for a photo of another letter case
        self.search_bar.set_text(" ".join(filter(None, path_terms([str(p) for p in photos], exact=True))))
        unknown = library.photos_not_in_library(self.index, photos)
        if unknown and not refused_as_read_only(self):
            self.jobs.tag(unknown, f"Tagging {counted(len(unknown), 'dropped photo')}")

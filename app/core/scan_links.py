"""Which links a scan walks, so that no photo is indexed twice.

With links followed, a walk meets the same folders and files under more than one
path: a "Best of" link into the library, a link up to the home folder, a Windows
junction, a file link beside its photo. The walk (scanner.py) asks this module
which linked folders to walk and which linked files to leave out, and this module
remembers what the scan has walked through links so far. The rules are about paths
alone, not the index's rows, so they live apart from the walk and the folder sync.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.core.folder_paths import is_within
from app.core.index import linked_folders
from app.core.path_case import DiskNames, canonical_path, is_junction, spellings_through_links


def in_library(index, folder: str) -> bool:
    """Whether a library folder (one with its sub-folders, or this very one) holds `folder`."""
    alone = {str(root) for root in index.folder_only_roots()}
    return any(
        folder == str(root) or (is_within(folder, str(root)) and str(root) not in alone)
        for root in index.roots()
    )


def library_spelling(index, folder: str | os.PathLike, names: DiskNames, follow: bool = True) -> str:
    """The path under which a scan reads `folder`: resolved (canonical_path), unless the
    library holds it only through a folder linked into a library folder, which the walk
    indexes under the link's path (ScanLinks.folder_to_visit): then that path, so that
    `tag library/Shared/IMG_1.JPG` reads the photos the library has there rather than
    making the link's target a second library folder with each photo indexed twice."""
    resolved = str(canonical_path(folder, names))
    roots = [str(root) for root in index.roots()]
    if not follow or in_library(index, resolved) or any(is_within(root, resolved) for root in roots):
        return resolved  # in the library as it is, or a link up to a folder holding it (never walked)
    held = (str(form) for form in spellings_through_links(folder, names) if in_library(index, str(form)))
    return next(held, resolved)


def kept_link_spellings(index, paths: list[str]) -> dict[str, str]:
    """{path: the same file or folder as the library indexes it} for those of `paths`
    under a link that scans skip, as another link to its folder keeps it (one folder
    linked into two library folders: `…/libB/Shared/x.jpg` is `…/libA/Shared/x.jpg`), so
    that a path typed, dropped or tagged through either link finds the photos. Reads the
    disk (the links on the way); nothing when no scan has walked a link."""
    if not linked_folders.any_walked(index.conn):
        return {}
    kept_of: dict[str, str | None] = {}  # each folder on the way looked at once
    found = {}
    for path in paths:
        parts = Path(path).parts
        for end in range(2, len(parts) + 1):
            link = str(Path(*parts[:end]))
            if link not in kept_of:
                kept_of[link] = _kept_instead(index, link)
            if kept_of[link] is not None:
                found[path] = str(Path(kept_of[link], *parts[end:]))
                break
    return found


def _kept_instead(index, link: str) -> str | None:
    """The link under which the library indexes the folder `link` leads to, when
    `link` is a link in a library folder that scans skip for it (see _keeper)."""
    if not (os.path.islink(link) or is_junction(Path(link))) or not in_library(index, os.path.dirname(link)):
        return None
    try:
        folder = os.stat(link)
    except OSError:
        return None
    return _keeper(index, link, folder)[0]


def _keeper(index, link: str, folder: os.stat_result) -> tuple[str | None, list[str]]:
    """(the link that keeps `folder` rather than `link`, None when `link` does; the
    links walked to it once that no longer lead there from the library). The one holding
    the oldest photo (else the one walked first) keeps the folder, so that scans in any
    order index each photo once, under the same path."""
    conn = index.conn
    known = linked_folders.links_to_inode(conn, folder.st_ino)
    order = dict(known)

    def first(path: str) -> tuple[float, float]:
        oldest = linked_folders.first_photo_under(conn, path)
        return (float("inf") if oldest is None else oldest, order.get(path, float("inf")))

    gone = [other for other, _ in known if other != link and not _leads_to(index, other, folder)]
    kept = min((other for other, _ in known if other != link and other not in gone),
               key=first, default=None)
    return (None if kept is None or first(kept) >= first(link) else kept), gone


def _leads_to(index, link: str, folder: os.stat_result) -> bool:
    """Whether `link`, a link a scan walked, still leads to `folder` from the library."""
    try:
        now = os.stat(link)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (folder.st_dev, folder.st_ino) and in_library(
        index, os.path.dirname(link))


class ScanLinks:
    """The link policy of one scan: the links it walks, and the folders they lead to.

    `roots` are the folders the scan was given (resolved), `shallow` those of them read
    without their sub-folders; `follow` is ScanOptions.follow_symlinks."""

    def __init__(self, index, roots: list[str], shallow: set[str], follow: bool) -> None:
        self.index = index
        self.roots = roots
        self.shallow = shallow
        self.follow = follow
        self.linked_targets: dict[str, str] = {}  # the real folders walked through a link in this scan: their link
        self.link_paths: list[str] = []  # the links walked in this scan, as the walk spells them
        self.disk_names = DiskNames()  # the folders that links lead to, listed once in a scan
        self.same_folders: list[tuple[str, str]] = []  # (link skipped, the path the library holds it under)

    def real(self, path: str) -> str:
        """Where `path` leads, spelled as the disk stores each name, as library folders
        are (realpath keeps a link's text: `~/pictures/Rome` on a case-insensitive disk
        would not be taken for `~/Pictures/Rome`, and its photos would be indexed twice)."""
        return str(canonical_path(path, self.disk_names))

    def walked_through_link(self, folder: str) -> bool:
        """Whether `folder` was reached through a link this scan walks."""
        return any(is_within(folder, path) for path in self.link_paths)

    def walked_by_a_link(self, folder: str) -> bool:
        """Whether a link this scan walks leads to `folder` itself (so the walk leaves
        it to that link, and it is indexed once)."""
        return self.real(folder) in self.linked_targets

    def alias_in_library(self, link: str) -> bool:
        """Whether a link named like a photo points at a file in the library ("latest.jpg"
        beside DSC_0001.JPG, a "Best of" folder of links): that file is the photo, and
        the link made a second photo of it, whose write then failed. Links to files
        outside the library (a drive linked in) are photos of the library, unless their
        folder is walked through a link (and so indexed under the link's path)."""
        target = self.real(link)  # (the caller has seen `link` is a link)
        folder = os.path.dirname(target)
        return in_library(self.index, folder) or any(is_within(folder, walked) for walked in self.linked_targets)

    def folder_to_visit(self, folder: str, entry: os.DirEntry) -> str | None:
        """The folder to walk for a link (or a junction) in `folder` to a folder, if any.
        A folder reached through a link belongs to the library folder
        it was reached from, so it is walked under the link's path: its photos leave the
        library with the link, and `forget` of the library folder takes them. A link is not
        walked when its target is in the library or holds a library folder (a "Best of" link
        into it: the photos are indexed under their own folder, whichever the walk meets
        first), when it holds the folder the link is in (a loop, up to the home folder say),
        or when this scan walks it (or a folder holding it) through another link: no photo
        is indexed twice, and none from outside the folders the user gave. A link to a folder
        holding one walked through another link is walked, all but that folder (see
        _Scan._list_folder). (A drive mounted into a folder is no link: see is_link.)"""
        if not self.follow:
            return None
        target = self.real(entry.path)
        if is_within(self.real(folder), target):
            return None  # a loop
        if target in self.linked_targets:  # a second link to it (libA/Shared, libB/Shared scanned together)
            self._note_same_folder(entry.path, self.linked_targets[target])
            return None
        if any(is_within(target, walked) for walked in self.linked_targets):
            return None
        library = [str(root) for root in self.index.roots()] + self.roots
        if in_library(self.index, target) or any(is_within(root, target) for root in library) or any(
                is_within(target, root) for root in self.roots if root not in self.shallow):
            return None
        if self._indexed_elsewhere(entry.path, target) is not None:
            return None
        self.linked_targets[target] = entry.path
        self.link_paths.append(entry.path)
        return entry.path

    def root_indexed_elsewhere(self, root: str) -> bool:
        """Whether `root`, a folder the library holds only through a link (a scan of
        `library/Shared`), lies in a linked folder the library indexes under another
        link: then it is skipped, as that link would be in a walk (folder_to_visit)."""
        link = root
        while not (os.path.islink(link) or is_junction(Path(link))):
            parent = os.path.dirname(link)
            if parent == link or not in_library(self.index, parent):
                return False
            link = parent
        return self._indexed_elsewhere(link, self.real(link)) is not None

    def _indexed_elsewhere(self, link: str, target: str) -> str | None:
        """The link under which the library already indexes the folder `link` leads to
        (one folder linked into two library folders, each scanned alone), if any (_keeper).
        Noted in same_folders; a link kept is remembered for the scans to come."""
        try:
            folder = os.stat(target)
        except OSError:
            return None
        kept, gone = _keeper(self.index, link, folder)
        with self.index.transaction() as conn:
            for other in gone:
                linked_folders.forget(conn, other)
            if kept is None:
                linked_folders.remember(conn, link, folder.st_dev, folder.st_ino)
        if kept is not None:
            self._note_same_folder(link, kept)
        return kept

    def _note_same_folder(self, link: str, kept: str) -> None:
        """Say in the summary that `link` is skipped: the library holds its folder as `kept`."""
        if (link, kept) not in self.same_folders:
            self.same_folders.append((link, kept))


def is_link(entry: os.DirEntry) -> bool:
    """Whether a folder entry links elsewhere: a symbolic link, or a Windows directory
    junction (`mklink /J`, what Windows users make, as symbolic links need admin rights),
    which DirEntry.is_symlink() does not report before Python 3.12. On Windows the
    entry's lstat comes with the listing (no extra call); elsewhere no lstat is made.
    A drive mounted into a folder (Disk Management's "Mount in the following empty NTFS
    folder") carries a junction's reparse tag too, but it is a folder of its own, walked
    under its own path: its target names a volume, not another folder."""
    if entry.is_symlink():
        return True
    mount_point = getattr(stat, "IO_REPARSE_TAG_MOUNT_POINT", None)  # Windows' stat only
    if mount_point is None:
        return False
    try:
        if getattr(entry.stat(follow_symlinks=False), "st_reparse_tag", 0) != mount_point:
            return False
        return not _names_a_volume(os.readlink(entry.path))
    except OSError:
        return False


def _names_a_volume(target: str) -> bool:
    r"""Whether a mount point's target is a whole volume (`\\?\Volume{GUID}\`, or
    `\??\Volume{GUID}\` as the NT namespace spells it), as Windows writes it for a drive
    mounted into a folder, rather than a junction's folder."""
    return target.lower().startswith(("\\\\?\\volume{", "\\??\\volume{"))


def broken_link_message(path: str) -> str:
    """A symbolic link named like a photo whose target is gone (often: on a drive that is
    not connected), or is no file (a device such as /dev/zero, a pipe), told as such
    rather than skipped without a word."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "a file"
    if os.path.exists(path):
        return f"{path}: a link to {target}, which is not a photo file (not a regular file)"
    return f"{path}: a link to {target}, which does not exist (is its drive connected?)"

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
from collections.abc import Callable
from pathlib import Path

from app.core.folder_paths import is_within
from app.core.index import linked_folders
from app.core.index.photos_seen import forget_mount_point
from app.core.path_case import DiskNames, canonical_path, is_junction, spellings_through_links
from app.core.walked_links import WalkedLinks, holders_of


def in_library(index, folder: str) -> bool:
    """Whether a library folder (one with its sub-folders, or this very one) holds `folder`."""
    return library_holds(index)(folder)


def library_holds(index) -> Callable[[str], bool]:
    """in_library for the library folders as they are now, read once: for many folders."""
    alone = {str(root) for root in index.folder_only_roots()}
    roots = [str(root) for root in index.roots()]
    return lambda folder: any(
        folder == root or (is_within(folder, root) and root not in alone) for root in roots)


def library_spelling(index, folder: str | os.PathLike, names: DiskNames, follow: bool = True) -> str:
    """The path under which a scan reads `folder`: resolved (canonical_path), unless the
    library holds it only through a folder linked into a library folder, which the walk
    indexes under the link's path (ScanLinks.folder_to_visit): then that path, so that
    `tag library/Shared/IMG_1.JPG` reads the photos the library has there rather than
    making the link's target a second library folder with each photo indexed twice. So
    too for `folder` given by its real path in the folder a walked link leads to (`scan
    X/Drive` with `library/d -> X/Drive`): that path under the link (through_walked_link),
    even once a library folder holds X/Drive (`scan X` since, which left it to the link)."""
    resolved = str(canonical_path(folder, names))
    roots = [str(root) for root in index.roots()]
    if not follow or any(is_within(root, resolved) for root in roots):
        return resolved  # a library folder, or a link up to a folder holding one (never walked)
    if in_library(index, resolved):
        return _under_walked_link(index, resolved) or resolved
    held = (str(form) for form in spellings_through_links(folder, names) if in_library(index, str(form)))
    return next(held, None) or _under_walked_link(index, resolved) or resolved


def through_walked_link(index, folder: str | os.PathLike, names: DiskNames | None = None) -> str | None:
    """The path the library holds `folder` under when it is given by its real path in the
    folder a walked link leads to (`X/Drive` for `library/d -> X/Drive`: `library/d`), so
    that a scan of it can say where it went; None when the library holds it as it is, or
    no walked link leads to it. A library folder holding X/Drive (X, scanned since) leaves
    it to the link (ScanLinks.left_to_a_walked_link): it is mapped all the same."""
    resolved = str(canonical_path(folder, names or DiskNames()))
    if any(is_within(str(root), resolved) for root in index.roots()):
        return None
    held = _under_walked_link(index, resolved)
    return None if held == os.path.abspath(os.path.expanduser(folder)) else held  # (given by the link's path)


def _under_walked_link(index, resolved: str) -> str | None:
    """`resolved` (a real path, outside the library) under the walked link that leads to
    it or a folder holding it (kept_link_spellings), None when there is none."""
    return kept_link_spellings(index, [resolved]).get(resolved)


def kept_link_spellings(index, paths: list[str]) -> dict[str, str]:
    """{path: the same file or folder as the library indexes it} for those of `paths`
    under a link that scans skip, or in a part of its folder they skip, as another link
    to that folder keeps it (one folder linked into two library folders: `…/libB/Shared/x.jpg`
    is `…/libA/Shared/x.jpg`; a drive and a folder of it: `…/lib2/Italy/x.jpg` is
    `…/lib1/Drive/Italy/x.jpg`), so that a path typed, dropped or tagged through either
    link finds the photos; and for those in the folder a walked link leads to, named by
    its real path (`…/Drive/D1.JPG`, as a file manager or tab completion on the drive gives
    it): that path under the link (`…/lib/d/D1.JPG`), rather than the drive joining the
    library with each photo indexed twice, also once a library folder holds the drive (`X`
    scanned since, which leaves X/Drive to the link: a folder scans skip). Reads the disk
    (the links on the way, the folders above a path outside the library or in a folder
    scans skip); nothing when no scan has walked a link."""
    if not linked_folders.any_walked(index.conn):
        return {}
    skipped_in: dict[str, list[tuple[str, str]]] = {}  # each folder on the way looked at once
    links_to: dict[str, str | None] = {}  # each folder above a path outside the library: the link walked to it
    names = DiskNames()
    holds = library_holds(index)
    skips = [path for path, _ in linked_folders.skipped(index.conn)]  # X/Drive, left to library/d
    walked: list[WalkedLinks] = []  # read when a link is met on the way

    def through_skipped(path: str) -> str | None:
        parts = Path(path).parts
        for end in range(2, len(parts) + 1):
            link = str(Path(*parts[:end]))
            if link not in skipped_in:
                skipped_in[link] = _skipped_in(index, link, names, holds, walked)
            held = next((held_under(path, skipped, kept) for skipped, kept in skipped_in[link]
                         if is_within(path, skipped)), None)
            if held is not None:
                return held
        return None

    found = {}
    for path in paths:
        held = through_skipped(path)
        if held is None and (not (holds(path) or holds(os.path.dirname(path)))
                             or any(is_within(path, skip) for skip in skips)):
            through = _through_walked_link(index, path, holds, links_to)
            held = None if through is None else through_skipped(through) or through
        if held is not None and held != path:  # (a path under the walked link itself is as held)
            found[path] = held
    return found


def _through_walked_link(index, path: str, holds: Callable[[str], bool],
                         links_to: dict[str, str | None]) -> str | None:
    """`path` under the link a scan walked to the folder holding it (its real path is
    given), found by the device and inode of the folders above it (linked_folders);
    None when no walked link leads to one of them from the library. `links_to` keeps
    each folder looked at."""
    for folder in map(str, (Path(path), *Path(path).parents)):
        if folder not in links_to:
            links_to[folder] = _link_walked_to(index, folder, holds)
        if links_to[folder] is not None:
            return held_under(path, folder, links_to[folder])
    return None


def _link_walked_to(index, folder: str, holds: Callable[[str], bool]) -> str | None:
    """The link a scan walked to `folder` that still leads there from a library folder."""
    try:
        here = os.stat(folder)
    except OSError:
        return None
    for link in linked_folders.walked_to(index.conn, here.st_dev, here.st_ino):
        try:
            now = os.stat(link)
        except OSError:
            continue
        if (now.st_dev, now.st_ino) == (here.st_dev, here.st_ino) and holds(os.path.dirname(link)):
            return link
    return None


def held_under(path: str, skipped: str, kept: str) -> str:
    """`path`, which lies in the folder `skipped`, under `kept`: the same folder as the library holds it."""
    rest = os.path.relpath(path, skipped)
    return kept if rest == os.curdir else os.path.join(kept, rest)


def _skipped_in(index, link: str, names: DiskNames, holds: Callable[[str], bool],
                walked: list[WalkedLinks]) -> list[tuple[str, str]]:
    """The parts of `link`'s folder that scans skip, when `link` is a link in a library
    folder (see _held_elsewhere); `walked` holds the walked links once read."""
    if not (os.path.islink(link) or is_junction(Path(link))) or not holds(os.path.dirname(link)):
        return []
    try:
        folder = os.stat(link)
    except OSError:
        return []
    if not walked:
        walked.append(WalkedLinks(index, names, holds))
    return _held_elsewhere(index, link, folder, str(canonical_path(link, names)), walked[0])[0]


def _held_elsewhere(index, link: str, folder: os.stat_result, target: str, walked: WalkedLinks
                    ) -> tuple[list[tuple[str, str]], list[str]]:
    """([(`link`, or a folder in it, that scans skip; the path the library indexes that
    folder under instead)], the links walked to `folder` once that no longer lead there
    from the library). Another link walked may lead to the same folder, to one holding it
    (`Drive` beside `Drive/Italy`), or to one in it; of two paths to one folder, the one
    holding the oldest photo (else the one walked first) keeps it, so that scans in any
    order index each photo once, under the same path. `target` is where `link` leads."""
    conn = index.conn

    def first(path: str, rank: float) -> tuple[float, float]:
        oldest = linked_folders.first_photo_under(conn, path)
        return (float("inf") if oldest is None else oldest, rank)

    gone: list[str] = []
    kept_of: dict[str, tuple[tuple[float, float], str]] = {}  # a path of ours skipped: the best other
    same = [other for other in walked.with_inode(folder.st_ino) if other.path != link]
    nested = [other for other in walked.nested_with(target) if other.inode != folder.st_ino]
    for other in sorted(same + nested, key=lambda walked_link: walked_link.rank):
        if other.inode == folder.st_ino:
            if other.now != (folder.st_dev, folder.st_ino) or not other.from_library:
                gone.append(other.path)
                continue
            ours, theirs = link, other.path
        elif is_within(target, other.target):  # ours is a folder of theirs
            ours, theirs = link, held_under(target, other.target, other.path)
        else:  # theirs is a folder of ours
            ours, theirs = held_under(other.target, target, link), other.path
        rank = first(theirs, other.rank)
        if rank < first(ours, walked.rank_of(link)) and (ours not in kept_of or rank < kept_of[ours][0]):
            kept_of[ours] = (rank, theirs)
    return [(ours, theirs) for ours, (_, theirs) in kept_of.items()], gone


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
        self.walk_order: dict[str, int] = {}  # each of linked_targets: the order it was walked in
        self.link_paths: set[str] = set()  # the links walked in this scan, as the walk spells them
        self.disk_names = DiskNames()  # the folders that links lead to, listed once in a scan
        self.same_folders: list[tuple[str, str]] = []  # (link skipped, the path the library holds it under)
        self.left_out: dict[str, str] = {}  # folders in a link walked that another link keeps: that link's path
        self.left_out_targets: set[str] = set()  # the real folders of left_out
        self.left_to_links: list[tuple[str, str]] = []  # (folder of a library folder, the walked link keeping it)
        self.said_before: set[str] = set()  # those of both that an earlier scan found so (and said)
        self._root_links: WalkedLinks | None = None  # the walked links as the root being walked began
        self._walked_links: WalkedLinks | None = None  # the links scans walked, resolved once (_walked)
        self._walked_for: tuple = ()  # the library folders it was read for

    def real(self, path: str) -> str:
        """Where `path` leads, spelled as the disk stores each name, as library folders
        are (realpath keeps a link's text: `~/pictures/Rome` on a case-insensitive disk
        would not be taken for `~/Pictures/Rome`, and its photos would be indexed twice)."""
        return str(canonical_path(path, self.disk_names))

    def walked_through_link(self, folder: str) -> bool:
        """Whether `folder` was reached through a link this scan walks."""
        return next(holders_of(folder, self.link_paths), None) is not None

    def walked_by_a_link(self, folder: str) -> bool:
        """Whether a link this scan walks leads to `folder` itself (so the walk leaves
        it to that link, and it is indexed once)."""
        return self.real(folder) in self.linked_targets

    def walking_root(self) -> None:
        """A library folder's walk begins (after it joined the library): the links scans
        walked, as they lead now, for left_to_a_walked_link."""
        self._root_links = self._walked() if linked_folders.any_walked(self.index.conn) else None

    def left_to_a_walked_link(self, folder: str) -> bool:
        """Whether `folder`, met in a library folder's own walk (not through a link), is
        the folder a link walked from the library leads to (`library/d -> X/Drive`, then
        `scan X`): its photos are indexed under the link, so the walk leaves it there
        rather than indexing each photo twice, and says so once (left_to_links). A link into a
        library folder that was never walked (X scanned first) leads to no folder here."""
        link = self._root_links.link_to(folder) if self._root_links is not None else None
        if link is None:
            return False
        if (folder, link) not in self.left_to_links:
            self.left_to_links.append((folder, link))
            if not self._keep_skipped(folder, link):  # (kept for paths typed through it)
                self.said_before.add(folder)
        return True

    def forget_removed_links(self, listed: Callable[[str], bool]) -> None:
        """Forget the walked links this walk found removed (their folder `listed`, the link
        no longer in it; a link whose drive is not connected is still there): a link made
        again into a folder that a library folder has held since is then a link into the
        library, left unwalked, rather than taking its photos back under its path."""
        walked = self._root_links
        if walked is None:
            return
        removed = [path for path in walked.leading_nowhere()
                   if listed(os.path.dirname(path)) and not os.path.lexists(path)]
        if removed:
            with self.index.transaction() as conn:
                for path in removed:
                    linked_folders.forget(conn, path)
                    linked_folders.unskip_kept_as(conn, path)
                    forget_mount_point(conn, path)  # its card's record: a folder made there later is no card
                    walked.forget(path)

    def left_to_another_link(self, folder: str) -> bool:
        """Whether `folder`, in a folder walked through a link, is indexed under another
        link to it (`lib1/Drive/Italy`, as `lib2/Italy` was indexed first): not walked here."""
        return folder in self.left_out

    def alias_in_library(self, link: str) -> bool:
        """Whether a link named like a photo points at a file in the library ("latest.jpg"
        beside DSC_0001.JPG, a "Best of" folder of links): that file is the photo, and
        the link made a second photo of it, whose write then failed. Links to files
        outside the library (a drive linked in) are photos of the library, unless their
        folder is walked through a link (and so indexed under the link's path)."""
        target = self.real(link)  # (the caller has seen `link` is a link)
        folder = os.path.dirname(target)
        return in_library(self.index, folder) or next(holders_of(folder, self.linked_targets), None) is not None

    def folder_to_visit(self, folder: str, entry: os.DirEntry) -> str | None:
        """The folder to walk for a link (or a junction) in `folder` to a folder, if any.
        A folder reached through a link belongs to the library folder
        it was reached from, so it is walked under the link's path: its photos leave the
        library with the link, and `forget` of the library folder takes them. A link is not
        walked when its target is in the library or holds a library folder (a "Best of" link
        into it: the photos are indexed under their own folder, whichever the walk meets
        first; but a link walked before a library folder came to hold its target, `scan X` after
        `library/d -> X/Drive`, keeps it: see left_to_a_walked_link), when it holds the folder
        the link is in (a loop, up to the home folder say),
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
        holder = min(holders_of(target, self.linked_targets), key=self.walk_order.__getitem__, default=None)
        if holder is not None and next(holders_of(target, self.left_out_targets), None) is None:
            # a folder of one walked through a link in this scan (`lib2/Italy` beside `lib1/Drive`)
            self._note_same_folder(entry.path, held_under(target, holder, self.linked_targets[holder]))
            return None
        library = [str(root) for root in self.index.roots()] + self.roots
        if any(is_within(root, target) for root in library):
            return None  # up to a folder holding a library folder
        if (in_library(self.index, target) or any(is_within(target, root) for root in self.roots
                                                   if root not in self.shallow)) and not (
                self._root_links is not None and self._root_links.leads_to(entry.path, target)):
            return None  # into the library, unless walked before a library folder came to hold it
        if self._indexed_elsewhere(entry.path, target):
            return None
        self.walk_order[target] = len(self.walk_order)
        self.linked_targets[target] = entry.path
        self.link_paths.add(entry.path)
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
        whole = self._indexed_elsewhere(link, self.real(link))
        return whole or any(is_within(root, left) for left in self.left_out)

    def _indexed_elsewhere(self, link: str, target: str) -> bool:
        """Whether the library already indexes the folder `link` leads to under another
        link (one folder linked into two library folders, each scanned alone; or into a
        folder another link leads to). The parts of it indexed so (a folder of it another
        link leads to) are left out of its walk (left_out); all is noted in same_folders,
        and a link kept is remembered for the scans to come (_held_elsewhere), written only
        when that changes the index: a rescan of unchanged links writes nothing."""
        try:
            folder = os.stat(target)
        except OSError:
            return False
        walked = self._walked()
        skipped, gone = _held_elsewhere(self.index, link, folder, target, walked)
        whole = any(ours == link for ours, _ in skipped)
        as_recorded = whole or (walked.records(link, folder) and linked_folders.skips_under(
            self.index.conn, link) == dict(skipped))  # (the parts of it left out, as before)
        if gone or not as_recorded:
            self._record_walk(link, folder, gone, whole, walked)
        for ours, theirs in skipped:
            self._note_same_folder(ours, theirs)
            if ours != link:
                self.left_out[ours] = theirs
                self.left_out_targets.add(held_under(ours, link, target))
        return whole

    def _record_walk(self, link: str, folder: os.stat_result, gone: list[str], whole: bool,
                     walked: WalkedLinks) -> None:
        """Forget the links `gone` and, unless `whole` (skipped), remember `link` walked to `folder`."""
        with self.index.transaction() as conn:
            for other in gone:
                linked_folders.forget(conn, other)
                walked.forget(other)
            if not whole:
                linked_folders.remember(conn, link, folder.st_dev, folder.st_ino)
                walked.remember(link, folder)

    def _walked(self) -> WalkedLinks:
        """The links scans walked, each resolved once a scan (read again once the library
        folders changed, as a folder this scan adds makes links in it count)."""
        library = (self.index.roots(), self.index.folder_only_roots())
        if self._walked_links is None or library != self._walked_for:
            self._walked_for = library
            self._walked_links = WalkedLinks(self.index, self.disk_names, library_holds(self.index))
        return self._walked_links

    def _note_same_folder(self, link: str, kept: str) -> None:
        """Say in the summary that `link` is skipped, the library holding its folder as
        `kept` (in its line when that is news, or the user scans `link` or a folder in it,
        not at every rescan), and keep that for paths typed through it (linked_folders.skip)."""
        if (link, kept) not in self.same_folders:
            self.same_folders.append((link, kept))
            if not self._keep_skipped(link, kept) and not any(is_within(root, link) for root in self.roots):
                self.said_before.add(link)  # said when first skipped, or when the user scans it (or in it)

    def _keep_skipped(self, path: str, kept: str) -> bool:
        """Record that scans skip `path`, the library holding its folder as `kept`
        (linked_folders.skip), unless the index has it so already: a rescan of unchanged
        links writes nothing (a write transaction each, the app's start-up check too).
        Whether that is news (the summary says it then, not at every rescan)."""
        if linked_folders.kept_for(self.index.conn, path) == kept:
            return False
        with self.index.transaction() as conn:
            linked_folders.skip(conn, path, kept)
        return True


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

"""The links scans walked (index/linked_folders.py), each looked at on disk once.

Whether a link met in a walk leads to the folder of another walked link, to one holding
it or to one in it (scan_links._held_elsewhere) is asked about every walked link. Asked
afresh for each link met, a scan cost O(links²) stats and path resolutions (800 links:
a minute a rescan, the app's start-up check included). Here each walked link is resolved
once, and the links nested with a folder are found by looking up the folders above it
and a range of the sorted targets below it (holders_of, which the walk's own checks of
the links it walks use too).
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from app.core.folder_paths import subtree_range
from app.core.index import linked_folders
from app.core.path_case import DiskNames, canonical_path


@dataclass(frozen=True)
class WalkedLink:
    """A link a scan walked, as the disk has it now."""

    path: str
    device: int  # of the folder it led to when walked
    inode: int
    rank: int  # the order it was first walked in
    now: tuple[int, int] | None  # (device, inode) it leads to now; None when it leads nowhere
    from_library: bool  # whether a library folder still holds the link
    target: str | None  # where it leads, while that is still the folder it was walked to from the library


class WalkedLinks:
    """Every link walked (linked_folders.walked), resolved once, kept up to date as a scan
    remembers and forgets links."""

    def __init__(self, index, names: DiskNames, in_library: Callable[[str], bool]) -> None:
        self._in_library = in_library
        self._names = names
        self._links: dict[str, WalkedLink] = {}
        self._by_inode: dict[int, list[WalkedLink]] = {}
        self._by_target: dict[str, list[WalkedLink]] = {}
        self._targets: list[str] = []  # the keys of _by_target, sorted
        self._next_rank = 0
        for path, device, inode in linked_folders.walked(index.conn):
            self._add(path, device, inode, _leads_now(path))

    def with_inode(self, inode: int) -> list[WalkedLink]:
        """The links walked to a folder of that inode, in the order walked."""
        return sorted(self._by_inode.get(inode, ()), key=_rank)

    def rank_of(self, path: str) -> float:
        """The order `path` was first walked in; after all of them when never walked."""
        link = self._links.get(path)
        return float("inf") if link is None else link.rank

    def nested_with(self, target: str) -> list[WalkedLink]:
        """The links, in the order walked, whose target holds `target` or lies in it (not
        `target` itself): the folders above it looked up, and a range of those below it."""
        found = [link for folder in holders_of(target, self._by_target) if folder != target
                 for link in self._by_target[folder]]
        low, high = subtree_range(target)
        start = bisect.bisect_left(self._targets, low)
        for other in self._targets[start:bisect.bisect_left(self._targets, high, lo=start)]:
            found.extend(self._by_target[other])
        return sorted(found, key=_rank)

    def leads_to(self, path: str, target: str) -> bool:
        """Whether `path` is a link a scan walked to `target` that still leads there from
        a library folder (so its folder stays its, though a library folder holds it now)."""
        link = self._links.get(path)
        return link is not None and link.target == target

    def link_to(self, folder: str) -> str | None:
        """The link walked first of those that lead to `folder` itself from the library,
        None when none does: a dict lookup, for each folder of a walk."""
        links = self._by_target.get(folder)
        return min(links, key=_rank).path if links else None

    def leading_nowhere(self) -> list[str]:
        """The links walked that lead to no folder now (removed, or their drive not connected)."""
        return [link.path for link in self._links.values() if link.now is None]

    def records(self, path: str, folder: os.stat_result) -> bool:
        """Whether `path` is already recorded as walked to `folder` (a rescan's link as it
        was: nothing to write again)."""
        link = self._links.get(path)
        return link is not None and (link.device, link.inode) == (folder.st_dev, folder.st_ino)

    def remember(self, path: str, folder: os.stat_result) -> None:
        """A scan walks `path`, leading to `folder` (linked_folders.remember)."""
        old = self._drop(path)
        self._add(path, folder.st_dev, folder.st_ino, (folder.st_dev, folder.st_ino), old.rank if old else None)

    def forget(self, path: str) -> None:
        """`path` no longer leads where it did (linked_folders.forget)."""
        self._drop(path)

    def _add(self, path: str, device: int, inode: int, now: tuple[int, int] | None, rank: int | None = None) -> None:
        from_library = self._in_library(os.path.dirname(path))
        leads = now is not None and now[1] == inode and from_library
        target = str(canonical_path(path, self._names)) if leads else None
        if rank is None:
            rank, self._next_rank = self._next_rank, self._next_rank + 1
        link = self._links[path] = WalkedLink(path, device, inode, rank, now, from_library, target)
        self._by_inode.setdefault(inode, []).append(link)
        if target is not None:
            if target not in self._by_target:
                bisect.insort(self._targets, target)
            self._by_target.setdefault(target, []).append(link)

    def _drop(self, path: str) -> WalkedLink | None:
        link = self._links.pop(path, None)
        if link is None:
            return None
        self._by_inode[link.inode].remove(link)
        if link.target is not None:
            same = self._by_target[link.target]
            same.remove(link)
            if not same:
                del self._by_target[link.target]
                self._targets.pop(bisect.bisect_left(self._targets, link.target))
        return link


def holders_of(path: str, folders: Collection[str]) -> Iterator[str]:
    """Those of `folders` that hold `path` (`path` itself, then the folders above it
    outwards), looked up by its parents: O(depth), where asking is_within of each folder
    made a walk of many links O(links²)."""
    while True:
        if path in folders:
            yield path
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent


def _leads_now(path: str) -> tuple[int, int] | None:
    """(device, inode) of the folder `path` leads to, None when it leads nowhere."""
    try:
        now = os.stat(path)
    except OSError:
        return None
    return now.st_dev, now.st_ino


def _rank(link: WalkedLink) -> int:
    return link.rank

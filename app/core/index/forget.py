"""Take a folder out of the library: the index forgets its photos; the files stay.

A folder added by mistake (the whole home folder, a card reader's DCIM) would
otherwise stay in every search and count for good. Everything the index holds about
those photos goes with them, taught references included: photo ids are reused once
the newest photos are deleted, so a reference left behind would point at a stranger.
Photos that another library folder still covers (a folder added inside another) stay.

Photos deleted from a folder (culled after a trip) stay in the index as missing, with
their labels, so that a photo moved elsewhere keeps them when a later scan finds it;
`forget_missing` takes out those whose library folder is there to say they are gone.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Callable

from app.core.emptied_folders import MountTable, why_unreachable
from app.core.errors import UsageError
from app.core.folder_paths import holds_folder, is_within, subtree_range
from app.core.index.connection import db_text, now_iso
from app.core.index.missing_files_back import files_now
from app.core.index.photo_rows import remove_photos
from app.core.index.photos_seen import forget_mount_points, photos_seen_at, unplugged_cards_below
from app.core.path_case import canonical_path, fold
from app.core.wording import counted

CHUNK = 500  # ids per statement, under SQLite's variable limit


@dataclass(frozen=True)
class FolderContents:
    """What forgetting a library folder takes out of the index."""

    folder: str
    photos: int  # photos only this folder covers
    yours: int  # of those, labelled or reviewed by the user: their labels live only in the index unless written
    taught: int  # taught references from those photos
    backup: Path | None = None  # the copy of the index taken right before forgetting
    gone_below: bool = False  # a folder in a library folder whose photos are all gone (a card lost), not one
    copied: int = 0  # of a gone_below folder's photos, those with a copy in the library (which stays)

    def line(self) -> str:
        return _what_goes(counted(self.photos, "photo"), self.yours, self.taught)


def _same_folder_or_both_gone(stored: str, root: str) -> bool:
    """Whether a library folder stored in another case is the folder `root` names: the
    same folder on a case-insensitive disk, or both gone (a folder to relocate). On a
    case-sensitive disk `~/Trip` there is another folder than a typed `~/trip`."""
    if os.path.lexists(stored):
        return str(canonical_path(stored)) == root
    return not os.path.lexists(root)


def library_folder(index, folder: str | Path, action: str = "forgotten",
                   instead: Callable[[str], str] | None = None) -> str:
    """The library folder (a root) that `folder` names; UsageError naming the library's
    folders when it is none (a sub-folder is part of its root and cannot be `action`;
    `instead(library folder)` says what the user can do then, by default for forget).
    A library folder is found by its spelling on disk (`~/pictures/trip` typed for
    `~/Pictures/Trip` on a case-insensitive disk), or by the very spelling an older
    version kept (so that a folder it listed twice can be forgotten once); one that is
    gone (to be relocated) by the one library folder spelled so but for case."""
    library = _library(index)
    if str(folder) in library:  # as the library lists it (Windows' resolve() would respell it)
        return str(folder)
    root = str(Path(folder).expanduser().resolve())
    if root in library:
        return root
    root = str(canonical_path(root))
    if root in library:
        return root
    same = [r for r in library if fold(r) == fold(root)]
    if len(same) == 1 and _same_folder_or_both_gone(same[0], root):
        return same[0]
    within = next((r for r, whole in library.items() if whole and is_within(root, r)), None)
    if within is not None:
        raise UsageError(f"{root} is inside the library folder {within}; only a whole library folder can be "
                         f"{action}: {instead(within) if instead else _forget_instead(within, root)}")
    listed = ", ".join(library) if library else "none yet"
    raise UsageError(f"{root} is not a folder of the library (its folders: {listed})")


def _forget_instead(within: str, folder: str) -> str:
    """What the user can do about a sub-folder to forget: nothing takes it out alone
    (forgetting the whole library folder and scanning back the rest would lose the
    labels of the rest), but a search can leave it out."""
    return (f"its photos stay while {within} is in the library; a search leaves them out with "
            f"-folder:\"{folder}\"")


def _library(index) -> dict[str, bool]:
    """{library folder: whole}, whole: with its sub-folders (else its own photos only)."""
    alone = set(index.folder_only_roots())
    return {str(root): root not in alone for root in index.roots()}


def folder_contents(index, folder: str | Path) -> FolderContents:
    """What `forget_folder` would take out, without changing anything."""
    root, inner = _folder_to_forget(index, folder)
    if inner is not None:
        return _contents_below(index.conn, root, inner)[0]
    return _contents(index.conn, root, _library(index))[0]


def _folder_to_forget(index, folder: str | Path) -> tuple[str, dict[str, bool] | None]:
    """(a library folder, None), or (a folder in one whose photos are all gone, as a
    lost card leaves them: the library folders inside it); UsageError for any other."""
    from app.core.index.forget_gone_folder import folder_below

    try:
        return library_folder(index, folder), None
    except UsageError as refused:
        return folder_below(index, folder, _library(index), refused)


def _contents_below(conn: sqlite3.Connection, folder: str, inner: dict[str, bool]) -> tuple[FolderContents, list[int]]:
    from app.core.index.forget_gone_folder import photo_ids

    from app.core.index.forget_gone_copies import photos_copied

    ids = photo_ids(conn, folder, inner)
    return FolderContents(folder, len(ids), _count(conn, ids, _YOURS), _count(conn, ids, _TAUGHT),
                          gone_below=True, copied=photos_copied(conn, ids)), ids


def _contents(conn: sqlite3.Connection, root: str, library: dict[str, bool]) -> tuple[FolderContents, list[int]]:
    ids = _photos_only_under(conn, root, library)
    return FolderContents(root, len(ids), _count(conn, ids, _YOURS), _count(conn, ids, _TAUGHT)), ids


def forget_folder(index, folder: str | Path) -> FolderContents:
    """Remove the library folder and every photo only it covers from the index, in one
    transaction (a kill leaves all or nothing), with what scans recorded of the cards
    mounted on its folders; or a folder in one whose photos are all gone (a card lost for
    good: forget_gone_folder), its photos alone. Returns what went. Library folders that
    an older version let in inside it go with it (they are part of it)."""
    from app.core.index.backup import backup_quietly

    root, inner = _folder_to_forget(index, folder)
    library = _library(index)
    backup = backup_quietly(index.path, every=timedelta(0))  # the one step that drops labels: a copy first
    if inner is not None:  # a folder in a library folder, its photos all gone (a card lost)
        from app.core.index.forget_gone_folder import forget_below

        with index.transaction() as conn:
            contents = replace(_contents_below(conn, root, inner)[0], backup=backup)
            forget_below(conn, root, inner)
        return contents
    with index.transaction() as conn:
        contents, ids = _contents(conn, root, library)
        contents = replace(contents, backup=backup)
        remove_photos(conn, ids)
        others = {r: whole for r, whole in library.items() if r != root}
        stale = [
            error_id for error_id, path in conn.execute("SELECT id, path FROM errors WHERE path IS NOT NULL")
            if _holds_problem(root, library[root], path) and not any(
                _holds_problem(other, whole, path) for other, whole in others.items())
        ]  # problems of files that never became photos (unreadable ones)
        for start in range(0, len(stale), CHUNK):
            chunk = stale[start : start + CHUNK]
            conn.execute(f"DELETE FROM errors WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        gone = [(path,) for (path,) in conn.execute("SELECT path FROM library_roots")
                if path == root or (library[root] and is_within(path, root))]
        conn.executemany("DELETE FROM library_roots WHERE path = CAST(? AS TEXT)", [(db_text(p),) for (p,) in gone])
        # whether a card was mounted on its folders: a later folder there is another's
        staying = {r: whole for r, whole in others.items() if not (library[root] and is_within(r, root))}
        forget_mount_points(conn, root, library[root], staying)
    return contents


def _holds_problem(root: str, whole: bool, path: str) -> bool:
    """Whether a problem about `path` (a file, or a folder the scan read) is one of
    the library folder's: a folder-only one reads itself and the files in it."""
    return holds_folder(root, path, whole) or (not whole and holds_folder(root, os.path.dirname(path), whole))


@dataclass(frozen=True)
class MissingPhotos:
    """The missing photos `forget_missing` takes out of the index."""

    photos: int
    yours: int  # labelled or reviewed by the user
    taught: int  # taught references from them
    # library folders not found, or an empty mount point (one inside a library folder too): their photos stay
    skipped_folders: tuple[str, ...] = ()
    backup: Path | None = None
    awaiting_scan: int = 0  # missing photos kept: a scan that did not finish owes their moves, or…
    in_icloud: int = 0  # …(of those) iCloud's stand-ins lie in their files' places: a scan keeps them
    back_on_disk: int = 0  # missing photos kept: a file of theirs is there again (a card put back)
    back_in: tuple[str, ...] = ()  # the library folders holding those, for the scan that takes them in
    not_checked: int = 0  # missing photos kept: their folder could not be read (or their name spelled) to see them gone
    behind_dead_links: int = 0  # missing photos kept: reached through a folder link that points nowhere…
    dead_links: tuple[str, ...] = ()  # …these links (a card unplugged, a drive not connected)

    def line(self) -> str:
        return _what_goes(counted(self.photos, "missing photo"), self.yours, self.taught)

    def kept_line(self, how_to_scan: str = "run `landmark-tagger scan`",
                  take_in: str = "`landmark-tagger scan`") -> str:
        """Why the missing photos a scan still has to look for stay ('' when none does);
        `how_to_scan`: the way to read the folders again, in the words of the CLI or the app;
        `take_in`: what reads the folders of the photos back on disk (a command, Tag folder)."""
        owed = self.awaiting_scan - self.in_icloud
        parts = []
        if self.back_on_disk:
            one = self.back_on_disk == 1
            parts.append(f"{counted(self.back_on_disk, 'photo')} {'is' if one else 'are'} back on disk (kept): "
                         f"{take_in} takes {'it' if one else 'them'} in")
        if self.not_checked:
            parts.append(f"kept {counted(self.not_checked, 'missing photo')} that could not be checked on disk "
                         "(a folder not readable, or a name the system's file name encoding cannot spell)")
        if self.behind_dead_links:
            links = ", ".join(self.dead_links)
            one = len(self.dead_links) == 1
            parts.append(f"kept {counted(self.behind_dead_links, 'missing photo')} behind the folder "
                         f"link{'' if one else 's'} {links}, which point{'s' if one else ''} nowhere (a drive not "
                         f"connected?); if {'it is' if self.behind_dead_links == 1 else 'they are'} gone, "
                         f"remove the link and scan again")
        if owed:
            parts.append(f"kept {counted(owed, 'missing photo')}: a scan that did not finish still has to "
                         f"look for where they went ({how_to_scan})")
        if self.in_icloud:
            parts.append(f"kept {counted(self.in_icloud, 'missing photo')} in iCloud, not downloaded: a scan keeps "
                         f"{'it' if self.in_icloud == 1 else 'them'} with {'its' if self.in_icloud == 1 else 'their'} "
                         f"labels ({how_to_scan})")
        return "; ".join(parts)


def _what_goes(photos: str, yours: int, taught: int) -> str:
    """"4 photos, 2 with a label or review of yours, 1 taught reference"."""
    parts = [photos]
    if yours:
        parts.append(f"{yours:,} with a label or review of yours")
    if taught:
        parts.append(counted(taught, "taught reference"))
    return ", ".join(parts)


def missing_photos(index, find_again: bool = False) -> MissingPhotos:
    """What `forget_missing` would take out; nothing changes, unless `find_again`: then the
    photos in iCloud among them are marked found again, as a scan would (the app's count
    of missing photos then agrees with what Forget missing photos… keeps)."""
    missing, _ids, in_the_cloud = _missing(index.conn, _library(index))
    if find_again and in_the_cloud:
        with index.transaction() as conn:
            _found_again(conn, in_the_cloud)
    return missing


def forget_missing(index) -> MissingPhotos:
    """Forget the photos marked missing in library folders that are there (a folder not
    found, or left empty as a drive not connected leaves its mount point, may hold them
    still: its photos stay), in one transaction after a copy of the index. Those in iCloud
    are marked found again, as a scan would; those with a file back on disk since the last
    scan, or whose folder cannot be read, stay (missing_files_back). Returns what went."""
    from app.core.index.backup import backup_quietly

    preview = missing_photos(index)
    if preview.photos == 0 and not preview.in_icloud:
        return preview
    backup = backup_quietly(index.path, every=timedelta(0)) if preview.photos else None
    with index.transaction() as conn:
        missing, ids, in_the_cloud = _missing(conn, _library(index))
        _found_again(conn, in_the_cloud)
        remove_photos(conn, ids)
    return replace(missing, backup=backup)


def _missing(conn: sqlite3.Connection,
             library: dict[str, bool]) -> tuple[MissingPhotos, list[int], list[tuple[int, int]]]:
    """What forget_missing takes out, the ids of those photos, and the (photo id, file id)
    of the missing files whose iCloud stand-in lies in their place (kept, found again)."""
    # a library folder not found, or one whose photos are all missing while it is empty and
    # left so by a card not connected (the mount point of a drive not connected), may
    # hold them still: its photos stay; one emptied since (its photos deleted) does not.
    # So does a folder in a library folder a card was mounted on and is not now.
    mounts = MountTable()  # read once, if a folder is empty
    present = {root: whole for root, whole in library.items() if Path(root).is_dir() and (
        _holds_a_photo(conn, root) or why_unreachable(Path(root), photos_seen_at(conn, root), mounts) is None)}
    absent = {root: whole for root, whole in library.items() if root not in present}
    absent.update((card, True) for card in unplugged_cards_below(
        conn, [root for root, whole in present.items() if whole], mounts))
    folders = {int(photo_id): folder for photo_id, folder in conn.execute(
        "SELECT id, folder FROM photos WHERE missing = 1")
        if any(holds_folder(root, folder, whole) for root, whole in present.items())
        and not any(holds_folder(root, folder, whole) for root, whole in absent.items())}
    ids = list(folders)
    # a scan killed (or still running) before it looked for where these went owes them
    # that look (app/core/index/scan_runs.py): forgetting them would drop their labels
    owed = {int(r[0]) for r in conn.execute("SELECT photo_id FROM moves_pending")}
    kept = [photo_id for photo_id in ids if photo_id in owed]
    ids = [photo_id for photo_id in ids if photo_id not in owed]
    # the disk now, not the last scan's word: a card put back since brings its files back
    files = _files_of(conn, ids)
    now = files_now(path for _, _, path in files)
    # marked missing by a version that took an iCloud stand-in (cloud_files) for a deletion
    in_the_cloud = [(photo_id, file_id) for photo_id, file_id, path in files if path in now.in_the_cloud]
    in_icloud = {photo_id for photo_id, _file_id in in_the_cloud}
    back = {photo_id for photo_id, _, path in files if path in now.back} - in_icloud
    not_checked = {photo_id for photo_id, _, path in files if path in now.not_checked} - in_icloud - back
    # behind a folder link that points nowhere (its card unplugged): a drive not connected
    unreachable = {photo_id for photo_id, _, path in files if path in now.unreachable} - in_icloud - back
    ids = [photo_id for photo_id in ids if photo_id not in in_icloud | back | not_checked | unreachable]
    back_in = tuple(sorted({root for photo_id in back for root, whole in present.items()
                            if holds_folder(root, folders[photo_id], whole)}))
    return MissingPhotos(len(ids), _count(conn, ids, _YOURS), _count(conn, ids, _TAUGHT), tuple(absent),
                         awaiting_scan=len(kept) + len(in_icloud), in_icloud=len(in_icloud),
                         back_on_disk=len(back), back_in=back_in, not_checked=len(not_checked),
                         behind_dead_links=len(unreachable), dead_links=tuple(sorted(now.dead_links))), ids, in_the_cloud


def _files_of(conn: sqlite3.Connection, ids: list[int]) -> list[tuple[int, int, str]]:
    """(photo id, file id, path) of every file of the photos `ids`."""
    files: list[tuple[int, int, str]] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        files.extend((int(photo_id), int(file_id), os.fsdecode(path)) for photo_id, file_id, path in conn.execute(
            f"SELECT photo_id, id, path FROM files WHERE photo_id IN ({','.join('?' * len(chunk))})", chunk))
    return files


def _found_again(conn: sqlite3.Connection, in_the_cloud: list[tuple[int, int]]) -> None:
    """Mark these files, and their photos, not missing: their iCloud stand-ins say they
    are there, as a scan finds them (kept as indexed, nothing read). Else the library
    panel kept counting and listing as missing a photo Forget missing photos… keeps."""
    now = now_iso()
    conn.executemany("UPDATE files SET missing = 0 WHERE id = ? AND missing = 1",
                     [(file_id,) for _, file_id in in_the_cloud])
    conn.executemany("UPDATE photos SET missing = 0, updated_at = ? WHERE id = ? AND missing = 1",
                     [(now, photo_id) for photo_id in sorted({photo_id for photo_id, _ in in_the_cloud})])


def _holds_a_photo(conn: sqlite3.Connection, root: str) -> bool:
    """Whether a photo in `root` or below is there (not missing)."""
    low, high = subtree_range(root)
    return conn.execute(
        "SELECT 1 FROM photos WHERE missing = 0 AND (folder = CAST(? AS TEXT) "
        "OR (folder >= CAST(? AS TEXT) AND folder < CAST(? AS TEXT))) LIMIT 1",
        (db_text(root), db_text(low), db_text(high)),
    ).fetchone() is not None


_YOURS = "SELECT count(*) FROM labels WHERE (source = 'user' OR state <> 'suggested') AND photo_id IN ({})"
_TAUGHT = "SELECT count(*) FROM taught_refs WHERE photo_id IN ({})"


def _count(conn: sqlite3.Connection, ids: list[int], sql: str) -> int:
    total = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        total += conn.execute(sql.format(",".join("?" * len(chunk))), chunk).fetchone()[0]
    return total


def _photos_only_under(conn: sqlite3.Connection, root: str, library: dict[str, bool]) -> list[int]:
    """Photos that the library folder `root` holds and no other one does."""
    others = {r: whole for r, whole in library.items() if r != root}
    low, high = subtree_range(root)
    rows = conn.execute(
        "SELECT id, folder FROM photos WHERE folder = CAST(? AS TEXT) "
        "OR (folder >= CAST(? AS TEXT) AND folder < CAST(? AS TEXT))",
        (db_text(root), db_text(low), db_text(high)),
    )
    return [int(photo_id) for photo_id, folder in rows if holds_folder(root, folder, library[root])
            and not any(holds_folder(other, folder, whole) for other, whole in others.items())]

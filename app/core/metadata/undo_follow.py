"""Where a file a write batch changed is now, for `undo`, when it was renamed or moved
outside the app (Finder, Explorer, `mv`) and no scan has followed it yet: a scan points
the journal at the new place itself (index/moved_photos.py), an undo run straight after
the rename would otherwise find nothing at the old name, or another picture there.

A JPEG is found under its new name by its bytes: one file, in the library folder that
held it, whose size and SHA-256 are exactly what our write put in (the entry's digest). A
sidecar only with its RAW: the sidecar beside the one file holding the RAW the index
records (its fingerprint, else its picture print), never by its bytes alone: the sidecars
we create name no photo, so two photos of one label get identical ones, and another
photo's is found by them. A RAW found by its fingerprint is the photo's only where it is
the one match and no other photo in the index (present or missing) has a file of its
fingerprint (a backup copy scanned as a photo of its own is byte for byte the photo's
RAW) or one recorded at its path with none; a JPEG found by its bytes never is another
photo's file so, unless that record is of the file itself and the photo records none at
its old path: a scan split it off as a photo of its own (_a_copy_of_anothers). Where the RAW
cannot be told apart, our bytes beside it, or the RAW beside the sidecar at its own path
changed since our write, nothing is guessed (RawNotToldError: scan, then undo again),
the batch kept open; an entry whose write never completed (killed before its rename,
maybe) is not followed at all. The entry then follows it, in the journal and in the
index's record of the photo (moved_photos.follow_file_undo_found, as a scan moves it), in
one transaction: the undo is about to change the bytes a scan would know the file by, and
the photo keeps its id and label. Our bytes found twice or more (moved, and copied) are
not guessed at, but the copy the index records for the photo (a scan followed it): else
CopiesFoundError names them and keeps the batch open. A name that now holds another
picture (a renumbering: DSC_0002.JPG renamed DSC_0001.JPG after DSC_0001.JPG was moved
away), told by the picture print the index keeps of the JPEG written or, for a sidecar, by
the fingerprint of the RAW beside it, is never written into: RenamedOverError names it.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from app.core.cloud_files import not_downloaded_note, online_only_note
from app.core.folder_paths import is_skipped_folder
from app.core.index import PhotoIndex
from app.core.index.connection import db_text
from app.core.index.renamed_over_records import path_before_detached, split_off_print
from app.core.metadata import journal, recovery
from app.core.fingerprint import fingerprint_file
from app.core.index.moved_photos import follow_file_undo_found
from app.core.metadata.sidecar import SIDECAR_SUFFIXES
from app.core.errors import MetadataWriteError
from app.core.metadata.undo_outcome import CopiesFoundError, PhotoGoneError
from app.core.picture_print import picture_print


class RenamedOverError(PhotoGoneError):
    """The photo file's name holds another picture now (a renumbering renamed another
    photo onto it) and ours was not found under a new name: that picture is left as it is."""


class RawNotToldError(MetadataWriteError):
    """A sidecar our write changed cannot be told to be where it is, or where its RAW
    went: the RAW beside it, or the one found by its fingerprint, cannot be told to be the
    photo's rather than another's (a copy, a RAW edited in place): left as it is."""


class FilesBySize:
    """The files of the library folders the undo looks in, by size: walked once per
    undo, and only when a file is not at its path (_sizes_under)."""

    def __init__(self, library_folders: list[Path]) -> None:
        self._library_folders = list(library_folders)
        self._walked: dict[Path, dict[int, list[Path]]] = {}

    def of_size(self, path: Path, size: int) -> list[Path]:
        """The files of `size` bytes in the library folder holding `path` (its own folder
        when no library folder does)."""
        root = next((folder for folder in self._library_folders if path.is_relative_to(folder)), path.parent)
        if root not in self._walked:
            self._walked[root] = _sizes_under(root)
        return self._walked[root].get(size, [])


def _sizes_under(root: Path) -> dict[int, list[Path]]:
    """The files under `root` by size, from the listings and one stat each (no file is
    opened). Left out: links (to files or folders: a loop or another disk is never
    walked), hidden names (our temps, which hold the same bytes; iCloud stand-ins), the
    folders a scan skips (a recycle bin: a file deleted there is not followed), files in
    the cloud (online-only, dataless: reading one would download it) and whatever cannot
    be listed or stat'ed (no permission, gone while walked)."""
    sizes: dict[int, list[Path]] = {}
    pending, seen = [root], set()
    while pending:
        folder = pending.pop()
        try:
            folder_stat = os.stat(folder)
            if folder_stat.st_ino and (folder_stat.st_dev, folder_stat.st_ino) in seen:
                continue  # walked already: a Windows junction (not is_symlink() there) back up the tree
            seen.add((folder_stat.st_dev, folder_stat.st_ino))
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue  # unreadable, or gone: not where the file looked for is
        for entry in entries:
            try:
                if entry.name.startswith(".") or entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if not is_skipped_folder(entry.name):
                        pending.append(Path(entry.path))
                    continue
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if online_only_note(stat) is None:
                sizes.setdefault(stat.st_size, []).append(Path(entry.path))
    return sizes


def entry_where_it_is(index: PhotoIndex, entry: journal.JournalEntry, files: FilesBySize) -> journal.JournalEntry:
    """`entry`, following its file to where it is now (module docstring): as it is when
    its file is at its path (or cannot be found elsewhere: the undo then says it is gone),
    else pointed at the new path, in the journal and the index's record of the photo too.
    Raises RenamedOverError when its path holds another picture and ours is not found,
    CopiesFoundError when ours is found twice or more."""
    path = Path(entry.path)
    if not_downloaded_note(path) is not None:  # in the cloud (its iCloud stand-in in its place): the undo waits
        return entry
    there = os.path.lexists(path)
    same = _same_picture(index, entry, path) if there else False
    if same:
        return entry
    if same is None:  # the RAW beside it changed since our write: maybe this photo's still, maybe not
        raise RawNotToldError(f"cannot tell whether {_raw_of(index, entry)[0]} is still this photo's RAW (it "
                              f"changed since our write), so {path} is left as it is: scan, then undo again")
    if entry.kind == "jpeg":
        found, found_raw = _holding_our_bytes(index, entry, files), None
    elif entry.completed:  # one never completed may not have been renamed into place: its bytes are nowhere
        found, found_raw = _sidecar_with_its_raw(index, entry, files)
    else:
        found = found_raw = None
    if found is None:
        if there:
            what = "is the sidecar of another picture" if entry.kind == "sidecar" else "holds another picture"
            raise RenamedOverError(f"{path} now {what} (renamed over it since our write?), and the "
                                   "file our write changed was not found under another name: that picture is left "
                                   "as it is; if you renamed or moved ours, scan, then undo again")
        return entry
    with index.transaction() as conn:  # one transaction: a kill leaves journal and index agreeing
        conn.execute("UPDATE write_journal SET path = CAST(? AS TEXT) WHERE id = ?", (db_text(str(found)), entry.id))
        if entry.kind == "jpeg":
            follow_file_undo_found(conn, entry.photo_id, path, found)
        elif found_raw is not None and found_raw[0] != found_raw[1]:
            follow_file_undo_found(conn, entry.photo_id, *found_raw)
    return replace(entry, path=str(found))


def _raw_of(index: PhotoIndex, entry: journal.JournalEntry) -> tuple[Path, str | None, str | None] | None:
    """(path, fingerprint, picture print) of the RAW the index records for the sidecar
    of `entry` (`DSC_1.NEF.xmp` or `DSC_1.xmp` beside `DSC_1.NEF`), None where it has none."""
    sidecar = Path(entry.path)
    for name, kind, fingerprint, print_ in index.conn.execute(
            "SELECT path, kind, fingerprint, picture_print FROM files WHERE photo_id = ?", (entry.photo_id,)):
        raw = Path(path_before_detached(os.fsdecode(name) if isinstance(name, bytes) else name))
        if kind == "raw" and raw.parent == sidecar.parent and sidecar.stem.lower() in (raw.name.lower(),
                                                                                      raw.stem.lower()):
            return raw, fingerprint, print_
    return None


def _raw_is(index: PhotoIndex, photo_id: int, path: Path, fingerprint: str | None,
            print_: str | None) -> bool | None:
    """Whether the RAW at `path` is the one recorded (its fingerprint, else its picture
    print), False where its fingerprint is another photo's file's, None when it cannot tell."""
    try:
        now = fingerprint_file(path)
    except OSError:
        return None
    if fingerprint is not None and now == fingerprint:
        return True
    if index.conn.execute("SELECT 1 FROM files WHERE fingerprint = ? AND photo_id <> ?", (now, photo_id)).fetchone():
        return False  # another photo's RAW (renumbered onto this name)
    if print_ is not None:
        try:
            return picture_print(path) in (print_, None)
        except OSError:
            return None
    return None


def _same_picture(index: PhotoIndex, entry: journal.JournalEntry, path: Path) -> bool | None:
    """Whether the file at `path` is the picture our write changed there. A JPEG: the
    picture print the index recorded for that file, under its name or, after a scan found
    the name renamed over, the name it gave up (renamed_over_records); where the file left
    the photo, renamed over (a pair's JPEG, split_off_files), the contents it had there;
    True where it recorded none. A sidecar: its RAW beside it is the one recorded (_raw_is), or its
    bytes are exactly what our write put in and its RAW is no other photo's; True where
    the index records no RAW for it or its RAW is not there (renamed, the sidecar left);
    None (cannot tell) where that RAW changed since and the sidecar was edited since."""
    if entry.kind != "jpeg":
        raw = _raw_of(index, entry)
        if raw is None or not os.path.lexists(raw[0]):
            return True
        same = _raw_is(index, entry.photo_id, *raw)
        if same is not None:
            return same
        return True if _holds_our_bytes(path, entry) else None
    recorded = next((print_ for name, print_ in index.conn.execute(
        "SELECT path, picture_print FROM files WHERE photo_id = ?", (entry.photo_id,))
        if path_before_detached(os.fsdecode(name) if isinstance(name, bytes) else name) == entry.path), None)
    left_as = split_off_print(index.conn, entry.photo_id, path.name) if recorded is None else None
    if recorded is None and left_as is None:
        return True
    try:
        if left_as is not None:
            return fingerprint_file(path) == left_as
        return picture_print(path) in (recorded, None)
    except OSError:
        return True  # unreadable: the undo's own read says why


def _holds_our_bytes(path: Path, entry: journal.JournalEntry) -> bool:
    try:
        return entry.digest is not None and recovery.file_digest(path.read_bytes()) == entry.digest
    except OSError:
        return True  # unreadable: the undo's own read says why


def _holding_our_bytes(index: PhotoIndex, entry: journal.JournalEntry, files: FilesBySize,
                       every: bool = False) -> Path | list[Path] | None:
    """The one file, other than at the entry's path, whose bytes are exactly those our
    write put in; None when there is none. Several (moved and copied): the one the
    index records for the photo (a scan followed it there), else CopiesFoundError.
    With `every`: all of them (sidecars: identical ones are normal, their RAW tells)."""
    size = entry.after.get("size", entry.size_after)
    if entry.digest is None or size is None or size < 0:
        return [] if every else None
    matches = [candidate for candidate in files.of_size(Path(entry.path), size)
               if candidate != Path(entry.path) and _holds_our_bytes_readable(candidate, entry)
               and not _a_copy_of_anothers(index, entry, candidate)]
    if every:
        return matches
    if len(matches) > 1:
        recorded = _recorded_paths(index, entry.photo_id)
        matches = [m for m in matches if m in recorded] or _copies_found(entry, matches)
    return matches[0] if matches else None


def _a_copy_of_anothers(index: PhotoIndex, entry: journal.JournalEntry, candidate: Path) -> bool:
    """Whether the file `candidate`, holding our bytes, is another photo's in the index (a
    copy scanned as a photo of its own: _another_photos_file). Not where the only such
    record is the candidate's own and the photo records no file at the entry's path any
    more: a scan took the file off the photo and indexed it where it is now as a photo
    of its own (a JPEG renamed over a pair's JPEG, split off), so it is ours, renamed."""
    fingerprint = _fingerprint_or_none(candidate)
    others = {path_before_detached(os.fsdecode(path) if isinstance(path, bytes) else path)
              for (path,) in index.conn.execute("SELECT path FROM files WHERE photo_id <> ? AND fingerprint = ?",
                                                (entry.photo_id, fingerprint))}
    if others == {str(candidate)} and entry.path not in _recorded_paths_any(index, entry.photo_id):
        return False
    return _another_photos_file(index, entry.photo_id, candidate, fingerprint) is not None


def _recorded_paths_any(index: PhotoIndex, photo_id: int) -> set[str]:
    """The paths of the photo's files the index records, present, missing or detached."""
    return {path_before_detached(os.fsdecode(path) if isinstance(path, bytes) else path)
            for (path,) in index.conn.execute("SELECT path FROM files WHERE photo_id = ?", (photo_id,))}


def _holds_our_bytes_readable(candidate: Path, entry: journal.JournalEntry) -> bool:
    try:
        return recovery.file_digest(candidate.read_bytes()) == entry.digest
    except OSError:
        return False


def _recorded_paths(index: PhotoIndex, photo_id: int) -> set[Path]:
    """The present files the index records for the photo, and their sidecars' names."""
    paths = set()
    for (name,) in index.conn.execute("SELECT path FROM files WHERE photo_id = ? AND missing = 0", (photo_id,)):
        path = Path(os.fsdecode(name) if isinstance(name, bytes) else name)
        paths.add(path)
        for suffix in SIDECAR_SUFFIXES:
            paths.update((path.with_name(path.name + suffix), path.with_name(path.stem + suffix)))
    return paths


def _copies_found(entry: journal.JournalEntry, matches: list[Path]) -> list[Path]:
    named = ", ".join(str(match) for match in sorted(matches))
    raise CopiesFoundError(f"{entry.path} is not there, and the file our write changed was found {len(matches)} "
                           f"times under other names ({named}): which one is the photo is not guessed; keep one "
                           "(or scan), then undo again")


def _sidecar_with_its_raw(index: PhotoIndex, entry: journal.JournalEntry,
                          files: FilesBySize) -> tuple[Path | None, tuple[Path, Path] | None]:
    """(our sidecar, (the RAW recorded, where it is now)) where the RAW went, (None, None)
    when it is not found. The RAW is found by its fingerprint (_beside_its_raw), else a
    sidecar holding our bytes is taken where the RAW beside it is the one recorded
    (_told_to_be, its picture print); RawNotToldError where such a RAW can be told neither
    this photo's nor another's."""
    raw = _raw_of(index, entry)
    found = _beside_its_raw(index, entry, files, raw)
    if found is not None:
        return found
    ours, untold = [], []
    for candidate in _holding_our_bytes(index, entry, files, every=True):
        beside = None if raw is None else _raw_beside(candidate, raw[0].suffix)
        same = None if beside is None else _told_to_be(index, entry.photo_id, beside, *raw[1:])
        if same:
            ours.append((candidate, (raw[0], beside)))
        elif same is None and beside is not None:
            untold.append(candidate)
    if len(ours) > 1:
        _copies_found(entry, [sidecar for sidecar, _ in ours])
    if ours:
        return ours[0]
    if untold:
        raise RawNotToldError(f"{entry.path} is not there; {', '.join(map(str, untold))} holds the keywords our "
                              "write put in, but the RAW beside it cannot be told to be this photo's (identical "
                              "sidecars are normal): it is left as it is; scan (the photo then goes with its RAW), "
                              "then undo again")
    return None, None


def _raw_beside(sidecar: Path, raw_suffix: str) -> Path | None:
    """The RAW `sidecar` describes (DSC_1.NEF of DSC_1.NEF.xmp, DSC_1 + the recorded RAW's
    suffix of DSC_1.xmp), None when it is not there."""
    for beside in (sidecar.with_name(sidecar.stem), sidecar.with_name(sidecar.stem + raw_suffix)):
        if beside.suffix and os.path.isfile(beside):
            return beside
    return None


def _told_to_be(index: PhotoIndex, photo_id: int, path: Path, fingerprint: str | None,
                print_: str | None) -> bool | None:
    """Whether the RAW at `path` is the one recorded, told for sure: its fingerprint, else
    a picture print read and recorded (unlike _raw_is, a print that cannot be read tells
    nothing); False where it, or its fingerprint, is another photo's file's; None: cannot
    tell (its fingerprint is the recorded one and another photo's file's too: a copy)."""
    now = _fingerprint_or_none(path)
    if now is None:
        return None
    if now == fingerprint:  # ours by its bytes, unless another photo's file is the same (a copy)
        return None if _another_photos_file(index, photo_id, path, now) is not None else True
    if _another_photos_file(index, photo_id, path, now) is not None:
        return False
    try:
        seen = picture_print(path) if print_ is not None else None
    except OSError:
        return None
    return None if seen is None else seen == print_


def _beside_its_raw(index: PhotoIndex, entry: journal.JournalEntry, files: FilesBySize,
                    raw: tuple[Path, str | None, str | None] | None) -> tuple[Path, tuple[Path, Path]] | None:
    """Our sidecar, as it is now, where its RAW went: the sidecar of the one file holding
    the RAW the index records (by its fingerprint), under the same form of name, with
    (that RAW's old path, its new one). RawNotToldError where that file is not the one
    match, or another photo in the index has a file at its path or of its fingerprint
    (a copy scanned as a photo of its own is byte for byte ours): nothing is guessed."""
    if raw is None or raw[1] is None:
        return None
    old_raw, fingerprint, _ = raw
    size = int(fingerprint.split("-", 1)[0], 16)
    found = [candidate for candidate in files.of_size(old_raw, size)
             if candidate != old_raw and _fingerprint_or_none(candidate) == fingerprint]
    if not found:
        return None
    if len(found) > 1:
        named = ", ".join(str(path) for path in sorted(found))
        raise RawNotToldError(f"{entry.path} is not there, and its RAW {old_raw.name} was found {len(found)} times "
                              f"under other names ({named}): which one is this photo's is not guessed; its sidecar "
                              "is left as it is; keep one, or scan, then undo again")
    others = _another_photos_file(index, entry.photo_id, found[0], fingerprint)
    if others is not None:
        whose = ("it is another photo's in the index (a copy)" if others == str(found[0])
                 else f"so does {others}, another photo's in the index (a copy)")
        raise RawNotToldError(f"{entry.path} is not there, and {found[0]} holds its RAW {old_raw.name} byte for byte, "
                              f"but {whose}: which one is this photo's is not guessed; its sidecar is left as it "
                              "is; scan, then undo again")
    sidecar = Path(entry.path)
    suffix = sidecar.name[len(sidecar.stem):]
    beside = found[0].with_name((found[0].name if sidecar.stem.lower() == old_raw.name.lower() else found[0].stem)
                                + suffix)
    return (beside, (old_raw, found[0])) if os.path.isfile(beside) else None


def _another_photos_file(index: PhotoIndex, photo_id: int, path: Path, fingerprint: str | None) -> str | None:
    """The path of a file of another photo in the index (present or missing) with the
    `fingerprint` of the file at `path` (a copy), or recorded at `path` with no
    fingerprint to tell; None where there is none. A record at `path` of another
    fingerprint is not: the name was renamed over since (a renumbering)."""
    row = index.conn.execute(
        "SELECT path FROM files WHERE photo_id <> ? AND (fingerprint = ? OR (path = CAST(? AS TEXT) AND "
        "fingerprint IS NULL)) ORDER BY path = CAST(? AS TEXT) DESC LIMIT 1",
        (photo_id, fingerprint, db_text(str(path)), db_text(str(path)))).fetchone()
    if row is None:
        return None
    return path_before_detached(os.fsdecode(row[0]) if isinstance(row[0], bytes) else row[0])


def _fingerprint_or_none(path: Path) -> str | None:
    try:
        return fingerprint_file(path)
    except OSError:
        return None

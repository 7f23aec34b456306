"""The hidden temps a killed write or undo of ours left of a file, removed as soon as a
later write or undo of that very file completed.

Once a run completed a file that was there when it began (wrote it, put its original
back, or removed the sidecar its batch had created), the file on disk is what the journal
says it should be, and a temp a killed run left of it copies a state that run superseded.
A temp of a file missing when the run began goes too once the run created that file
only when it holds nothing of the user's: empty or cut short, or exactly the new sidecar
a killed write of ours was creating (its journal entry's SHA-256). Any other whole one may
be the file's only copy (a Windows ReplaceFileW that removed the file), recorded so
(only_copy_temps) or not (the record cleared since): it is never deleted; the write that
creates the file first renames it to a visible name (temps_set_aside). Left there, a
scan finding no file of its name beside it (an undo removed the sidecar) would name it,
though it brings back the very label the undo took away. remove_stale_temps_in waits 10 minutes for any temp (it may be a write still
running in another process) and keeps one whose file is gone; here the run holds its
batch's claim (running_writes: no other write or undo of this index runs), and takes
only temps that were there before it began, unchanged after, and named as ours for
exactly that file (temp_names' tag): never another program's, nor one a write elsewhere
still changes. One that cannot go (on Windows a program may hold it open) is a note.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from app.core.metadata import atomic
from app.core.metadata.only_copy_temps import created_by_a_write_of_ours, recorded_only_copies
from app.core.metadata.only_copy_words import looks_whole
from app.core.metadata.temp_names import names_a_temp_copies


@dataclass(frozen=True)
class _TempSeen:
    path: Path
    stem: str
    digits: str
    identity: tuple[int, int, int]  # inode, size, mtime: changed means someone writes it
    # the names of files it may copy that were there when listed, or the one file its name says
    # whole, missing, when the temp holds nothing of the user's: it may go once one of those is
    # completed, never for another
    may_go_for: frozenset[str]
    # the missing file it holds a whole copy of, maybe its only one (temps_set_aside)
    kept_for: str | None = None


def _identity(info: os.stat_result) -> tuple[int, int, int]:
    return info.st_ino, info.st_size, info.st_mtime_ns


def _our_temps_in(folder: Path, conn: sqlite3.Connection | None) -> list[_TempSeen]:
    """The regular files in `folder` named as our temps are. Each is stat-ed by os.stat:
    a listing's own stat gives no inode on Windows, and the later check needs one. A temp
    of a file not there now may go only where `conn` shows it holds nothing of the user's
    (_holds_nothing_of_the_users); else, whole, it is kept for that file."""
    try:
        with os.scandir(folder) as entries:
            listed = [entry.name for entry in entries]
    except OSError:
        return []
    temps = []
    ours = [name for name in listed if atomic.named_as_our_temp(name)]
    only_copies = recorded_only_copies(conn) if conn is not None and ours else set()
    for name in ours:
        stem, digits = name[1:-len(".tmp")].rsplit(".", 1)  # `.<stem>.<8 hex>.tmp`
        try:
            info = os.stat(folder / name, follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            there = set(names_a_temp_copies(folder, listed, stem, digits))
            kept_for = None
            if not there and names_a_temp_copies(folder, [stem], stem, digits) == [stem]:  # its file is missing
                if conn is not None and _holds_nothing_of_the_users(conn, folder, stem, folder / name, only_copies):
                    there.add(stem)
                elif looks_whole(folder / name):
                    kept_for = stem  # maybe its only copy: never deleted, set aside before that file is created
            temps.append(_TempSeen(folder / name, stem, digits, _identity(info), frozenset(there), kept_for))
    return temps


def _holds_nothing_of_the_users(conn: sqlite3.Connection, folder: Path, name: str, temp: Path,
                                only_copies: set[str]) -> bool:
    """Whether a temp of the missing file `name` may go: not recorded as its only copy, and
    empty or cut short, or exactly the new file a write of ours was creating."""
    if os.path.normcase(str(temp)) in only_copies:
        return False
    return not looks_whole(temp) or created_by_a_write_of_ours(conn, folder / name, temp)


class TempsBeforeRun:
    """Our temps in the folders a write or undo handles, listed once it holds its claim
    and before it changes any file."""

    def __init__(self, by_folder: dict[Path, list[_TempSeen]]):
        self._by_folder = by_folder

    @classmethod
    def listed_in(cls, folders: Iterable[Path], conn: sqlite3.Connection | None = None) -> TempsBeforeRun:
        """One listing of each folder (a folder that cannot be read lists nothing); `conn`,
        the index's, tells which temps of a missing file are its only copy (they stay)."""
        return cls({folder: _our_temps_in(folder, conn) for folder in set(folders)})

    def whole_copies_of(self, file: Path) -> list[Path]:
        """The listed whole temps of `file`, missing when listed, that are not provably a new
        file of ours: what its creation must first set aside (temps_set_aside)."""
        real = atomic.real_file(file)
        return [temp.path for temp in self._by_folder.get(real.parent, ()) if temp.kept_for == real.name]

    def remove_those_of(self, files: Iterable[Path | str]) -> list[tuple[str, str]]:
        """Delete the listed temps of `files` (each completed by this run) that are still
        as listed, of a file there when listed (or missing, its temp holding nothing of the
        user's). Returns a note (file, words) for each that could not be deleted."""
        notes: list[tuple[str, str]] = []
        for file in dict.fromkeys(Path(f) for f in files):
            folder = atomic.temp_folder_of(file)
            try:
                name = atomic.real_file(file).name
            except OSError:
                continue
            for temp in self._by_folder.get(folder, ()):
                if name not in temp.may_go_for:  # not of this file, or it may be its only copy
                    continue
                try:
                    if _identity(os.stat(temp.path, follow_symlinks=False)) != temp.identity:
                        continue  # written since the listing: maybe a write running elsewhere
                    os.remove(temp.path)
                except FileNotFoundError:
                    continue
                except OSError as error:
                    notes.append((str(file), f"{temp.path.name}, a hidden copy of it a killed write or undo left, "
                                             f"could not be deleted ({error.strerror or error}); it holds nothing "
                                             "you need: delete it once no program has it open"))
        return notes

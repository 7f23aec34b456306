"""What a scan is asked (ScanOptions) and what it tells (ScanSummary)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from app.core.keywords_changed_elsewhere import summary_line
from app.core.metadata.only_copy_words import (a_kept_copy, cut_copy_words, file_a_temp_copies, looks_whole,
                                               only_copy_words, stopped_copy_words)
from app.core.photo_info import primary_of
from app.core.wording import counted

if TYPE_CHECKING:
    from app.core.index.catalog import KnownFile
    from app.core.index.pairing import PhotoFiles
    from app.core.raw_pictures import SamePictures

Item = TypeVar("Item")


@dataclass(frozen=True)
class ScanOptions:
    """How the scanner batches its work."""

    groups_per_transaction: int = 256  # photos written per transaction (keeps the lock short)
    follow_symlinks: bool = True  # symlinked folders are followed once each, never in a loop

    def batches(self, items: Sequence[Item]) -> Iterator[Sequence[Item]]:
        """`items` in runs of groups_per_transaction, each to be written in one
        transaction (the walk's photos, the moves joined after it): a commit per photo
        writes the pages it touched (WAL, FTS segments) each time, ~230 KB per moved photo
        against ~40 KB in runs of 256 (benchmarks/scan_moved_folder.py)."""
        step = max(1, self.groups_per_transaction)
        for start in range(0, len(items), step):
            yield items[start : start + step]


@dataclass
class ScanSummary:
    """What one scan found; `photos` counts the present photos under the roots."""

    photos: int = 0
    new: int = 0
    changed: int = 0
    moved: int = 0
    missing: int = 0
    errors: int = 0
    labels_read: int = 0  # landmarks taken from keywords already written into the files
    # files at a known name that hold another frame, taken at another time (a card formatted, its
    # names reused: renamed_over.py): new photos, the old ones missing with their labels
    other_frames: int = 0
    unchanged_problems: int = 0  # files whose problem stands, not read again as they are unchanged
    not_downloaded: int = 0  # files in iCloud or online-only (cloud_files): not read, kept as indexed
    run_id: int = 0
    status: str = "done"
    # (link skipped, the path the library indexes its folder under): one folder linked into two library folders
    same_folders: list[tuple[str, str]] = field(default_factory=list)
    # (folder of a library folder, the link from the library that holds its photos): `scan X` with library/d -> X/Drive
    left_to_links: list[tuple[str, str]] = field(default_factory=list)
    # those paths of same_folders and left_to_links that an earlier scan found so and said:
    # not said again (the user was told once; `scan --json` lists them all, as they are)
    said_before: list[str] = field(default_factory=list)
    # folders inside a library folder whose card or disk is not connected, left as they were
    # (an error each); `scan --json` lists them
    cards_not_connected: list[str] = field(default_factory=list)
    # hidden temp copies an earlier write or undo left that no file beside shows whose they
    # are: kept (a photo's only copy, or one an older version named), said by folder
    kept_temps: list[str] = field(default_factory=list)
    # those of kept_temps the index records as a missing file's only copy (only_copy_temps):
    # said with the exact name to give it; only decides what line() says, as said_before
    only_copy_temps: list[str] = field(default_factory=list)
    # sidecars of photos read now that iCloud evicted (only `.NAME.xmp.icloud` there): not
    # read, as reading downloads them, so a label in them is not seen until downloaded
    sidecars_in_icloud: list[str] = field(default_factory=list)
    # labelled photos a file left at this scan, and why ('DSC_0001.NEF left DSC_0001.JPG's
    # photo: another camera (…)'): the label stays with the files kept, not with it
    split_notes: list[str] = field(default_factory=list)
    # JPEG+RAW pairs whose headers were read again though unchanged, as migration 41 asked
    # (once, after the upgrade): why this scan takes as long as a first one
    pairs_reread: int = 0
    # unchanged JPEGs indexed before picture prints, printed once (64 KiB each) after the upgrade
    pictures_printed: int = 0
    # photos a changed file of which lost the landmark keyword of ours the index knew was in it
    # ({photo_id, path, keyword, how: replaced/removed/stripped, label}): the label follows the file
    keywords_changed_elsewhere: list[dict] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary the CLI prints and the GUI's status bar shows."""
        return (
            f"{counted(self.photos, 'photo')}, {self.new:,} new, {self.changed:,} changed, "
            f"{self.moved:,} moved, {self.missing:,} missing, {counted(self.errors, 'error')}"
            + (f", {counted(self.labels_read, 'label')} read from the files" if self.labels_read else "")
            + (f", {counted(self.unchanged_problems, 'unchanged file')} still unreadable"
               if self.unchanged_problems else "")
            + (f", {not_downloaded_words(self.not_downloaded)}" if self.not_downloaded else "")
            + (f", {other_frames_words(self.other_frames)}" if self.other_frames else "")
            + ("" if self.status == "done" else f" ({self.status})")
            + "".join(f"; {link} is the same folder as {kept}, already in the library; skipped"
                      for link, kept in self.news(self.same_folders))
            + "".join(f"; {folder} is in the library as {link}; left there"
                      for folder, link in self.news(self.left_to_links))
            + "".join(f"; {kept_temps_words(folder, names, self.only_copy_temps)}"
                      for folder, names in _by_folder(self.kept_temps))
            + (f"; {sidecars_in_icloud_words(self.sidecars_in_icloud)}" if self.sidecars_in_icloud else "")
            + (f"; re-read {counted(self.pairs_reread, 'JPEG+RAW pair')} once after the upgrade, "
               "to tell apart the files of two camera models" if self.pairs_reread else "")
            + (f"; read the picture of {counted(self.pictures_printed, 'JPEG')} once after the upgrade, "
               "to know them when edited and moved" if self.pictures_printed else "")
            + "".join(f"; {note}" for note in self.split_notes)
            + "".join(f"; {words}" for words in [summary_line(self.keywords_changed_elsewhere)] if words)
        )

    def news(self, skipped: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Those of `skipped` (same_folders, left_to_links) to say: not said_before."""
        return [(path, kept) for path, kept in skipped if path not in self.said_before]

    def to_json(self) -> dict:
        """The summary as `scan --json` and `relocate --json` print it, the same keys at
        every scan (a script's `.summary.cards_not_connected[]` works on a normal run):
        same_folders, left_to_links and cards_not_connected empty when there is nothing
        to list, and each listed at every scan doing so (where line() says it once);
        said_before, which only decides what line() says, left out."""
        fields = asdict(self)
        del fields["said_before"], fields["only_copy_temps"]
        fields["same_folders"] = [{"path": link, "same_as": kept} for link, kept in self.same_folders]
        fields["left_to_links"] = [{"path": folder, "held_as": link} for folder, link in self.left_to_links]
        return fields


def not_downloaded_words(count: int) -> str:
    """"2 files in iCloud or online-only, not downloaded (kept as indexed)"."""
    return f"{counted(count, 'file')} in iCloud or online-only, not downloaded (kept as indexed)"


def other_frames_words(count: int) -> str:
    """"2 files now hold other photos (taken at other times): …": why photos labelled
    before come back new, and where their labels went."""
    return (f"{counted(count, 'file')} now {'holds another photo' if count == 1 else 'hold other photos'} "
            f"(taken at {'another time' if count == 1 else 'other times'}): "
            f"{'its old label stays' if count == 1 else 'their old labels stay'} with the old "
            f"{'photo' if count == 1 else 'photos'}, now missing")


def sidecars_in_icloud_words(paths: list[str]) -> str:
    """Why a label the user wrote may not show: its sidecar was not read (reading an
    evicted file downloads it); `write` leaves those photos alone meanwhile."""
    names = ", ".join(os.path.basename(path) for path in paths[:3]) + (", …" if len(paths) > 3 else "")
    return (f"{counted(len(paths), 'sidecar')} in iCloud, not downloaded ({names}): any label in "
            f"{'it' if len(paths) == 1 else 'them'} is not read, and `write` leaves "
            f"{'its photo' if len(paths) == 1 else 'their photos'} alone until downloaded (in Finder)")


def _by_folder(paths: list[str]) -> list[tuple[str, list[str]]]:
    folders: dict[str, list[str]] = {}
    for path in paths:
        folder, _, name = path.rpartition(os.sep) if os.sep in path else ("", "", path)
        folders.setdefault(folder, []).append(name)
    return list(folders.items())


def kept_temps_words(folder: str, names: list[str], only_copies: Sequence[str] = ()) -> str:
    """What to do with the hidden copies an earlier write left in `folder` beside no file
    of their name (they are never deleted for the user). One the index records as that
    file's only copy (`only_copies`: our replace removed the file) is said with the exact
    name to give it; one whose name says its file, not so recorded, is a copy a stopped
    write of ours made while the file was there: deleting that file on purpose makes it
    clutter (the next write of the file removes it); one whose name was cut only the user
    can tell."""
    missing: dict[str, list[str]] = {}
    stopped: dict[str, list[str]] = {}
    others = []
    recorded = {os.path.normcase(path) for path in only_copies}
    for name in names:
        copied = file_a_temp_copies(Path(folder), name)
        if copied is None:
            others.append(name)
        else:
            only = os.path.normcase(os.path.join(folder, name)) in recorded
            (missing if only else stopped).setdefault(copied, []).append(name)
    words = [f"in {folder}, {only_copy_words(Path(copied), temps)}" for copied, temps in missing.items()]
    for copied, temps in stopped.items():
        whole = [temp for temp in temps if looks_whole(Path(folder, temp))]
        cut = [temp for temp in temps if temp not in whole]
        words += [f"in {folder}, {said(copied, those)}" for said, those in
                  ((stopped_copy_words, whole), (cut_copy_words, cut)) if those]
    if others:
        copies = f"is {a_kept_copy()}" if len(others) == 1 else f"are {a_kept_copy()[2:-1]}ies"  # hidden copies
        words.append(f"in {folder}, {', '.join(others)} {copies} of a photo "
                     "or sidecar an earlier write left, kept as it may be the only copy: if the file it copies is "
                     "there unharmed, delete it; else rename it to that file's name")
    return "; ".join(words)


def split_notes(conn: sqlite3.Connection, groups: Sequence[PhotoFiles], known: Mapping[str, KnownFile],
                pictures: SamePictures, renamed_in: Mapping[str, str | None] | None = None) -> list[str]:
    """What the scan says of each file that left a labelled photo (pairing's split): the
    user gave the label to the photo, so they are told which file keeps it and why this
    one is a photo of its own now ('DSC_0001.CR3 left DSC_0001.JPG's photo: another camera
    (Canon EOS R5, not NIKON D90); its label "Petra" stays with DSC_0001.JPG'; a rejected
    one said so: 'its rejected label …', the photo showing no such landmark). `renamed_in`:
    file name -> the path whose picture it holds now, None for another frame at its name
    (renamed_over.Renamed.came_in)."""
    kept_by_key = {group.stem: primary_of([Path(f.path) for f in group.present]).name
                   for group in groups if group.present}
    notes: list[str] = []
    for group in groups:
        for state in group.present if group.split else ():
            found = known.get(state.name)
            if found is None or found.photo_stem == group.stem or found.photo_stem not in kept_by_key:
                continue
            row = conn.execute("SELECT label, state FROM labels WHERE photo_id = ? AND label IS NOT NULL",
                               (found.photo_id,)).fetchone()
            if row is None:
                continue
            keeper = kept_by_key[found.photo_stem]
            place = (renamed_in or {}).get(state.name)
            if place is not None:
                why = f"it holds the picture that was {Path(place).name} (renamed over it)"
            elif pictures.other_camera(state.name, keeper):
                why = f"another camera ({pictures.camera(state.name)}, not {pictures.camera(keeper)})"
            elif state.name in (renamed_in or {}):
                why = "another frame at its name (taken at another time)"
            else:
                why = "another picture"
            label = {"rejected": "rejected label", "suggested": "suggested label"}.get(row[1], "label")
            notes.append(f'{state.name} left {keeper}\'s photo: {why}; its {label} "{row[0]}" stays with {keeper}')
    return notes

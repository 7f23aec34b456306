"""A whole temp of ours beside a missing file is never deleted: before a write creates
that file, it is renamed to a visible name beside it, and the write says so.

Such a temp may be the file's only copy (a Windows ReplaceFileW removed the file and our
rename after it failed) whether or not the index still records it so: the record lives in
a problem row that other steps clear (a write finding the file unchanged, `relocate`,
`forget`), and a copy must not depend on it. A recorded one still blocks the write
(only_copy_temps); an unrecorded one, whole (a closed XMP packet, a JPEG's end marker), is
kept as `DSC_0001.NEF.xmp.before-landmark-tagger-2026-12-05-2140.bak`: it sorts next to
the sidecar, no program reads it as a sidecar (it does not end in .xmp, so darktable takes
it for no version's), and no sweep of ours takes it for a temp. One that holds nothing of
the user's (empty or cut short, or exactly the new sidecar a killed write of ours was
creating) goes as before (killed_run_temps).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import MetadataWriteError
from app.core.metadata import atomic

ASIDE_WORDS = "before-landmark-tagger"


@dataclass(frozen=True)
class SetAside:
    """A whole temp of ours renamed from `temp` to `aside`: a failed write renames it back."""
    temp: Path
    aside: Path


def aside_path(path: Path, when: float | None = None) -> Path:
    """A free name beside `path` for its earlier copy: `<name>.before-landmark-tagger-<date-time>.bak`
    (no ':' in it, for Windows), numbered where taken."""
    stamp = time.strftime("%Y-%m-%d-%H%M", time.localtime(when))
    base = f"{path.name}.{ASIDE_WORDS}-{stamp}"
    number = 1
    while True:
        aside = path.parent / (f"{base}.bak" if number == 1 else f"{base}-{number}.bak")
        if not os.path.lexists(aside):
            return aside
        number += 1


def set_aside_whole_temps(path: Path, temps: list[Path]) -> list[SetAside]:
    """Rename `temps`, whole temps of ours of the missing `path` (TempsBeforeRun.whole_copies_of),
    to visible names beside it before the write creates `path`; returns each one's old and new
    path (kept_aside_note says so). Raises MetadataWriteError when one cannot be renamed: nothing
    is written then."""
    path = atomic.real_file(path)
    kept = []
    for temp in temps:
        aside = aside_path(path)
        try:
            os.rename(temp, aside)
        except FileNotFoundError:
            continue  # gone meanwhile (renamed into place by the user)
        except OSError as error:
            raise MetadataWriteError(
                f"{path} is missing and {temp} beside it is a whole copy of it a write of ours left; it could not "
                f"be kept as {aside.name} ({error.strerror or error}), so nothing was written: rename it "
                f"{path.name} if it holds what you need, else delete it, then write again") from None
        kept.append(SetAside(temp, aside))
    if kept:
        _fsync_folder_of(path)  # kept under its new name before the new file is there
    return kept


def _fsync_folder_of(path: Path) -> None:
    try:
        atomic.fsync_folder(path.parent)
    except OSError:
        pass


def _put_back(path: Path, kept: list[SetAside]) -> tuple[list[SetAside], list[SetAside]]:
    """Rename each copy set aside back to its temp name once the write that was to create
    `path` failed: the folder is as before that write, so the rules for such a temp (a
    recorded only copy blocks, the scan names it, the next write sets it aside and says so)
    hold again. Returns those put back and those still kept aside (their rename failed)."""
    back, still = [], []
    for one in kept:
        try:
            if os.path.lexists(one.temp):
                raise FileExistsError(one.temp)
            os.rename(one.aside, one.temp)
        except OSError:
            still.append(one)
        else:
            back.append(one)
    if back:
        _fsync_folder_of(path)
    return back, still


def kept_aside_note(path: Path, kept: list[SetAside]) -> str | None:
    """What a write that created `path` says of the earlier copies it set aside (None: none)."""
    if not kept:
        return None
    name = atomic.real_file(path).name
    names = " and ".join(one.aside.name for one in kept)
    return (f"{name} was missing; kept the earlier copy of it a write of ours had left as {names} beside it: "
            f"it may hold what {name} held (darktable's edits, keywords); delete it if you removed "
            f"{name} on purpose")


def failed_after_setting_aside(message: str, path: Path, back: list[SetAside], still: list[SetAside]) -> str:
    """A failed write's message once it set copies aside: there was no original to keep
    intact; a copy put back is where it was, one whose rename back failed must be named,
    as no later write or scan names it."""
    name = atomic.real_file(path).name
    told = message.replace("; the original is intact", "").replace("the original is intact", "").rstrip("; ")
    told += f"; {name} was missing and nothing was written in its place"
    if back:
        told += (f"; the earlier copy a write of ours had left is back as "
                 f"{' and '.join(one.temp.name for one in back)} beside it")
    if not still:
        return told
    names = " and ".join(one.aside.name for one in still)
    return (f"{told}, and the earlier copy is kept as {names} beside it: it may hold what {name} held "
            f"(darktable's edits, keywords); rename it {name} if you need it, else delete it, then write again")


@contextmanager
def naming_kept_aside(path: Path, kept: list[SetAside]):
    """On a failure of the write that creates `path`, put the copies set aside before it
    back (_put_back) and re-raise it saying so, naming any still kept aside
    (failed_after_setting_aside): the message is what `write` prints and what the file's
    recorded error keeps."""
    try:
        yield
    except OSError as error:  # a bare one: its own words, as a write error of ours
        if not kept:
            raise
        raise MetadataWriteError(failed_after_setting_aside(
            f"could not write {path}: {error.strerror or error}", path, *_put_back(path, kept))) from error
    except Exception as error:  # ours (its class and fields kept), else a bug's, its traceback kept
        if kept:
            back_and_still = _put_back(path, kept)
            if len(error.args) <= 1:
                error.args = (failed_after_setting_aside(str(error), path, *back_and_still),)
        raise

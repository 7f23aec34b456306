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
from pathlib import Path

from app.core.errors import MetadataWriteError
from app.core.metadata import atomic

ASIDE_WORDS = "before-landmark-tagger"


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


def set_aside_whole_temps(path: Path, temps: list[Path]) -> list[Path]:
    """Rename `temps`, whole temps of ours of the missing `path` (TempsBeforeRun.whole_copies_of),
    to visible names beside it before the write creates `path`; returns their new paths
    (kept_aside_note says so). Raises MetadataWriteError when one cannot be renamed: nothing
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
        kept.append(aside)
    if kept:
        try:
            atomic.fsync_folder(path.parent)  # kept under its new name before the new file is there
        except OSError:
            pass
    return kept


def kept_aside_note(path: Path, kept: list[Path]) -> str | None:
    """What a write that created `path` says of the earlier copies it set aside (None: none)."""
    if not kept:
        return None
    name = atomic.real_file(path).name
    names = " and ".join(aside.name for aside in kept)
    return (f"{name} was missing; kept the earlier copy of it a write of ours had left as {names} beside it: "
            f"it may hold what {name} held (darktable's edits, keywords); delete it if you removed "
            f"{name} on purpose")


def failed_after_setting_aside(message: str, path: Path, kept: list[Path]) -> str:
    """A failed write's message once it set copies aside: there was no original to keep
    intact, and the user must learn of the copy, which no later write or scan names."""
    name = atomic.real_file(path).name
    names = " and ".join(aside.name for aside in kept)
    told = message.replace("; the original is intact", "").replace("the original is intact", "").rstrip("; ")
    return (f"{told}; {name} was missing, nothing was written in its place, and the earlier copy is kept as "
            f"{names} beside it: it may hold what {name} held (darktable's edits, keywords); rename it {name} "
            f"if you need it, else delete it, then write again")


@contextmanager
def naming_kept_aside(path: Path, kept: list[Path]):
    """Re-raise a failure of the write that creates `path` with the copies set aside
    before it named (failed_after_setting_aside): the message is what `write` prints
    and what the file's recorded error keeps."""
    try:
        yield
    except OSError as error:  # a bare one: its own words, as a write error of ours
        if not kept:
            raise
        raise MetadataWriteError(failed_after_setting_aside(
            f"could not write {path}: {error.strerror or error}", path, kept)) from error
    except Exception as error:  # ours (its class and fields kept), else a bug's, its traceback kept
        if kept and len(error.args) <= 1:
            error.args = (failed_after_setting_aside(str(error), path, kept),)
        raise

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


def set_aside_whole_temps(path: Path, temps: list[Path]) -> str | None:
    """Rename `temps`, whole temps of ours of the missing `path` (TempsBeforeRun.whole_copies_of),
    to visible names beside it before the write creates `path`; returns what the write says
    of it (None: none there). Raises MetadataWriteError when one cannot be renamed: nothing
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
    if not kept:
        return None
    try:
        atomic.fsync_folder(path.parent)  # kept under its new name before the new file is there
    except OSError:
        pass
    names = " and ".join(aside.name for aside in kept)
    return (f"{path.name} was missing; kept the earlier copy of it a write of ours had left as {names} beside it: "
            f"it may hold what {path.name} held (darktable's edits, keywords); delete it if you removed "
            f"{path.name} on purpose")

"""Files a write would replace that have other names (hard links), said once per batch.

A write replaces a file by renaming a finished copy over it (atomic.replace_file), as
exiftool does, so a name linked to the same file elsewhere (a hard-link backup, a
dedup tool's second catalog) keeps the file as it was, unlabelled, and the written one
takes its own space from then on. Nothing is lost, but the user is told.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from app.core.wording import counted


def hard_linked(plan: Iterable, failed: Iterable[str] = ()) -> list[str]:
    """The targets of `plan` (PlannedWrites) a write changes that have other names, less
    the paths in `failed`. Read from st_nlink before the write; a file system that does
    not count links (st_nlink 0 or 1 everywhere) names none, and nothing is said."""
    left_out = {str(path) for path in failed}
    linked = []
    for item in plan:
        if not item.changes_anything or str(item.target) in left_out:
            continue
        try:
            if os.stat(item.target).st_nlink > 1:
                linked.append(str(item.target))
        except (OSError, ValueError):
            continue  # not there yet (a new sidecar) or not readable: the write says why
    return linked


def now_alone(linked: list[str]) -> list[str]:
    """Those of `linked` the write replaced: their name no longer shares the file (one
    left as it was, failed or not reached, still does)."""
    alone = []
    for path in linked:
        try:
            if os.stat(path).st_nlink == 1:
                alone.append(path)
        except (OSError, ValueError):
            continue
    return alone


def hard_links_words(linked: list[str], dry_run: bool) -> str:
    """The one line a write (or its dry run) says of them, naming the first."""
    which = (f"{linked[0]} has other names" if len(linked) == 1 else
             f"{counted(len(linked), 'file')} written have other names, the first {linked[0]},")
    keep = "will keep" if dry_run else "keep"
    return (f"{which} (hard links): those names {keep} the file as it was, without the label, and the written "
            "one takes its own disk space (see \"Hard links\" in docs/guide/writing-labels.md)")

"""Library folders that a photo given by its file brought in (`tag FILE`, `teach NAME
FILE`, a photo dropped on the app's window): its folder joins the library on its own,
with all its photos, so the user is told how many and how to widen or undo that. The
command line and the app say it in the same words (joined_text), each with its own ways."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from app.core.wording import counted

if TYPE_CHECKING:
    from app.core.index import PhotoIndex


def folders_joined_for_files(index: "PhotoIndex", roots_before: Sequence[Path],
                             targets: Sequence[Path | str]) -> list[tuple[Path, int]]:
    """Library folders added because a photo was given by its file (that folder alone is
    read), with their photo counts; folders given as such are not news. `roots_before`:
    index.roots() before anything was added."""
    from app.core.index.catalog import count_photos_in
    from app.core.path_case import DiskNames, canonical_path

    names = DiskNames()
    given = [Path(t).expanduser() for t in targets]
    parents = {canonical_path(path.parent, names) for path in given if path.is_file()}
    return [
        (root, count_photos_in(index.conn, str(root)))
        for root in index.folder_only_roots()
        if root in parents and root not in roots_before
    ]


def joined_text(folder: str, photos: int, ways: str) -> str:
    """ "added Petra to the library (76 photos; that folder only: WAYS)": `ways` how this
    face takes in the folders in it, or takes the folder out."""
    return f"added {folder} to the library ({counted(photos, 'photo')}; that folder only: {ways})"

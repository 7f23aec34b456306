"""Which files a write plan writes a photo's label into, and which of those it must
refuse or leave out: a sidecar two photos would share, one file reached under two
paths, a JPEG's old sidecar or a rejected photo's file holding nothing of ours.
Building each file's item is plan.py's."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.metadata.sidecar import existing_sidecars, sidecar_path

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from app.core.metadata.plan import PlannedWrite, WriteOptions


def first_owner(index: PhotoIndex, written: dict[str, frozenset[int]], target: Path, photo_id: int) -> int:
    """The photo a sidecar belongs to when another may share it (IMG_0100.xmp of
    IMG_0100.PNG and IMG_0100.TIF): the one our writes (`written`:
    journal.sidecar_writers) put a label into it for, whatever the query, while the
    index still holds it (a forgotten photo owns nothing); else the first photo
    planned into it (`photo_id`)."""
    writers = sorted(written.get(str(target), ()))
    if not writers or photo_id in writers:
        return photo_id
    marks = ",".join("?" * len(writers))
    held = index.conn.execute(f"SELECT min(id) FROM photos WHERE missing = 0 AND id IN ({marks})", writers).fetchone()
    return int(held[0]) if held[0] is not None else photo_id


def one_write_a_file(plan: list[PlannedWrite]) -> list[PlannedWrite]:
    """The plan with one write for each file on disk: a folder linked into two library
    folders holds each file under two paths (two photos to the index), and two writes
    into one file race (one label overwrites the other, or a write reported done leaves
    the file as it was). The photo indexed first keeps the file; the other is refused,
    naming the path it is written under."""
    kept: dict[tuple, PlannedWrite] = {}
    folders: dict[Path, tuple[int, int] | None] = {}
    refused: dict[int, PlannedWrite] = {}
    for item in sorted(plan, key=lambda item: item.photo_id):
        identity = None if item.problem else _file_identity(item.target, folders)
        if identity is None:
            continue
        first = kept.setdefault(identity, item)
        if first.target != item.target:
            refused[id(item)] = replace(
                item, after=item.before,
                problem=f"it is the same file as {first.target} (one folder linked into two library folders), "
                        "whose label goes into it; remove one of the two links, then scan again",
            )
    return [refused.get(id(item), item) for item in plan]


def _file_identity(target: Path, folders: dict[Path, tuple[int, int] | None]) -> tuple | None:
    """What tells two paths of one file apart from two files: the device and inode of
    the folder it lies in (`folders` keeps them, one stat a folder) and its name, a
    link named like a photo followed (it is written through). Hard links keep their own
    names: a write replaces the file under the name written. None when unknown."""
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if target.parent not in folders:
        try:
            found = target.parent.stat()
            folders[target.parent] = (found.st_dev, found.st_ino)
        except OSError:
            folders[target.parent] = None
    folder = folders[target.parent]
    return None if folder is None else (*folder, os.path.normcase(target.name))


def takes_ours_out(item: PlannedWrite, only_changes: bool) -> bool:
    """Whether a file planned only because a keyword of ours may be in it (a rejected
    photo's, a JPEG's old sidecar) belongs in the plan: one of ours is there and it
    changes, or (not `only_changes`) it cannot be written now. Others are left out:
    a sidecar darktable made for a JPEG gets no label from us."""
    if item.previous_label is None:
        return False
    return item.changes_anything or (not only_changes and item.problem is not None)


def jpeg_sidecars(
    written: dict[str, frozenset[int]], photo_id: int, path: Path, kind: str | None, options: WriteOptions
) -> list[Path]:
    """The sidecars of a JPEG labelled inside itself that a `--no-jpeg` write of ours
    put its landmark into (darktable and digiKam read them). Only those the journal
    (`written`: journal.sidecar_writers) shows written for this photo and no other:
    IMG_0100.xmp may be IMG_0100.PNG's."""
    if kind != "jpeg" or not options.write_into_jpeg:
        return []
    return [sidecar for sidecar in existing_sidecars(path, options.sidecar_naming)
            if written.get(str(sidecar)) == {photo_id}]


def shared_sidecar(item: PlannedWrite) -> PlannedWrite:
    """Two photos (IMG_0100.JPG and IMG_0100.PNG, say) would write one sidecar named
    by their common stem: the first keeps it, the second is refused with the way out."""
    return replace(
        item, after=item.before,
        problem=f"another photo's label goes into {item.target.name} too; "
                "write with --sidecar-naming ext (one sidecar a file) instead",
    )


def write_targets(path: Path, kind: str | None, options: WriteOptions) -> list[Path]:
    """Where the label of `path` goes: into the JPEG itself, else into each sidecar that
    exists under either name (DSC_8188.xmp is Lightroom's, DSC_8188.NEF.xmp darktable's:
    each app reads only its own), else into a new one named as configured."""
    if kind == "jpeg" and options.write_into_jpeg:
        return [path]
    return existing_sidecars(path, options.sidecar_naming) or [sidecar_path(path, options.sidecar_naming)]

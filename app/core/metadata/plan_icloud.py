"""A photo whose sidecar, or one of whose files, iCloud holds (evicted, not downloaded)
is left alone as a whole by `write`: that file cannot be read nor replaced, and writing the photo's
other files alone (the JPEG of its pair, or the JPEG itself beside its own sidecar left
by a `--no-jpeg` write or by Lightroom) would leave the photo's files naming two places
(the JPEG the new label, the sidecar, once downloaded, the old one) for any other
program or index that reads them. The scan says so ("`write` leaves its photo alone
until downloaded")."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

from app.core.cloud_files import IN_ICLOUD, not_downloaded_note
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import evicted_sidecars, existing_sidecars, sidecar_not_downloaded
from app.core.path_case import DiskNames

if TYPE_CHECKING:
    from app.core.metadata.plan import PlannedWrite


def sidecar_in_cloud_problem(sidecar: Path, why: str) -> str:
    """The plan's note for a sidecar target that iCloud holds (its own file's)."""
    return f"its sidecar {sidecar.name} is {why}"


def photo_sidecar_in_cloud_problem(sidecar: Path, why: str) -> str:
    """The note for every other file of that photo, left alone with it."""
    return f"its photo's sidecar {sidecar.name} is {why}"


def photo_file_in_cloud_problem(path: Path, why: str) -> str:
    """The note for every other file of a photo one of whose own files iCloud holds."""
    return f"its photo's file {path.name} is {why}"


def sidecar_in_cloud(files: Iterable[Path | str], names: DiskNames | None = None) -> tuple[Path, str] | None:
    """(a sidecar, why) for the first sidecar of any of a photo's `files`, under either
    naming, that is not downloaded: evicted (only its `.NAME.xmp.icloud` stand-in there)
    or a dataless/online-only placeholder. None when every sidecar of them is on the disk.
    `names`: the folder listings a write plan shares (a card's folder listed once, not
    once a photo)."""
    for path in map(Path, files):
        evicted = evicted_sidecars(path)
        if evicted:
            return evicted[0], IN_ICLOUD
        for sidecar in existing_sidecars(path, names=names):
            note = not_downloaded_note(sidecar)
            if note is not None:
                return sidecar, note
    return None


def photos_with_sidecars_in_cloud_left_alone(plan: list[PlannedWrite],
                                             photo_files: Mapping[int, Iterable[Path | str]] = {},
                                             names: DiskNames | None = None) -> list[PlannedWrite]:
    """`plan` with every file of a photo refused where one of its files or sidecars is in
    the cloud: a file refused for it (the pair's JPEG evicted: its RAW's sidecar written
    alone would name another place), a sidecar refused as a target
    (sidecar.sidecar_not_downloaded), or any sidecar of any
    of the photo's files (`photo_files`, by photo id; else the plan's sources), planned or
    not, as a JPEG's own evicted sidecar yields no plan item. Each gets that sidecar's
    note: the photo is written once it is downloaded, all its files together. A file whose
    write would change nothing stays as it is."""
    names = names or DiskNames()
    held: dict[int, str] = {}
    for item in plan:
        if item.problem is None or item.photo_id in held:
            continue
        if item.problem == not_downloaded_note(item.source):  # the photo's file itself: the pair's JPEG, say
            held[item.photo_id] = photo_file_in_cloud_problem(item.source, item.problem)
        elif item.kind == "sidecar":
            in_the_cloud = sidecar_not_downloaded(item.source, item.target)
            if in_the_cloud is not None and item.problem == sidecar_in_cloud_problem(*in_the_cloud):
                held[item.photo_id] = photo_sidecar_in_cloud_problem(*in_the_cloud)
    sources: dict[int, list[Path]] = {}
    for item in plan:
        sources.setdefault(item.photo_id, []).append(item.source)
    for photo_id in {item.photo_id for item in plan if item.changes_anything} - held.keys():
        in_the_cloud = sidecar_in_cloud(dict.fromkeys(photo_files.get(photo_id, sources[photo_id])), names)
        if in_the_cloud is not None:
            held[photo_id] = photo_sidecar_in_cloud_problem(*in_the_cloud)
    if not held:
        return plan
    return [replace(item, before=KeywordFields(), after=KeywordFields(), note=None, problem=held[item.photo_id])
            if item.photo_id in held and item.changes_anything else item for item in plan]

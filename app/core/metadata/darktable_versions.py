"""darktable's duplicates of a photo file: "duplicate" in darktable makes a second
version of the same RAW, developed on its own, with a sidecar of its own named by its
version number, `DSC_0100_01.NEF.xmp` beside `DSC_0100.NEF` and `DSC_0100.NEF.xmp`.
darktable keeps tags per version, so a landmark written into version 0 only is missing
from the duplicate of the same picture; a write gives each version's sidecar the label.

Such a name is a version's only where darktable says so: its xmpMM:DerivedFrom names
the photo file (darktable writes the original's name there), and no file of the
version's name (`DSC_0100_01.NEF`, another photo, whose own sidecar that is) is there.
Names match exactly; in another letter case or Unicode form (a card's FAT folder, a
name darktable stored as typed) only where the folder holds no other file of that
folded name: on a case-sensitive disk `dsc_0100_01.nef.xmp` (DerivedFrom
`dsc_0100.nef`) belongs to dsc_0100.nef, never to DSC_0100.NEF beside it.
A version's sidecar iCloud holds (evicted: only `.DSC_0100_01.NEF.xmp.icloud` there, or
dataless) cannot be read for its DerivedFrom without downloading it: its name alone makes
it the file's, so the write refuses it and leaves the photo alone whole (plan_icloud)
rather than write its other files beside a duplicate still naming the old place.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from app.core.cloud_files import name_of_icloud_stand_in, not_downloaded_note
from app.core.metadata.sidecar_owner import names_in
from app.core.path_case import fold

# DSC_0100_01.NEF.xmp: the file DSC_0100.NEF, version 01
VERSION_SIDECAR = re.compile(r"^(?P<base>.+)_\d+(?P<extension>\.[^._]+)\.xmp$", re.IGNORECASE)


class DarktableVersions:
    """The sidecars of darktable's duplicates of each photo file a write plan asks about,
    each folder listed once (a card folder of 5,000 RAWs is not listed once a photo)."""

    def __init__(self) -> None:
        self._folders: dict[Path, _FolderVersions] = {}

    def of(self, path: Path) -> list[Path]:
        """The sidecars of the duplicates of `path` there are, by version number."""
        folder = path.parent
        if folder not in self._folders:
            self._folders[folder] = _version_sidecars_in(folder)
        versions, spellings = self._folders[folder]
        key = fold(path.name)
        any_case = spellings.get(key, set()) <= {path.name}  # no other file of this folded name
        return [folder / name for name, original in versions.get(key, [])
                if (any_case or original == path.name) and _derived_from(folder / name, path.name, any_case)]


def _in_the_cloud(sidecar: Path) -> bool:
    """Whether the sidecar is not downloaded: its DerivedFrom is not read (that downloads it)."""
    return not_downloaded_note(sidecar) is not None


# ({folded photo file name: (its versions' sidecars, the file name each gives)},
#  {folded name: the names the folder lists so})
_FolderVersions = tuple[dict[str, list[tuple[str, str]]], dict[str, set[str]]]


def _version_sidecars_in(folder: Path) -> _FolderVersions:
    """The versions' sidecars of `folder`, by the folded name of their photo file."""
    try:
        names = sorted(os.listdir(folder))
    except (OSError, ValueError):
        return {}, {}
    spellings: dict[str, set[str]] = {}
    for entry in names:
        name = name_of_icloud_stand_in(entry) or entry  # an evicted file (DSC_0100_01.NEF) too
        spellings.setdefault(fold(name), set()).add(name)
    versions: dict[str, list[tuple[str, str]]] = {}
    versions_named: set[str] = set()  # a sidecar there beside a stand-in of its name: once
    for name in names:
        name = name_of_icloud_stand_in(name) or name  # an evicted one: its stand-in's name
        found = VERSION_SIDECAR.match(name)
        if found is None or fold(name[: -len(".xmp")]) in spellings or name in versions_named:
            continue  # no version's name, or the sidecar of a file of that name
        original = found["base"] + found["extension"]
        versions.setdefault(fold(original), []).append((name, original))
        versions_named.add(name)
    return versions, spellings


def _derived_from(sidecar: Path, name: str, any_case: bool) -> bool:
    """Whether the sidecar names the file `name` as its original: exactly, or in any
    letter case or Unicode form where `any_case` (no other file has that folded name).
    One in the cloud is taken as the file's, unread (see the module's docstring)."""
    if _in_the_cloud(sidecar):
        return True
    return any(named == name or (any_case and fold(named) == fold(name)) for named in names_in(sidecar))

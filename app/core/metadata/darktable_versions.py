"""darktable's duplicates of a photo file: "duplicate" in darktable makes a second
version of the same RAW, developed on its own, with a sidecar of its own named by its
version number, `DSC_0100_01.NEF.xmp` beside `DSC_0100.NEF` and `DSC_0100.NEF.xmp`.
darktable keeps tags per version, so a landmark written into version 0 only is missing
from the duplicate of the same picture; a write gives each version's sidecar the label.

Such a name is a version's only where darktable says so: its xmpMM:DerivedFrom names
the photo file (darktable writes the original's name there), and no file of the
version's name (`DSC_0100_01.NEF`, another photo, whose own sidecar that is) is there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from app.core.metadata.sidecar_owner import names_in
from app.core.path_case import fold

# DSC_0100_01.NEF.xmp: the file DSC_0100.NEF, version 01
VERSION_SIDECAR = re.compile(r"^(?P<base>.+)_\d+(?P<extension>\.[^._]+)\.xmp$", re.IGNORECASE)


class DarktableVersions:
    """The sidecars of darktable's duplicates of each photo file a write plan asks about,
    each folder listed once (a card folder of 5,000 RAWs is not listed once a photo)."""

    def __init__(self) -> None:
        self._folders: dict[Path, dict[str, list[str]]] = {}

    def of(self, path: Path) -> list[Path]:
        """The sidecars of the duplicates of `path` there are, by version number."""
        folder = path.parent
        if folder not in self._folders:
            self._folders[folder] = _version_sidecars_in(folder)
        return [folder / name for name in self._folders[folder].get(fold(path.name), [])
                if _derived_from(folder / name, path.name)]


def _version_sidecars_in(folder: Path) -> dict[str, list[str]]:
    """{folded photo file name: the names of its versions' sidecars} of `folder`."""
    try:
        names = sorted(os.listdir(folder))
    except (OSError, ValueError):
        return {}
    listed = {fold(name) for name in names}
    versions: dict[str, list[str]] = {}
    for name in names:
        found = VERSION_SIDECAR.match(name)
        if found is None or fold(name[: -len(".xmp")]) in listed:
            continue  # no version's name, or the sidecar of a file of that name
        versions.setdefault(fold(found["base"] + found["extension"]), []).append(name)
    return versions


def _derived_from(sidecar: Path, name: str) -> bool:
    """Whether the sidecar names the file `name` (in any letter case) as its original."""
    return any(fold(named) == fold(name) for named in names_in(sidecar))

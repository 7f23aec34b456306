"""New RAW sidecars Lightroom will not read: a new sidecar is named DSC_0001.NEF.xmp by
default (darktable's and digiKam's name), while Lightroom reads DSC_0001.xmp only. A
Lightroom user's first write put every RAW label where Lightroom never looks, and
nothing said so; `write` and the app's Write list now say it, once, when it happens.

An existing sidecar of either name is always written into, so a library Lightroom has
been used on (its folders hold DSC_0001.xmp files) is left unsaid: the user there
either chose ext naming for darktable or is served by the sidecars there are."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.photo_info import file_kind
from app.core.wording import shell_quote

# DNG keeps its XMP inside: Lightroom reads neither sidecar name for it
SIDECARLESS_IN_LIGHTROOM = frozenset({".dng"})


def new_raw_sidecars_lightroom_misses(plan: list) -> list[Path]:
    """The DSC_0001.NEF.xmp sidecars `plan` (PlannedWrite items) would create beside RAW
    files, in folders that hold no stem-named sidecar (DSC_0002.xmp) at all. Lists each
    of those folders once; a folder that cannot be listed counts as holding none."""
    wanted = [item.target for item in plan if _creates_ext_sidecar_of_a_raw(item)]
    listings: dict[Path, frozenset[str] | None] = {}
    found = []
    for target in wanted:
        folder = target.parent
        if folder not in listings:
            listings[folder] = _names_in(folder)
        names = listings[folder]
        if names is None or (target.name not in names and not any(is_stem_sidecar(name) for name in names)):
            found.append(target)
    return sorted(found)  # the first names the example: the same each run


def is_stem_sidecar(name: str) -> bool:
    """DSC_0001.xmp (Lightroom's name, or Photo Mechanic's DSC_0001.XMP), not DSC_0001.NEF.xmp."""
    stem, dot, extension = name.rpartition(".")
    return bool(dot and stem) and extension.lower() == "xmp" and file_kind(stem) is None


def made_now(sidecars: list[Path]) -> list[Path]:
    """Those of `sidecars` (none there before the write) that the write created."""
    return [sidecar for sidecar in sidecars if sidecar.exists()]


def lightroom_line(made: list[Path], command: str = "landmark-tagger") -> str:
    """The CLI's one line after a write that created `made` (non-empty): which programs
    read that name, and how a Lightroom user gets the other (undo first: the sidecar now
    there would be written into, and no DSC_0001.xmp made, by a write with stem naming)."""
    ext_name, stem_name = _quoted(ext_and_stem_names(made[0]))
    return (f"note: RAW labels went into new sidecars named {ext_name} (darktable, digiKam read them); "
            f"Lightroom reads {stem_name}: if you use Lightroom, `{command} undo`, then write with "
            "--sidecar-naming stem (or choose DSC_0001.xmp under New sidecar names in the app's Settings)")


def lightroom_dry_run_line(would_make: list[Path]) -> str:
    """The line of a dry run whose write would create `would_make` (non-empty)."""
    ext_name, stem_name = _quoted(ext_and_stem_names(would_make[0]))
    return (f"note: RAW labels would go into new sidecars named {ext_name} (darktable, digiKam read them); "
            f"Lightroom reads {stem_name}: add --sidecar-naming stem if you use Lightroom")


def ext_and_stem_names(sidecar: Path) -> tuple[str, str]:
    """("DSC_0001.NEF.xmp", "DSC_0001.xmp") for the sidecar DSC_0001.NEF.xmp."""
    raw_name = sidecar.name[: -len(".xmp")]
    return sidecar.name, f"{Path(raw_name).stem}.xmp"


def _quoted(names: tuple[str, str]) -> tuple[str, str]:
    """The names as the CLI's other lines give a path, to paste (shell_quote): a name that
    is not UTF-8 read n\\udce9f.nef.xmp, naming no file; a plain one stays bare."""
    return shell_quote(names[0]), shell_quote(names[1])


def _creates_ext_sidecar_of_a_raw(item) -> bool:
    source, target = item.source, item.target
    return (item.kind == "sidecar" and item.problem is None and item.changes_anything
            and file_kind(source.name) == "raw" and source.suffix.lower() not in SIDECARLESS_IN_LIGHTROOM
            and target.name == source.name + ".xmp")


def _names_in(folder: Path) -> frozenset[str] | None:
    try:
        with os.scandir(folder) as entries:
            return frozenset(entry.name for entry in entries)
    except OSError:
        return None

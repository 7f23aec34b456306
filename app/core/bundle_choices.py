"""The model bundles a user can choose from: the default one in assets/ and those in the
user data folder's models/, each checked, so the GUI can offer them without knowing paths.

GUI-free; the settings dialog runs `known_bundles` in a worker thread because checking a
bundle reads it whole (84–91 ms measured for the 22 MB default bundle, gallery included).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from model.bundle_listing import BundleInfo


def bundle_folders() -> list[Path]:
    """Where bundles are looked for: assets/ first, then <data folder>/models/."""
    from app.core.config import assets_dir, data_dir

    return [assets_dir(), data_dir() / "models"]


def known_bundles(extra: Iterable[str | Path] = ()) -> list["BundleInfo"]:
    """Every bundle in `bundle_folders()` plus the `extra` files, checked and de-duplicated.

    A bundle that fails its checks is returned with `error` set instead of raising, so one
    corrupt file never hides the others.
    """
    from model.bundle_listing import BundleInfo, find_bundles

    paths: list[Path] = []
    unreadable: list[BundleInfo] = []
    for folder in bundle_folders():
        try:
            paths += find_bundles([folder])
        except OSError as error:  # e.g. no permission to list the folder: say so, list the rest
            unreadable.append(BundleInfo(path=folder, error=f"cannot list bundles in {folder} ({error}); "
                                                            "check the folder's permissions"))
    paths += [Path(candidate) for candidate in extra]
    unique: dict[Path, Path] = {}
    for path in paths:
        unique.setdefault(path.resolve(), path)
    return [check_bundle(path) for path in unique.values()] + unreadable


def check_bundle(path: str | Path) -> "BundleInfo":
    """One bundle's summary, or its error in `error` (never raises for a bad bundle).

    Beyond the bundle's own checks, an unreadable file (permissions, a folder in the way)
    or a malformed network is reported the same way rather than raised.
    """
    from model.bundle_listing import BundleInfo, validate_bundle
    from model.errors import ModelError

    path = Path(path)
    try:
        return validate_bundle(path)
    except (OSError, ValueError, ModelError) as error:
        is_default = path.resolve() == default_bundle_path().resolve()
        return BundleInfo(path=path, is_default=is_default,
                          error=f"model bundle {path} cannot be read ({error}); check the file or get it again")


def default_bundle_path() -> Path:
    """The bundle used when the settings name none (settings store None for it)."""
    from model.bundle import default_bundle_path as model_default

    return model_default()


def bundle_by_name(choice: str | Path) -> Path:
    """The bundle a user named: a path to one, else the name or id (or the start of an
    id) that `landmark-tagger models` lists. UsageError when none or several match."""
    from app.core.errors import UsageError

    path = Path(choice).expanduser()
    if path.exists() or path.suffix == ".ltbundle" or len(path.parts) > 1:
        return path  # a path: loading it says what is wrong with it
    text = str(choice)
    usable = [info for info in known_bundles() if info.error is None]
    matches = [info for info in usable if text in (info.name, info.id)]
    if not matches:
        matches = [info for info in usable if info.id and len(text) >= 4 and info.id.startswith(text)]
    if len(matches) == 1:
        return matches[0].path
    if matches:
        paths = ", ".join(str(info.path) for info in matches)
        raise UsageError(f"{text!r} names several model bundles ({paths}); give the path of one")
    return path  # neither a file nor a known name: loading it says so

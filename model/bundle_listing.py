"""The bundles in some folders, each checked and summarised in one BundleInfo (what
`landmark-tagger models` and the settings' bundle chooser list), a broken one with
its error rather than an exception."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

# model.bundle's names looked up when called, as when these functions lived there
# (tests stand in for default_bundle_path)
from model import bundle as bundle_module
from model.bundle_checks import MANIFEST
from model.errors import BundleError


@dataclass(frozen=True)
class BundleInfo:
    """One line of `landmark-tagger models`: a bundle's summary, or why it is unusable."""

    path: Path
    name: str | None = None
    id: str | None = None
    num_classes: int | None = None
    input_size: int | None = None
    backbone: str | None = None
    threshold: float | None = None  # its "no landmark" threshold
    is_default: bool = False
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "name": self.name,
            "id": self.id,
            "classes": self.num_classes,
            "input_size": self.input_size,
            "backbone": self.backbone,
            "threshold": self.threshold,
            "default": self.is_default,
            "error": self.error,
        }

def validate_bundle(path: str | Path) -> BundleInfo:
    """Load a bundle and summarise it; a broken bundle gives a BundleInfo with `error`."""
    path = Path(path)
    is_default = path.resolve() == bundle_module.default_bundle_path().resolve()
    try:
        bundle = bundle_module.load_bundle(path)
    except BundleError as error:
        return BundleInfo(path=path, is_default=is_default, error=str(error))
    return BundleInfo(
        path=path,
        name=bundle.name,
        id=bundle.id,
        num_classes=bundle.num_classes,
        input_size=bundle.input_size,
        backbone=bundle.backbone,
        threshold=float(bundle.threshold),
        is_default=is_default,
    )


def find_bundles(folders: Iterable[str | Path]) -> list[Path]:
    """Bundle files (*.ltbundle) and bundle folders (with bundle.json) in the folders."""
    found: list[Path] = []
    seen: set[Path] = set()
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            is_bundle = (child.is_file() and child.suffix == bundle_module.BUNDLE_SUFFIX) or (
                child.is_dir() and (child / MANIFEST).is_file()
            )
            if is_bundle and child.resolve() not in seen:
                seen.add(child.resolve())
                found.append(child)
    return found

"""The desktop app's user settings, stored as JSON in the user data folder.

GUI-free so the CLI and tests can read the same choices the app made. Unknown keys
are kept out, bad values fall back to defaults with a clear error only when the
file cannot be parsed at all.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from app.core.config import data_dir
from app.core.errors import UsageError

SIDECAR_NAMINGS = ("ext", "stem")
SETTINGS_FILE_NAME = "settings.json"


@dataclass(frozen=True)
class AppSettings:
    """What the user chose in the settings dialog.

    model_bundle: a .ltbundle path, or None for the default bundle.
    threshold: the "no landmark" threshold, or None for the bundle's own.
    sidecar_naming: "ext" (DSC_1.NEF.xmp) or "stem" (DSC_1.xmp).
    write_into_jpeg: also write labels into JPEG files, not only sidecars.
    thumbnail_size: the grid's tile size in pixels.
    check_folders_at_start: read the library's folders when the app opens, so photos
        copied into them since show up (only new and changed files are read).
    window_state: where the window and its panels were, as the GUI saved it.
    saved_searches: (name, query) pairs the library panel lists, in the order saved.
    """

    model_bundle: str | None = None
    threshold: float | None = None
    sidecar_naming: str = "ext"
    write_into_jpeg: bool = True
    thumbnail_size: int = 160
    check_folders_at_start: bool = True
    oldest_first: bool = False  # the grid's order: newest photos first, or oldest (a trip from its first day)
    window_state: str | None = None  # the window's size and panel layout, opaque (base64)
    saved_searches: tuple[tuple[str, str], ...] = ()

    def validated(self) -> "AppSettings":
        """Return a copy with every value in range; raises UsageError naming the bad value."""
        if self.sidecar_naming not in SIDECAR_NAMINGS:
            raise UsageError(
                f"sidecar naming {self.sidecar_naming!r} is not one of {', '.join(SIDECAR_NAMINGS)}"
            )
        if self.threshold is not None and not 0.0 <= float(self.threshold) <= 1.0:
            raise UsageError(f"threshold {self.threshold} must be between 0 and 1")
        if not 64 <= int(self.thumbnail_size) <= 512:
            raise UsageError(f"thumbnail size {self.thumbnail_size} must be between 64 and 512")
        return replace(
            self,
            threshold=None if self.threshold is None else float(self.threshold),
            write_into_jpeg=bool(self.write_into_jpeg),
            check_folders_at_start=bool(self.check_folders_at_start),
            oldest_first=bool(self.oldest_first),
            thumbnail_size=int(self.thumbnail_size),
            model_bundle=str(self.model_bundle) if self.model_bundle else None,
            window_state=str(self.window_state) if self.window_state else None,
            saved_searches=_saved_searches(self.saved_searches),
        )


def _saved_searches(pairs) -> tuple[tuple[str, str], ...]:
    """(name, query) pairs, names and queries not empty, one per name (the last kept)."""
    by_name: dict[str, str] = {}
    for pair in pairs or ():
        name, query = (str(part).strip() for part in pair)  # a malformed entry raises: the default is kept
        if not name or not query:
            raise UsageError(f"a saved search needs a name and a query, not {pair!r}")
        by_name.pop(name, None)
        by_name[name] = query
    return tuple(by_name.items())


def settings_path() -> Path:
    """Where the settings live: data_dir()/settings.json."""
    return data_dir() / SETTINGS_FILE_NAME


def load_settings(path: Path | None = None) -> AppSettings:
    """Read the settings; a missing file gives the defaults.

    Values that are out of range are replaced by their default one by one, so a
    hand-edited file never keeps the app from starting. Raises UsageError when the
    file exists but is not a JSON object (the message names the file to fix or delete).
    """
    path = path or settings_path()
    if not path.is_file():
        return AppSettings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read settings {path}: {error}; fix or delete the file") from error
    if not isinstance(raw, dict):
        raise UsageError(f"settings {path} is not a JSON object; fix or delete the file")
    settings = AppSettings()
    for field in fields(AppSettings):
        if field.name not in raw:
            continue
        candidate = replace(settings, **{field.name: raw[field.name]})
        try:
            settings = candidate.validated()
        except (UsageError, TypeError, ValueError):
            continue  # keep the default for this one value
    return settings


def save_settings(settings: AppSettings, path: Path | None = None) -> Path:
    """Write the settings atomically (temp file + rename) and return the path."""
    settings = settings.validated()
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(settings), handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path

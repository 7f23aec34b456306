"""The desktop app's user settings, stored as JSON in the user data folder.

GUI-free so the CLI and tests can read the same choices the app made. Unknown keys
are kept out; a value out of range, or one saved search with no name or query, falls
back to its default alone (the other saved searches kept), and the app's start says
which and keeps a copy of the file; a file that cannot be parsed at all gives the
defaults and is kept aside. Neither is written over without a copy.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from app.core.config import data_dir
from app.core.errors import TaggerError, UsageError

SIDECAR_NAMINGS = ("ext", "stem")
SETTINGS_FILE_NAME = "settings.json"
UNREADABLE_MARK = ".unreadable-"  # settings.json.unreadable-20240521-093000: a damaged file, kept


class UnreadableSettingsError(UsageError):
    """The settings file is there but is not a JSON object (a slip of a hand edit)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot read settings {path}: {reason}; fix or delete the file")
        self.path = path
        self.reason = reason


class SettingsNotSavedError(TaggerError):
    """The settings file cannot be written (a read-only or full disk, no permission)."""

    def __init__(self, path: Path, error: OSError) -> None:
        reason = error.strerror or str(error)
        super().__init__(f"cannot write {path} ({reason}); make its folder writable or free some space "
                         "to keep your choices for the next start")
        self.path = path


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
    last_added_folder: the folder Add folder… added last; the next opens beside it.
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
    last_added_folder: str | None = None

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
            last_added_folder=str(self.last_added_folder) if self.last_added_folder else None,
        )


def _saved_searches(pairs) -> tuple[tuple[str, str], ...]:
    """(name, query) pairs, names and queries not empty, one per name (the last kept);
    raises UsageError naming a pair that is not one."""
    by_name: dict[str, str] = {}
    for pair in pairs or ():
        name, query = _saved_search(pair)
        by_name.pop(name, None)
        by_name[name] = query
    return tuple(by_name.items())


def _saved_search(pair) -> tuple[str, str]:
    try:
        name, query = (str(part).strip() for part in pair)
    except (TypeError, ValueError):
        name = query = ""
    if not name or not query:
        raise UsageError(f"a saved search needs a name and a query, not {pair!r}")
    return name, query


def _usable_saved_searches(pairs) -> tuple[list, list[str]]:
    """The saved searches of a file that can be used, and why each other one cannot: one
    slip of a hand edit (a query emptied) must not cost the others."""
    if not isinstance(pairs, (list, tuple)):
        return [], [f"saved_searches {pairs!r} is not a list"]
    usable, skipped = [], []
    for pair in pairs:
        try:
            usable.append(_saved_search(pair))
        except UsageError as error:
            skipped.append(str(error))
    return usable, skipped


def settings_path() -> Path:
    """Where the settings live: data_dir()/settings.json."""
    return data_dir() / SETTINGS_FILE_NAME


def load_settings(path: Path | None = None) -> AppSettings:
    """Read the settings; a missing file gives the defaults.

    Values that are out of range are replaced by their default one by one (a bad saved
    search is left out alone), so a hand-edited file never keeps the app from starting.
    Raises UsageError when the file exists but is not a JSON object (the message names
    the file to fix or delete).
    """
    return read_settings(path)[0]


def read_settings(path: Path | None = None) -> tuple[AppSettings, list[str]]:
    """The settings (as load_settings) and, for each value of the file left out, why."""
    path = path or settings_path()
    if not path.is_file():
        return AppSettings(), []
    raw = _read_object(path)
    settings = AppSettings()
    skipped: list[str] = []
    for field in fields(AppSettings):
        if field.name not in raw:
            continue
        value = raw[field.name]
        if field.name == "saved_searches":
            value, bad = _usable_saved_searches(value)
            skipped += bad
        candidate = replace(settings, **{field.name: value})
        try:
            settings = candidate.validated()
        except (UsageError, TypeError, ValueError) as error:
            skipped.append(f"{field.name} {raw[field.name]!r} ({error})")  # its default is kept
    return settings, skipped


def _read_object(path: Path) -> dict:
    """The file's JSON object; raises UnreadableSettingsError naming the file and why."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UnreadableSettingsError(path, str(error)) from error
    if not isinstance(raw, dict):
        raise UnreadableSettingsError(path, "it is not a JSON object")
    return raw


def settings_file_reads(path: Path | None = None) -> bool:
    """Whether the settings file reads as a JSON object (or is not there): one damaged
    or hand-edited since the app read it does not."""
    path = path or settings_path()
    if not path.is_file():
        return True
    try:
        _read_object(path)
        return True
    except UnreadableSettingsError:
        return False


def set_aside_unreadable(path: Path | None = None) -> Path | None:
    """Move a settings file that cannot be read to settings.json.unreadable-<time> beside
    it, so the defaults the app goes on with never replace the user's choices (saved
    searches, threshold, sidecar naming) with no copy left to fix. Returns where it went,
    None when the file reads (or is not there); raises OSError when it cannot be moved."""
    path = path or settings_path()
    if settings_file_reads(path):
        return None
    kept = _name_aside(path)
    os.replace(path, kept)
    return kept


def _name_aside(path: Path) -> Path:
    """settings.json.unreadable-<time> beside `path`, a name no file has yet."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.name}{UNREADABLE_MARK}{stamp}")
    number = 1
    while kept.exists():
        number += 1
        kept = path.with_name(f"{path.name}{UNREADABLE_MARK}{stamp}-{number}")
    return kept


def _copied_aside(path: Path, skipped: list[str]) -> str:
    """Copy a settings file holding values left out (the app's next save drops them) and
    say which, and where the copy is."""
    what = "; ".join(skipped)
    try:
        kept = _name_aside(path)
        shutil.copy2(path, kept)
    except OSError as error:
        return (f"settings {path}: left out {what}; the rest is used (no copy of the file could be kept: "
                f"{error.strerror or error}, and the next save drops what was left out)")
    return (f"settings {path}: left out {what}; the rest is used, and the file as it was is kept as "
            f"{kept.name} (the next save drops what was left out)")


def load_settings_or_defaults(path: Path | None = None) -> tuple[AppSettings, str | None]:
    """The settings, or the defaults and the one message to show when the file cannot be
    read: it says where the damaged file was kept and how to get it back. Values left
    out of a file that reads (a saved search with no query) are named too, with the copy
    of the file kept before the app's next save drops them."""
    path = path or settings_path()
    try:
        settings, skipped = read_settings(path)
        return settings, (_copied_aside(path, skipped) if skipped else None)
    except UnreadableSettingsError as error:
        problem = error
    try:
        kept = set_aside_unreadable(problem.path)
    except OSError as move_error:
        return AppSettings(), (f"{problem} (using the defaults; the file is left as it is and nothing is "
                               f"saved over it: it could not be moved aside, {move_error.strerror or move_error})")
    where = f"kept it as {kept.name} and " if kept else ""
    return AppSettings(), (f"cannot read settings {problem.path}: {problem.reason}; {where}started with the "
                           f"defaults (fix that file and rename it to {problem.path.name} while the app is "
                           "closed, or delete it)")


def save_settings(settings: AppSettings, path: Path | None = None, *,
                  on_set_aside: Callable[[str], None] | None = None) -> Path:
    """Write the settings atomically (temp file + rename) and return the path. A file
    there that cannot be read is moved aside first (set_aside_unreadable), never written
    over; `on_set_aside` gets the sentence that says where it went, since the file was
    damaged or hand-edited after the app read it and the user's edits are now only in
    that copy. Raises UsageError for a bad value, SettingsNotSavedError when the disk refuses."""
    settings = settings.validated()
    path = path or settings_path()
    try:
        kept = set_aside_unreadable(path)
        if kept is not None and on_set_aside is not None:
            on_set_aside(f"settings {path} could not be read when the app saved its own (changed since the "
                         f"app read it?): the file as it was is kept as {kept.name}, and the app's settings "
                         f"were saved in its place (fix that copy and rename it to {path.name} while the app "
                         "is closed to use it)")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
    except OSError as error:
        raise SettingsNotSavedError(path, error) from error
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(settings), handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(temp_name, path)
    except BaseException as error:
        Path(temp_name).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise SettingsNotSavedError(path, error) from error
        raise
    return path

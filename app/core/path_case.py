"""Paths as the disk spells them, whatever case the user typed.

On a case-insensitive file system (macOS APFS and HFS+ by default, Windows NTFS, an
exFAT or FAT32 camera card on Linux) `~/pictures/trip` opens `~/Pictures/Trip`, but
`Path.resolve()` keeps the typed case on macOS and Linux: stored in the index, it made
a second library folder and a second row for every photo (writing then refused them as
"changed on disk since it was indexed"). The index holds the names the scanner reads
from directory listings, so a typed path is looked up under those names.

A name is replaced only by the entry of its folder that is the same file (device and
inode): on a case-sensitive file system `Trip` and `trip` are two folders and stay so.
FUSE drivers of exFAT and FAT cards give each spelling an inode number of its own; there
a typed name that opens an entry the folder does not list, with one listed name folding
to it, is that name (a case-sensitive disk would not open the unlisted spelling).
macOS stores names decomposed (NFD), so names are compared NFC-normalised and casefolded.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Iterable

from app.core.folder_paths import is_within


def fold(name: str) -> str:
    """The form in which two spellings of one name on a case-insensitive disk are equal."""
    return unicodedata.normalize("NFC", name).casefold()


class DiskNames:
    """The names folders hold, each folder listed at most once: share one across a batch
    of paths (5,000 photos of one folder given to `tag` list that folder once)."""

    def __init__(self) -> None:
        self._listings: dict[str, tuple[frozenset[str], dict[str, list[str]]] | None] = {}
        self._ignoring_case: dict[str, bool] = {}

    def stored_name(self, folder: Path, name: str) -> str | None:
        """The name under which `folder` holds the entry that `name` finds: `name` itself
        when listed so or when the folder cannot be listed (kept as typed); the listed
        spelling of the same file when they differ in case or Unicode form only; None
        when the folder holds no such entry."""
        listing = self._listing(str(folder))
        if listing is None:
            return name
        exact, by_fold = listing
        if name in exact:
            return name
        candidates = by_fold.get(fold(name))
        if not candidates:
            return None
        typed = _identity(folder / name)
        if typed is None:
            return None  # a case-sensitive disk: the other spelling is another name
        same = next((stored for stored in candidates if _identity(folder / stored) == typed), None)
        return same if same is not None else _only_listed_spelling(folder, name)

    def ignores_case(self, folder: Path) -> bool:
        """Whether `folder` finds its entries under another letter case too (macOS,
        Windows, an exFAT card): tried on one name it lists; False where it cannot be
        listed or lists no name with a letter (nothing tells)."""
        key = str(folder)
        if key not in self._ignoring_case:
            listing = self._listing(key)
            names = listing[0] if listing is not None else ()
            sample = next((name for name in names if _other_case(name) is not None), None)
            self._ignoring_case[key] = sample is not None and finds_other_case(folder / sample, self)
        return self._ignoring_case[key]

    def _listing(self, folder: str) -> tuple[frozenset[str], dict[str, list[str]]] | None:
        if folder not in self._listings:
            self._listings[folder] = _read_listing(folder)
        return self._listings[folder]


def _read_listing(folder: str) -> tuple[frozenset[str], dict[str, list[str]]] | None:
    """(the names in `folder`, those names by their folded form); None when it cannot be
    listed (no permission, not there): names there are then kept as typed."""
    try:
        names = os.listdir(folder)
    except (OSError, ValueError):  # ValueError: a NUL byte in a typed path
        return None
    by_fold: dict[str, list[str]] = {}
    for name in names:
        by_fold.setdefault(fold(name), []).append(name)
    return frozenset(names), by_fold


def names_one_entry(path: Path, name: str, names: DiskNames | None = None) -> bool:
    """Whether `name`, in the folder of `path`, opens `path` itself: its own name, or
    one that differs in case or Unicode form only on a disk that finds the same entry
    under both (the rule DiskNames goes by); on a case-sensitive disk `DSC_8188.NEF` and
    `dsc_8188.NEF` are two names. `names`: the listings of a job that creates no file
    meanwhile (a write plan), so a FUSE card's folder is listed once, not once a photo;
    without it the folder is listed afresh where the disk gives no answer by inode."""
    if name == path.name:
        return True
    if fold(name) != fold(path.name):
        return False
    own = _identity(path)
    if own is None:
        return False
    other = _identity(path.parent / name)
    return other == own or (other is not None and _only_listed_spelling(path.parent, name, names) == path.name)


def as_listed(path: Path, names: DiskNames) -> Path:
    """`path` under the name its folder lists the entry by, where that differs in case or
    Unicode form only: a case-insensitive disk opens the user's DSC_8188.XMP as
    DSC_8188.xmp too, and a file replaced under the name typed takes that name there.
    `path` itself where it is listed so, is not there, or the folder cannot be listed.
    `names`: the listings of a job that creates no file (see names_one_entry)."""
    listing = names._listing(str(path.parent))
    if listing is None or path.name in listing[0]:
        return path
    same = [name for name in listing[1].get(fold(path.name), [])
            if names_one_entry(path.parent / name, path.name, names)]
    return path.with_name(same[0]) if len(same) == 1 else path


def finds_other_case(path: Path, names: DiskNames | None = None) -> bool:
    """Whether the disk opens `path` (an entry there) under its name in another letter
    case too: a case-insensitive folder. False for a name without a letter. `names`: as
    for names_one_entry."""
    other = _other_case(path.name)
    return other is not None and names_one_entry(path, other, names)


def _other_case(name: str) -> str | None:
    """`name` with each letter's case swapped, None when that is no other spelling of it."""
    other = name.swapcase()
    return other if other != name and fold(other) == fold(name) else None


def _only_listed_spelling(folder: Path, name: str, names: DiskNames | None = None) -> str | None:
    """The one name `folder` lists that folds as `name` does, when `name` (found on the
    disk) is not listed itself: the entry a case-insensitive disk opened under `name`,
    whatever inode number it gave (FUSE exFAT/FAT give one per spelling). Listed afresh
    unless `names` is given: a file made since a DiskNames listing must not pass for
    another's spelling, so only a job that makes none shares its listings."""
    listing = names._listing(str(folder)) if names is not None else _read_listing(str(folder))
    if listing is None:
        return None
    exact, by_fold = listing
    if name in exact:
        return None  # a name of its own (a case-sensitive disk)
    folded = by_fold.get(fold(name), [])
    return folded[0] if len(folded) == 1 else None


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the entry itself (a link is not followed), None when not there."""
    try:
        status = os.lstat(path)
    except (OSError, ValueError):
        return None
    return status.st_dev, status.st_ino


def canonical_path(path: str | os.PathLike, names: DiskNames | None = None) -> Path:
    """`path` absolute and resolved (links followed, `~` expanded), each existing
    name spelled as the disk stores it: the form the index holds. Names past the
    first one not found are kept as typed (a folder gone, a path typed for a search)."""
    resolved = Path(os.path.expanduser(os.fspath(path))).resolve()
    return _as_stored(resolved, names or DiskNames())


def canonical_entry(path: str | os.PathLike, names: DiskNames | None = None) -> Path:
    """Like canonical_path, but the last name is not followed: a symbolic link to a
    photo stays the link, as the scanner indexes a link in a folder by its own name."""
    given = Path(os.path.expanduser(os.fspath(path)))
    if given.name in ("", ".", ".."):
        return canonical_path(given, names)
    names = names or DiskNames()
    return _entry_as_stored(canonical_path(given.parent, names), given.name, names)


def spellings_through_links(path: str | os.PathLike, names: DiskNames | None = None) -> list[Path]:
    """The forms under which an index may hold `path`, each spelled as the disk stores
    it: absolute as typed (`~` expanded, `..` taken off by name, links kept), then with
    the links on its way followed up to the first, the second, …, and last
    canonical_path. The scanner stores a folder linked into a library folder under the
    link's path, but the library folder itself resolved (`~/Pictures` may be a link to
    a data disk), so a path typed through links may be held in any of these forms."""
    names = names or DiskNames()
    given = os.path.expanduser(os.fspath(path))
    absolute = Path(os.path.abspath(given))
    found = [absolute]
    for end in range(2, len(absolute.parts) + 1):
        through = Path(*absolute.parts[:end])
        if through.is_symlink() or is_junction(through):
            found.append(through.resolve().joinpath(*absolute.parts[end:]))
    forms = [_as_stored(form, names) for form in found]
    return list(dict.fromkeys([*forms, canonical_path(given, names)]))


def entries_through_links(path: str | os.PathLike, names: DiskNames | None = None) -> list[Path]:
    """spellings_through_links, the last name not followed (see canonical_entry)."""
    given = Path(os.path.expanduser(os.fspath(path)))
    if given.name in ("", ".", ".."):
        return spellings_through_links(given, names)
    names = names or DiskNames()
    folders = spellings_through_links(given.parent, names)
    return list(dict.fromkeys(_entry_as_stored(folder, given.name, names) for folder in folders))


def _entry_as_stored(folder: Path, name: str, names: DiskNames) -> Path:
    return folder / (names.stored_name(folder, name) or name)


def is_junction(path: Path) -> bool:
    """A Windows junction (os.path.isjunction, Python 3.12; never one elsewhere)."""
    try:
        return getattr(os.path, "isjunction", lambda _: False)(path)
    except (OSError, ValueError):
        return False


def canonical_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """canonical_path of each, the folders they share listed once."""
    names = DiskNames()
    return [canonical_path(path, names) for path in paths]


def _as_stored(path: Path, names: DiskNames) -> Path:
    """`path` (absolute) with each existing name as its folder lists it."""
    current = Path(path.anchor)
    parts = path.parts[1:] if path.anchor else path.parts
    for position, name in enumerate(parts):
        stored = names.stored_name(current, name)
        if stored is None:  # not there: neither is anything below it
            return current.joinpath(*parts[position:])
        current = current / stored
    return current


def same_folder_spelled_otherwise(stored: str, folder: str, whole: bool, names: DiskNames) -> bool:
    """Whether the path `stored` (a library folder an older version kept as typed) is
    another spelling of `folder` (whole: or of a folder below it) on this disk. A cheap
    test on the text comes first: only spellings equal when folded are looked up."""
    if stored == folder:
        return False
    folded, folded_folder = fold(stored), fold(folder)
    if not (folded == folded_folder or (whole and is_within(folded, folded_folder))):
        return False
    actual = str(_as_stored(Path(stored), names))
    return actual != stored and (actual == folder or (whole and is_within(actual, folder)))


def in_other_unicode_form(path: str | os.PathLike) -> Path | None:
    """The entry `path` names, not there as typed, with each of its names that is not
    there taken in the other Unicode form that is ("Séville 1.jpg" typed composed, NFC,
    for a file copied from a Mac, decomposed, NFD), as `label` and `search` find it in
    the index; None when some name is in neither form, or `path` is there as typed."""
    given = Path(os.path.expanduser(os.fspath(path)))
    if os.path.lexists(given):
        return None
    found = Path(given.anchor or ".")
    for name in given.parts[1 if given.anchor else 0 :]:
        spellings = [found / name, *(found / unicodedata.normalize(form, name) for form in ("NFC", "NFD"))]
        there = next((spelled for spelled in spellings if os.path.lexists(spelled)), None)
        if there is None:
            return None
        found = there
    return found

"""Names of the temp files atomic writes go through, `.<photo's name>.<8 hex>.tmp`, and
how a sweep tells from such a name which file the temp is a copy of.

The name is cut to fit the file system's limit (and on Windows the whole path's); a
cut name no longer says whose the temp is, and the temp may be a photo's only copy (a
ReplaceFileW that removed the photo, then could not rename the temp), so every temp
carries a tag of the whole name in its hex part: a sweep takes a temp whose stem may be
a cut one for a copy of a file only when that file's name gives the same stem and tag,
never of the photo's sidecar (whose cut stem may be exactly the JPEG's name), an export
or another photo whose names merely begin the same.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
from pathlib import Path

from app.core.photo_info import file_kind

# File systems allow 255 bytes a name; the temp name adds 14 to the photo's, so a
# photo named near that limit (web downloads are) gets a temp name cut to fit.
MAX_NAME_BYTES = 255
_TEMP_EXTRA_BYTES = len(".") + len(".01234567.tmp")
# Windows refuses a whole path over 259 UTF-16 units unless long paths are switched on
# in its registry (they seldom are): a photo deep in nested folders whose path fits
# gets a temp name cut so that the temp's path fits too.
MAX_WINDOWS_PATH = 259
# A cut name's 8 hex digits: 6 of them a tag of the whole name, 2 random (the temp is
# created exclusively, and the writer tries another name when one is taken).
_TAG_DIGITS = 6


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_NAME_ROOM = MAX_NAME_BYTES - _TEMP_EXTRA_BYTES


def is_written_by_us(name: str) -> bool:
    """A JPEG (labels go inside) or an XMP sidecar: the only files we replace."""
    return file_kind(name) == "jpeg" or name.lower().endswith(".xmp")


def path_room(folder: Path) -> int | None:
    """How many UTF-16 units the temp's stem may have in `folder` on Windows (its whole
    path must fit MAX_WINDOWS_PATH); None elsewhere, where only the name is limited."""
    if sys.platform != "win32":
        return None
    return MAX_WINDOWS_PATH - _utf16_units(os.path.join(str(folder), "")) - _TEMP_EXTRA_BYTES


def temp_stem(path: Path) -> str:
    """The part of the temp name that says whose it is: the photo's name, cut (at a
    character boundary) to leave room for the rest, on Windows in the whole path too."""
    name = path.name
    while len(os.fsencode(name)) > _NAME_ROOM:
        name = name[:-1]
    room = path_room(path.parent)
    if room is not None:
        while name and _utf16_units(name) > room:
            name = name[:-1]
    return name


def may_be_cut(folder: Path, stem: str) -> bool:
    """Whether `stem` may be a longer name cut by temp_stem: it fills the room left for
    it (the next character, up to 4 bytes or 2 UTF-16 units, would not have fitted).
    Such a stem may also be a whole name (a JPEG's, when its sidecar's was cut to it),
    so only the tag tells whose the temp is."""
    room = path_room(folder)
    return (len(os.fsencode(stem)) > _NAME_ROOM - 4
            or (room is not None and _utf16_units(stem) > room - 2))


def _name_tag(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:_TAG_DIGITS]


def temp_path_for(path: Path) -> Path:
    """A fresh temp name beside `path`, tagged with the whole name (cut or not: a
    sweep cannot tell a whole name that fills the room from a cut one)."""
    return path.with_name(f".{temp_stem(path)}.{_name_tag(path.name)}{secrets.token_hex(1)}.tmp")


def names_a_temp_copies(folder: Path, names: list[str], stem: str, digits: str) -> list[str]:
    """Of `names` (files in `folder`), those a temp with this `stem` and hex `digits`
    may be a copy of. A stem too short to be a cut one is its file's whole name (temps
    named before tags too). One that fills the room names only files whose whole name
    gives that very stem and the tag in `digits`, the stem itself included: a temp of
    DSC_0001.JPG.xmp cut to `DSC_0001.JPG` is not the JPEG's. A temp named before tags
    with such a stem matches no name, and is kept."""
    if not may_be_cut(folder, stem):
        return [stem] if stem in names else []
    return [name for name in names
            if name.startswith(stem) and _name_tag(name) == digits[:_TAG_DIGITS]
            and temp_stem(folder / name) == stem]

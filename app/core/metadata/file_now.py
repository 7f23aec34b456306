"""A file a write plans for, as it is on disk now: the keyword fields it holds (a JPEG's
head, a sidecar, the XMP inside a RAW, PNG, TIFF or HEIC file), which fields a JPEG gets,
and whether it changed since it was indexed (and why it cannot be written then). plan.py
reads each file through it; the write, and the checks of keywords changed elsewhere, too."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from app.core.errors import PhotoReadError, TaggerError
from app.core.index.connection import db_text
from app.core.metadata.iptc import holds_iptc
from app.core.metadata.jpeg_fields import fields_of
from app.core.metadata.jpeg_segments import JpegFormatError, JpegLayout, parse_jpeg
from app.core.metadata.keywords import FIELD_NAMES, SIDECAR_FIELDS, KeywordFields, holds_a_keyword
from app.core.metadata.sidecar import fields_of_sidecar, fields_to_rewrite, read_sidecar_text

if TYPE_CHECKING:
    from app.core.index import PhotoIndex


HEADER_READ = 256 * 1024  # enough for the metadata segments of nearly every JPEG


def jpeg_field_names(layout: JpegLayout) -> tuple[str, ...]:
    """The fields a write gives a JPEG: IPTC Keywords only where it holds an IPTC block
    already (with keywords or without), as exiftool's MWG module writes IPTC "only if
    the original file contained IPTC" and the Metadata Working Group asks a program to
    keep in sync the forms a file holds. Every reader this app writes for takes XMP
    (Windows' System.Keywords reads dc:subject first), and a block created beside it
    would be one more copy of the keywords, cut at 64 bytes, that a program writing XMP
    alone leaves behind."""
    photoshop = layout.first("photoshop")
    if holds_iptc(photoshop.payload if photoshop is not None else None):
        return FIELD_NAMES
    return tuple(name for name in FIELD_NAMES if name != "iptc")




def changed_since_scan(path: str | Path) -> str:
    """The problem of a file changed on disk since the scan indexed it (to follow its
    path and ": "): the commands that fix it, whole (the CLI adds the --db given)."""
    return f"changed on disk since the scan: {_scan_then_write(Path(path).parent)}"


def gone_since_scan(path: str | Path, library_folders: Iterable[Path] | None = None) -> str:
    """The problem of a file the index holds that is no longer there (to follow its path
    and ": "), found by the plan or while writing: one wording for both. The scan named
    is of a folder still there (its folder renamed or moved, a scan of the folder that
    held it would fail): see folder_still_there."""
    return f"not found (deleted or moved since the scan): {scan_then_write_for_gone(path, library_folders)}"


def scan_then_write_for_gone(path: str | Path, library_folders: Iterable[Path] | None = None) -> str:
    """The commands, whole, for a file that is not there any more (found so by the plan,
    while writing, or right after our write): a scan of a folder still there
    (folder_still_there), then write. The CLI adds the --db given."""
    return _scan_then_write(folder_still_there(path, library_folders))


def folder_still_there(path: str | Path, library_folders: Iterable[Path] | None = None) -> Path:
    """The innermost folder holding `path` that exists, no higher than the innermost
    library folder holding it (a scan there finds a folder renamed inside it; one of
    its parents would add folders the user never chose). Without a library folder
    holding it, the walk stops below the disk's root (`/`, `C:\\`). Nothing there: the
    file's own folder, or its library folder (the scan then says it is not found)."""
    from app.core.folder_paths import is_within
    from app.core.path_case import fold

    folder = Path(path).parent
    holding = [Path(root) for root in library_folders or () if is_within(fold(str(path)), fold(str(root)))]
    top = max(holding, key=lambda root: len(str(root))) if holding else None
    for candidate in (folder, *folder.parents):
        if top is None and candidate == Path(candidate.anchor):
            break
        if candidate.is_dir():
            return candidate
        if top is not None and fold(str(candidate)) == fold(str(top)):
            return top
    return folder


def _scan_then_write(folder: Path) -> str:
    from app.core.wording import shell_quote

    return f"`landmark-tagger scan {shell_quote(str(folder))}`, then `landmark-tagger write`"


def why_changed(index: PhotoIndex, path: Path) -> str:
    """Why a file that differs from the index cannot be written. A scan that found it
    unreadable (truncated by a failing card, say) keeps the index as it was, so a
    rescan cannot help: the damage is named, as long as the file is still damaged."""
    if not index.conn.execute(
        "SELECT 1 FROM errors WHERE stage = 'scan' AND path = CAST(? AS TEXT) LIMIT 1", (db_text(str(path)),)
    ).fetchone():
        return changed_since_scan(path)
    from app.core.photo_info import read_photo_info

    try:
        read_photo_info(path)
    except PhotoReadError as error:
        reason = str(error).removeprefix(f"{path}: ")
        return f"damaged since it was indexed: {reason}; restore it from a backup (its label stays in the index)"
    except OSError:
        pass
    return changed_since_scan(path)


def changed_since_indexed(stat: os.stat_result, size: int | None, mtime_ns: int | None) -> bool:
    return size is not None and (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns)


def stat_if_there(path: Path) -> os.stat_result | None:
    """The photo's stat; None where it is not there (as Path.exists says it)."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None


def stat_or_none(path: Path):
    """The file's stat, or None for a sidecar still to be created."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def keywords_inside(path: Path, kind: str | None) -> KeywordFields:
    """The XMP keyword fields (dc:subject, lr:hierarchicalSubject, digiKam:TagsList, LastKeywordXMP) that
    a JPEG, PNG, TIFF, HEIC or RAW file holds inside, as Lightroom, digiKam or exiftool
    left them (a DNG tagged in Lightroom, which keeps a DNG's metadata inside it; any
    TIFF-structured RAW, a CR3 or a RAF exiftool wrote into); empty when there are none
    or they cannot be read. A RAW file's header alone is read, never its image data. A
    JPEG's IPTC keywords stand for a dc:subject it lacks or that holds none (an empty
    rdf:Bag), as where the write goes into the JPEG (keywords.label_fields): a sidecar
    holding the landmark alone would hide them from the programs that read it."""
    try:
        if kind == "jpeg":
            inside = read_current_fields(path, embedded=True)
            if not holds_a_keyword(inside.subject) and inside.iptc:
                inside = replace(inside, subject=[keyword for keyword in inside.iptc if keyword.strip()])
            return inside.only(SIDECAR_FIELDS)
        if kind == "raw":
            from app.core.metadata.raw_header import read_raw_header

            packet = read_raw_header(path).xmp
        elif kind in ("png", "tiff", "heic"):
            from PIL import Image

            if kind == "heic":
                import pillow_heif

                pillow_heif.register_heif_opener()
            with Image.open(path) as image:
                packet = image.info.get("xmp")
        else:
            return KeywordFields()
        return fields_of_sidecar(packet or None, str(path)).only(SIDECAR_FIELDS)
    except (TaggerError, OSError, ValueError, SyntaxError, ImportError):
        return KeywordFields()


def read_current_fields(target: Path, embedded: bool) -> KeywordFields:
    """The keyword fields a JPEG (embedded) or a sidecar (empty when new) holds now."""
    if not embedded:
        return fields_to_rewrite(read_sidecar_text(target), str(target)).only(SIDECAR_FIELDS)
    return read_jpeg_head(target)[1]


def read_jpeg_head(target: Path) -> tuple[JpegLayout, KeywordFields]:
    """A JPEG's segments before its image data (read from its first 256 KB: all of it
    only where its metadata runs longer) and the keyword fields they hold."""
    with open(target, "rb") as handle:
        head = handle.read(HEADER_READ)
        try:
            layout = parse_jpeg(head, str(target))
        except JpegFormatError:
            head += handle.read()
            layout = parse_jpeg(head, str(target))
    return layout, fields_of(layout, str(target))

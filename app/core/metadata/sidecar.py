"""XMP sidecars for files we never modify (RAW) or cannot embed into here (PNG,
TIFF, HEIC, and JPEGs when embedding is switched off).

Two names are in use: `DSC_8188.NEF.xmp` (darktable, digiKam; our default) and
`DSC_8188.xmp` (Lightroom, Capture One). We read both — the one we write wins —
and merge into an existing sidecar, keeping every other property in it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.core.cloud_files import IN_ICLOUD, icloud_stand_in_name, not_downloaded_note
from app.core.errors import MetadataWriteError, UsageError
from app.core.metadata.keywords import FIELD_TITLES, SIDECAR_FIELDS, KeywordFields
from app.core.metadata.xmp import DC, DIGIKAM, EMPTY_BODY, LANDMARK_TAGGER, LR, MICROSOFT_PHOTO, XMP_MM, XmpDocument
from app.core.path_case import DiskNames, fold

SIDECAR_NAMINGS = ("ext", "stem")
NEW_SIDECAR = '<?xml version="1.0" encoding="UTF-8"?>\n' + EMPTY_BODY + "\n"


def sidecar_path(path: Path, naming: str = "ext") -> Path:
    """`DSC_8188.NEF.xmp` for naming "ext", `DSC_8188.xmp` for "stem"."""
    if naming == "ext":
        return path.with_name(path.name + ".xmp")
    if naming == "stem":
        return path.with_name(path.stem + ".xmp")
    raise UsageError(f"unknown sidecar naming {naming!r}; use 'ext' (DSC_8188.NEF.xmp) or 'stem' (DSC_8188.xmp)")


# Photo Mechanic, some cameras and Windows tools write `DSC_8188.XMP`: on a case-sensitive
# disk (Linux, most NAS shares) that is another name than `DSC_8188.xmp`, and a second
# sidecar beside it would split the photo's keywords between two files.
SIDECAR_SUFFIXES = (".xmp", ".XMP")


def existing_sidecars(path: Path, first: str = "ext", names: DiskNames | None = None) -> list[Path]:
    """The sidecars of `path` there are, under either naming (`first` before the other)
    and either case of `.xmp`; one name each for a file a case-insensitive disk finds
    under both (else it is listed, written and journalled twice, by two threads at
    once). A name the file system cannot hold (too long) is no sidecar. `names`: the
    listings a write plan shares (path_case.names_one_entry)."""
    namings = (first,) + tuple(n for n in SIDECAR_NAMINGS if n != first)
    names = names or DiskNames()  # the folder is listed only where two spellings are found
    found: list[Path] = []
    for naming in namings:
        base = sidecar_path(path, naming)
        for suffix in SIDECAR_SUFFIXES:
            candidate = base.with_suffix(suffix)
            if _is_file(candidate) and not any(_one_entry(candidate, other, names) for other in found):
                found.append(candidate)
    return found


def evicted_sidecars(path: Path) -> list[Path]:
    """The sidecars of `path` (either naming, either case of `.xmp`) that iCloud's
    "Optimize Mac Storage" evicted: only their stand-in, `.DSC_0100.NEF.xmp.icloud`, is
    there. Never read (reading downloads them), and never to be replaced by a new one
    beside the stand-in: that would fork the user's sidecar, history and all."""
    found: list[Path] = []
    for naming in SIDECAR_NAMINGS:
        for suffix in SIDECAR_SUFFIXES:
            candidate = sidecar_path(path, naming).with_suffix(suffix)
            stand_in = candidate.with_name(icloud_stand_in_name(candidate.name))
            if candidate not in found and _is_file(stand_in) and not _is_file(candidate):
                found.append(candidate)
    return found


def sidecar_not_downloaded(path: Path, target: Path) -> tuple[Path, str] | None:
    """(the sidecar, why) when writing `target`, the sidecar of the photo file `path`,
    would read a sidecar not downloaded (in iCloud, online-only) or start a new one while
    a sidecar of the file under either naming is in iCloud; None when the write may go on."""
    note = not_downloaded_note(target)
    if note is not None:
        return target, note
    if _is_file(target):
        return None
    evicted = evicted_sidecars(path)
    return (evicted[0], IN_ICLOUD) if evicted else None


def _one_entry(a: Path, b: Path, names: DiskNames) -> bool:
    """Whether two names found in one folder are one file: the same inode (a
    case-insensitive disk, a hard link), or spellings of one name in a folder that
    ignores case (FUSE exFAT/FAT drivers give each spelling an inode of its own)."""
    if _same_file(a, b):
        return True
    return fold(a.name) == fold(b.name) and names.ignores_case(a.parent)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, say
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


# Far above any sidecar an editor writes (darktable's and Lightroom's run to a few MB with a
# long edit history), and far below what would take minutes and GBs to parse and rewrite.
MAX_SIDECAR_BYTES = 32 * 1024 * 1024
# Opening a FIFO for reading waits for a writer; O_NONBLOCK returns at once (POSIX). Windows
# has no such flag, nor FIFOs among its files: there the stat before opening is the check.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class SidecarNotReadableError(MetadataWriteError):
    """A sidecar is not a regular file (a FIFO, a device), or is too large to be a sidecar
    or holds more keywords than a write handles in reasonable time and memory."""


def read_sidecar_text(sidecar: Path) -> bytes | None:
    """The sidecar's bytes, or None when it does not exist. Raises SidecarNotReadableError
    for a FIFO or a device under the sidecar's name (reading one would wait for ever, or
    never end: /dev/zero) and for one over MAX_SIDECAR_BYTES."""
    try:
        _check_regular(sidecar, os.stat(sidecar))  # before opening: an open() may block
        fd = os.open(sidecar, _OPEN_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise MetadataWriteError(f"cannot read the sidecar {sidecar}: {error.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        try:
            _check_regular(sidecar, os.fstat(handle.fileno()))  # replaced between the stat and the open
            data = handle.read(MAX_SIDECAR_BYTES + 1)  # never more, should it grow meanwhile
        except OSError as error:
            raise MetadataWriteError(f"cannot read the sidecar {sidecar}: {error.strerror}") from None
    if len(data) > MAX_SIDECAR_BYTES:
        raise _too_large(sidecar, len(data))
    return data


def _check_regular(sidecar: Path, status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise SidecarNotReadableError(
            f"the sidecar {sidecar} is not a regular file (a FIFO, a device or a socket); "
            "this app leaves it alone: remove it or rename it"
        )
    if status.st_size > MAX_SIDECAR_BYTES:
        raise _too_large(sidecar, status.st_size)


def _too_large(sidecar: Path, size: int) -> SidecarNotReadableError:
    return SidecarNotReadableError(
        f"the sidecar {sidecar} is {size / 1e6:,.1f} MB, more than the {MAX_SIDECAR_BYTES // 2**20} MB "
        "this app reads as a sidecar; it leaves it alone"
    )


def fields_of_sidecar(data: bytes | None, name: str = "sidecar") -> KeywordFields:
    """dc:subject, lr:hierarchicalSubject, digiKam:TagsList, MicrosoftPhoto:LastKeywordXMP and
    our landmarkTagger:Teaches of sidecar bytes (empty fields when None)."""
    if data is None:
        return KeywordFields()
    doc = XmpDocument.parse(data, name)
    fields = KeywordFields(subject=doc.get_bag(DC, "subject"), hierarchical=doc.get_bag(LR, "hierarchicalSubject"),
                           digikam=doc.get_bag(DIGIKAM, "TagsList"),
                           microsoft=doc.get_bag(MICROSOFT_PHOTO, "LastKeywordXMP"),
                           taught=doc.get_bag(LANDMARK_TAGGER, "Teaches"))
    return fields


def fields_to_rewrite(data: bytes | None, name: str = "sidecar") -> KeywordFields:
    """fields_of_sidecar for a sidecar a write is to change (its plan, its write): raises
    SidecarNotReadableError where a field holds over MAX_KEYWORDS_TO_READ keywords."""
    fields = fields_of_sidecar(data, name)
    _refuse_endless_lists(fields, name)
    return fields


# Far more keywords than any photo is given, and few enough that a write stays quick: each
# keyword is compared with the label's spellings, and a new lr:hierarchicalSubject starts
# from all of dc:subject (a 1,000,000-keyword sidecar took 4 min and 2.2 GB to write).
# A write never grows a field past it (too_many_keywords), but one that takes our keyword
# out of a fuller field, or replaces it, goes through: refused, a wrong landmark would stay.
MAX_KEYWORDS_PER_FIELD = 10_000


def max_keywords_to_read() -> int:
    """The most keywords a field of a sidecar a write reads may hold: twice the cap, well
    past any our writes left (versions of 5 December 2026 took one at the cap one over it),
    and still quick to rewrite; a fuller one is another program's, left alone unread."""
    return 2 * MAX_KEYWORDS_PER_FIELD


def too_many_keywords(before: KeywordFields, after: KeywordFields) -> str | None:
    """Why a sidecar write from `before` to `after` is refused: it grows a field past
    MAX_KEYWORDS_PER_FIELD. None for every other write, one that shrinks or keeps the
    length of a fuller field (our keyword taken out or replaced) included."""
    for field_name in SIDECAR_FIELDS:
        old, new = len(getattr(before, field_name) or []), len(getattr(after, field_name) or [])
        if new > MAX_KEYWORDS_PER_FIELD and new > old:
            return (f"its {FIELD_TITLES[field_name]} would hold {new:,} keywords; this app grows a field of a "
                    f"sidecar to at most {MAX_KEYWORDS_PER_FIELD:,}, and leaves this one alone")
    return None


def _refuse_endless_lists(fields: KeywordFields, name: str) -> None:
    for field_name in SIDECAR_FIELDS:
        values = getattr(fields, field_name)
        if values is not None and len(values) > max_keywords_to_read():
            raise SidecarNotReadableError(
                f"{name}: its {FIELD_TITLES[field_name]} holds {len(values):,} keywords; this app writes into "
                f"a sidecar holding at most {max_keywords_to_read():,} in a field, and leaves this one alone"
            )


def render_sidecar(
    existing: bytes | None, wanted: KeywordFields, name: str = "sidecar", made_for: str | None = None
) -> bytes:
    """Sidecar bytes holding `wanted`'s XMP fields, merged into `existing` when given.
    A new one names the photo file `made_for` in xmpMM:DerivedFrom, as darktable does:
    a stem sidecar (IMG_0100.xmp) that IMG_0100.png and IMG_0100.tif share is then the
    PNG's to any index that reads it (sidecar_owner), not nobody's. An existing one
    keeps what it names, or names nothing: it may be another program's."""
    doc = XmpDocument.parse(existing if existing is not None else NEW_SIDECAR, name)
    if existing is None and made_for is not None:
        doc.set_text(XMP_MM, "DerivedFrom", made_for)
    wanted = wanted.only(SIDECAR_FIELDS)
    doc.set_bag(DC, "subject", wanted.subject)
    doc.set_bag(LR, "hierarchicalSubject", wanted.hierarchical)
    doc.set_bag(DIGIKAM, "TagsList", wanted.digikam, container="Seq")
    doc.set_bag(MICROSOFT_PHOTO, "LastKeywordXMP", wanted.microsoft)
    doc.set_bag(LANDMARK_TAGGER, "Teaches", wanted.taught)
    data = doc.serialize(padding=0)
    return data if data.endswith(b"\n") else data + b"\n"

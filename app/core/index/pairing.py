"""Which photo each file of a folder belongs to.

Files with the same name stem in one folder are one photo only when they are a
rendered image (JPEG, HEIC, TIFF, PNG) and its camera RAW file(s): DSC_8188.JPG and
DSC_8188.NEF. Two rendered images with the same stem (IMG_0100.jpg, IMG_0100.png) are
two pictures, so two photos: the first one (JPEG before HEIC, TIFF, PNG, as
`primary_of` ranks them) is keyed by the stem and the RAWs pair with it; each other
one is a photo of its own, keyed by its file name and a '/' (no file name holds one,
so no stem can be such a key).

A file keeps the photo it already belongs to (its labels stay with it) as long as
that photo holds no other rendered image; an index written before this rule, with
two rendered images in one photo, is split on the next rescan: the first one keeps
the photo and its labels (they were made from it), the others become new photos.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from app.core.index.catalog import FileState, KnownFile
from app.core.photo_info import PRIMARY_PREFERENCE, PhotoInfo, file_kind


@dataclass
class PhotoFiles:
    """One photo's files in a folder, as the scanner read them, ready to write."""

    stem: str  # the photo's key in its folder (see photo_keys)
    present: list[FileState] = field(default_factory=list)
    info: PhotoInfo | None = None
    vanished: list[KnownFile] = field(default_factory=list)
    touched: bool = False  # a file of it was read now (new or changed)
    photo_id: int | None = None  # the photo indexed under this key, if any
    stale: bool = False  # the index lists a file of it that an older scan found deleted
    split: bool = False  # a new photo of an image an older scan merged with another one
    regrouped: bool = False  # it gives an image merged into it to a photo of its own


def stem_of(name: str) -> str:
    stem, dot, _ = name.rpartition(".")
    return stem if dot else name


def is_raw_name(name: str) -> bool:
    """A camera RAW file by its extension (what pairing goes by, whatever its content)."""
    return (file_kind(name) or "raw") == "raw"


def own_key(name: str) -> str:
    """The key of a photo made of one rendered image that does not pair by its stem."""
    return f"{name}/"


def _preference(name: str) -> tuple[int, str]:
    return PRIMARY_PREFERENCE.get(file_kind(name) or "raw", 9), name


def photo_keys(stem: str, names: Iterable[str], known: Mapping[str, KnownFile]) -> dict[str, str]:
    """{file name: key of its photo} for the present files of one stem in a folder.

    A rendered image keeps its photo unless a more preferred image holds it too (an
    old merge); a new one takes the stem's photo when that photo has no rendered image
    (it pairs with the RAW there, or there is no photo yet), else a photo of its own.
    A RAW keeps its photo; a new one pairs with the first rendered image present."""
    names = list(names)
    family = {k.photo_stem for k in known.values()}
    raw_keys = {known[n].photo_stem for n in names if is_raw_name(n) and n in known}
    keys: dict[str, str] = {}
    held: set[str] = set()  # photos holding a rendered image already
    for name in sorted((n for n in names if not is_raw_name(n)), key=_preference):
        key = known[name].photo_stem if name in known else None
        if key is None or key in held:
            pairs = stem not in held and (stem not in family or stem in raw_keys)
            key = stem if pairs else own_key(name)
        held.add(key)
        keys[name] = key
    first = next(iter(keys.values()), stem)
    for name in (n for n in names if is_raw_name(n)):
        keys[name] = known[name].photo_stem if name in known else first
    return keys


def photos_of(stem: str, present: Mapping[str, FileState], fresh: Collection[str],
              known: Mapping[str, KnownFile], unreadable: Collection[str]) -> list[PhotoFiles]:
    """The photos that the files of one stem form: those there now (`fresh`: read now),
    and the indexed ones whose files are gone (`unreadable` ones, there but not read
    now, are neither: their rows stay as they are)."""
    keys = photo_keys(stem, present, known)
    photos: dict[str, PhotoFiles] = {}
    for name, key in keys.items():
        photo = photos.setdefault(key, PhotoFiles(key))
        photo.present.append(present[name])
        photo.touched |= name in fresh
        if name in known and known[name].photo_stem != key:  # an image merged with another by an older scan
            photo.split = True
            photos.setdefault(known[name].photo_stem, PhotoFiles(known[name].photo_stem)).regrouped = True
    for name, k in known.items():
        photo = photos.setdefault(k.photo_stem, PhotoFiles(k.photo_stem))
        photo.photo_id = k.photo_id
        if k.missing:
            photo.stale = True
        elif name not in keys and name not in unreadable:
            photo.vanished.append(k)
    return list(photos.values())


def stems_to_mend(known: Mapping[str, KnownFile]) -> set[str]:
    """Stems whose photos an older scan left wrong, to be read again though no file
    changed: two rendered images merged into one photo, or a photo still there that
    lists a file deleted since (writing its labels would fail on it for good)."""
    rendered: dict[int, int] = defaultdict(int)
    present: set[int] = set()
    deleted: set[int] = set()
    for name, k in known.items():
        (deleted if k.missing else present).add(k.photo_id)
        if not k.missing and not is_raw_name(name):
            rendered[k.photo_id] += 1
    wrong = {photo_id for photo_id, count in rendered.items() if count > 1} | (present & deleted)
    return {stem_of(name) for name, k in known.items() if k.photo_id in wrong} if wrong else set()

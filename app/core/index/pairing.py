"""Which photo each file of a folder belongs to.

Files with the same name stem in one folder are one photo only when they are a
rendered image (JPEG, HEIC, TIFF, PNG) and its camera RAW file(s): DSC_8188.JPG and
DSC_8188.NEF. Two rendered images with the same stem (IMG_0100.jpg, IMG_0100.png) are
two pictures, so two photos: the first one (JPEG before HEIC, TIFF, PNG, as
`primary_of` ranks them) is keyed by the stem and the RAWs pair with it; each other
one is a photo of its own, keyed by its file name and a '/' (no file name holds one,
so no stem can be such a key).

A RAW whose stem differs from a rendered image's in letter case (or Unicode form) only
pairs with it too (DSC_8188.JPG and dsc_8188.nef: a card read on Windows or macOS,
files renamed by another tool), when that is unambiguous: a rendered image of the RAW's
own stem always wins, and where several stems of the folder's spellings hold rendered
images (DSC_1.JPG and dsc_1.JPG on a case-sensitive disk) a RAW of a third spelling
(Dsc_1.NEF) pairs with none of them and is a photo of its own. The scan therefore reads
the files of all spellings of a stem together (`family_of`).

Two RAW files of one stem with no rendered image to pair with are one photo only when
they are one picture (`same_picture`: a DNG converted from the NEF beside it, which
keeps its capture time and camera; app/core/raw_pictures.py), never two cameras' files
(IMG_0001.CR2 and IMG_0001.CR3 of two bodies): the first (by name) takes the stem as
key, another picture a key of its own, its file name and a '/'. A RAW added later joins
the photo of its picture, if any, never another picture's photo.
Beside a rendered image, the same: its one RAW pairs with it, but of several RAWs that
are not one picture only the image's own picture joins its photo (`same_picture` with
the image; none where none is), each other picture a photo of its own; and a RAW whose
header contradicts the image's (`other_picture`: another camera, another second) never
joins it, even as its only RAW, nor a new image such a RAW's photo; and an image that no
RAW of two pictures or more beside it is the picture of (a JPEG without EXIF) stands alone,
the RAWs in its photo leaving it when another picture's RAW comes (`_among_pictures`), so
the same files make the same photos whatever order they reach the index in.

A file keeps the photo it already belongs to (its labels stay with it) as long as
that photo holds no other rendered image; an index written before this rule, with
two rendered images in one photo, is split on the next rescan: the first one keeps
the photo and its labels (they were made from it), the others become new photos.
A RAW indexed as a photo of its own keeps it too (its labels stay with it), so a JPEG
and a RAW of two spellings that an older version indexed as two photos stay two; a new
JPEG beside a RAW indexed alone joins the RAW's photo. RAWs of one stem that an older
version made one photo whatever they were are told apart once their headers are read
again (`regroup`, migration 38): the one indexed first keeps the photo and its labels (the
file they were given to; a RAW copied in later beside it, of any name, had joined it),
another picture becomes a photo of its own. So are a rendered image and RAWs an older
version made one photo though their headers name two cameras or two moments (a JPEG
and another body's CR3 of one name; migration 41, `mixed`): the file indexed first (or
whose file or sidecar a write for the photo reached first) keeps the photo and its
labels, with the files of its picture; a file that names another camera model leaves, to
pair anew (a capture time alone splits no indexed photo: users correct it, often in one
file only). Where times are compared, a RAW's XMP sidecar date may excuse headers that
disagree, never part files whose headers agree (raw_pictures.SamePictures).
A file renamed over one of a photo whose other files are unchanged (`renamed_in`:
DSC_0002.JPG renamed DSC_0001.JPG beside an untouched DSC_0001.NEF; renamed_over.py)
holds another photo's picture: it leaves the photo, which keeps its label, and joins it
again only when put back (`rejoin`: the contents it had as the pair's, or the RAW's capture
time and camera); the RAW's label was given to the RAW's picture.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from app.core.index.catalog import FileState, KnownFile
from app.core.path_case import fold
from app.core.photo_info import PRIMARY_PREFERENCE, PhotoInfo, file_kind

# Whether two RAW files of one stem (by name) are one picture (app/core/raw_pictures.py).
SamePicture = Callable[[str, str], bool]


def _never(name: str, other: str) -> bool:
    return False


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
    # ...or of a file renamed over a pair's (`renamed_in`): its keyword was written for the picture it holds
    renamed_in: bool = False
    renamed_from: int | None = None  # then: the photo that held that picture until this scan, if known
    regrouped: bool = False  # it gives an image merged into it to a photo of its own


def stem_of(name: str) -> str:
    stem, dot, _ = name.rpartition(".")
    return stem if dot else name


def family_of(name: str) -> str:
    """The files a scan reads together: those whose stems are alike but for letter case
    and Unicode form (DSC_8188.JPG, dsc_8188.nef), as pairing may join them."""
    return fold(stem_of(name))


def family_of_key(key: str) -> str:
    """The family of the files of the photo keyed `key` in its folder (see photo_keys)."""
    return family_of(key[:-1]) if key.endswith("/") else fold(key)


def is_raw_name(name: str) -> bool:
    """A camera RAW file by its extension (what pairing goes by, whatever its content)."""
    return (file_kind(name) or "raw") == "raw"


def own_key(name: str) -> str:
    """The key of a photo made of one rendered image that does not pair by its stem."""
    return f"{name}/"


def _preference(name: str) -> tuple[int, str]:
    return PRIMARY_PREFERENCE.get(file_kind(name) or "raw", 9), name


def photo_keys(names: Iterable[str], known: Mapping[str, KnownFile], same_picture: SamePicture = _never,
               regroup: Collection[str] = (), written_first: Mapping[str, int] | None = None, *,
               other_picture: SamePicture = _never, mixed: Collection[str] = (),
               other_camera: SamePicture = _never, renamed_in: Collection[str] = (),
               rejoin: Mapping[str, str] | None = None) -> dict[str, str]:
    """{file name: key of its photo} for the present files of one family in a folder.

    A rendered image keeps its photo unless a more preferred image holds it too (an
    old merge); a new one takes the stem's photo when that photo has no rendered image
    (it pairs with the RAW there, or there is no photo yet), else the photo of a RAW of
    another spelling that pairs with it, else a photo of its own; the photo of a RAW that
    is its picture first, never one of a RAW that `other_picture` says is another.
    A RAW keeps its photo; a new one pairs with the first rendered image of its stem,
    else of the one other spelling holding rendered images (see the module's docstring);
    with none, see _lone_raw_keys (`same_picture`, `regroup`, `written_first`). The files
    of a photo in `mixed` whose camera (`other_camera`) contradicts its first file's are
    new here (_merged_pictures); so are the files `renamed_in`, which never join the photo
    they leave, unless they are put back (`rejoin`: file name -> the key of the pair it
    left, renamed_over.RenamedOver.rejoining)."""
    rejoin = rejoin or {}
    names = list(names)
    family = {k.photo_stem for k in known.values()}  # keys in use, those of files leaving included
    leaving = _merged_pictures(names, known, mixed, other_camera, written_first or {})
    left: dict[str, str] = {name: known[name].photo_stem for name in renamed_in if name in known}
    leaving |= set(left)
    other_picture = _apart(other_picture, left, known)
    rendered = sorted((n for n in names if not is_raw_name(n)), key=_preference)
    partner = _partners({stem_of(n) for n in rendered})
    lone: dict[str, list[str]] = defaultdict(list)  # stem -> its RAWs no rendered image pairs with
    paired_raws: dict[str, list[str]] = defaultdict(list)  # rendered stem -> the RAWs pairing with it
    for name in (n for n in names if is_raw_name(n)):
        stem = stem_of(name)
        if (paired := partner(stem)) is None:
            lone[stem].append(name)
        else:
            paired_raws[paired].append(name)
    image_of = {paired: next(n for n in rendered if stem_of(n) == paired) for paired in paired_raws}
    alone = {paired for paired, raws in paired_raws.items() if _among_pictures(image_of[paired], raws, same_picture)}
    leaving |= {raw for paired in alone if image_of[paired] in known for raw in paired_raws[paired]
                if raw in known and known[raw].photo_stem == known[image_of[paired]].photo_stem}
    known = {name: k for name, k in known.items() if name not in leaving}
    raw_keys: dict[str, set[str]] = defaultdict(set)  # rendered stem -> photos of its RAWs of that stem
    other_raws: dict[str, set[str]] = defaultdict(set)  # -> those of its RAWs of another spelling
    raws_of: dict[str, list[str]] = defaultdict(list)  # photo key -> its indexed RAWs here
    for name in (n for n in names if is_raw_name(n) and n in known):
        stem = stem_of(name)
        if (paired := partner(stem)) is not None:
            (raw_keys if paired == stem else other_raws)[paired].add(known[name].photo_stem)
            raws_of[known[name].photo_stem].append(name)
    taken = {known[n].photo_stem for n in rendered if n in known}  # photos holding an image already
    keys: dict[str, str] = {}
    first: dict[str, str] = {}  # stem -> the photo of its first rendered image
    held: set[str] = set()  # photos holding a rendered image already
    for name in rendered:
        stem = stem_of(name)
        key = known[name].photo_stem if name in known else None
        if name in rejoin and rejoin[name] not in held:
            key = rejoin[name]
        elif (key is None or key in held) and stem in alone:
            key = stem if stem not in held and stem not in family else own_key(name)
        elif key is None or key in held:
            fits = [k for k in sorted(raw_keys[stem] - held) if k == stem or k not in taken
                    if not any(other_picture(raw, name) for raw in raws_of[k])]
            own = [k for k in fits if any(same_picture(raw, name) for raw in raws_of[k])]
            others = [k for k in sorted(other_raws[stem] - held - taken)
                      if not any(other_picture(raw, name) for raw in raws_of[k])]
            if own:
                key = own[0]  # the photo of a RAW that is its picture
            elif stem in fits:
                key = stem
            elif others:
                key = others[0]  # the RAW of another spelling indexed alone: they pair
            elif stem not in held and stem not in family:
                key = stem
            else:
                key = own_key(name)
        held.add(key)
        keys[name] = key
        first.setdefault(stem, key)
    for paired, raws in paired_raws.items():
        keys.update(_paired_raw_keys(raws, image_of[paired], first.get(paired, paired), known, same_picture,
                                     other_picture, alone=paired in alone, leaves=left))
    rendered_keys = set(keys.values())
    for stem, raws in lone.items():
        keys.update(_lone_raw_keys(stem, raws, known, same_picture, regroup, rendered_keys, written_first or {}))
    return keys


def _apart(other_picture: SamePicture, left: Mapping[str, str], known: Mapping[str, KnownFile]) -> SamePicture:
    """`other_picture`, which also tells a file renamed in (`left`: name -> the photo it
    leaves) from the files of that photo."""
    if not left:
        return other_picture

    def differ(name: str, other: str) -> bool:
        for one, two in ((name, other), (other, name)):
            if one in left and two in known and known[two].photo_stem == left[one]:
                return True
        return other_picture(name, other)
    return differ


def _merged_pictures(names: list[str], known: Mapping[str, KnownFile], mixed: Collection[str],
                     other_camera: SamePicture, written_first: Mapping[str, int]) -> set[str]:
    """The indexed files there of the photos in `mixed` (a rendered image and RAWs that
    an older version made one photo, their headers read now) that name another camera
    body than a file kept before it (`other_camera`), in the order the files joined the
    photo (_indexed_first): the first one kept its labels' picture, which a CR3 of another
    body copied in later, or a JPEG that joined a labelled CR3, is not. Never on capture
    time alone: users correct that, in the JPEG and the RAW's sidecar (Lightroom) or in
    one file, and a camera's own pair they labelled stays one photo."""
    members: dict[str, list[str]] = defaultdict(list)
    for name in names:
        if name in known and known[name].photo_stem in mixed:
            members[known[name].photo_stem].append(name)
    leaving: set[str] = set()
    for files in members.values():
        kept: list[str] = []
        for name in sorted(files, key=lambda n: _indexed_first(n, known, written_first)):
            if any(other_camera(name, other) for other in kept):
                leaving.add(name)
            else:
                kept.append(name)
    return leaving


def _among_pictures(image: str, raws: list[str], same_picture: SamePicture) -> bool:
    """Whether the rendered image stands alone among the RAWs pairing with it: none is its
    picture, and they are two pictures or more (a JPEG without EXIF beside a D90's NEF and
    an R5's CR3: nothing in it says which it was made from, so a label given to it goes
    into neither RAW's sidecar, whatever order the files came in)."""
    return not any(same_picture(raw, image) for raw in raws) and any(
        not same_picture(one, other) for one, other in itertools.combinations(raws, 2))


def _paired_raw_keys(raws: list[str], image: str, image_key: str, known: Mapping[str, KnownFile],
                     same_picture: SamePicture, other_picture: SamePicture = _never, *,
                     alone: bool = False, leaves: Mapping[str, str] | None = None) -> dict[str, str]:
    """Keys of the RAW files there that pair with the rendered image `image` (its photo
    `image_key`): the camera's RAW+JPEG pair is one photo, but a JPEG and the CR2 and CR3
    of two bodies under one name are not one picture. A RAW keeps its photo; a new one
    joins the photo of its picture, else the image's photo while that holds no RAW yet,
    when it is the image's picture, or the only picture among these RAWs and its header
    does not contradict the image's (a JPEG without EXIF beside its one NEF still pairs;
    another body's CR3 that reached the index before the JPEG's own NEF does not); else
    it is a photo of its own; one renamed in (`leaves`: -> the photo it leaves) never
    joins that photo."""
    leaves = leaves or {}
    pictures: dict[str, list[str]] = defaultdict(list)  # photo key -> its RAWs here
    keys: dict[str, str] = {}
    for name in (n for n in raws if n in known):
        keys[name] = known[name].photo_stem
        pictures[keys[name]].append(name)
    fresh = sorted((n for n in raws if n not in known), key=lambda n: (not same_picture(n, image), _preference(n)))
    for name in fresh:
        key = next((key for key, files in pictures.items() if key != leaves.get(name)
                    and any(same_picture(name, f) for f in files)), None)
        if key is None:
            one_picture = all(same_picture(name, other) for other in raws if other != name)
            joins = not alone and (same_picture(name, image) or (one_picture and not other_picture(name, image)))
            joins = joins and image_key != leaves.get(name)
            key = image_key if not pictures[image_key] and joins else own_key(name)
        keys[name] = key
        pictures[key].append(name)
    return keys


def _lone_raw_keys(stem: str, raws: list[str], known: Mapping[str, KnownFile], same_picture: SamePicture,
                   regroup: Collection[str], rendered_keys: set[str],
                   written_first: Mapping[str, int]) -> dict[str, str]:
    """Keys of the RAW files there of `stem` that no rendered image pairs with: one photo
    a picture. A RAW keeps its photo, but one of a photo in `regroup` (RAWs an older
    version merged) stays only where it is the picture of the first file kept there:
    the one whose sidecar a write for the photo reached first (`written_first`: RAW name
    -> its earliest write batch; the write journal follows a folder moved), else the
    first the index took in (the first indexed is the one labelled; a move that an
    older version adopted renumbered them by name). A
    new one (or one leaving) joins the photo of its picture, deleted files of it
    included (the NEF converted to the DNG beside it, then removed); else the stem's
    key where no RAW of another picture, nor a rendered image, holds it; else a key
    of its own."""
    kept: dict[str, list[str]] = defaultdict(list)  # photo key -> its RAWs of the stem, to compare with
    for name, found in known.items():
        if name not in raws and is_raw_name(name) and stem_of(name) == stem and found.photo_stem not in regroup:
            kept[found.photo_stem].append(name)
    keys: dict[str, str] = {}
    rest: list[str] = []
    for name in sorted(raws, key=lambda n: _indexed_first(n, known, written_first)):
        found = known.get(name)
        if found is None:
            rest.append(name)
        elif found.photo_stem not in regroup or not kept[found.photo_stem] or any(
                same_picture(name, other) for other in kept[found.photo_stem]):
            keys[name] = found.photo_stem
            kept[found.photo_stem].append(name)
        else:
            rest.append(name)
    for name in rest:
        key = next((key for key, files in kept.items() if any(same_picture(name, other) for other in files)), None)
        if key is None:
            key = stem if stem not in rendered_keys and not kept.get(stem) else own_key(name)
        keys[name] = key
        kept[key].append(name)
    return keys


def _indexed_first(name: str, known: Mapping[str, KnownFile],
                   written_first: Mapping[str, int]) -> tuple[int, float, int, tuple[int, str]]:
    """Indexed files in the order they joined their photo (a RAW copied in later beside a
    labelled one must not take its photo, whatever its name): by the first write that
    reached their sidecars, then as the index took them in; then new ones by name."""
    found = known.get(name)
    if found is None:
        return (1, 0, 0, _preference(name))
    return (0, written_first.get(name, math.inf), found.id, _preference(name))


def _partners(rendered_stems: set[str]) -> Callable[[str], str | None]:
    """stem -> the stem whose rendered images the RAWs of `stem` pair with: its own when
    it holds one, else the one spelling of the family that does; None when none does
    or several do (ambiguous: the RAW is a photo of its own)."""
    lone = next(iter(rendered_stems)) if len(rendered_stems) == 1 else None
    return lambda stem: stem if stem in rendered_stems else lone


def photos_of(present: Mapping[str, FileState], fresh: Collection[str],
              known: Mapping[str, KnownFile], unreadable: Collection[str],
              same_picture: SamePicture = _never, regroup: Collection[str] = (),
              written_first: Mapping[str, int] | None = None, *,
              other_picture: SamePicture = _never, mixed: Collection[str] = (),
              other_camera: SamePicture = _never, renamed_in: Mapping[str, int | None] | None = None,
              rejoin: Mapping[str, str] | None = None) -> list[PhotoFiles]:
    """The photos that the files of one family form: those there now (`fresh`: read now),
    and the indexed ones whose files are gone (`unreadable` ones, there but not read
    now, are neither: their rows stay as they are). `same_picture`, `regroup`,
    `written_first`, `other_picture`, `mixed`, `other_camera`, `renamed_in`, `rejoin`: see photo_keys
    (`renamed_in`: file name -> the photo whose picture it holds now, None if not known)."""
    renamed_in = renamed_in or {}
    keys = photo_keys(present, known, same_picture, regroup, written_first, other_picture=other_picture,
                      mixed=mixed, other_camera=other_camera, renamed_in=renamed_in, rejoin=rejoin)
    photos: dict[str, PhotoFiles] = {}
    for name, key in keys.items():
        photo = photos.setdefault(key, PhotoFiles(key))
        photo.present.append(present[name])
        photo.touched |= name in fresh
        if name in known and known[name].photo_stem != key:  # an image merged with another by an older scan
            photo.split = True
            if name in renamed_in:
                photo.renamed_in, photo.renamed_from = True, renamed_in[name]
            photos.setdefault(known[name].photo_stem, PhotoFiles(known[name].photo_stem)).regrouped = True
    for name, k in known.items():
        photo = photos.setdefault(k.photo_stem, PhotoFiles(k.photo_stem))
        photo.photo_id = k.photo_id
        if k.missing:
            photo.stale = True
        elif name not in keys and name not in unreadable:
            photo.vanished.append(k)
    return list(photos.values())


def families_to_mend(known: Mapping[str, KnownFile]) -> set[str]:
    """Families whose photos an older scan left wrong, to be read again though no file
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
    return {family_of(name) for name, k in known.items() if k.photo_id in wrong} if wrong else set()

"""Which photo a sidecar named by a stem (`DSC_8188.xmp`) belongs to when several
photos of one folder share that stem: `DSC_8188.NEF` + `.JPG` beside an exported
`DSC_8188.tif`, or `IMG_0100.png` beside `IMG_0100.tif`. A label written into another
photo's sidecar replaces that photo's, and one read back from it labels a photo never
labelled, so the sidecar goes to one photo or to none. One that names another file
(Lightroom's DSC_0001.xmp of a DSC_0001.CR2 we cannot read) is none of ours, even
beside a single photo of that stem.

What the files say decides here (the scan reads labels back by it); a write also
asks our journal when they say nothing (plan_targets.sidecar_owner)."""

from __future__ import annotations

from pathlib import Path
from typing import Hashable, Mapping, Sequence, TypeVar

from app.core.index.pairing import is_raw_name
from app.core.metadata.xmp import XMP_MM, XmpDocument
from app.core.path_case import DiskNames, fold, names_one_entry

Key = TypeVar("Key", bound=Hashable)

CRS = "http://ns.adobe.com/camera-raw-settings/1.0/"
# where a sidecar names the photo it was made for: Lightroom and Camera Raw write
# crs:RawFileName="DSC_8188.NEF", darktable xmpMM:DerivedFrom="DSC_8188.NEF"
NAMING_FIELDS = ((CRS, "RawFileName"), (XMP_MM, "DerivedFrom"))


def is_stem_sidecar(sidecar: Path, path: Path, names: DiskNames | None = None) -> bool:
    """Whether `sidecar` is `path`'s by its stem (DSC_8188.xmp of DSC_8188.NEF), the
    name every photo of that stem in the folder shares; on a case-insensitive disk
    (macOS, Windows), one that opens the photo under the sidecar's stem too
    (dsc_8188.xmp of DSC_8188.NEF, which Lightroom there reads as the RAW's). `names`:
    the listings a write plan shares (path_case.names_one_entry)."""
    if sidecar.parent != path.parent or sidecar.suffix.lower() != ".xmp":
        return False
    return sidecar.stem == path.stem or names_one_entry(path, sidecar.stem + path.suffix, names)


def files_of_stem(sidecar: Path, files: Sequence[str | Path], names: DiskNames | None = None) -> list[Path]:
    """Those of `files` that lie beside the stem sidecar and share its stem."""
    return [Path(file) for file in files if is_stem_sidecar(sidecar, Path(file), names)]


def owner_by_files(sidecar: Path, photos: Mapping[Key, Sequence[Path]], names: list[str] | None = None) -> Key | None:
    """The photo of `photos` (each with its files of the sidecar's stem) the stem
    sidecar belongs to by what the files say: the one the sidecar names
    (NAMING_FIELDS); nobody when it names another file (names_another_file); else the
    only photo; else the only one with a RAW file (Lightroom reads X.xmp for a RAW,
    never for a TIFF or PNG). None when that does not tell (IMG_0100.png and
    IMG_0100.tif, a sidecar naming neither): it is nobody's. `names`: names_in's, if read."""
    names = names_in(sidecar) if names is None else names
    named = _photo_named(names, photos)
    if named is not None:
        return named
    if names_another_file(sidecar, photos, names):
        return None
    if len(photos) == 1:
        return next(iter(photos))
    raws = [key for key, files in photos.items() if any(is_raw_name(file.name) for file in files)]
    return raws[0] if len(raws) == 1 else None


def names_another_file(sidecar: Path, photos: Mapping[Key, Sequence[Path]], names: list[str] | None = None) -> bool:
    """Whether the stem sidecar names (NAMING_FIELDS) a file that is none of `photos`'
    files: one of its stem (Lightroom's DSC_0001.xmp of a DSC_0001.CR2 this app cannot
    read, or one deleted since, beside our DSC_0001.NEF) or one there beside it. It is
    that file's, never theirs: writing into it would put our label on another picture
    and take its keywords out, and reading it back would give them that picture's
    label and date. One naming a file of another stem that is gone (the pair renamed
    with its sidecar) still goes by the files. `names`: names_in's, if read."""
    names = names_in(sidecar) if names is None else names
    if not names or _photo_named(names, photos) is not None:
        return False
    ours = {fold(file.name) for files in photos.values() for file in files}
    stem = fold(sidecar.stem)
    for name in names:
        if fold(name) in ours:
            continue  # several of them named: not another file's
        if fold(name.rpartition(".")[0] or name) == stem or _is_file(sidecar.parent / name):
            return True
    return False


def names_only_files_gone(sidecar: Path, names: list[str]) -> bool:
    """Whether the sidecar names files (`names`: names_in's) and none of them is beside
    it now (DSC_0001.NEF converted to DSC_0001.DNG, then deleted)."""
    return bool(names) and not any(_is_file(sidecar.parent / name) for name in names)


def named_anew(sidecar: Path, data: bytes, made_for: str) -> bytes | None:
    """The stem sidecar's bytes naming `made_for` in xmpMM:DerivedFrom where that
    field names a file gone from beside it (our DSC_0001.xmp made for a NEF converted
    to DNG and deleted), so that any index reading it finds it the photo's, not the
    gone file's; None where it names nothing so. crs:RawFileName is Lightroom's, never
    changed."""
    document = XmpDocument.read(data)
    named = document.get_text(XMP_MM, "DerivedFrom") if document is not None else None
    if not named:
        return None
    name = named.replace("\\", "/").rsplit("/", 1)[-1]
    if fold(name) == fold(made_for) or _is_file(sidecar.parent / name):
        return None
    document = XmpDocument.parse(data, str(sidecar))
    document.set_text(XMP_MM, "DerivedFrom", made_for)
    return document.serialize(padding=0)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name the file system cannot hold
        return False


def _photo_named(names: list[str], photos: Mapping[Key, Sequence[Path]]) -> Key | None:
    """The photo with the file the sidecar names (`names`: names_in's), exactly, else
    in another letter case or Unicode form (a sidecar made on Windows, a name macOS
    stores decomposed); None when it names none of them, or several."""
    for same in (str, fold):
        wanted = {same(name) for name in names}
        found = [key for key, files in photos.items() if any(same(file.name) in wanted for file in files)]
        if len(found) == 1:
            return found[0]
    return None


def names_in(sidecar: Path) -> list[str]:
    """The file names the sidecar says it was made for (a path's last part), if any."""
    try:
        document = XmpDocument.read(sidecar.read_bytes())
    except OSError:
        return []
    if document is None:
        return []
    values = (document.get_text(namespace, local) for namespace, local in NAMING_FIELDS)
    return [value.replace("\\", "/").rsplit("/", 1)[-1] for value in values if value]

"""Which files a write plan writes a photo's label into, and which of those it must
refuse or leave out: a sidecar two photos would share, one file reached under two
paths, a JPEG's old sidecar or a rejected photo's file holding nothing of ours.
Building each file's item is plan.py's."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.index.connection import db_text
from app.core.index.held_as_suggested import is_held
from app.core.index.pairing import is_raw_name
from app.core.metadata.sidecar import existing_sidecars, sidecar_path
from app.core.metadata.sidecar_owner import (files_of_stem, is_stem_sidecar, names_another_file, names_in,
                                             names_only_files_gone, owner_by_files)
from app.core.path_case import DiskNames, as_listed, finds_other_case, fold

if TYPE_CHECKING:
    from app.core.index import PhotoIndex, PhotoRecord
    from app.core.metadata.journal import JournalEntry
    from app.core.metadata.plan import PlannedWrite, WriteOptions


def first_owner(index: PhotoIndex, written: dict[str, frozenset[int]], target: Path, photo_id: int,
                source: Path | None = None) -> int:
    """The photo a file belongs to when another photo plans into it too: the one our
    writes (`written`: journal.sidecar_writers) put a label into it for, whatever the
    query, while the index still holds it (a forgotten photo owns nothing) with `source`,
    the file it is planned for (IMG_0001.NEF of IMG_0001.NEF.xmp: a RAW an older version
    merged with another picture's is a photo of its own since); else the first photo
    planned into it (`photo_id`)."""
    writers = sorted(written.get(str(target), ()))
    if not writers or photo_id in writers:
        return photo_id
    marks = ",".join("?" * len(writers))
    holding = "" if source is None else (
        " AND EXISTS (SELECT 1 FROM files f WHERE f.photo_id = photos.id AND f.path = CAST(? AS TEXT))")
    held = index.conn.execute(f"SELECT min(id) FROM photos WHERE missing = 0 AND id IN ({marks}){holding}",
                              [*writers, *([] if source is None else [db_text(str(source))])]).fetchone()
    return int(held[0]) if held[0] is not None else photo_id


def sidecar_owner(
    index: PhotoIndex, written: dict[str, frozenset[int]], target: Path, source: Path, photo_id: int,
    names: DiskNames | None = None, stems: FolderStems | None = None,
) -> int | None:
    """The photo `target`, planned for `source` of photo `photo_id`, belongs to; None
    for a stem sidecar nobody can be said to own. A stem sidecar that names another
    file (crs:RawFileName="DSC_0001.CR2" beside our DSC_0001.NEF) is that file's, even
    with no other photo of its stem indexed (sidecar_owner.names_another_file). One
    (IMG_0100.xmp) that other indexed photos of its folder share goes by what the files say
    (sidecar_owner.owner_by_files: the photo it names, else the RAW), then to the photo
    our journal shows writing it; one no write of ours made (an index built anew, a
    folder forgotten and added again) is nobody's, and is left alone. One still to be
    created goes to the first photo planned into it, and from then on by the journal.
    Other files go by first_owner. `names`: the plan's folder listings, one a folder (a
    FUSE exFAT card is asked by listing: once a photo made a plan O(n²)); `stems`: the
    plan's FolderStems, for the same reason on a disk that ignores case."""
    names = names or DiskNames()
    if not is_stem_sidecar(target, source, names):
        return first_owner(index, written, target, photo_id, source)
    any_case = finds_other_case(source, names)
    photos = _photos_of_stem(index, target, names, stems if any_case else None, any_case=any_case)
    names_said = names_in(target)
    if set(photos) <= {photo_id}:
        # Lightroom's DSC_0001.xmp of a DSC_0001.CR2 that is no photo of ours is the CR2's
        return None if names_another_file(target, photos or {photo_id: [source]}, names_said) and not (
            _made_by_us_for_gone(index, written, target, photo_id, names_said)) else photo_id
    owner = owner_by_files(target, photos, names_said)
    if owner is None and _made_by_us_for_gone(index, written, target, photo_id, names_said):
        return photo_id
    if owner is not None or names_another_file(target, photos, names_said):
        return owner  # (not to the photo our journal shows writing it: what the file says wins)
    writers = sorted(set(written.get(str(target), ())) & set(photos))
    if writers:
        return writers[0]
    return None if target.exists() else photo_id


def _made_by_us_for_gone(index: PhotoIndex, written: dict[str, frozenset[int]], target: Path, photo_id: int,
                         names_said: list[str]) -> bool:
    """Whether the stem sidecar names only files gone from beside it and a write of ours
    for this photo created it (not undone): ours, made for a file of the photo then
    (DSC_0001.NEF, converted to DSC_0001.DNG and deleted), not another picture's."""
    if photo_id not in written.get(str(target), ()) or not names_only_files_gone(target, names_said):
        return False
    return index.conn.execute(
        "SELECT 1 FROM write_journal j JOIN write_batches b ON b.id = j.batch_id WHERE j.path = CAST(? AS TEXT)"
        " AND j.photo_id = ? AND j.kind = 'sidecar' AND b.undone_at IS NULL"
        " AND json_extract(j.before, '$.absent') = 1 LIMIT 1",
        (db_text(str(target)), photo_id),
    ).fetchone() is not None


def _photos_of_stem(index: PhotoIndex, sidecar: Path, names: DiskNames, stems: FolderStems | None = None,
                    any_case: bool = False) -> dict[int, list[Path]]:
    """The indexed photos with files of the stem sidecar's stem in its folder, and
    those files (a deleted RAW of a pair still counts: the photo is the RAW's);
    `any_case`: the folder ignores letter case, so DSC_8188.NEF shares dsc_8188.xmp
    with dsc_8188.tif (looked up in `stems`, the plan's, else in the folder read anew)."""
    if any_case:
        rows = (stems or FolderStems(index)).files_of(sidecar.parent, sidecar.stem)
    else:
        prefix = str(sidecar.with_suffix(""))
        rows = index.conn.execute(
            "SELECT f.photo_id, f.path FROM files f JOIN photos p ON p.id = f.photo_id"
            " WHERE f.path > CAST(? AS TEXT) AND f.path < CAST(? AS TEXT) AND p.missing = 0",
            (db_text(prefix + "."), db_text(prefix + "/")),  # '/' sorts right after '.'
        ).fetchall()
    photos: dict[int, list[Path]] = {}
    for photo_id, path in rows:
        for file in files_of_stem(sidecar, [path], names):
            photos.setdefault(photo_id, []).append(file)
    return photos


class FolderStems:
    """The files of the indexed photos of each folder a write plan asks about, read once
    a folder and kept by their folded stem. On a disk that ignores case a stem sidecar
    (dsc_8188.xmp) is shared with files of its stem in any case, which the index on
    stems (case-sensitive) cannot find: looked up one sidecar at a time, each read the
    whole folder, O(n²) in a card folder of RAWs. A plan changes no photo of the index,
    so what is read stays true while it runs."""

    def __init__(self, index: PhotoIndex) -> None:
        self._index = index
        self._folders: dict[Path, dict[str, list[tuple[int, str]]]] = {}

    def files_of(self, folder: Path, stem: str) -> list[tuple[int, str]]:
        """(photo id, path) of each file in `folder` whose stem is `stem` in any letter
        case or Unicode form, of photos still in the library (its files on the disk or not)."""
        if folder not in self._folders:
            self._folders[folder] = self._read(folder)
        return self._folders[folder].get(fold(stem), [])

    def _read(self, folder: Path) -> dict[str, list[tuple[int, str]]]:
        rows = self._index.conn.execute(
            "SELECT f.photo_id, f.path FROM photos p JOIN files f ON f.photo_id = p.id"
            " WHERE p.folder = CAST(? AS TEXT) AND p.missing = 0",
            (db_text(str(folder)),),
        ).fetchall()
        by_stem: dict[str, list[tuple[int, str]]] = {}
        for photo_id, path in rows:
            by_stem.setdefault(fold(Path(path).stem), []).append((photo_id, path))
        return by_stem


def one_write_a_file(plan: list[PlannedWrite], names: DiskNames | None = None) -> list[PlannedWrite]:
    """The plan with one write for each file on disk: a folder linked into two library
    folders holds each file under two paths (two photos to the index), and two writes
    into one file race (one label overwrites the other, or a write reported done leaves
    the file as it was). The photo indexed first keeps the file; the other is refused,
    naming the path it is written under. One photo's two names of one file (the stem
    sidecars of DSC_8188.JPG and dsc_8188.nef, a pair, on a disk that ignores case) are
    one write, under the RAW's name. `names`: the plan's folder listings."""
    kept: dict[tuple, PlannedWrite] = {}
    folders: dict[Path, tuple[int, int] | None] = {}
    names = names or DiskNames()
    refused: dict[int, PlannedWrite | None] = {}
    for item in sorted(plan, key=lambda item: (item.photo_id, not is_raw_name(item.source.name))):
        identity = None if item.problem else _file_identity(item.target, folders, names)
        if identity is None:
            continue
        first = kept.setdefault(identity, item)
        if first.target != item.target:
            refused[id(item)] = (None if first.photo_id == item.photo_id else
                                 replace(item, after=item.before, problem=_same_file_problem(item, first.target)))
    return [refused.get(id(item), item) for item in plan if refused.get(id(item), item) is not None]


def _same_file_problem(item: PlannedWrite, written: Path) -> str:
    """Why `item` cannot be written: its file is `written`, another photo's. Where one
    of the two names is a link to the other's file (B.NEF.xmp -> A.NEF.xmp: one sidecar
    for two RAWs), that link is the cause; two names in one folder, a disk that ignores
    letter case; else a folder linked into two library folders."""
    whose = "another photo's sidecar" if item.kind == "sidecar" else "another photo's file"
    if item.target.is_symlink():
        return (f"{item.target.name} is a link to {written}, {whose}, whose label goes into it; "
                "replace the link with a file of its own")
    if written.is_symlink():
        return (f"{written} ({whose}, whose label goes into it) is a link to this file; "
                "replace that link with a file of its own")
    if item.target.parent == written.parent and item.target.name != written.name:
        way_out = ("write with --sidecar-naming ext (one sidecar a file) instead"
                   if is_stem_sidecar(item.target, item.source) else "rename one of the two photos")
        return (f"{item.target.name} is {written.name} ({whose}, whose label goes into it) on this disk, "
                f"which ignores letter case; {way_out}")
    return (f"it is the same file as {written} (one folder linked into two library folders), "
            "whose label goes into it; remove one of the two links, then scan again")


def _file_identity(target: Path, folders: dict[Path, tuple[int, int] | None], names: DiskNames) -> tuple | None:
    """What tells two paths of one file apart from two files: the device and inode of
    the folder it lies in (`folders` keeps them, one stat a folder) and its name, in
    any letter case where the folder ignores case (`names` lists each folder once:
    DSC_8188.xmp and dsc_8188.xmp are one file on macOS, Windows or an exFAT card),
    a link named like a photo followed (it is written through). Hard links keep their
    own names: a write replaces the file under the name written. None when unknown."""
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if target.parent not in folders:
        try:
            found = target.parent.stat()
            folders[target.parent] = (found.st_dev, found.st_ino)
        except OSError:
            folders[target.parent] = None
    folder = folders[target.parent]
    if folder is None:
        return None
    return (*folder, fold(target.name) if names.ignores_case(target.parent) else os.path.normcase(target.name))


def takes_ours_out(item: PlannedWrite, only_changes: bool) -> bool:
    """Whether a file planned only because a keyword of ours may be in it (a rejected
    photo's, a JPEG's old sidecar) belongs in the plan: one of ours is there and it
    changes, or (not `only_changes`) it cannot be written now. Others are left out:
    a sidecar darktable made for a JPEG gets no label from us."""
    if item.previous_label is None:
        return False
    return item.changes_anything or (not only_changes and item.problem is not None)


def withdrawn_suggestion(photo: PhotoRecord, written_photos: frozenset[int], written_for: set[str]) -> bool:
    """Whether a photo whose suggestion became "no landmark" (a newer model's threshold,
    a place forgotten) is planned as a rejected one is: where a write of ours may have
    put the suggestion's keyword into its files (`written_photos`: journal.photos_written;
    `written_for`: the files and stems of the sidecars our writes made). That keyword is
    ours, put there unreviewed, and nothing in the index stands behind it any more: the
    file would go on naming the landmark, and an index built anew read it back as
    accepted. So every write takes it out, --include-suggested or not. Most "no landmark"
    photos were never written: their files are not read."""
    if photo.id in written_photos:
        return True
    return any(file in written_for or str(Path(file).with_suffix("")) in written_for for file in photo.files)


def taken_back_accept(photo: PhotoRecord, written_photos: frozenset[int], include_suggested: bool) -> bool:
    """Whether a photo suggested now (its label not accepted) is planned as a rejected one
    is, its keyword taken out of each file our newest write put it into while it was
    accepted (written_as_accepted): the user took that accept back (`undo --review`, the
    app's Ctrl+Z) after the write. The file would go on saying the label is confirmed,
    which other programs and an index built anew read back as accepted. Not with
    `include_suggested`, which writes the suggestion; nor a keyword written as a
    suggestion (`write --include-suggested`, or found there by one: held_as_suggested)
    or that no write of ours put there."""
    return (photo.state == "suggested" and photo.label is not None and not include_suggested
            and photo.id in written_photos)


def written_as_accepted(index: PhotoIndex, entry: JournalEntry | None, photo_id: int) -> str | None:
    """The label our newest write of a file (`entry`, not undone) put into it for this
    photo while the photo's label was accepted; None for none (no write, another photo's,
    a keyword taken out, a suggestion written, or a write older than the state recorded),
    and where a `write --include-suggested` since found it there (held_as_suggested)."""
    if entry is None or entry.photo_id != photo_id or entry.after.get("state") != "accepted":
        return None
    if is_held(index.conn, entry.after):
        return None
    return entry.after.get("label") or None


def label_taken_back(index: PhotoIndex, targets: list[Path], photo_id: int) -> list[Path]:
    """The targets of a photo with no label now (no row: unlabelled) whose newest write of
    ours, not undone, put a keyword there for it: the user took back the `label` that gave
    it one (`undo --review`, the app's Ctrl+Z of L) after that write. Nothing in the index
    stands behind the keyword, which other programs and an index built anew read as the
    user's label: planned as a rejected label is, it comes out (the user's own keywords
    stay). A keyword no write of ours put there, or one written for another photo, is left."""
    from app.core.metadata.journal import file_history

    return [target for target in targets if (entry := file_history(index, target).last_entry) is not None
            and entry.photo_id == photo_id and entry.after.get("label")]


def left_over_sidecars(targets: list[Path], written: dict[str, frozenset[int]], photo_id: int) -> list[Path]:
    """The sidecars of an unlabelled photo's file that our writes put a keyword into for
    other photos only: IMG_0001.NEF.xmp of a NEF an older version merged with the KDC
    beside it, written with the merged photo's label. The split left that keyword there
    (nothing is read back for a split photo), for Lightroom to show on the wrong picture
    and a new index to read back as the user's; it comes out as a rejected label's does.
    Where a writer still holds the file, the sidecar is that photo's (sidecar_owner)."""
    return [target for target in targets if photo_id not in written.get(str(target), {photo_id})]


def jpeg_sidecars(
    written: dict[str, frozenset[int]], photo_id: int, path: Path, kind: str | None, options: WriteOptions,
    names: DiskNames | None = None,
) -> list[Path]:
    """The sidecars of a JPEG labelled inside itself that a `--no-jpeg` write of ours
    put its landmark into (darktable and digiKam read them). Only those the journal
    (`written`: journal.sidecar_writers) shows written for this photo and no other:
    IMG_0100.xmp may be IMG_0100.PNG's."""
    if kind != "jpeg" or not options.write_into_jpeg:
        return []
    return [sidecar for sidecar in sidecars_as_listed(path, options.sidecar_naming, names)
            if written.get(str(sidecar)) == {photo_id}]


def shared_sidecar(item: PlannedWrite, owned: bool = True) -> PlannedWrite:
    """Two photos (IMG_0100.JPG and IMG_0100.PNG, say) would write one sidecar named
    by their common stem: its owner (sidecar_owner) keeps it, the other is refused with
    the way out; so is each of them where it is nobody's (`owned` False), naming the
    file it names if any (Lightroom's DSC_0001.xmp of a DSC_0001.CR2)."""
    named = [] if owned else [name for name in names_in(item.target) if fold(name) != fold(item.source.name)]
    why = (f"another photo's label goes into {item.target.name} too" if owned else
           f"{item.target.name} is {named[0]}'s sidecar (it names that file)" if named else
           f"{item.target.name} may be another photo's of that name (it names none of them, "
           "and no write of ours in this index made it)")
    return replace(item, after=item.before,
                   problem=f"{why}; write with --sidecar-naming ext (one sidecar a file) instead")


def write_targets(path: Path, kind: str | None, options: WriteOptions, names: DiskNames | None = None) -> list[Path]:
    """Where the label of `path` goes: into the JPEG itself, else into each sidecar that
    exists under either name (DSC_8188.xmp is Lightroom's, DSC_8188.NEF.xmp darktable's:
    each app reads only its own), else into a new one named as configured. `names`: the
    plan's folder listings."""
    if kind == "jpeg" and options.write_into_jpeg:
        return [path]
    return sidecars_as_listed(path, options.sidecar_naming, names) or [sidecar_path(path, options.sidecar_naming)]


def sidecars_as_listed(path: Path, naming: str, names: DiskNames | None = None) -> list[Path]:
    """existing_sidecars of `path`, each under the name its folder lists it by (the
    user's DSC_8188.XMP, dsc_8188.nef.xmp): replaced under our spelling, a file on a
    disk that ignores case (macOS, Windows, an exFAT card) takes our spelling, and undo,
    going by the journal, would leave it so. Only a sidecar we create is named by us."""
    names = names or DiskNames()
    return [as_listed(sidecar, names) for sidecar in existing_sidecars(path, naming, names)]

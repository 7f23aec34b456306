"""What a scan records about a photo: the metadata of the file that stands for it.

The scanner decides which files form a photo (pairing.py; an unreadable RAW stays with its
readable JPEG here); this module decides which of those files describes it — the primary's header, the RAW's date, camera and GPS where
the JPEG was exported without them, the date a RAW's XMP sidecar gives where the RAW
has none, and the landmark keyword this app wrote, from the file or from the sidecar
that wins over it.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from app.core.errors import PhotoReadError
from app.core.index.pairing import PhotoFiles, is_raw_name
from app.core.capture_time import xmp_timestamp
from app.core.metadata.read_back import landmarks_in_sidecars, same_landmark, sidecar_packets
from app.core.metadata.sidecar import evicted_sidecars
from app.core.metadata.xmp import XmpDocument
from app.core.photo_info import PhotoInfo, primary_of, read_photo_info

_SHOT_DETAILS = ("taken_at", "camera_make", "camera_model", "lens")


def read_photo_details(group: PhotoFiles, infos: dict[str, PhotoInfo],
                       read_quietly: Callable[[str], PhotoInfo | None], reread: bool = False,
                       family: Sequence[PhotoFiles] = ()) -> None:
    """Set `group.info`: the metadata of the file that stands for the photo, taken from
    `infos` (the files read in this scan) or read now (`read_quietly`, which reports a
    failure and gives None) when the photo's files changed otherwise or it is marked to
    be read again (`reread`: app/core/index/rereads.py). `family`: the photos of its
    stem in the folder, which may share its stem sidecar (IMG_0100.xmp)."""
    if not group.present:
        return
    primary = primary_of([Path(f.path) for f in group.present])
    group.info = infos.get(primary.name)
    changed = group.touched or group.vanished or group.stale or group.split or group.regrouped
    if group.info is None and (changed or reread):
        group.info = read_quietly(str(primary))
    if group.info is not None and _lacks_shot_details(group.info):
        group.info = _with_siblings_details(group, primary.name, infos)
    if group.info is not None and group.info.kind == "raw" and (group.info.taken_at is None
                                                                or group.info.dated_by_modify_date):
        group.info = _with_sidecar_date(group.info, group, family)
    if group.info is not None and ((group.split and not group.renamed_in) or not changed):
        # split: the keyword in its files (or sidecar) was written for the photo it was
        # merged into; read again only for its metadata: its labels stay as they are. A file
        # renamed over a pair's JPEG brought its keyword with its picture: read back, as a new
        # index would, so that the index and the file agree
        group.info = replace(group.info, landmark=None)
    elif group.info is not None:
        group.info = _with_read_back(group.info, primary, group, family)


def _with_read_back(info: PhotoInfo, primary: Path, group: PhotoFiles, family: Sequence[PhotoFiles]) -> PhotoInfo:
    """`info` with the landmark keyword to read back and every file of the photo holding
    it (`landmark_files`: the index records them, so a relabel replaces that keyword
    there and no other). RAW, PNG, TIFF, HEIC (and JPEGs written with --no-jpeg) get
    theirs in a sidecar, which wins over a keyword inside such a file: that is where
    this app wrote the photo's latest label (another program put the one inside).
    Sidecars are looked in only when a file of the photo was read now."""
    found = list(landmarks_in_sidecars([f.path for f in group.present],
                                       [[f.path for f in photo.present] for photo in family])
                 ) if group.touched else []
    in_sidecar = bool(found) and (info.landmark is None or info.kind != "jpeg")
    landmark, taught = found[0][1:] if in_sidecar else (info.landmark, info.landmark_taught)
    if landmark is None:
        return info
    inside = [str(primary)] if info.landmark is not None and same_landmark(info.landmark, landmark) else []
    files = inside + [str(sidecar) for sidecar, name, _ in found if same_landmark(name, landmark)]
    return replace(info, landmark=landmark, landmark_files=tuple(files), landmark_taught=taught)


def sidecars_in_icloud(group: PhotoFiles) -> list[str]:
    """The sidecars iCloud evicted of a photo whose files were read now, whose label
    would have been read back: not read (that would download them), so the scan says so
    rather than let the photo pass for one that never had a label."""
    if not group.touched or (group.split and not group.renamed_in):
        return []
    return list(dict.fromkeys(str(sidecar) for state in group.present for sidecar in evicted_sidecars(Path(state.path))))


def _lacks_shot_details(info: PhotoInfo) -> bool:
    """No date and no camera: its metadata was stripped (a camera's own JPEG has both;
    lens and GPS alone are often absent, and would cost a read of the RAW each rescan)."""
    return info.taken_at is None and info.camera_model is None


def _fill_shot_details(info: PhotoInfo, other: PhotoInfo) -> PhotoInfo:
    """`info` with the shot details it lacks taken from `other` (the same shot's other
    file); size and orientation stay `info`'s own, as they describe its image."""
    filled = {name: getattr(other, name) for name in _SHOT_DETAILS if getattr(info, name) is None}
    if info.gps_lat is None and other.gps_lat is not None:
        filled.update(gps_lat=other.gps_lat, gps_lon=other.gps_lon)
    return replace(info, **{name: value for name, value in filled.items() if value is not None})


def _with_siblings_details(group: PhotoFiles, primary: str, infos: dict[str, PhotoInfo]) -> PhotoInfo:
    """A JPEG exported without its metadata (privacy export, some editors) stands for
    a pair whose RAW still says when, with what and where: take those from the RAW,
    so the photo is not lost to date, camera and GPS searches. Rare, so the sibling
    is read only then."""
    info = group.info
    for state in group.present:
        if state.name == primary or state.kind != "raw" or not _lacks_shot_details(info):
            continue
        sibling = infos.get(state.name)
        if sibling is None:
            try:
                sibling = read_photo_info(state.path)
            except (PhotoReadError, OSError):
                continue  # its own problem was reported when it was scanned
        info = _fill_shot_details(info, sibling)
    return info


def _with_sidecar_date(info: PhotoInfo, group: PhotoFiles, family: Sequence[PhotoFiles]) -> PhotoInfo:
    """A RAW without a date of its own, or dated only by its ModifyDate (the last resort),
    takes the one its XMP sidecar gives: Lightroom's Edit Capture Time and digiKam put it
    there, leaving the RAW as it is."""
    taken_at = sidecar_taken_at([f.path for f in group.present], [[f.path for f in photo.present] for photo in family])
    return info if taken_at is None else replace(info, taken_at=taken_at, dated_by_modify_date=False)


def sidecar_taken_at(files: Sequence[str], family: Sequence[Sequence[str]] = ()) -> str | None:
    """The capture time the first XMP sidecar of `files` that gives one holds
    (exif:DateTimeOriginal, photoshop:DateCreated, xmp:CreateDate), None where none does;
    `family`: as for read_back.sidecar_packets (a stem sidecar counts only where it is theirs)."""
    for packet in sidecar_packets(files, family):
        document = XmpDocument.read(packet)
        taken_at = xmp_timestamp(document) if document is not None else None
        if taken_at is not None:
            return taken_at
    return None


def raw_sidecar_dates(folder: str, names: Sequence[str], skip: Collection[str] = ()) -> dict[str, str]:
    """{RAW name: the capture time its own sidecar gives} of the family `names` in
    `folder` where a rendered image or another RAW is there to compare it with (pairing
    compares the times of files: a time edited in Lightroom is in the RAW's sidecar);
    those of `skip` (in the cloud: reading would download them) are not looked at."""
    raws = [name for name in names if is_raw_name(name) and name not in skip]
    if not raws or len(names) < 2:
        return {}
    paths = {name: os.path.join(folder, name) for name in names}
    family = [[path] for path in paths.values()]
    dates = {name: sidecar_taken_at([paths[name]], family) for name in raws}
    return {name: taken_at for name, taken_at in dates.items() if taken_at is not None}


def pair_unread_raws(group: PhotoFiles, unread: dict[str, str], failed: set[str],
                     report: Callable[[str, str], None]) -> None:
    """A RAW file the decoder cannot read (`unread`: name -> why; a camera newer than
    LibRaw, or a damaged file) still belongs with its readable JPEG (or HEIC, TIFF): that
    file stands for the photo, and the RAW gets the label in its sidecar. The problem is
    reported either way (`report(path, message)`); a RAW with no readable sibling leaves
    the group for `failed`, as any unreadable file."""
    sibling = next((f.name for f in group.present if f.name not in unread and f.kind != "raw"), None)
    for state in [f for f in group.present if f.name in unread]:
        message = unread[state.name]
        if sibling is None:
            report(state.path, message)
            failed.add(state.name)
            group.present.remove(state)
            continue
        report(state.path, f"{message}; {sibling} stands for the photo and the RAW file still gets "
                           "its label in a sidecar")

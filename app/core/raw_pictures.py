"""Whether two RAW files of one name stem in a folder are one picture, as the scan
decides it (app/core/index/pairing.py asks; this module answers from the headers).

A rendered image and its RAW of one stem are the camera's RAW+JPEG pair. Two RAW files
of one stem without a rendered image are not, as a rule: two Canon bodies on one trip
both write IMG_0001.CR2 or .CR3, a Nikon and a Kodak both a DSC_0001. Only a copy of the
picture keeps the stem and says so: a DNG that Adobe DNG Converter made from the NEF
beside it keeps the capture time (sub-seconds too) and the camera. So two RAWs are one
picture when both say when they were taken and it is the same moment, and no camera
tells them apart; a RAW that says nothing of when stays a photo of its own (merging
two pictures gives one of them the other's label, and hides it from tagging and search).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from app.core.camera_names import camera_name
from app.core.index.catalog import FileState, KnownFile
from app.core.index.pairing import is_raw_name, stem_of
from app.core.photo_info import PhotoInfo


@dataclass(frozen=True)
class Shot:
    """When, and with what, a RAW file says it was taken (None where it does not)."""

    taken_at: str | None
    camera: str | None

    @classmethod
    def of(cls, info: PhotoInfo) -> Shot:
        return cls(info.taken_at, camera_name(info.camera_make, info.camera_model))


def same_shot(one: Shot | None, other: Shot | None) -> bool:
    """Whether two RAW files' shots are one picture: both dated, the same second (and the
    same fraction where both give one; the time zone aside, which a converter may drop),
    and their cameras not two ("NIKON D850" and "Nikon D850" are one)."""
    if one is None or other is None or not one.taken_at or not other.taken_at:
        return False
    (second, fraction), (other_second, other_fraction) = _moment(one.taken_at), _moment(other.taken_at)
    if second != other_second or (fraction and other_fraction and fraction != other_fraction):
        return False
    camera, other_camera = _plain(one.camera), _plain(other.camera)
    return not camera or not other_camera or camera in other_camera or other_camera in camera


def other_shots(one: Shot | None, other: Shot | None) -> bool:
    """Whether two files' shots say they are two pictures: both dated and a second apart,
    or two cameras. A file that says nothing (a JPEG without EXIF) contradicts nothing."""
    if one is None or other is None:
        return False
    if one.taken_at and other.taken_at and _moment(one.taken_at)[0] != _moment(other.taken_at)[0]:
        return True
    return other_cameras(one, other)


def other_cameras(one: Shot | None, other: Shot | None) -> bool:
    """Whether two files name two camera models (both named, neither name holding the
    other: "NIKON D70s" is taken for an edit of "NIKON D70"). Unlike a capture time,
    which users correct in one file and not the other, a model is never edited. Two bodies
    of one model are not told apart: no body serial number is read."""
    camera, other_camera = _plain(one.camera if one else None), _plain(other.camera if other else None)
    return bool(camera and other_camera and camera not in other_camera and other_camera not in camera)


def _moment(taken_at: str) -> tuple[str, str]:
    """("2021-05-01T10:11:12", "25") of "2021-05-01T10:11:12.250+02:00"."""
    fraction = re.match(r"\.(\d+)", taken_at[19:])
    return taken_at[:19], fraction.group(1).rstrip("0") if fraction else ""


def _plain(camera: str | None) -> str:
    return re.sub(r"[\W_]", "", (camera or "").casefold())


class SamePictures:
    """same_picture(name, other) for the files of one family of a folder being scanned:
    a file read now by its header (`infos`), an indexed one not read now by what its
    photo's row says (that photo's file that stood for it was read when it was stored).
    A RAW's XMP sidecar date (`sidecar_dates`) may excuse a disagreement of the headers,
    never make one: Lightroom's Edit Capture Time writes the new time there and into the
    JPEG, never into the RAW, so a pair edited in both agrees as edited; but a sidecar is a
    side file, copied from another photo or edited on the RAW alone, so files whose own
    headers agree are one picture whatever it says."""

    def __init__(self, conn: sqlite3.Connection, infos: Mapping[str, PhotoInfo],
                 known: Mapping[str, KnownFile], sidecar_dates: Mapping[str, str] | None = None) -> None:
        self._conn = conn
        self._infos = infos
        self._known = known
        self._sidecar_dates = sidecar_dates or {}
        self._rows: dict[int, Shot | None] = {}

    def __call__(self, name: str, other: str) -> bool:
        return any(same_shot(self._shot(name, edited), self._shot(other, edited))
                   for edited in self._readings(name, other))

    def differ(self, name: str, other: str) -> bool:
        """Whether the two files' headers say they are two pictures (other_shots), and so
        do they as edited (sidecar dates) where a sidecar gives one; a date read now from
        the ModifyDate alone (an export's, not the capture's) says nothing."""
        return all(other_shots(self._recorded_shot(name, edited), self._recorded_shot(other, edited))
                   for edited in self._readings(name, other))

    def other_camera(self, name: str, other: str) -> bool:
        """Whether the two files name two camera models (other_cameras): what alone splits
        a photo already indexed (pairing._merged_pictures), a capture time being editable."""
        return other_cameras(self._header_shot(name), self._header_shot(other))

    def camera(self, name: str) -> str | None:
        """The camera the file names, as compared (for the scan's note of a split)."""
        shot = self._header_shot(name)
        return shot.camera if shot is not None else None

    def _readings(self, name: str, other: str) -> tuple[bool, ...]:
        """The headers alone, then, where a RAW's sidecar gives a date, the files as edited."""
        return (False, True) if name in self._sidecar_dates or other in self._sidecar_dates else (False,)

    def _recorded_shot(self, name: str, edited: bool) -> Shot | None:
        shot = self._shot(name, edited)
        info = self._infos.get(name)
        by_sidecar = edited and name in self._sidecar_dates
        dated_by_modify_date = info is not None and info.dated_by_modify_date and not by_sidecar
        return Shot(None, shot.camera) if shot is not None and dated_by_modify_date else shot

    def _shot(self, name: str, edited: bool) -> Shot | None:
        shot = self._header_shot(name)
        if edited and shot is not None and name in self._sidecar_dates:
            return Shot(self._sidecar_dates[name], shot.camera)
        return shot

    def _header_shot(self, name: str) -> Shot | None:
        info = self._infos.get(name)
        if info is not None:
            return Shot.of(info)
        known = self._known.get(name)
        if known is None:
            return None  # new and unreadable: nothing says which picture it is
        if known.photo_id not in self._rows:
            row = self._conn.execute("SELECT taken_at, camera_make, camera_model FROM photos WHERE id = ?",
                                     (known.photo_id,)).fetchone()
            self._rows[known.photo_id] = None if row is None else Shot(row[0], camera_name(row[1], row[2]))
        return self._rows[known.photo_id]


def merged_raws(known: Mapping[str, KnownFile], present: Mapping[str, FileState],
                marked: Collection[int]) -> dict[str, list[str]]:
    """{photo key: its RAW files there} of the photos among `marked` (to be read again:
    app/core/index/rereads.py) that hold two or more RAW files of one stem and no
    rendered image there: what a version before migration 38 made of any RAWs of one
    stem, to be told apart by their headers (pairing.photo_keys' `regroup`)."""
    files: dict[str, list[str]] = defaultdict(list)
    rendered: set[str] = set()
    for name in present:
        found = known.get(name)
        if found is None or found.missing or found.photo_id not in marked:
            continue
        if is_raw_name(name):
            files[found.photo_stem].append(name)
        else:
            rendered.add(found.photo_stem)
    return {key: sorted(names) for key, names in files.items()
            if key not in rendered and len(names) > 1 and len({stem_of(name) for name in names}) == 1}


def mixed_photos(known: Mapping[str, KnownFile], present: Mapping[str, FileState],
                 marked: Collection[int]) -> dict[str, list[str]]:
    """{photo key: its files there} of the photos among `marked` that hold a rendered
    image and a RAW file there: what a version before migration 41 made of a JPEG and
    another body's RAW of one name, to be told apart by their headers (pairing.photo_keys'
    `mixed`)."""
    files: dict[str, list[str]] = defaultdict(list)
    for name in present:
        found = known.get(name)
        if found is not None and not found.missing and found.photo_id in marked:
            files[found.photo_stem].append(name)
    return {key: sorted(names) for key, names in files.items()
            if any(is_raw_name(name) for name in names) and not all(is_raw_name(name) for name in names)}


def sidecars_written_first(conn: sqlite3.Connection, known: Mapping[str, KnownFile],
                           names: Collection[str]) -> dict[str, int]:
    """{file name: the first write batch that reached its own sidecar (NAME.EXT.xmp), or
    a rendered image itself, for its photo} of `names`, files an older version merged:
    the one written first was in the photo when it was labelled (pairing._indexed_first). The
    write journal keeps this through a folder moved (moved_photos follows it), where the
    files' ids do not: an older version's move gave them new ones, in the order of names."""
    first: dict[str, int] = {}
    for photo_id in sorted({known[name].photo_id for name in names}):
        by_sidecar = {name + ext: name for name in names if known[name].photo_id == photo_id
                      for ext in (".xmp", ".XMP")}
        by_sidecar.update({name: name for name in names if known[name].photo_id == photo_id
                           and not is_raw_name(name)})
        for path, batch in conn.execute(
                "SELECT path, MIN(batch_id) FROM write_journal WHERE photo_id = ? AND batch_id IS NOT NULL "
                "GROUP BY path", (photo_id,)):
            name = by_sidecar.get(os.path.basename(str(path)))
            if name is not None:
                first[name] = min(first.get(name, batch), batch)
    return first

"""Files renamed onto each other's names, told from photos edited in place.

A batch renamer closing the gap after a deleted frame (DSC_0002 → DSC_0001, DSC_0003 →
DSC_0002, …), opening one for an inserted frame (DSC_0001 → DSC_0002, …), or two names
swapped: each name now holds another picture. The index went by the name, so every
label stayed on the name and `write` put one landmark's keyword into another's photo.
A name whose new contents are a picture another photo held before this scan, and that
picture is no longer where that photo had it, holds that photo moved; a photo whose own
picture turns up at another name read in this scan has moved away from its name. Such a
photo gives up its name (index/renamed_over_records.py: detach_photo, split_photo): the
name becomes a new photo and the scanner's move recognition hands it the words of the
photo whose picture it holds. A photo with a file unchanged (the RAW of a pair whose JPEG
alone was renumbered over) keeps its name and its words, and the file renamed over it
leaves it (`Renamed.came_in`): its label was given to the picture the RAW still holds.
Only a rename in the folder counts there: the picture was at another name of the folder
until this scan (a copy deleted earlier, or an edit moved back from another folder, is the
pair's own JPEG put back), and the scan keeps a JPEG whose capture time and camera are the
RAW's in the pair whatever its bytes (scan_folder_sync); a JPEG of a photo without a RAW
(an edit) stays too, unless its EXIF names another camera than the RAW's header, or another
moment and it was renamed from another frame's name (a JPEG-only frame renumbered over the
pair's JPEG; an edit named after the RAW may have had its capture time corrected).
A picture still in its place is a copy (a backup copied back over an edited photo, two
copies edited alike): the photo at the name stays itself.
A name reused for another frame (a card formatted, the camera numbering from the start
again) holds a picture no photo held, so it is not told by a rename: a JPEG whose picture
print differs from the indexed photo's and that names another camera model, or a recorded
capture time (DateTimeOriginal, not a ModifyDate) more than 26 hours from the photo's and
not by whole quarter hours, is another photo (`other_times`): the photo gives up its name
as above and stays missing with its labels. Both signals change in one editing session (a
rotate re-encodes the picture, and a camera clock fixed for a time zone and its drift moves
the time by up to a day and odd minutes), so one camera's time shifted within about a day
is an edit; a shift by whole quarter hours (a date set days wrong, corrected) is too, and a
side unknown (no EXIF date, a RAW without print) keeps the photo at its name, as before. Where another file of the photo is unchanged (the
RAW of a pair), the JPEG holding another frame leaves the pair as a new photo (`came_in`,
no place), unless its capture time and camera are the RAW's; the RAW keeps the label.
"""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from app.core.camera_names import camera_name
from app.core.fingerprint import fingerprint_file
from app.core.index import catalog, pairing, renamed_over_records
from app.core.index.catalog import FileBefore, FileState, KnownFile
from app.core.path_case import fold
from app.core.photo_info import PhotoInfo
from app.core.raw_pictures import SamePictures, Shot, other_cameras

# a capture time moved this much or less in an edit is the camera's clock fixed: time zones
# span 26 hours (UTC-12 to UTC+14), a drift fixed with them adds minutes
CLOCK_FIX_LIMIT_S = 26 * 3600


@dataclass
class Renamed:
    """What replaced_photos found among one name stem's files."""

    replaced: set[int] = field(default_factory=set)  # photos giving up their names
    # file name -> the path whose picture it holds now, of the files renamed over a photo that
    # keeps its name (another file of it unchanged): they leave that photo (pairing: renamed_in);
    # None for a JPEG holding another frame at its name (another_frame), renamed from nowhere
    came_in: dict[str, str | None] = field(default_factory=dict)


class RenamedOver:
    """What one scan read, to tell renamed pictures from edited ones. The contents a kept
    photo's changed file held before are also written to the index with the file's new
    state (note_changed, saved by save_notes), so a scan killed or cancelled before it
    decided leaves them to the next."""

    def __init__(self, conn: sqlite3.Connection, newest_before: int, run_id: int) -> None:
        self.conn = conn
        self.newest_before = newest_before
        self.run_id = run_id
        self.before: dict[int, list[tuple[FileBefore, int]]] = defaultdict(list)  # photo -> (file as it was, scan)
        for photo_id, file, run in renamed_over_records.contents_before(conn):  # left by a scan that did not decide
            self.before[photo_id].append((file, run))
        self.unsaved: list[tuple[int, FileBefore]] = []
        self.split_off: list[tuple[int, str, str]] = []  # (pair's photo, file leaving it, its contents as the pair's)
        self.rejoined: list[tuple[int, str]] = []  # (pair's photo, file split off that rejoins it)
        self.kept: set[int] = set()  # photos with a file read unchanged: they stay at their names
        self.other_times: set[int] = set()  # photos whose name holds another frame (another time), not yet detached

    def replaced_photos(self, known: dict[str, KnownFile], states: dict[str, FileState],
                        fresh: set[str], failed: set[str], infos: dict[str, PhotoInfo] | None = None) -> Renamed:
        """The photos of `known` (one name stem's files as indexed) whose files now hold
        pictures another photo held before this scan (a batch renamer closing a gap:
        DSC_0002.JPG renamed DSC_0001.JPG), when none of their files is unchanged. Each
        gives up its name (renamed_over_records.detach_photo), so the name becomes a new
        photo and the move recognition hands it the words of the photo its picture came
        from; the index went by the name, and `write` put one landmark's keyword into
        another's picture. Where a file of the photo is unchanged (DSC_0001.NEF beside the
        renamed JPEG), the photo stays and those files leave it (`came_in`).
        A file whose picture cannot be told now leaves `states` and `fresh` for `failed`:
        it stays as indexed and is read again next time. A photo whose JPEG now holds
        another frame (`infos`: the headers read now; another_frame) gives up its name too,
        noted in `other_times`; where another file of it is unchanged, that JPEG leaves it
        (`came_in`, no place); so does a photo missing since an earlier scan whose name is
        back holding another frame (_back_at_its_name). The kept photos' changed files are
        noted (note_changed)."""
        replaced: set[int] = set()
        came_in: dict[str, int] = {}
        other_frames: dict[str, int] = {}
        unchanged: set[int] = set()
        back: set[int] = set()  # missing photos with a file back unchanged at its name: they keep it
        for name, k in list(known.items()):
            if name not in states:
                continue
            if k.missing:  # back at its name (a card plugged in again): itself, unless another frame
                self._back_at_its_name(name, k, states[name], name in fresh, (infos or {}).get(name),
                                       back, replaced, other_frames)
                continue
            new_print = states[name].fingerprint
            if name not in fresh or new_print is None:
                unchanged.add(k.photo_id)
                continue
            if new_print == k.fingerprint:
                continue
            left = self.picture_of_another_that_left(new_print, k.photo_id)
            if left is None:
                del states[name]
                fresh.discard(name)
                failed.add(name)
            elif left:
                replaced.add(k.photo_id)
                came_in[name] = k.photo_id
            elif self.another_frame(k, states[name], (infos or {}).get(name)):
                replaced.add(k.photo_id)
                self.other_times.add(k.photo_id)
                other_frames[name] = k.photo_id
        replaced -= unchanged | back
        self.other_times -= unchanged | back
        self.note_unchanged(unchanged)
        for name, k in known.items():  # the photos kept: what their changed files held before
            state = states.get(name)
            if (k.photo_id not in replaced and not k.missing and state is not None and name in fresh
                    and k.fingerprint and state.fingerprint not in (None, k.fingerprint)):
                self.note_changed(k.photo_id, FileBefore(state.path, name, state.ext, state.kind,
                                                         k.size, k.fingerprint))
        renamed_in = {name: self.renamed_here(states[name], photo_id)
                      for name, photo_id in came_in.items() if photo_id in unchanged}
        leaving: dict[str, str | None] = {name: place for name, place in renamed_in.items() if place is not None}
        leaving.update((name, None) for name, photo_id in other_frames.items() if photo_id in unchanged | back)
        return Renamed(replaced, leaving)

    def _back_at_its_name(self, name: str, known: KnownFile, state: FileState, read: bool, info: PhotoInfo | None,
                          back: set[int], replaced: set[int], other_frames: dict[str, int]) -> None:
        """A file of a photo missing since an earlier scan (its card unplugged) read at its
        name again: the same contents are the photo back (`back`); another frame there (the
        card formatted meanwhile: another_frame) is a new photo, and the photo gives up
        the name and stays missing with its labels, as for a photo present until now."""
        if not read or state.fingerprint is None:
            return
        if state.fingerprint == known.fingerprint:
            back.add(known.photo_id)
        elif self.another_frame(known, state, info):
            replaced.add(known.photo_id)
            self.other_times.add(known.photo_id)
            other_frames[name] = known.photo_id

    def another_frame(self, known: KnownFile, state: FileState, info: PhotoInfo | None) -> bool:
        """Whether a file read with other contents at a photo's name holds another frame
        (a card formatted and its names reused): a JPEG whose picture print differs from
        the photo's and that names another camera model, or a recorded capture time
        another moment than an edit's clock fix (_another_time). A rotate and a clock
        fixed for a time zone and drift, saved in one session, change both print and time:
        one camera and a shift within about a day are an edit. A side that does not tell (no print, no recorded
        date, no camera) keeps the photo, as before."""
        if info is None or state.picture is None:
            return False
        before = self.conn.execute(
            "SELECT f.picture_print, p.taken_at, p.camera_make, p.camera_model "
            "FROM files f JOIN photos p ON p.id = f.photo_id WHERE f.id = ?", (known.id,)).fetchone()
        if before is None or before[0] is None or before[0] == state.picture:
            return False
        if other_cameras(Shot(None, camera_name(before[2], before[3])), Shot.of(info)):
            return True
        return bool(info.taken_at) and not info.dated_by_modify_date and _another_time(before[1], info.taken_at)

    def note_unchanged(self, photo_ids: set[int]) -> None:
        self.kept |= photo_ids

    def note_changed(self, photo_id: int, file: FileBefore) -> None:
        """A file of an indexed photo that holds other contents now (kept: the photo's own)."""
        self.before[photo_id].append((file, self.run_id))
        self.unsaved.append((photo_id, file))

    def save_notes(self, conn: sqlite3.Connection) -> None:
        """Into the transaction that stores the files' new contents."""
        for photo_id, file in self.unsaved:
            renamed_over_records.save_contents_before(conn, photo_id, file, self.run_id)
        for photo_id, name, fingerprint in self.split_off:
            renamed_over_records.note_split_off(conn, photo_id, name, fingerprint)
        for photo_id, name in self.rejoined:
            renamed_over_records.forget_split_off(conn, photo_id, name)
        self.unsaved.clear()
        self.split_off.clear()
        self.rejoined.clear()

    def leaving_pairs(self, came_in: dict[str, str | None], known: dict[str, KnownFile],
                      pictures: SamePictures, read: Collection[str]) -> dict[str, str | None]:
        """`came_in` (replaced_photos) less the files that are the picture of the photo's
        files kept by their own headers (`read` now: not the photo's row, which holds the
        JPEG's), by capture time and camera (_one_shot) (an edit of the pair's JPEG, saved
        beside it and moved back over it): the RAW's partner whatever its bytes. A file
        renamed from a JPEG-only photo leaves only where its own EXIF names another moment
        or camera than a kept RAW's header (_another_shot: a JPEG-only frame renumbered
        over the pair's JPEG); an edit naming none stays (a RAW not read: as before). A JPEG
        holding another frame at its name (no place) leaves unless it is a kept file's
        picture. Notes the contents each one leaving had as the photo's, so that putting
        them back rejoins it (rejoining; saved by save_notes)."""
        leaving: dict[str, str | None] = {}
        for name, place in came_in.items():
            photo_id = known[name].photo_id
            kept = [other for other, k in known.items() if k.photo_id == photo_id and other != name and other in read]
            if any(_one_shot(pictures, name, other) for other in kept) or place is not None and not (
                    renamed_over_records.was_a_pairs_jpeg(self.conn, place)
                    or any(_another_shot(pictures, name, other, place) for other in kept if pairing.is_raw_name(other))):
                continue  # an edit of its own (no EXIF of another moment), moved over the JPEG it was made from
            leaving[name] = place
            if known[name].fingerprint:
                self.split_off.append((photo_id, name, known[name].fingerprint))
        return leaving

    def rejoining(self, known: dict[str, KnownFile], states: dict[str, FileState], fresh: set[str],
                  pictures: SamePictures) -> dict[str, str]:
        """{file name: key of the photo it rejoins} for the files that left a pair renamed
        over (leaving_pairs) and read now holding the contents they had as the pair's (the
        renumbering undone, the original copied back) or the picture of the pair's RAW by
        capture time and camera, where the pair holds no other rendered image there."""
        rejoin: dict[str, str] = {}
        for name in sorted(fresh):
            if name not in known or name not in states or states[name].kind == "raw":
                continue
            mine = known[name].photo_id
            pair = {k.photo_id: k.photo_stem for other, k in known.items()
                    if k.photo_id != mine and not k.missing and k.photo_stem == pairing.stem_of(name)}
            for photo_id, key in pair.items():
                files = [other for other, k in known.items() if k.photo_id == photo_id and other in states]
                if any(states[other].kind != "raw" for other in files):
                    continue
                before = renamed_over_records.split_off_print(self.conn, photo_id, name)
                if before is not None and (states[name].fingerprint == before
                                           or any(_one_shot(pictures, name, other) for other in files)):
                    rejoin[name] = key
                    self.rejoined.append((photo_id, name))
        return rejoin

    def picture_of_another_that_left(self, fingerprint: str, photo_id: int) -> bool | None:
        """Whether another photo indexed before this scan held this picture and it is no
        longer where that photo has it (renamed away, or its name now holds another);
        None when that cannot be told now (its place cannot be read): look again later."""
        holders = renamed_over_records.files_held_before_by_another(
            self.conn, fingerprint, photo_id, self.newest_before)
        for path, size in holders:
            try:
                if os.stat(path).st_size == size and fingerprint_file(path, size) == fingerprint:
                    return False
            except FileNotFoundError:
                continue
            except OSError:
                return None  # no permission, a drive gone, a lock: the file is read again next time
        return bool(holders)

    def renamed_here(self, state: FileState, photo_id: int) -> str | None:
        """The path in the file's folder that another photo held its picture at until this
        scan (the file was renamed over, a renumbering), or None: a copy deleted or moved
        away earlier, or one from another folder (an edit moved back over its original), is
        no rename over, and the file stays with the photo."""
        places = renamed_over_records.held_here_until_this_scan(
            self.conn, state.fingerprint, photo_id, self.newest_before, os.path.dirname(state.path), self.run_id)
        return places[0] if places else None

    def photos_moved_away(self, gone_in_this_scan: list[int]) -> dict[int, list[FileBefore]]:
        """After the walk: the photos kept at their names whose own picture was read at
        another name (in this scan, or in the scan that noted it), or whose name now holds
        the picture a photo changed or gone in this scan held (that picture left its place:
        a copy of a photo missing since earlier, or one still in its place, does not count)."""
        gone_before = {f.fingerprint: photo_id for photo_id, files in self.before.items() for f, _ in files}
        gone = set(gone_in_this_scan)
        moved = {}
        for photo_id, files in self.before.items():
            if photo_id in self.kept or not catalog.is_present(self.conn, photo_id):
                continue
            # read anew in the scan that noted it or later (asked of the index: a first scan reads
            # every file); a holder of the same shot is a duplicate taken before an edit in place
            picture_elsewhere = any(
                not renamed_over_records.same_shot(self.conn, photo_id, holder)
                for f, run in files
                for holder in renamed_over_records.fresh_holders(self.conn, f.fingerprint, photo_id, run))
            holds_anothers = any(
                gone_before.get(now, photo_id) != photo_id
                or bool((renamed_over_records.missing_holders(self.conn, now) & gone) - {photo_id})
                for now in renamed_over_records.present_prints(self.conn, photo_id))
            if picture_elsewhere or holds_anothers:
                moved[photo_id] = [f for f, _ in files]
        return moved


def _another_time(before: str | None, now: str) -> bool:
    """Whether two capture times of one camera name two moments, not one corrected: more
    than CLOCK_FIX_LIMIT_S apart (a time zone and the camera's drift fixed together in an
    edit's save, +6 h 02 min, stay within it; a card formatted and shot on another day is
    beyond), and not by whole quarter hours (a date set whole days wrong, corrected)."""
    try:
        one, other = (datetime.fromisoformat(stamp[:19]) for stamp in (before or "", now))
    except ValueError:
        return False  # not a date the index could hold: tells nothing
    apart = abs(int((one - other).total_seconds()))
    return apart > CLOCK_FIX_LIMIT_S and apart % 900 != 0


def _another_shot(pictures: SamePictures, name: str, other: str, came_from: str) -> bool:
    """Whether the file, renamed from `came_from`, names a camera or capture moment of its
    own (not a ModifyDate alone) that the RAW's header, read, contradicts: another frame,
    not the RAW's partner. A camera decides alone; a moment only for a file that came from
    another frame's name: an edit named after the RAW (DSC_0001-edit.jpg, "DSC_0001
    copy.jpg") may have its capture time corrected (Lightroom's Edit Capture Time writes it
    into the JPEG, never into the RAW) and stays."""
    if not (pictures.camera(name) and pictures.camera(other)):
        return False
    return pictures.other_camera(name, other) or (
        pictures.differ(name, other) and not _named_after(os.path.basename(came_from), pairing.stem_of(other)))


def _named_after(name: str, stem: str) -> bool:
    """Whether a file name starts with the RAW's stem, not followed by a digit (DSC_0001-edit.jpg
    and "DSC_0001 copy.jpg" of DSC_0001, not DSC_00012.JPG): an edit or copy of its picture."""
    folded, folded_stem = fold(name), fold(stem)
    return folded.startswith(folded_stem) and not folded[len(folded_stem):][:1].isdigit()


def _one_shot(pictures: SamePictures, name: str, other: str) -> bool:
    """Whether the two files record one moment of one camera, both naming it (two frames
    of a renumbered run differ by a second; files that name no camera tell nothing)."""
    return bool(pictures.camera(name) and pictures.camera(other)) and pictures(name, other)

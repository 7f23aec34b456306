"""Which photos `teach` is given: photo ids, photo files and folders, the files and
folders scanned first so that a photo copied in since the last scan is taught too."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from app.core.path_case import DiskNames


def resolve_photo_ids(
    index: "PhotoIndex", targets: Sequence[str | Path | int]
) -> tuple[list[int], list[tuple[str, str]]]:
    """Photo ids for ids, files and folders, in the order given, and (path, why) for
    each target that gives none (not there, in iCloud, not a photo, unreadable): the other photos
    are taught all the same. Folders are scanned first, as `tag FOLDER` does (photos
    copied in since the last scan are taught with the others; an unchanged file costs
    a stat), and so is the folder of a file not in the index yet (that folder alone, as
    `tag FILE` does). UsageError for an unknown photo id."""
    from app.core.cloud_files import icloud_stand_in_note
    from app.core.path_case import DiskNames, in_other_unicode_form
    from app.core.photo_info import READABLE_FORMATS
    from app.core.photo_names import not_a_photo_reason
    from app.core.tag_selection import photo_ids_of_files, photo_ids_under

    names = DiskNames()  # the targets' folders listed once, however many photos are given
    given: list[int | Path] = []
    problems: list[tuple[str, str]] = []
    for target in targets:
        if isinstance(target, (int, np.integer)):
            index.get(int(target))  # raises UsageError when unknown
            given.append(int(target))
            continue
        path = Path(target).expanduser()
        path = in_other_unicode_form(path) or path  # a Mac's decomposed name typed composed
        if not path.exists():  # a photo iCloud evicted says so, as `tag` says it
            problems.append((str(path), icloud_stand_in_note(path) or "does not exist; check the path"))
        elif path.is_file() and (reason := not_a_photo_reason(path.name)) is not None:
            problems.append((str(path), f"is {reason}"))  # not worth scanning its folder for
        else:
            given.append(path)
    folders = [path for path in given if isinstance(path, Path) and path.is_dir()]
    files = [path for path in given if isinstance(path, Path) and not path.is_dir()]
    of_files = photo_ids_of_files(index, files, names)  # all in one query, however many a glob gives
    if _scan_for_new_photos(index, folders, [path for path, found in of_files.items() if not found], names):
        of_files = photo_ids_of_files(index, files, names)
    ids: list[int] = []
    for target in given:
        if isinstance(target, int):
            ids.append(target)
            continue
        found = of_files[target] if target in of_files else photo_ids_under(index, [target], names)
        if not found:
            message = scan_problem_of(index, target, names)
            problems.append((str(target), message or f"holds no photo the tagger can read ({READABLE_FORMATS})"))
        ids.extend(found)
    return list(dict.fromkeys(ids)), problems


def scan_problem_of(index: "PhotoIndex", path: Path, names: "DiskNames | None" = None,
                    as_now: bool = False) -> str | None:
    """Why the scan left file `path` out of the library, as it recorded it ("truncated
    JPEG …", "empty file (0 bytes); restore it from a backup …"), without the path: what
    `label`, `accept` and `reject` say of a photo file they cannot act on, rather than
    sending the user to `tag` it again. None when no problem is recorded, or (`as_now`)
    when the file changed since (restored from a backup: the next scan reads it again)."""
    from app.core.index.connection import db_text
    from app.core.index.problems import file_state
    from app.core.tag_selection import indexed_path

    indexed = indexed_path(path, names)
    row = index.conn.execute(
        "SELECT message, file_state FROM errors WHERE stage = 'scan' AND path = CAST(? AS TEXT) "
        "ORDER BY id DESC LIMIT 1", (db_text(str(indexed)),)).fetchone()
    if row is None:
        return None
    message, state = row
    if as_now and state is not None and state != file_state(indexed):
        return None
    return message.removeprefix(f"{path}: ").removeprefix(f"{indexed}: ")


def _scan_for_new_photos(index: "PhotoIndex", folders: Sequence[Path], new_files: Sequence[Path],
                         names: "DiskNames") -> bool:
    """Scan the folders given, and the folder of each file given that is not in the
    index yet (`new_files`; without the folders in it), all in one scan. Folders are compared as the
    disk spells them: `trip/` and `Trip/IMG_1.JPG` on a case-insensitive disk are one
    folder, read whole. A folder linked into a library folder is scanned under the path
    the library holds it by, as `tag` does (else its target would become a second library
    folder, each photo indexed twice). Whether it scanned anything."""
    from app.core.scanner import scan

    whole = list(dict.fromkeys(_as_scanned(index, path, names) for path in folders))
    alone = list(dict.fromkeys(
        folder for path in new_files if (folder := _as_scanned(index, path.parent, names)) not in whole
    ))
    if whole or alone:
        scan(index, whole + alone, folder_only=alone)
    return bool(whole or alone)


def _as_scanned(index: "PhotoIndex", folder: Path, names: "DiskNames") -> Path:
    """`folder` as scans read it: through the link the library holds it by (library_spelling),
    or the link scans keep when it is linked in twice (kept_link_spellings)."""
    from app.core.scan_links import kept_link_spellings, library_spelling

    spelled = library_spelling(index, folder, names)
    return Path(kept_link_spellings(index, [spelled]).get(spelled, spelled))


TAUGHT_FROM_STORED_IN_ICLOUD = "in iCloud, not downloaded: taught from what tagging stored of it, no download needed"
TAUGHT_FROM_STORED_GONE = ("not there any more: taught from what tagging stored of it, as the app teaches it "
                           "(`forget --missing` drops it and what it teaches)")


def taught_from_stored(index: "PhotoIndex", model_id: str, problems: Sequence[tuple[str, str]]
                       ) -> tuple[list[int], list[tuple[str, str]], list[tuple[str, str]]]:
    """Of the files given that are not there (`problems`), those the index holds as a photo
    with this model's embedding stored: teaching needs nothing more, so they are taught, as
    the app teaches a selected photo in iCloud or deleted since its tagging (a path never
    indexed, a typo, still fails). (their photo ids, (path, note) for each, problems left)."""
    from app.core import teaching_store as store
    from app.core.cloud_files import icloud_stand_in_note
    from app.core.index.connection import db_text
    from app.core.tag_selection import indexed_path

    ids: list[int] = []
    notes: list[tuple[str, str]] = []
    left: list[tuple[str, str]] = []
    for path, why in problems:
        row = None if os.path.lexists(path) else index.conn.execute(
            "SELECT photo_id FROM files WHERE path = CAST(? AS TEXT)", (db_text(str(indexed_path(path))),)).fetchone()
        if row is None or store.stored_embedding(index.conn, int(row[0]), model_id) is None:
            left.append((path, why))
            continue
        ids.append(int(row[0]))
        cloud = icloud_stand_in_note(path) is not None
        notes.append((path, TAUGHT_FROM_STORED_IN_ICLOUD if cloud else TAUGHT_FROM_STORED_GONE))
    return ids, notes, left

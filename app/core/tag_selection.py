"""Which photos a tagging run must classify, and from which of their files.

A photo is tagged again only when it is new to this model, when its primary file
changed since (fingerprint; and a JPEG's picture print: tagged_as_it_is; not its mtime
alone), or when the user asks for a retag. One whose files could not be decoded (read,
but corrupt, truncated, without image data) is tried again only when one of its files
changed since (size, mtime, ctime or the fingerprint of its first and last 64 KiB, read
again now: problems.photo_files_state), when the decoders changed, or when the user asks
(retry). A JPEG+RAW pair is one photo: it is classified once,
from the JPEG when there is one (a few milliseconds to decode), else from the RAW's
preview.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from app.core.decode_workers import DecodeJob
from app.core.index.connection import db_text
from app.core.index.problems import decode_failures_as_now
from app.core.path_case import DiskNames, canonical_entry, canonical_path

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from app.core.tag_result import TagResult

# Cheapest and most faithful first: camera JPEGs, then other bitmaps, RAW last.
_KIND_PREFERENCE = {"jpeg": 0, "heic": 1, "png": 2, "tiff": 3, "raw": 4}
_CHUNK = 500


@dataclass(frozen=True)
class Selection:
    """The photos to classify (as decode jobs) and how many were already up to date;
    `failed_before`: those left out as they could not be decoded and have not changed."""

    jobs: list[DecodeJob]
    up_to_date: int
    primary_paths: dict[int, str]
    files: dict[int, list[str]]
    up_to_date_ids: list[int] = field(default_factory=list)
    failed_before: int = 0


def indexed_path(path: Path | str, names: DiskNames | None = None) -> Path:
    """`path` as the index holds it: absolute, its folders resolved, but a symbolic link
    to a photo stays the link (the scanner indexes a link in a folder by its own name,
    unless the photo it links to is in the library: then the photo's own path is it);
    names spelled as the disk stores them (see app.core.path_case)."""
    path = Path(path).expanduser()
    if path.is_symlink() and not path.is_dir():
        return canonical_entry(path, names)
    return canonical_path(path, names)


def photo_ids_under(index: "PhotoIndex", roots: Sequence[Path], names: DiskNames | None = None) -> list[int]:
    """Photos (not missing) with a file at or below any of `roots`, in path order; a
    link to a photo of the library finds that photo. The folders of the roots are listed
    once (`names`, shared with the caller's other lookups when given). A path through
    links is looked for in each form the index may hold it under (scanned_paths: a
    folder linked into a library folder is indexed under the link's path)."""
    from app.core.path_query import scanned_paths

    names = names or DiskNames()
    found: list[tuple[int, str]] = []
    for root in roots:
        rows = [row for form in scanned_paths(Path(root), names, index) for row in _photos_at(index, Path(form))]
        if not rows and Path(root).expanduser().is_symlink():
            rows = _photos_at(index, canonical_path(root, names))
        found += rows
    return _in_path_order(found)


def photo_ids_of_files(index: "PhotoIndex", files: Sequence[Path],
                       names: DiskNames | None = None) -> dict[Path, list[int]]:
    """photo_ids_under of each photo file (a shell glob's, given to accept, reject or
    label), all looked up in one query by exact path (the index on files.path), so naming
    files costs the same however large the library; [] for a file the index does not hold."""
    from app.core.path_query import scanned_paths_of

    names = names or DiskNames()
    files = list(dict.fromkeys(files))
    forms = dict(zip(files, scanned_paths_of([Path(file) for file in files], names, index)))
    rows = _photos_at_paths(index, [form for found in forms.values() for form in found])
    targets = []  # a link to a photo of the library, indexed as that photo: its target's path
    for file, found in forms.items():
        if not any(form in rows for form in found) and Path(file).expanduser().is_symlink():
            found.append(str(canonical_path(file, names)))
            targets.append(found[-1])
    rows.update(_photos_at_paths(index, targets))
    return {file: _in_path_order(row for form in found for row in rows.get(form, [])) for file, found in forms.items()}


def _photos_at_paths(index: "PhotoIndex", paths: list[str]) -> dict[str, list[tuple[int, str]]]:
    """{path: (photo id, primary path) of the photo with a present file there} for those of
    `paths` the index holds; the paths travel as one JSON array (a glob of thousands stays
    within SQLite's limit on parameters), a name that is not UTF-8 as its own bytes."""
    import json

    texts = [path for path in dict.fromkeys(paths) if isinstance(db_text(path), str)]
    raw = [path for path in dict.fromkeys(paths) if not isinstance(db_text(path), str)]
    found: dict[str, list[tuple[int, str]]] = {}
    if texts:
        for at, photo_id, primary in index.conn.execute(
                "SELECT CAST(j.key AS INTEGER), f.photo_id, p.primary_path FROM json_each(?) j "
                "JOIN files f ON f.path = j.value JOIN photos p ON p.id = f.photo_id "
                "WHERE p.missing = 0 AND f.missing = 0", (json.dumps(texts),)):
            found.setdefault(texts[at], []).append((photo_id, primary))
    for path in raw:
        if rows := index.conn.execute(
                "SELECT f.photo_id, p.primary_path FROM files f JOIN photos p ON p.id = f.photo_id "
                "WHERE p.missing = 0 AND f.missing = 0 AND f.path = CAST(? AS TEXT)", (db_text(path),)).fetchall():
            found[path] = rows
    return found


def _in_path_order(rows: Iterable[tuple[int, str]]) -> list[int]:
    """The photos' ids, each once, by primary path (then id)."""
    found: dict[int, str] = {}
    for photo_id, primary in rows:
        found.setdefault(int(photo_id), primary)
    return [photo_id for photo_id, _ in sorted(found.items(), key=lambda item: (item[1], item[0]))]


def _photos_at(index: "PhotoIndex", path: Path) -> list[tuple[int, str]]:
    """(photo id, primary path) of the photos with a file at or below `path`: the path
    itself or the index range of the paths below it (subtree_range), so the index on
    files.path is used, never a read of the whole table."""
    from app.core.folder_paths import subtree_range

    text = str(path)
    low, high = subtree_range(text)
    return index.conn.execute(
        "SELECT f.photo_id, p.primary_path FROM files f JOIN photos p ON p.id = f.photo_id "
        "WHERE p.missing = 0 AND f.missing = 0 AND (f.path = CAST(? AS TEXT) "
        "OR (f.path >= CAST(? AS TEXT) AND f.path < CAST(? AS TEXT)))",
        (db_text(text), db_text(low), db_text(high)),
    ).fetchall()


def select_photos(
    index: "PhotoIndex", photo_ids: Iterable[int], model_id: str, retag: bool | Collection[int] = False,
    retry_failed: bool | Collection[int] = False,
) -> Selection:
    """Decode jobs for the photos that `model_id` has not classified in their current
    state, and those of `retag` (True: all; or the ids of the photos to classify again:
    those a retag under way has left, app.core.retag_marks), but those whose contents
    could not be decoded as they are now, unless retagged, or `retry_failed` (True, or
    the ids of the photos to try again: those the user named)."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    jobs: list[DecodeJob] = []
    primary_paths: dict[int, str] = {}
    files_of: dict[int, list[str]] = {}
    up_to_date = failed_before = 0
    up_to_date_ids: list[int] = []
    retry = set() if isinstance(retry_failed, bool) else {int(i) for i in retry_failed}
    forced = set() if isinstance(retag, bool) else {int(i) for i in retag}
    retry |= forced
    remember_failures = not (retag is True or retry_failed is True)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        states = {
            int(row[0]): row[1:]
            for row in index.conn.execute(
                "SELECT p.id, p.primary_path, t.photo_id IS NOT NULL, pf.fingerprint, pf.picture_print, "
                "t.file_fingerprint, t.picture_print "
                "FROM photos p LEFT JOIN files pf ON pf.path = p.primary_path "
                "LEFT JOIN tagged t ON t.photo_id = p.id AND t.model_id = ? "
                f"WHERE p.missing = 0 AND p.id IN ({marks})",
                (model_id, *chunk),
            )
        }
        files = _files_by_photo(index, chunk)
        candidates: dict[int, list[tuple[str, str]]] = {}
        for photo_id in chunk:
            if photo_id not in states:
                continue  # unknown or missing photo
            primary, was_tagged, *now_and_then = states[photo_id]
            if retag is not True and photo_id not in forced and was_tagged and tagged_as_it_is(*now_and_then):
                up_to_date += 1
                up_to_date_ids.append(photo_id)
                continue
            candidates[photo_id] = files.get(photo_id) or [(primary, "jpeg")]
        failed = decode_failures_as_now(index.conn, {
            photo_id: [path for path, _ in found] for photo_id, found in candidates.items() if photo_id not in retry
        }) if remember_failures else set()
        for photo_id, found in candidates.items():
            if photo_id in failed:
                failed_before += 1
                continue
            ordered = tuple(path for path, _ in sorted(found, key=_preference))
            jobs.append(DecodeJob(photo_id, ordered))
            primary_paths[photo_id] = states[photo_id][0]
            files_of[photo_id] = _listing_order(states[photo_id][0], [path for path, _ in found])
    return Selection(jobs, up_to_date, primary_paths, files_of, up_to_date_ids, failed_before)


def tagged_as_it_is(fingerprint: str | None, picture: str | None,
                    tagged_fingerprint: str | None, tagged_picture: str | None) -> bool:
    """Whether the primary file the scan knows now (fingerprint, JPEG picture print) is
    the one the photo was tagged from. The fingerprint alone misses a change in the middle
    of a JPEG (a damaged one put back from its backup keeps its size, head and tail), so
    where both picture prints are known they must match too (our own write keeps the
    print: journal.update_indexed_file). A file's mtime is not asked: a copy without its
    times, a `touch`, a FAT or NTFS disk's coarser or shifted times move it for every RAW
    of a library, and re-reading them all would take hours for the same pictures."""
    if tagged_fingerprint != fingerprint:
        return False
    return picture is None or tagged_picture is None or picture == tagged_picture


def up_to_date_results(index: "PhotoIndex", photo_ids: Sequence[int], model_id: str) -> list["TagResult"]:
    """What the index keeps for photos this model has tagged as they are (the label, its
    state and `model_id`'s top-5), as a TagResult with up_to_date set: `tag --json` gives
    a photo named by its file its line even when there was nothing to classify, with the
    `damage` note kept when it was labelled from a damaged picture."""
    from app.core.index.labels import stored_labels
    from app.core.tag_result import TagResult, stored_guess

    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    results: list[TagResult] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        primaries = dict(index.conn.execute(
            f"SELECT id, primary_path FROM photos WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        files, kept = _files_by_photo(index, chunk), stored_labels(index.conn, chunk)
        damage = dict(index.conn.execute(  # the note kept when it was tagged from a damaged picture
            f"SELECT photo_id, message FROM errors WHERE stage = 'damaged' AND photo_id IN ({','.join('?' * len(chunk))})",
            chunk).fetchall())
        for photo_id in chunk:
            if photo_id not in primaries:
                continue
            primary = primaries[photo_id]
            label, landmark_id, score, state = kept.get(photo_id, (None, None, None, None))
            results.append(TagResult(
                photo_id=photo_id, path=primary,
                files=_listing_order(primary, [path for path, _ in files.get(photo_id, [])]),
                label=label, landmark_id=landmark_id, score=score, top=index.predictions(photo_id, model_id),
                state=state, damage=damage.get(photo_id), up_to_date=True,
                best_guess=stored_guess(index, photo_id, kept.get(photo_id))))
    return results


def _files_by_photo(index: "PhotoIndex", photo_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(path, kind) of each photo's present files."""
    marks = ",".join("?" * len(photo_ids))
    found: dict[int, list[tuple[str, str]]] = {}
    for photo_id, path, kind in index.conn.execute(
        f"SELECT photo_id, path, kind FROM files WHERE missing = 0 AND photo_id IN ({marks})", photo_ids
    ):
        found.setdefault(int(photo_id), []).append((path, kind or ""))
    return found


def _preference(item: tuple[str, str]) -> tuple[int, str]:
    path, kind = item
    return (_KIND_PREFERENCE.get(kind, 3), path)


def _listing_order(primary: str, paths: list[str]) -> list[str]:
    """The primary file first, then the others by name (as PhotoRecord.files)."""
    return sorted(set(paths) | {primary}, key=lambda path: (path != primary, path))

"""Library views the desktop app needs and the index does not offer directly:
the folder tree with photo counts, the review queue (suggestions, most doubtful
first), the label choices for completion, and the query of a folder.

GUI-free so the widgets never hold SQL; read-only over the index's tables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from app.core.folder_paths import holds_folder
from app.core.name_order import name_order

if TYPE_CHECKING:
    from app.core.emptied_folders import MountTable
    from app.core.index import PhotoIndex


@dataclass
class FolderNode:
    """A folder of the library with the photos in it and below it."""

    path: str
    name: str
    count: int = 0
    children: list["FolderNode"] = field(default_factory=list)
    alone: bool = False  # a library folder holding its own photos only (a photo given by its file brought it)
    present: bool = True  # False: a library folder not found (moved, renamed, its drive not connected)


def folder_query(folder: str | Path) -> str:
    """The search term that selects a folder and everything below it."""
    text = str(folder).replace('"', '""')
    return f'folder:"{text}"'


def label_query(label: str) -> str:
    """The search term that selects the photos carrying `label`, not those whose `label` the
    user rejected (with a state:rejected term beside it, those too: label_holders_query)."""
    text = label.replace('"', '""')
    return f'label:"{text}"'


def label_holders_query(label: str) -> str:
    """Every photo carrying `label`, in any state, rejected ones too: what a rename changes."""
    return combine_queries(label_query(label), "state:suggested|accepted|rejected")


def landmark_query(label: str) -> str:
    """The photos of a landmark as `landmark_counts` counts them: its label, not rejected."""
    return landmarks_query([label])


def landmarks_query(labels: Sequence[str]) -> str:
    """The photos of any of these landmarks (labels not rejected); "" for none."""
    return combine_queries(any_of([label_query(label) for label in labels]), "-state:rejected") if labels else ""


def any_of(terms: Sequence[str]) -> str:
    """Single search terms (as folder_query, label_query and date_query give) joined by OR."""
    return " OR ".join(terms)


def landmark_counts(index: PhotoIndex) -> list[tuple[str, int]]:
    """Each landmark on photos (labels not rejected, photos not missing) with its photo
    count, by name: the library browsed by place, which is what a tagged archive is for.
    Spellings that `label:` takes for one ("Pont du Gard", "pont du gard") are one
    entry, under the spelling most photos carry, so the count is what a click shows."""
    rows = index.conn.execute(
        "SELECT l.label_key, l.label, count(*) FROM labels l JOIN photos p ON p.id = l.photo_id "
        "WHERE l.label IS NOT NULL AND l.state <> 'rejected' AND p.missing = 0 GROUP BY l.label_key, l.label"
    ).fetchall()
    spellings: dict[str, list[tuple[int, str]]] = {}
    for key, label, count in rows:
        spellings.setdefault(key, []).append((count, label))
    landmarks = [(min(found, key=lambda s: (-s[0], s[1]))[1], sum(n for n, _ in found)) for found in spellings.values()]
    return sorted(landmarks, key=lambda row: name_order(row[0]))


@dataclass(frozen=True)
class YearNode:
    """A year of the library panel's Dates: its photos, and its months (1-12) with theirs."""

    year: str
    count: int
    months: tuple[tuple[int, int], ...]


def date_counts(index: PhotoIndex) -> list[YearNode]:
    """Photos (not missing) by the year and month they were taken, newest first: the
    library browsed by date, as photo tools do; photos without a date last, as a year
    named "" (its query: UNDATED_QUERY). A month that is none (13, 99: an index made
    before impossible EXIF dates were read as no date holds them until the file changes)
    is left out, its photo still under All photos and found by a search for its text."""
    rows = index.conn.execute(
        "SELECT substr(taken_at, 1, 7), count(*) FROM photos WHERE missing = 0 AND taken_at IS NOT NULL "
        "GROUP BY 1 ORDER BY 1 DESC"
    ).fetchall()
    years: dict[str, list[tuple[int, int]]] = {}
    for month, count in rows:
        year, _, number = month.partition("-")
        if len(year) == 4 and year.isdigit() and number.isdigit() and 1 <= int(number) <= 12:
            years.setdefault(year, []).append((int(number), count))
    nodes = [YearNode(year, sum(n for _, n in months), tuple(months)) for year, months in years.items()]
    undated = index.conn.execute("SELECT count(*) FROM photos WHERE missing = 0 AND taken_at IS NULL").fetchone()[0]
    return nodes + ([YearNode("", undated, ())] if undated else [])


UNDATED_QUERY = "-has:date"


def date_query(year: str, month: int | None = None) -> str:
    """The search term for a year or one of its months ("" = the photos without a date)."""
    if not year:
        return UNDATED_QUERY
    return f"date:{year}" if month is None else f"date:{year}-{month:02d}"


def combine_queries(*parts: str) -> str:
    """AND together several search strings, skipping empty ones."""
    return " ".join(part.strip() for part in parts if part and part.strip())


def folder_counts(index: PhotoIndex) -> dict[str, int]:
    """Photos (not missing) per folder, exactly as stored."""
    rows = index.conn.execute("SELECT folder, count(*) FROM photos WHERE missing = 0 GROUP BY folder")
    return {folder: count for folder, count in rows}


def folder_tree(index: PhotoIndex) -> list[FolderNode]:
    """One node per library root, with its sub-folders that hold photos (counts include sub-folders)."""
    counts = folder_counts(index)
    trees = []
    roots = [str(root) for root in index.roots()]
    alone = {str(root) for root in index.folder_only_roots()}
    for root_text in roots:  # none lies inside a whole one: it is part of that one (PhotoIndex.roots)
        root = Path(root_text)
        node = FolderNode(root_text, root.name or root_text, alone=root_text in alone, present=root.is_dir())
        # a folder-only one holds its own photos, not those of a library folder inside it
        inside = {f: n for f, n in counts.items() if holds_folder(root_text, f, root_text not in alone)}
        for folder, count in sorted(inside.items()):
            _insert(node, root_text, folder, count)
        trees.append(node)
    return trees


def _insert(root: FolderNode, root_text: str, folder: str, count: int) -> None:
    root.count += count
    if folder == root_text:
        return
    relative = folder[len(root_text.rstrip(os.sep)) + 1 :]
    node, prefix = root, root_text.rstrip(os.sep)
    for part in relative.split(os.sep):
        prefix = f"{prefix}{os.sep}{part}"
        child = next((c for c in node.children if c.name == part), None)
        if child is None:
            child = FolderNode(prefix, part)
            node.children.append(child)
        child.count += count
        node = child


def present_library_folders(index: PhotoIndex) -> tuple[list[Path], list[Path]]:
    """(library folders there now, those not: a drive not connected), so a rescan of
    the library skips an unplugged drive instead of marking its photos missing."""
    from app.core.emptied_folders import MountTable

    roots = index.roots()
    mounts = MountTable()  # read once for all of them, if one is empty
    present = [root for root in roots if not drive_not_connected(index, root, mounts)]
    return present, [root for root in roots if root not in present]


def not_connected_message(folder: str, library_folder: bool = True, link: bool = False, gone: bool = False,
                          recorded: bool = False, copied: int = 0, left: int = 0) -> str:
    """What a scan says of a library folder that drive_not_connected finds empty (or,
    not `library_folder`, of a folder in one that had a card mounted on it and is a
    plain empty folder now, or, `gone`, was removed as the system removes the mount point
    of a card it unmounts; `link`, a folder link in one to a card's mount point that is
    empty or gone), with the way on for a folder the user did empty (which every scan
    would skip so). A folder a scan `recorded` a card mounted on stays the card's when
    it is deleted: plugging the card in is the way on there. A card `copied` photos of
    which this scan found copied into the library (they follow their copies) names the
    `left` others, the ones left as they were."""
    from app.core.wording import counted, shell_quote

    kept = "its photos are left as they were"
    if copied:
        kept = (f"{counted(copied, 'photo')} of it found copied into the library follow{'s' if copied == 1 else ''} "
                f"{'its copy' if copied == 1 else 'their copies'}; the {counted(left, 'other photo')} "
                f"{'is' if left == 1 else 'are'} left as {'it was' if left == 1 else 'they were'}")
    if link:
        return (f"{folder}: not found (drive not connected?): the link leads to the mount point of a card not "
                f"connected (left empty, or removed by the system); {kept}. If you "
                "deleted them yourself, remove the link and scan again (its photos are then marked missing)")
    if library_folder:
        way_on = (f"take the folder out of the library (`landmark-tagger forget {shell_quote(folder)} --yes`, "
                  "or Remove from library… in the app; scanning it adds it back)")
    elif gone or recorded:  # a card was mounted there: its folder removed is the card unplugged
        way_on = ("plug the card in and scan again (the photos no longer on it are then marked missing); if the "
                  f"card is lost, `landmark-tagger forget {shell_quote(folder)}` forgets its photos")
    else:  # (no scan recorded a card there) a folder deleted inside a library folder: its photos are missing
        way_on = "delete the empty folder and scan again (its photos are then marked missing)"
    if gone:
        return (f"{folder}: not found (drive not connected?): a card or disk was mounted on this folder when its "
                "photos were scanned, and the system removes the mount point of a card it unmounts; "
                f"{kept}. If you deleted them yourself, {way_on}")
    return (f"{folder}: not found (drive not connected?): the folder is empty as a card not connected leaves "
            f"its mount point; {kept}. If you deleted them yourself, {way_on}")


def drive_not_connected(index: PhotoIndex, folder: Path, mounts: MountTable | None = None) -> bool:
    """Whether the library folder `folder` is not there to scan: not found, or empty and
    left so by a card not connected (emptied_folders.why_unreachable): a card or disk was
    mounted on it when a scan saw its photos and is not now, or, where no scan recorded
    that, the folder is unchanged since a scan saw them there; a scan would mark the
    card's photos missing. A folder emptied by deleting its photos (no mount point when
    they were seen, or changed since), one with a disk mounted on it, and an empty one
    the index holds no photo in are there. `mounts`: the system's mount table as the
    caller read it (None: read when asked)."""
    from app.core.emptied_folders import EMPTY_MOUNT_POINT, emptied_by_the_user, why_unreachable
    from app.core.index.linked_folders import first_photo_under
    from app.core.index.photos_seen import photos_seen_at

    if not folder.is_dir():
        return True
    if why_unreachable(folder, mounts=mounts) != EMPTY_MOUNT_POINT:
        return False  # something in it, a disk mounted on it (or unreadable: the scan says so)
    if first_photo_under(index.conn, str(folder)) is None:
        return False  # nothing of the library's to keep there: an empty folder just added
    return not emptied_by_the_user(folder, photos_seen_at(index.conn, str(folder)), mounts)


def photos_not_in_library(index: PhotoIndex, paths: list[Path]) -> list[Path]:
    """The photo files among `paths` that the index holds no present photo for (dropped
    on the window from a file manager, say), in the order given. A photo in a folder
    linked into a library folder is held under the link's path: each form of a path
    through links is looked up (path_query.scanned_paths), so it is not tagged again."""
    from app.core.index.connection import db_text
    from app.core.path_case import DiskNames
    from app.core.path_query import scanned_paths

    names = DiskNames()  # their folders listed once
    return [
        path for path in paths
        if not any(index.conn.execute("SELECT 1 FROM files WHERE path = CAST(? AS TEXT) AND missing = 0",
                                      (db_text(form),)).fetchone() for form in scanned_paths(path, names, index))
    ]


def review_ids(index: PhotoIndex, query: str = "") -> list[int]:
    """Photos with a suggested label matching `query`, most doubtful first: the
    suggested landmarks, least confident first; then the "no landmark" answers whose best
    guess came closest (a landmark the model may have missed), so a folder of street
    scenes at 0 % does not bury the labels worth a look; blank frames (score 0,
    model.image_detail: nothing to doubt) last.

    Raises QuerySyntaxError for a malformed query."""
    wanted = set(index.photo_ids(combine_queries("state:suggested", query)))
    if not wanted:
        return []
    rows = index.conn.execute(
        "SELECT photo_id FROM labels WHERE state = 'suggested' ORDER BY "
        "CASE WHEN label IS NOT NULL THEN 0 WHEN coalesce(score, 0) > 0 THEN 1 ELSE 2 END, "
        "CASE WHEN label IS NOT NULL THEN coalesce(score, 0) ELSE -coalesce(score, 0) END, photo_id"
    )
    return [photo_id for (photo_id,) in rows if photo_id in wanted]


def display_name(path: str) -> str:
    """The file name of `path` as text that can be shown on one line (non-UTF-8 bytes
    become U+FFFD, a newline or tab is shown escaped as the command line shows it: a
    tile's caption or the write list's cell would cut "new\\nline.jpg" to "new…"), cut at
    the platform's own separators: a backslash is part of a name on macOS and Linux
    ("AC\\DC live.jpg"), a separator on Windows."""
    from app.core.index.records import one_line_text, printable_path

    return one_line_text(os.path.basename(printable_path(path)))


def label_choices(index: PhotoIndex, photo_id: int | None = None, bundle: Path | None = None) -> list[str]:
    """Labels to complete on: those in use or taught, this photo's predictions, and the
    landmarks the model bundle knows (the chosen one, else the default one if present)."""
    labels = set(index.known_labels())
    if photo_id is not None:
        labels.update(p.label for p in index.predictions(photo_id) if p.label)
    labels.update(bundle_landmarks(bundle))
    return sorted(labels, key=name_order)


def bundle_landmarks(bundle: Path | None = None) -> list[str]:
    """The landmark names of a bundle (empty when there is none or it cannot be read:
    completion then offers the index's labels only). Cached per file version."""
    return list(bundle_landmark_ids(bundle))


def bundle_landmark_ids(bundle: Path | None = None) -> dict[str, str]:
    """The landmarks of a bundle, name → landmark id (the chosen one, else the default
    one; empty when there is none or it cannot be read). Cached per file version."""
    from model.bundle import default_bundle_path

    path = Path(bundle) if bundle else default_bundle_path()
    try:
        stat = path.stat()
    except OSError:
        return {}
    return dict(_bundle_landmarks(str(path), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=4)
def _bundle_landmarks(path: str, mtime_ns: int, size: int) -> tuple[tuple[str, str], ...]:
    from model.bundle import load_bundle
    from model.errors import ModelError

    try:
        return tuple((entry.name, entry.landmark_id) for entry in load_bundle(path, check_onnx=False).labels)
    except (ModelError, OSError):
        return ()

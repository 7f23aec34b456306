"""Point a library folder at the place its photos are now.

A drive that comes back under another letter or name (E: → F:, /Volumes/Photos →
/Volumes/Photos 1), a top folder renamed or moved while the app was closed: the
library folder is then "not found", its photos are skipped (never marked missing,
in case the drive is only unplugged), and adding the new place would index them again
as new photos, without the labels, reviews and taught places the index holds for them.
Relocating moves the index's paths over in one transaction, after checking that the
files there are the ones indexed (size, and the content fingerprint of a sample), then
reads the folder as a rescan does: files not found there become missing, new ones new.
"""

from __future__ import annotations

import os
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import UsageError
from app.core.fingerprint import fingerprint_file
from app.core.folder_paths import is_within, subtree_range
from app.core.index.connection import db_text
from app.core.index.forget import library_folder
from app.core.index.problems import follow_damage_notes
from app.core.index.photos_seen import forget_mount_points, mount_point_seen, move_mount_points
from app.core.index.search_text import refresh_search_text
from app.core.path_case import canonical_path, fold
from app.core.progress import CancelToken, ProgressCallback
from app.core.wording import RELOCATE_HINT, counted, shell_quote

FINGERPRINT_SAMPLE = 24  # files whose content is compared (size is compared for all)


class NotMovedError(UsageError):
    """`new` looks like the wrong folder for `old`: `old` is still there with its files, or
    `new` holds under half of them. Going ahead would mark the others missing, one
    `forget --missing` away from losing their labels; `would_go_missing` says how many."""

    def __init__(self, message: str, would_go_missing: int) -> None:
        super().__init__(message)
        self.would_go_missing = would_go_missing


@dataclass
class RelocateSummary:
    """What moved: the photos re-pointed, and how many of their files were found there."""

    old: str
    new: str
    photos: int = 0
    files_found: int = 0
    files_not_found: int = 0  # the scan that follows marks them missing (labels kept)
    # of those, the files in a folder the scan left for its card not connected (not missing)
    files_on_cards_not_connected: int = 0
    scan: object | None = field(default=None, repr=False)  # the ScanSummary of the new place

    def line(self) -> str:
        respelled = spelling_change(self.old, self.new)  # two spellings that may look alike
        text = (f"{self.old} is now {self.new}{f' ({respelled})' if respelled else ''}: "
                f"{counted(self.photos, 'photo')} kept "
                f"{'its' if self.photos == 1 else 'their'} labels ({counted(self.files_found, 'file')} found there")
        marked_missing = self.files_not_found - self.files_on_cards_not_connected
        if marked_missing:
            text += f", {marked_missing:,} not: marked missing"
        if self.files_on_cards_not_connected:
            text += f", {self.files_on_cards_not_connected:,} on a card not connected: left as they were"
        text += ")"
        if self.scan is not None and getattr(self.scan, "new", 0):
            text += f"; {counted(self.scan.new, 'new photo')} there"
        return text


def relocate_folder(
    index, old: str | Path, new: str | Path,
    progress: ProgressCallback | None = None, cancel: CancelToken | None = None, follow_copy: bool = False,
) -> RelocateSummary:
    """Move library folder `old` (and what the index knows under it) to `new`, then
    read `new`. UsageError, changing nothing, when `old` is no library folder, `new` is
    no folder or is in the library already, or `new` does not hold the indexed files;
    NotMovedError when `old` still holds them or `new` holds under half of them, unless
    `follow_copy` (the user means a copy, whole or partial: the files not in it go missing)."""
    try:
        root = library_folder(index, old, action="relocated", instead=lambda within: (
            f"if it moved, `landmark-tagger scan {shell_quote(within)} {shell_quote(str(new))}` finds its photos "
            "there with their labels and taught places (a scan that sees them gone from the library folder and "
            "new elsewhere knows them as moved)"))
    except UsageError:
        root = _gone_spelled_so(index, old)  # the hint's command, its old name respelled by a copy and paste
        if root is None:
            raise
    target = _target_folder(index, root, new)
    rows = _files_under(index.conn, root)
    moves, not_found = [], []
    for file_id, path, size, fingerprint in rows:
        moved = moved_path(path, root, target)
        moves.append((file_id, path, moved, size, fingerprint))
        if not _same_size(moved, size):
            not_found.append(moved)
    found = len(rows) - len(not_found)
    if rows and not found:
        example = rows[0][1][len(root.rstrip(os.sep)) + 1:]
        raise UsageError(f"none of the {counted(len(rows), 'file')} of {root} is in {target} (no {example} there); "
                         "choose the folder that holds them")
    _check_contents(moves)
    if not follow_copy:
        _refuse_a_folder_that_did_not_move(root, target, moves, found)
    summary = RelocateSummary(root, target, files_found=found, files_not_found=len(rows) - found)
    same_card = not follow_copy and _same_card(index.conn, root, target)
    with index.transaction() as conn:
        _move_paths(conn, root, target, moves, same_card)
        not_there = set(not_found)
        summary.photos = _photos_found(conn, [file_id for file_id, _old, new_path, _s, _f in moves
                                              if new_path not in not_there])
    from app.core.scanner import scan

    summary.scan = scan(index, [Path(target)], progress=progress, cancel=cancel)
    cards = summary.scan.cards_not_connected  # (a card mounted in the folder, unplugged: its record moved)
    summary.files_on_cards_not_connected = sum(any(is_within(path, card) for card in cards) for path in not_found)
    return summary


def respell_library_folders(index) -> list[tuple[str, str]]:
    """Library folders an older version stored as typed (`~/pictures` for `~/Pictures`
    on a case-insensitive disk), with everything the index knows under them, respelled
    as the disk spells them. The same folder, so no file is checked: without this a
    folder inside one, scanned as the disk spells it, was indexed a second time. One
    whose other spelling is indexed too is left to the scan (scanner's merge of
    spellings). Returns the (old, new) spellings moved."""
    from app.core.path_case import DiskNames, fold

    names, moved = DiskNames(), []
    for (stored,) in index.conn.execute("SELECT path FROM library_roots").fetchall():
        old = os.fsdecode(stored) if isinstance(stored, bytes) else stored
        new = str(canonical_path(old, names))
        if new == old or fold(new) != fold(old) or _files_under(index.conn, new, limit=1):
            continue  # as the disk spells it, not the same name, or both spellings indexed
        if index.conn.execute("SELECT 1 FROM library_roots WHERE path = CAST(? AS TEXT)", (db_text(new),)).fetchone():
            continue
        moves = [(file_id, path, moved_path(path, old, new), size, fingerprint)
                 for file_id, path, size, fingerprint in _files_under(index.conn, old)]
        with index.transaction() as conn:
            _move_paths(conn, old, new, moves)
        moved.append((old, new))
    return moved


def twin_of_missing(folder: str) -> str | None:
    """The folder that a missing `folder` may have become: the one entry of its parent
    folder with the same name but for Unicode form or case (a sync tool respelling
    `Séville` from NFD to NFC on a disk that tells the forms apart, where both look
    alike), or None."""
    parent, name = os.path.split(folder)
    try:
        names = os.listdir(parent)
    except (OSError, ValueError):
        return None
    twins = [os.path.join(parent, n) for n in names if n != name and fold(n) == fold(name)]
    return twins[0] if len(twins) == 1 and os.path.isdir(twins[0]) else None


def spelling_change(old: str, new: str) -> str:
    """How two paths that read alike differ ("NFD → NFC", "case"), since the screen
    shows two Unicode forms of one name the same; "" when they differ otherwise."""
    if old == new or fold(old) != fold(new):
        return ""
    if unicodedata.normalize("NFC", old) != unicodedata.normalize("NFC", new):
        return "case"
    differ = [(a, b) for a, b in zip(Path(old).parts, Path(new).parts) if a != b]  # the names respelled
    return f"{_unicode_form(''.join(a for a, _ in differ))} → {_unicode_form(''.join(b for _, b in differ))}"


def not_a_folder_message(folder: str, in_library: bool) -> str:
    """Why the scan cannot walk `folder`, and for a library folder how to follow it where
    it went (the same name in another Unicode form or case: the very command)."""
    if os.path.lexists(folder):
        reason = "not a folder" if os.path.exists(folder) else "folder not found"
    elif in_library and (twin := twin_of_missing(folder)) is not None:
        return twin_message(folder, twin)
    else:
        reason = "folder not found"
    return f"{folder}: {reason}; check the path (is the drive mounted?){RELOCATE_HINT if in_library else ''}"


def twin_message(folder: str, twin: str) -> str:
    """Why a library folder that `twin_of_missing` found respelled is not found, and a
    command to copy (it works whichever form the copy keeps, see relocate_folder)."""
    return f"{folder}: folder not found; {twin_hint(folder, twin)}"


def twin_hint(folder: str, twin: str) -> str:
    """twin_message without its first words, for a message that has said "not found"."""
    return (f"{twin_reason(folder, twin)}. If it is this one, relocate it: "
            f"`landmark-tagger relocate {shell_quote(folder)} {shell_quote(twin)}`, or Locate folder… in the app.")


def twin_reason(folder: str, twin: str) -> str:
    """Where the folder that looks like missing `folder` is, and how its name differs
    (the app, with no command to give, says this and points to Locate folder…)."""
    change = spelling_change(folder, twin)
    how = "in another case" if change == "case" else f"in another Unicode form ({change}, as sync tools respell names)"
    return f"{os.path.dirname(folder)} holds a folder of that name spelled {how}"


def relocate_hint(path: str | Path) -> str:
    """RELOCATE_HINT for a photo (or folder) whose folder is not there, or, when the folder
    gone above it (the highest one, whose parent is there) has a twin (twin_of_missing),
    that folder and the very relocate command, since `OLD NEW` cannot name what looks alike."""
    gone = os.path.abspath(path)
    while not os.path.lexists(os.path.dirname(gone)) and os.path.dirname(gone) != gone:
        gone = os.path.dirname(gone)
    twin = None if os.path.lexists(gone) else twin_of_missing(gone)
    return RELOCATE_HINT if twin is None else f" {gone} is not there; {twin_hint(gone, twin)}"


def _unicode_form(text: str) -> str:
    return next((form for form in ("NFC", "NFD") if unicodedata.is_normalized(form, text)), "mixed forms")


def _gone_spelled_so(index, old: str | Path) -> str | None:
    """The one library folder that is gone and spelled as `old` but for Unicode form or
    case: `old` typed (or pasted) in the form its twin on disk has now."""
    typed = fold(str(Path(old).expanduser().absolute()))
    gone = [str(r) for r in index.roots() if fold(str(r)) == typed and not os.path.lexists(r)]
    return gone[0] if len(gone) == 1 else None


def moved_path(path: str, root: str, target: str) -> str:
    """`path` (in `root` or below it) at the same place under `target`. Either folder
    may be a root that keeps its separator (`E:\\`, `/`): the result has one separator
    between the target and the rest, as the scanner stores paths."""
    if path == root:
        return target
    rest = path[len(root.rstrip(os.sep)):]  # starts with the separator
    return target.rstrip(os.sep) + rest if rest else target


def _target_folder(index, root: str, new: str | Path) -> str:
    target = Path(new).expanduser()
    if not target.is_dir():
        raise UsageError(f"{new} is not a folder; give the folder that holds the photos of {root} now")
    target_text = str(canonical_path(target))  # as the scanner will store its photos
    if target_text == root:
        raise UsageError(f"{root} is already where the library looks")
    if is_within(target_text, root) or is_within(root, target_text):
        raise UsageError(f"{target_text} is inside {root} or holds it; give the folder the photos moved to")
    other = next((str(r) for r in index.roots() if str(r) != root and is_within(target_text, str(r))), None)
    if other is not None or _files_under(index.conn, target_text, limit=1):
        raise UsageError(
            f"{target_text} is in the library already ({other or 'its photos are indexed'}); "
            f"relocating would index its photos twice: `landmark-tagger forget` one of the two first"
        )
    return target_text


def _files_under(conn, folder: str, limit: int | None = None) -> list[tuple[int, str, int | None, str | None]]:
    low, high = subtree_range(folder)
    rows = conn.execute(
        "SELECT id, path, size, fingerprint FROM files WHERE path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT) "
        "ORDER BY path" + (f" LIMIT {int(limit)}" if limit else ""),
        (db_text(low), db_text(high)),
    ).fetchall()
    return [(int(i), os.fsdecode(p) if isinstance(p, bytes) else p, s, f) for i, p, s, f in rows]


def _photos_found(conn, file_ids: list[int]) -> int:
    """How many photos hold a file found at the new place: those that kept their labels
    there (not one missing already, whose files are not there either)."""
    photos: set[int] = set()
    for start in range(0, len(file_ids), 500):
        chunk = file_ids[start:start + 500]
        photos.update(row[0] for row in conn.execute(
            f"SELECT photo_id FROM files WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
    return len(photos)


def _same_size(path: str, size: int | None) -> bool:
    try:
        return size is None or os.stat(path).st_size == size
    except OSError:
        return False


def _refuse_a_folder_that_did_not_move(root: str, target: str, moves, found: int) -> None:
    """NotMovedError when `root` is still there holding indexed files (a copy, or a
    mistyped target: relocate is for a folder that moved), or when `target` holds under
    half of them (likely the wrong folder). The same folder under another spelling (case,
    Unicode form, on a disk that ignores them) is no copy."""
    total = len(moves)
    missing = total - found
    if os.path.isdir(root) and not _same_folder(root, target):
        still = sum(_still_there(old_path, size) for _id, old_path, _new, size, _fp in moves)
        if still:
            raise NotMovedError(
                f"{root} has not moved: {still:,} of its {counted(total, 'indexed file')} "
                f"{'is' if still == 1 else 'are'} still there ({found:,} in {target}); relocate follows a folder "
                "that moved or a drive back under another name", missing)
    if found * 2 < total:
        raise NotMovedError(f"only {found:,} of the {counted(total, 'file')} of {root} "
                            f"{'is' if found == 1 else 'are'} in {target}; is it the right folder?", missing)


def _still_there(path: str, size: int | None) -> bool:
    try:
        return os.stat(path).st_size == size or size is None
    except OSError:
        return False


def _same_folder(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _check_contents(moves: list[tuple[int, str, str, int | None, str | None]]) -> None:
    """The files there are the indexed ones: a sample's content fingerprints match
    (files of the same size are not enough: a folder of other photos from the same camera)."""
    candidates = [m for m in moves if m[4] is not None and _same_size(m[2], m[3])]
    sample = random.Random(0).sample(candidates, min(FINGERPRINT_SAMPLE, len(candidates)))
    differ = []
    for _file_id, old_path, new_path, size, fingerprint in sample:
        try:
            if fingerprint_file(new_path, size) != fingerprint:
                differ.append(new_path)
        except OSError:
            differ.append(new_path)
    if sample and len(differ) * 2 > len(sample):
        raise UsageError(f"the files there are not the indexed ones ({differ[0]} differs from the photo "
                         f"indexed under that name); choose the folder that holds them")


def _same_card(conn, root: str, target: str) -> bool:
    """Whether `target` is the folder `root` was, as far as mounts tell: a card mounted
    on both (the card back under another name: E: -> F:, /Volumes/CARD 1), or on neither
    (the folder moved, with the mount points a scan recorded in it)."""
    from app.core.emptied_folders import is_mount_point

    recorded = mount_point_seen(conn, root)
    return recorded is not None and recorded == is_mount_point(Path(target))


def _move_paths(conn, root: str, target: str, moves, same_card: bool = True) -> int:
    """Re-point files, photos, library folders, the write journal (so undo finds the
    files), the files labels were read back from (read_back_keywords: a relabel replaces
    that keyword there, and a keyword removed there is seen), the notes of files `write` would fill in
    (unwritten_elsewhere), the sidecars' last seen states (sidecar_states: else each would be read as
    changed) and the damage notes (other problems go: the next run meets them again); refresh each photo's search words (its folder changed).
    What scans recorded of the cards mounted on its folders moves too where `target` is
    `root`'s `same_card`, else goes (another card, a copy: the scan of it records its own)."""
    def moved(path: str) -> str:
        return moved_path(path, root, target)

    forget_mount_points(conn, target, True, {})  # an earlier folder's there (it is in no library folder now)

    conn.executemany("UPDATE files SET path = CAST(? AS TEXT) WHERE id = ?",
                     [(db_text(new_path), file_id) for file_id, _old, new_path, _s, _f in moves])
    low, high = subtree_range(root)
    photos = conn.execute(
        "SELECT id, folder, primary_path FROM photos WHERE folder = CAST(? AS TEXT) "
        "OR (folder >= CAST(? AS TEXT) AND folder < CAST(? AS TEXT))",
        (db_text(root), db_text(low), db_text(high)),
    ).fetchall()
    for photo_id, folder, primary in photos:
        folder, primary = (os.fsdecode(v) if isinstance(v, bytes) else v for v in (folder, primary))
        conn.execute("UPDATE photos SET folder = CAST(? AS TEXT), primary_path = CAST(? AS TEXT) WHERE id = ?",
                     (db_text(moved(folder)), db_text(moved(primary)), photo_id))
        refresh_search_text(conn, photo_id)
    for table in ("write_journal", "read_back_keywords", "sidecar_states", "unwritten_elsewhere", "errors"):
        stage_column = "stage" if table == "errors" else "NULL"
        rows = conn.execute(f"SELECT rowid, path, {stage_column} FROM {table} WHERE path >= CAST(? AS TEXT) "
                            "AND path < CAST(? AS TEXT) OR path = CAST(? AS TEXT)",
                            (db_text(low), db_text(high), db_text(root))).fetchall()
        for row_id, path, stage in rows:
            path = os.fsdecode(path) if isinstance(path, bytes) else path
            if table == "errors" and stage == "damaged":  # only a decode records it again: it moves
                follow_damage_notes(conn, [(row_id, path, moved(path))])
            elif table == "errors":  # met again at the new place, or not
                conn.execute("DELETE FROM errors WHERE id = ?", (row_id,))
            else:
                conn.execute(f"UPDATE OR REPLACE {table} SET path = CAST(? AS TEXT) WHERE rowid = ?",
                             (db_text(moved(path)), row_id))
    for (path,) in conn.execute("SELECT path FROM library_roots").fetchall():
        text = os.fsdecode(path) if isinstance(path, bytes) else path
        if is_within(text, root):
            conn.execute("UPDATE library_roots SET path = CAST(? AS TEXT) WHERE path = CAST(? AS TEXT)",
                         (db_text(moved(text)), db_text(text)))
    if same_card:
        move_mount_points(conn, root, moved)
    else:
        forget_mount_points(conn, root, True, {})
    return len(photos)

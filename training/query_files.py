"""Which files of an `evaluate --data` folder are scored, and what is left out and why.

A query is a file the app's scan takes as a photo (JPEG, PNG, TIFF, HEIC, camera RAW:
app.core.photo_names, imported rather than copied so that the two cannot drift), as
`evaluate` decodes it with the app's decoder: its figures are those of the photos `tag`
sees. Folders the scan never walks into (hidden ones, a NAS's @eaDir thumbnails, a
photo library package: app.core.folder_paths.is_skipped_folder) are not scored either.
Every other file in a class folder is counted by why it was left out, so that a
summary never covers fewer photos than the folder holds without saying so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.core.folder_paths import is_skipped_folder  # the layers' exceptions (tests/test_layers.py)
from app.core.photo_names import is_skipped_name, photo_kind
from training.datasets import folder_classes

# why a file is no photo of the library (app.core.photo_names), in the summary's words
HIDDEN, SIDECAR = "hidden", "sidecar or temporary"
IN_SKIPPED_FOLDER = "in folders the scan skips"  # .thumbnails, @eaDir, …, whatever the file


@dataclass
class QueryFiles:
    """The query photos of a folder per class, with their kinds, and the other files."""

    by_class: dict[str, list[Path]]
    kinds: dict[Path, str]  # photo → 'jpeg', 'raw', 'png', 'tiff' or 'heic'
    left_out: Counter = field(default_factory=Counter)  # '.webp', 'hidden', … → files


def query_files(data_dir: Path) -> QueryFiles:
    """The photos of `data_dir` the app would scan, by class folder.

    Raises DatasetError (training.datasets.folder_classes) for a missing folder or one
    without a class folder holding such photos."""
    data_dir = Path(data_dir)
    kinds: dict[Path, str] = {}
    left_out: Counter = Counter()

    def take(path: Path) -> bool:
        if any(is_skipped_folder(folder) for folder in path.relative_to(data_dir).parts[:-1]):
            left_out[IN_SKIPPED_FOLDER] += 1
            return False
        kind = photo_kind(path.name)
        if kind is None:
            left_out[why_left_out(path)] += 1
            return False
        kinds[path] = kind
        return True

    by_class = folder_classes(data_dir, take=take)
    return QueryFiles(by_class, kinds, left_out)


def why_left_out(path: Path) -> str:
    """'hidden', 'sidecar or temporary', or the suffix ('.webp', 'no suffix') of a file
    that is no photo the app reads."""
    if path.name.startswith("."):
        return HIDDEN
    if is_skipped_name(path.name):
        return SIDECAR
    return path.suffix.lower() or "no suffix"


def files_summary(kinds_read: Counter, unreadable: int, left_out: Counter) -> str:
    """One line: the photos read by kind, the unreadable ones skipped, the files left out."""
    order = ("jpeg", "raw", "heic", "tiff", "png")  # the most of a kind first, ties in this order
    ranked = sorted(kinds_read.items(), key=lambda kv: (-kv[1], order.index(kv[0]) if kv[0] in order else len(order)))
    read = ", ".join(f"{count} {kind.upper()}" for kind, count in ranked)
    line = f"photos read: {read or 'none'}"
    if unreadable:
        line += f"; {unreadable} unreadable, skipped"
    if left_out:
        shown = ", ".join(f"{count} {what}" for what, count in sorted(left_out.items(), key=lambda kv: (-kv[1], kv[0])))
        line += f"; {sum(left_out.values())} file(s) left out, not photos the app tags ({shown})"
    return line

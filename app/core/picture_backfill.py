"""The picture prints of JPEGs indexed before migration 42, made once by the next scan.

A rescan never opens an unchanged file, so a library indexed before picture prints
(fingerprint.picture_print) would never get them, and a photo of it edited in another
program and renamed would come back new, its labels left on a missing ghost. Migration
42 marks the photos holding a JPEG (photos_to_print); the scan of their folder prints
each unchanged JPEG of a marked photo (the segment headers and the image data, whole up
to 2 MiB, else ~270 KiB of samples; no decoding), then the mark goes, in one transaction with the prints. A changed file is
printed by the scan's own read; a photo kept in the cloud (reading would download it),
missing, or with a file not readable now keeps its mark for a later scan.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping

from app.core.fingerprint import picture_print
from app.core.index.catalog import KnownFile
from app.core.index.connection import db_text
from app.core.photo_info import file_kind


class UnprintedJpegs:
    """The scan's backfill of picture prints, folder by folder; nothing once none is owed."""

    def __init__(self, index) -> None:
        self.index = index
        self.owed: bool | None = None  # whether any photo is marked: asked once per scan

    def print_folder(self, folder: str, known: Mapping[str, KnownFile], seen: Mapping[str, tuple[int, int]],
                     not_read: Collection[str]) -> int:
        """Print the unchanged JPEGs (as `seen` lists them) of the folder's marked photos,
        but those of `not_read` (kept in the cloud); how many files were printed."""
        conn = self.index.conn
        if self.owed is None:
            self.owed = conn.execute("SELECT 1 FROM photos_to_print LIMIT 1").fetchone() is not None
        if not self.owed:
            return 0
        marked = {int(r[0]) for r in conn.execute(
            "SELECT p.id FROM photos_to_print m JOIN photos p ON p.id = m.photo_id "
            "WHERE p.folder = CAST(? AS TEXT) AND p.missing = 0", (db_text(folder),))}
        if not marked:
            return 0
        prints: list[tuple[str | None, int]] = []
        kept: set[int] = set()
        for name, k in known.items():
            if k.photo_id not in marked or k.missing or file_kind(name) != "jpeg":
                continue
            if name in not_read:
                kept.add(k.photo_id)
                continue
            if seen.get(name) != (k.size, k.mtime_ns):
                continue  # changed (the scan reads it now, and prints it) or gone
            try:
                prints.append((picture_print(os.path.join(folder, name), k.size), k.id))
            except OSError:  # locked, a share's hiccup: the next scan tries again
                kept.add(k.photo_id)
        with self.index.transaction() as tx:
            tx.executemany("UPDATE files SET picture_print = ? WHERE id = ? AND picture_print IS NULL", prints)
            tx.executemany("DELETE FROM photos_to_print WHERE photo_id = ?", [(i,) for i in sorted(marked - kept)])
        return len(prints)

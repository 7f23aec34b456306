"""Two undos the hold rules must not mistake for "changed in another program since our
write": that of a write that only took our keyword out (a rejection), of a file edited
since, and that of a write killed before it replaced a file (which never reached it)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.index import labels as label_store
from app.core.metadata import plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from tests.test_metadata_support import add_photo, make_jpeg

REPO = Path(__file__).resolve().parents[1]


def test_undo_of_a_rejection_puts_our_keyword_back_into_a_file_edited_since(tmp_path) -> None:
    """The write took our keyword out and added none: nothing of it is "left" to find, yet
    its undo has a keyword to put back, beside the other program's."""
    photo = make_jpeg(tmp_path / "a.jpg", size=(320, 240), seed=1)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo_id = add_photo(index, [photo], "Colosseum")
        assert write_labels(index, plan_writes(index)).written == 1
        with index.transaction() as conn:
            label_store.change_states(conn, [photo_id], "rejected")
        assert write_labels(index, plan_writes(index)).written == 1
        assert "Landmarks|Colosseum" not in (read_fields(photo.read_bytes()).hierarchical or [])
        fields, stat = read_fields(photo.read_bytes()), photo.stat()
        photo.write_bytes(apply_fields(photo.read_bytes(), replace(fields, subject=(fields.subject or []) + ["Holiday"])))
        os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        undone = undo_last_write(index)
        assert (undone.written, undone.held, undone.failed) == (1, 0, 0), undone.notes
        after = read_fields(photo.read_bytes())
        assert "Landmarks|Colosseum" in (after.hierarchical or [])
        assert "Holiday" in (after.subject or [])


KILLED_AT_B = r"""
import os, sys
from pathlib import Path
from app.core.index import PhotoIndex
from app.core.metadata import atomic, plan_writes, write_labels
real = atomic.replace_atomically
def killed_at_b(path, *args, **kwargs):
    if Path(path).name == "b.jpg":
        os._exit(9)  # as a SIGKILL: nothing after this runs
    return real(path, *args, **kwargs)
atomic.replace_atomically = killed_at_b
with PhotoIndex.open(sys.argv[1]) as index:
    write_labels(index, plan_writes(index))
"""


def test_undo_after_a_write_killed_before_it_replaced_a_file_leaves_that_file_unnamed(tmp_path) -> None:
    """b.jpg was never replaced (its entry never completed): its undo has nothing to do,
    and must neither count it held nor say another program changed it."""
    db = tmp_path / "index.db"
    photos = [make_jpeg(tmp_path / name, size=(320, 240), seed=seed) for seed, name in enumerate(("a.jpg", "b.jpg"))]
    originals = [photo.read_bytes() for photo in photos]
    with PhotoIndex.open(db) as index:
        for photo in photos:
            add_photo(index, [photo], "Colosseum")
    killed = subprocess.run([sys.executable, "-c", KILLED_AT_B, str(db)], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert killed.returncode == 9
    assert photos[1].read_bytes() == originals[1]
    with PhotoIndex.open(db) as index:
        undone = undo_last_write(index)
        assert (undone.held, undone.failed, undone.notes) == (0, 0, []), undone.notes
        assert [photo.read_bytes() for photo in photos] == originals
        assert not any(item.held for item in plan_writes(index))

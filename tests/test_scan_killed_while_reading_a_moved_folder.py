"""A scan killed (kill -9) while still reading a moved folder, after it saved photos at
the new place and before it marked the old ones missing (review5 finding 1): the photos
it saved are new rows holding the label read back from our keyword in their files. The
next scan joins each to its old photo, which keeps its id, label, rejections and write
journal; the read-back label does not win over a relabel made since the write."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.metadata import undo_last_write
from app.core.scanner import scan
from tests.test_metadata_support import make_jpeg
from tests.test_raw_pictures_of_one_name import photo_of, write

REPO = Path(__file__).resolve().parents[1]
PHOTOS = 6

# the scan dies (as kill -9 would) where it first marks a photo missing: the walk has
# committed the new place's photos (two to a transaction), not the old place's
KILLED_BEFORE_MARKING_MISSING = (
    "import os, signal, sys; from pathlib import Path; from app.core.index import PhotoIndex, scan_runs; "
    "from app.core.scanner import scan, ScanOptions\n"
    "def killed(*args, **kwargs):\n"
    "    os.kill(os.getpid(), signal.SIGKILL)\n"
    "scan_runs.note_went_missing = killed\n"
    "ix = PhotoIndex.open(sys.argv[1]); scan(ix, [Path(sys.argv[2])], options=ScanOptions(groups_per_transaction=2))"
)


def user_state(index: PhotoIndex) -> dict[int, tuple]:
    """Per photo id: label, state, rejections, write-journal rows (by file name)."""
    conn = index.conn
    return {photo_id: (
        conn.execute("SELECT label, state FROM labels WHERE photo_id = ?", (photo_id,)).fetchone(),
        sorted(r[0] for r in conn.execute("SELECT label FROM rejections WHERE photo_id = ?", (photo_id,))),
        sorted(Path(r[0]).name for r in conn.execute("SELECT path FROM write_journal WHERE photo_id = ?",
                                                     (photo_id,))),
    ) for (photo_id,) in conn.execute("SELECT id FROM photos ORDER BY id")}


def test_a_scan_killed_reading_a_moved_folder_leaves_nothing_split_after_the_next(tmp_path: Path) -> None:
    lib, db = tmp_path / "lib", tmp_path / "index.db"
    names = [f"IMG_{n:04d}.JPG" for n in range(PHOTOS)]
    (lib / "trip").mkdir(parents=True)
    for seed, name in enumerate(names):
        make_jpeg(lib / "trip" / name, seed=seed)
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        ids = {name: photo_of(index, lib / "trip" / name).id for name in names}
        for name in names:
            index.set_label(ids[name], "Trevi Fountain")
            index.set_state([ids[name]], "rejected")  # a rejection each
            index.set_label(ids[name], "Colosseum")
        assert write(index).written == PHOTOS  # our keyword in every file, journalled
        index.set_label(ids[names[0]], "Pantheon")  # relabelled since, not written yet
        before = user_state(index)
    assert all(rejected == ["Trevi Fountain"] for _, rejected, _ in before.values())
    (lib / "Archive").mkdir()
    (lib / "trip").rename(lib / "Archive" / "trip")

    killed = subprocess.run([sys.executable, "-c", KILLED_BEFORE_MARKING_MISSING, str(db), str(lib)], cwd=REPO)
    assert killed.returncode == -9

    with PhotoIndex.open(db) as index:
        conn = index.conn
        # the killed scan's leftovers: new rows at the new place, read back; the old ones not missing yet
        new_rows = conn.execute("SELECT count(*) FROM photos WHERE id > ?", (max(ids.values()),)).fetchone()[0]
        assert new_rows >= 2
        assert conn.execute("SELECT count(*) FROM photos WHERE missing = 1").fetchone()[0] == 0

        summary = scan(index, [lib])
        assert (summary.moved, summary.new, summary.missing, summary.errors) == (PHOTOS, 0, 0, 0), summary
        assert index.count("is:missing") == 0
        assert user_state(index) == before  # the same ids, labels, rejections, journal rows
        assert {Path(photo_of(index, lib / "Archive" / "trip" / name).path).name: photo_of(
            index, lib / "Archive" / "trip" / name).id for name in names} == ids
        assert photo_of(index, lib / "Archive" / "trip" / names[0]).label == "Pantheon"  # not the file's Colosseum
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert scan(index, [lib]).moved == 0  # nothing left over

        undone = undo_last_write(index)  # the journal follows the files to their new place
        assert (undone.written, undone.failed) == (PHOTOS, 0), undone.line()

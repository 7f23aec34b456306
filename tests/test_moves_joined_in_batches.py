"""A moved folder's photos are joined to their old rows a batch to a transaction
(scale finding 1: a transaction each wrote ~250 KB to the index per moved photo), each
photo in a savepoint of its own: a kill mid-batch leaves every photo wholly at its old
place or its new one, and one photo failing leaves the batch's others joined."""

from __future__ import annotations

import math
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.index import PhotoIndex, moved_photos
from app.core.scan_moves import MoveRecognition
from app.core.scanner import ScanOptions, scan
from tests.test_index_support import write_jpeg

REPO = Path(__file__).resolve().parents[1]

# the scan dies (as kill -9 would) inside the join of its 4th moved photo, its writes done,
# the second batch of two open: the first batch is committed, the second not
KILLED_MID_BATCH = (
    "import os, signal, sys; from pathlib import Path; from app.core.index import PhotoIndex, moved_photos; "
    "from app.core.scanner import scan, ScanOptions; "
    "real, calls = moved_photos.adopt_moved_photo, []\n"
    "def adopt(*args, **kwargs):\n"
    "    edited = real(*args, **kwargs); calls.append(1)\n"
    "    if len(calls) == 4: os.kill(os.getpid(), signal.SIGKILL)\n"
    "    return edited\n"
    "moved_photos.adopt_moved_photo = adopt\n"
    "ix = PhotoIndex.open(sys.argv[1]); scan(ix, [Path(sys.argv[2])], options=ScanOptions(groups_per_transaction=2))"
)


def labelled_folder(tmp_path: Path, photos: int) -> tuple[Path, Path, dict[str, int]]:
    """lib/inbox/IMG_n.jpg scanned into index.db, each labelled "Petra n", then the
    folder moved to lib/trip: (lib, db, file name -> photo id)."""
    lib = tmp_path / "lib"
    for n in range(photos):
        write_jpeg(lib / "inbox" / f"IMG_{n}.jpg", color=(n * 20, 40, 200 - n * 10))
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        ids = {Path(p.path).name: p.id for p in index.search()}
        for name, photo_id in ids.items():
            index.set_label(photo_id, f"Petra {name}")
    (lib / "inbox").rename(lib / "trip")
    return lib, db, ids


def assert_all_moved_with_their_labels(index: PhotoIndex, lib: Path, ids: dict[str, int]) -> None:
    found = {Path(p.path).name: (p.id, p.label, Path(p.path).parent) for p in index.search()}
    assert found == {name: (photo_id, f"Petra {name}", lib / "trip") for name, photo_id in ids.items()}
    assert index.count("is:missing") == 0


def test_a_moved_folder_is_joined_a_batch_to_a_transaction(tmp_path: Path, monkeypatch) -> None:
    lib, db, ids = labelled_folder(tmp_path, photos=10)
    begun: list[str] = []
    recognise = MoveRecognition.recognise

    def counted(self, became_missing):  # the write transactions the move recognition begins
        self.conn.set_trace_callback(lambda sql: begun.append(sql) if sql.lstrip().upper().startswith("BEGIN") else None)
        try:
            recognise(self, became_missing)
        finally:
            self.conn.set_trace_callback(None)

    monkeypatch.setattr(MoveRecognition, "recognise", counted)
    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib], options=ScanOptions(groups_per_transaction=4))
        assert (summary.moved, summary.new, summary.missing, summary.errors) == (10, 0, 0, 0)
        assert_all_moved_with_their_labels(index, lib, ids)
    # one for the names given up (renamed_over) and one per batch of 4, not one per photo
    assert len(begun) <= 1 + math.ceil(10 / 4), begun


def test_a_photo_whose_join_fails_leaves_the_others_of_its_batch_joined(tmp_path: Path, monkeypatch) -> None:
    lib, db, ids = labelled_folder(tmp_path, photos=3)
    failing = ids["IMG_1.jpg"]
    real = moved_photos.adopt_moved_photo

    def adopt(conn, old_id, new_id, *args, **kwargs):
        edited = real(conn, old_id, new_id, *args, **kwargs)  # its writes done, then a constraint fails
        if old_id == failing:
            raise sqlite3.IntegrityError("UNIQUE constraint failed: photos.folder, photos.stem")
        return edited

    monkeypatch.setattr(moved_photos, "adopt_moved_photo", adopt)
    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib])
        assert (summary.moved, summary.new, summary.missing, summary.errors) == (2, 1, 1, 1)
        assert summary.status == "done"
        found = {(Path(p.path).name, p.id, p.label, Path(p.path).parent) for p in index.search()}
        (new_id,) = {photo_id for name, photo_id, _, _ in found if name == "IMG_1.jpg"}
        assert found == {("IMG_0.jpg", ids["IMG_0.jpg"], "Petra IMG_0.jpg", lib / "trip"),
                         ("IMG_2.jpg", ids["IMG_2.jpg"], "Petra IMG_2.jpg", lib / "trip"),
                         ("IMG_1.jpg", new_id, None, lib / "trip")}
        (left,) = index.search("is:missing")  # its own writes taken back: wholly at its old place
        assert (left.id, left.label, Path(left.path)) == (failing, "Petra IMG_1.jpg", lib / "inbox" / "IMG_1.jpg")
        (message,) = [m for (m,) in index.conn.execute("SELECT message FROM errors WHERE stage = 'scan'")]
        assert "IMG_1.jpg: not joined to the photo it was moved from (UNIQUE constraint failed" in message
        assert str(lib / "inbox" / "IMG_1.jpg") in message


def test_a_scan_killed_in_the_middle_of_a_batch_of_moves_leaves_each_photo_whole(tmp_path: Path) -> None:
    lib, db, ids = labelled_folder(tmp_path, photos=5)

    done = subprocess.run([sys.executable, "-c", KILLED_MID_BATCH, str(db), str(lib)], cwd=REPO)
    assert done.returncode == -9

    with PhotoIndex.open(db) as index:
        conn = index.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        by_id = {p.id: p for p in index.search()}
        joined = [name for name, photo_id in ids.items() if photo_id in by_id]
        assert len(joined) == 2  # the first batch, committed; the second's two taken back
        for name, photo_id in ids.items():
            if name in joined:  # wholly at its new place, its label with it
                assert (Path(by_id[photo_id].path), by_id[photo_id].label) == (lib / "trip" / name, f"Petra {name}")
                continue
            # wholly at its old place, its label there; its new place a photo of its own
            assert conn.execute("SELECT missing FROM photos WHERE id = ?", (photo_id,)).fetchone() == (1,)
            assert conn.execute("SELECT label FROM labels WHERE photo_id = ?", (photo_id,)).fetchone() == (
                f"Petra {name}",)
            assert {Path(p) for (p,) in conn.execute("SELECT path FROM files WHERE photo_id = ?", (photo_id,))} == {
                lib / "inbox" / name}
            assert [p.label for p in index.search(name) if Path(p.path) == lib / "trip" / name] == [None]
        assert conn.execute("SELECT count(*) FROM labels WHERE photo_id NOT IN (SELECT id FROM photos)").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM files WHERE photo_id NOT IN (SELECT id FROM photos)").fetchone()[0] == 0

        summary = scan(index, [lib])  # the next scan finishes the job
        assert (summary.moved, summary.new, summary.missing, summary.errors) == (3, 0, 0, 0)
        assert_all_moved_with_their_labels(index, lib, ids)


@pytest.mark.parametrize("per_transaction", [1, 256])
def test_batches_of_any_size_join_the_same_photos(tmp_path: Path, per_transaction: int) -> None:
    lib, db, ids = labelled_folder(tmp_path, photos=4)
    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib], options=ScanOptions(groups_per_transaction=per_transaction))
        assert (summary.moved, summary.new, summary.missing) == (4, 0, 0)
        assert_all_moved_with_their_labels(index, lib, ids)

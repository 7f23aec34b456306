"""A scan killed (kill -9) while still reading a moved folder, after it saved photos at
the new place and before it marked the old ones missing (review5 finding 1): the photos
it saved are new rows holding the label read back from our keyword in their files. The
next scan joins each to its old photo, which keeps its id, label, rejections and write
journal; the read-back label does not win over a relabel made since the write."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    ids = _written_trip(lib, db, PHOTOS)  # a rejection each, our keyword in every file, journalled
    names = list(ids)
    with PhotoIndex.open(db) as index:
        index.set_label(ids[names[0]], "Pantheon")  # relabelled since, not written yet
        before = user_state(index)
    assert all(rejected == ["Trevi Fountain"] for _, rejected, _ in before.values())
    (lib / "Archive").mkdir()
    (lib / "trip").rename(lib / "Archive" / "trip")

    _killed_scan(db, lib)

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


def _written_trip(lib: Path, db: Path, count: int) -> dict[str, int]:
    """`count` photos in lib/trip, each labelled Trevi Fountain, rejected, then Colosseum,
    and written (our keyword in every file): their ids by file name."""
    names = [f"IMG_{n:04d}.JPG" for n in range(count)]
    (lib / "trip").mkdir(parents=True)
    for seed, name in enumerate(names):
        make_jpeg(lib / "trip" / name, seed=seed)
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        ids = {name: photo_of(index, lib / "trip" / name).id for name in names}
        for photo_id in ids.values():
            index.set_label(photo_id, "Trevi Fountain")
            index.set_state([photo_id], "rejected")
            index.set_label(photo_id, "Colosseum")
        assert write(index).written == count
    return ids


def _killed_scan(db: Path, lib: Path) -> None:
    assert subprocess.run([sys.executable, "-c", KILLED_BEFORE_MARKING_MISSING, str(db), str(lib)],
                          cwd=REPO).returncode == -9


@pytest.mark.parametrize("act", ["relabel", "reject"])
def test_a_killed_scans_photo_the_user_changed_before_the_rescan_is_still_joined(tmp_path: Path, act: str) -> None:
    """The user relabels (or rejects) in the app one photo the killed scan brought in, its
    label read back from the moved file; the rescan joins it all the same (its fingerprint
    the only copy of the old photo's), the user's newer word kept beside the old rejections."""
    lib, db = tmp_path / "lib", tmp_path / "index.db"
    ids = _written_trip(lib, db, 3)
    (lib / "Archive").mkdir()
    (lib / "trip").rename(lib / "Archive" / "trip")
    _killed_scan(db, lib)
    touched = lib / "Archive" / "trip" / "IMG_0001.JPG"
    with PhotoIndex.open(db) as index:
        killed_row = photo_of(index, touched).id
        assert killed_row not in ids.values()
        if act == "relabel":
            index.set_label(killed_row, "Pantheon")
        else:
            index.set_state([killed_row], "rejected")

        summary = scan(index, [lib])
        assert (summary.moved, summary.new, summary.missing) == (3, 0, 0), summary
        photo = photo_of(index, touched)
        assert photo.id == ids["IMG_0001.JPG"]
        label = index.conn.execute("SELECT label, state FROM labels WHERE photo_id = ?", (photo.id,)).fetchone()
        rejected = sorted(r[0] for r in index.conn.execute("SELECT label FROM rejections WHERE photo_id = ?",
                                                           (photo.id,)))
        if act == "relabel":
            assert (tuple(label), rejected) == (("Pantheon", "accepted"), ["Trevi Fountain"])
        else:
            assert (tuple(label), rejected) == (("Colosseum", "rejected"), ["Colosseum", "Trevi Fountain"])
        assert index.conn.execute("SELECT count(*) FROM write_journal WHERE photo_id = ?", (photo.id,)).fetchone()[0]


# the scan dies (as kill -9 would) once its walk is over, before it recognises any move
KILLED_BEFORE_RECOGNISING_MOVES = KILLED_BEFORE_MARKING_MISSING.replace(
    "scan_runs.note_went_missing = killed",
    "import app.core.scan_moves as scan_moves; scan_moves.MoveRecognition.recognise = killed")


@pytest.mark.parametrize("killed", [True, False], ids=["killed", "finished"])
def test_card_originals_a_killed_scan_added_are_not_the_written_photos_deleted_after(tmp_path: Path,
                                                                                      killed: bool) -> None:
    """The card's originals of written photos (the same pictures, without our keyword) are
    copied in beside them and indexed by a scan that is killed; the user then deletes the
    written copies. As had the scan finished, the originals stay photos of their own,
    unlabelled: a killed scan's row is reached back to only where its files hold our keyword."""
    lib, db, card = tmp_path / "lib", tmp_path / "index.db", tmp_path / "card"
    card.mkdir()
    names = [f"IMG_{n:04d}.JPG" for n in range(4)]
    for seed, name in enumerate(names):
        make_jpeg(card / name, seed=seed)
    (lib / "2019").mkdir(parents=True)
    for name in names:
        shutil.copyfile(card / name, lib / "2019" / name)
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        for name in names:
            index.set_label(photo_of(index, lib / "2019" / name).id, "Colosseum")
        assert write(index).written == 4
    shutil.copytree(card, lib / "2024card")
    if killed:
        assert subprocess.run([sys.executable, "-c", KILLED_BEFORE_RECOGNISING_MOVES, str(db), str(lib)],
                              cwd=REPO).returncode == -9
    else:
        with PhotoIndex.open(db) as index:
            scan(index, [lib])
    shutil.rmtree(lib / "2019")

    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib])
        assert (summary.moved, summary.missing) == (0, 4), summary
        for name in names:
            assert photo_of(index, lib / "2024card" / name).label is None
        assert index.count("is:missing") == 4


def _killed_while_reading_archive(lib: Path, db: Path, count: int) -> tuple[dict[str, int], list[int]]:
    """`count` written photos moved from lib/trip to lib/Archive/trip, a scan killed after it
    saved rows at the new place: the old ids by file name, and the killed scan's rows."""
    ids = _written_trip(lib, db, count)
    (lib / "Archive").mkdir()
    (lib / "trip").rename(lib / "Archive" / "trip")
    _killed_scan(db, lib)
    with PhotoIndex.open(db) as index:
        strays = [int(r[0]) for r in index.conn.execute("SELECT id FROM photos WHERE id > ?", (max(ids.values()),))]
    assert strays
    return ids, strays


def test_moving_the_folder_back_after_a_killed_scan_leaves_no_photo_missing(tmp_path: Path) -> None:
    """The folder goes back where the index first had it: every photo is where it was, and
    the killed scan's rows (the label read back from the files) are not photos going missing."""
    lib, db = tmp_path / "lib", tmp_path / "index.db"
    ids, strays = _killed_while_reading_archive(lib, db, 3)
    with PhotoIndex.open(db) as index:
        before = {photo_id: state for photo_id, state in user_state(index).items() if photo_id in ids.values()}
    (lib / "Archive" / "trip").rename(lib / "trip")

    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib])
        assert (summary.moved, summary.new, summary.missing, summary.errors) == (0, 0, 0, 0), summary
        assert index.count("is:missing") == 0
        assert user_state(index) == before  # the old photos only, untouched
        for table in ("labels", "read_back_keywords", "files", "moves_pending"):
            marks = ",".join("?" * len(strays))
            assert index.conn.execute(f"SELECT count(*) FROM {table} WHERE photo_id IN ({marks})",
                                      strays).fetchone()[0] == 0, table
        assert scan(index, [lib]).missing == 0


def test_a_moved_photo_deleted_after_a_killed_scan_is_one_missing_photo(tmp_path: Path) -> None:
    """One of the moved photos is deleted after the kill: the old photo goes missing (kept
    for its return, labels and journal with it), the killed scan's row of it goes."""
    lib, db = tmp_path / "lib", tmp_path / "index.db"
    ids, strays = _killed_while_reading_archive(lib, db, 3)
    deleted = lib / "Archive" / "trip" / "IMG_0002.JPG"
    with PhotoIndex.open(db) as index:
        stray = photo_of(index, deleted).id
    assert stray in strays
    deleted.unlink()

    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib])
        assert (summary.moved, summary.missing) == (2, 1), summary
        (missing_id,) = [int(r[0]) for r in index.conn.execute("SELECT id FROM photos WHERE missing = 1")]
        assert missing_id == ids["IMG_0002.JPG"]  # the user's photo, its label and journal kept for its return
        assert index.conn.execute("SELECT 1 FROM photos WHERE id = ?", (stray,)).fetchone() is None


@pytest.mark.parametrize("act", ["relabel", "written"])
def test_a_killed_scans_row_holding_the_users_word_or_a_write_stays_missing(tmp_path: Path, act: str) -> None:
    """A row the killed scan brought in that the user relabelled, or whose label was written
    into its file (journalled for `undo`; relabelled back to the file's first word since),
    is the user's: once its file is gone it stays, a missing photo."""
    lib, db = tmp_path / "lib", tmp_path / "index.db"
    ids, strays = _killed_while_reading_archive(lib, db, 3)
    with PhotoIndex.open(db) as index:
        kept = photo_of(index, lib / "Archive" / "trip" / "IMG_0001.JPG").id
        assert kept in strays
        index.set_label(kept, "Pantheon")
        if act == "written":
            assert write(index).written == 1
            index.set_label(kept, "Colosseum")  # the word read back from the file when the killed scan saw it
    (lib / "Archive" / "trip").rename(lib / "trip")
    gone = {kept}
    if act == "written":  # the written file, back at the old place, is deleted: nothing to join
        (lib / "trip" / "IMG_0001.JPG").unlink()
        gone.add(ids["IMG_0001.JPG"])

    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib])
        assert summary.missing == len(gone), summary
        assert {int(r[0]) for r in index.conn.execute("SELECT id FROM photos WHERE missing = 1")} == gone
        label = index.conn.execute("SELECT label FROM labels WHERE photo_id = ?", (kept,)).fetchone()[0]
        assert label == ("Pantheon" if act == "relabel" else "Colosseum")


# the rescan dies (as kill -9 would) at its third removal of a photo row: the first two, a
# transaction of their own, are committed
KILLED_AT_THE_THIRD_REMOVAL = (
    "import os, signal, sys; from pathlib import Path; from app.core.index import PhotoIndex, photo_rows; "
    "from app.core.scanner import scan, ScanOptions\n"
    "calls = []; remove = photo_rows.remove_photos\n"
    "def killed(*args, **kwargs):\n"
    "    calls.append(1)\n"
    "    if len(calls) == 3: os.kill(os.getpid(), signal.SIGKILL)\n"
    "    return remove(*args, **kwargs)\n"
    "photo_rows.remove_photos = killed\n"
    "ix = PhotoIndex.open(sys.argv[1]); scan(ix, [Path(sys.argv[2])], options=ScanOptions(groups_per_transaction=2))"
)


def test_a_rescan_killed_while_dropping_the_strays_leaves_the_rest_to_the_next(tmp_path: Path) -> None:
    """Strays go a batch to a transaction: a kill keeps the committed batch gone and leaves
    the others owed (moves_pending) to the next scan, which drops them, none counted missing."""
    lib, db = tmp_path / "lib", tmp_path / "index.db"
    ids, strays = _killed_while_reading_archive(lib, db, PHOTOS)
    assert len(strays) >= 3
    (lib / "Archive" / "trip").rename(lib / "trip")
    assert subprocess.run([sys.executable, "-c", KILLED_AT_THE_THIRD_REMOVAL, str(db), str(lib)],
                          cwd=REPO).returncode == -9
    with PhotoIndex.open(db) as index:
        left = index.conn.execute("SELECT count(*) FROM photos WHERE missing = 1").fetchone()[0]
        assert left == len(strays) - 2  # the first batch committed, the rest still there
        summary = scan(index, [lib])
        assert (summary.moved, summary.new, summary.missing, summary.errors) == (0, 0, 0, 0), summary
        assert index.count("is:missing") == 0
        assert sorted(int(r[0]) for r in index.conn.execute("SELECT id FROM photos")) == sorted(ids.values())
        assert index.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_killed_imports_photos_whose_card_is_unplugged_stay_missing(tmp_path: Path) -> None:
    """A plain import (no move) killed mid-way, then its folder emptied (the card unplugged):
    the rows it saved are photos of their own, no other row holding their fingerprints; each
    stays, a missing photo counted as such, as after an import that finished (review13 F1)."""
    lib, db = tmp_path / "lib", tmp_path / "index.db"
    (lib / "card").mkdir(parents=True)
    for seed in range(PHOTOS):
        make_jpeg(lib / "card" / f"IMG_{seed:04d}.JPG", seed=seed)
    assert subprocess.run([sys.executable, "-c", KILLED_BEFORE_RECOGNISING_MOVES, str(db), str(lib)],
                          cwd=REPO).returncode == -9
    with PhotoIndex.open(db) as index:
        indexed = sorted(int(r[0]) for r in index.conn.execute("SELECT id FROM photos"))
    assert len(indexed) == PHOTOS
    shutil.rmtree(lib / "card")
    (lib / "card").mkdir()

    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib])
        assert (summary.moved, summary.new, summary.missing) == (0, 0, PHOTOS), summary
        assert sorted(int(r[0]) for r in index.conn.execute("SELECT id FROM photos WHERE missing = 1")) == indexed
        assert index.count("is:missing") == PHOTOS

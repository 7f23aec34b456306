"""A folder moved, a scan killed before it recognised the move (the photos at the new
place are new rows), the user labels and teaches those rows, and the next scan joins each
to its old photo (review11 F1). The old photo takes their label and taught reference over,
and `undo --review` takes the steps back on it: a move is no forget, so no photo counts as
"taken out of the library since"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.core.index import PhotoIndex
from tests.test_metadata_support import make_jpeg
from tests.test_raw_pictures_of_one_name import photo_of
from tests.test_renumbered_jpeg_beside_an_unchanged_raw import run
from tests.test_scan_killed_while_reading_a_moved_folder import KILLED_BEFORE_RECOGNISING_MOVES, REPO

NAMES = ("IMG_0000.JPG", "IMG_0001.JPG", "IMG_0002.JPG")


def _label_and_taught(db: Path, photo_id: int) -> tuple:
    with PhotoIndex.open(db) as index:
        label = index.conn.execute("SELECT label, state FROM labels WHERE photo_id = ?", (photo_id,)).fetchone()
        taught = index.conn.execute("SELECT label FROM taught_refs WHERE photo_id = ?", (photo_id,)).fetchall()
    return (None if label is None else tuple(label)), [row[0] for row in taught]


def test_undo_review_takes_back_a_label_and_a_teach_given_to_a_killed_scans_rows_once_joined(
        tmp_path: Path, capsys, tiny_bundle) -> None:
    lib, db = tmp_path / "lib", tmp_path / "index.db"
    (lib / "Trip").mkdir(parents=True)
    for seed, name in enumerate(NAMES):
        make_jpeg(lib / "Trip" / name, seed=seed)
    run(capsys, "--db", str(db), "scan", str(lib))
    with PhotoIndex.open(db) as index:
        old = {name: photo_of(index, lib / "Trip" / name).id for name in NAMES}
    (lib / "Trip").rename(lib / "Trip2")
    assert subprocess.run([sys.executable, "-c", KILLED_BEFORE_RECOGNISING_MOVES, str(db), str(lib)],
                          cwd=REPO).returncode == -9
    labelled, taught = lib / "Trip2" / NAMES[1], lib / "Trip2" / NAMES[2]
    with PhotoIndex.open(db) as index:
        assert photo_of(index, labelled).id not in old.values()  # the killed scan's row
    assert run(capsys, "--db", str(db), "label", str(labelled), "Machu Picchu")[0] == 0
    assert run(capsys, "--db", str(db), "teach", "--new", "Our cabin", str(taught),
               "--model", str(tiny_bundle.path))[0] == 0
    assert "3 moved" in run(capsys, "--db", str(db), "scan", str(lib))[2]
    assert _label_and_taught(db, old[NAMES[1]]) == (("Machu Picchu", "accepted"), ["Machu Picchu"])
    assert _label_and_taught(db, old[NAMES[2]]) == (("Our cabin", "accepted"), ["Our cabin"])

    code, out, err = run(capsys, "--db", str(db), "undo", "--review")
    assert code == 0 and "taken out of the library" not in out + err
    assert "took back `teach" in out + err
    assert _label_and_taught(db, old[NAMES[2]]) == (None, [])
    code, out, err = run(capsys, "--db", str(db), "undo", "--review")
    assert code == 0 and "took back `label" in out + err
    assert _label_and_taught(db, old[NAMES[1]]) == (None, [])


def test_undo_review_gives_back_the_old_photos_own_label_once_the_new_rows_label_took_it_over(
        tmp_path: Path, capsys) -> None:
    """review14 F1: the photo was labelled Petra before the move; the killed scan's row got
    "Machu Picchu", which the join keeps (the user's newer word). Undoing that label gave the
    photo no label (the new row's state before it) and Petra could not be got back."""
    lib, db = tmp_path / "lib", tmp_path / "index.db"
    (lib / "Trip").mkdir(parents=True)
    for seed, name in enumerate(NAMES):
        make_jpeg(lib / "Trip" / name, seed=seed)
    run(capsys, "--db", str(db), "scan", str(lib))
    assert run(capsys, "--db", str(db), "label", str(lib / "Trip" / NAMES[1]), "Petra")[0] == 0
    with PhotoIndex.open(db) as index:
        old = photo_of(index, lib / "Trip" / NAMES[1]).id
    (lib / "Trip").rename(lib / "Trip2")
    assert subprocess.run([sys.executable, "-c", KILLED_BEFORE_RECOGNISING_MOVES, str(db), str(lib)],
                          cwd=REPO).returncode == -9
    assert run(capsys, "--db", str(db), "label", str(lib / "Trip2" / NAMES[1]), "Machu Picchu")[0] == 0
    assert "3 moved" in run(capsys, "--db", str(db), "scan", str(lib))[2]
    assert _label_and_taught(db, old)[0] == ("Machu Picchu", "accepted")

    code, out, err = run(capsys, "--db", str(db), "undo", "--review")
    assert code == 0 and "took back `label" in out + err and "Machu Picchu" in out + err
    assert _label_and_taught(db, old)[0] == ("Petra", "accepted")
    code, out, err = run(capsys, "--db", str(db), "undo", "--review")
    assert code == 0 and "Petra" in out + err and "left as it is" not in out + err
    assert _label_and_taught(db, old)[0] is None

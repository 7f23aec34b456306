"""No row of the index outlives the photo row it is keyed by. SQLite gives a deleted
photo's id to the next photo added, so a row left behind became that stranger's: a
JPEG-only photo renamed over a pair's JPEG left its rejection under the id of the photo
the scan split off and merged back, and the next new photo came in "Petra rejected".
Each table with a photo_id column is checked, as the schema lists them, after a move
recognised and after a folder or the missing photos are forgotten."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.core.index import PhotoIndex, forget, moved_photos
from app.core.index.photo_rows import PHOTO_TABLES, tables_keyed_by_photo
from app.core.photo_info import PhotoInfo
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_jpeg_only_frame_renumbered_over_a_pair import _nef_read_as
from tests.test_renumbered_jpeg_beside_an_unchanged_raw import run
from tests.test_renumbering_support import rename_all, two_raw_jpeg_pairs

# rows a forget keeps on purpose for `undo`, told apart from any photo's (photo_rows.JOURNALS);
# a move keeps none such: its journals pass to the heir
_KEPT_BY_FORGET = {"write_journal": "photo_id > 0", "review_changes": "after_state IS NOT 'forgotten'"}


def rows_of_gone_photos(conn: sqlite3.Connection, forgotten: bool = False) -> dict[str, list[int]]:
    """{table: photo ids} of the rows keyed by a photo id no photo row has (a negated one
    too); `forgotten`: but those a forget keeps for `undo`."""
    kept = _KEPT_BY_FORGET if forgotten else {}
    found = {}
    for table in sorted(tables_keyed_by_photo(conn)):
        ids = [int(row[0]) for row in conn.execute(
            f"SELECT photo_id FROM {table} WHERE photo_id IS NOT NULL AND {kept.get(table, '1')} "
            "AND photo_id NOT IN (SELECT id FROM photos)")]
        if ids:
            found[table] = ids
    return found


def a_row_in_every_table(conn: sqlite3.Connection, photo_id: int) -> None:
    """One row for `photo_id` in each table keyed by a photo id (whatever the schema holds
    now), those of the journals under a write batch and a review command of id 1."""
    for table in ("write_batches", "review_commands", *sorted(tables_keyed_by_photo(conn))):
        columns = list(conn.execute(f'PRAGMA table_info("{table}")'))
        values = {name: photo_id if name == "photo_id" else f"{table}-{photo_id}" if kind.upper() == "TEXT" else 1
                  for _, name, kind, not_null, default, key in columns
                  if name == "photo_id" or (not_null and default is None and name != "id")}
        values.update({"state": "rejected", "source": "user"} if table == "labels" else
                      {"id": 1} if table in ("write_batches", "review_commands") else {})
        conn.execute(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                     list(values.values()))


def test_the_one_way_to_remove_a_photo_knows_every_table_keyed_by_photo(tmp_path) -> None:
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert set(PHOTO_TABLES) == tables_keyed_by_photo(index.conn)


@pytest.fixture
def index(tmp_path):
    with PhotoIndex.open(tmp_path / "index.db") as opened:
        yield opened


def test_a_photo_joined_to_the_one_it_is_a_move_of_leaves_no_row_behind(tmp_path, index) -> None:
    write_jpeg(tmp_path / "Trip" / "a.jpg", color=(200, 10, 10))
    write_jpeg(tmp_path / "Trip" / "b.jpg", color=(10, 200, 10), taken="2020:11:03 15:00:00")
    scan(index, [tmp_path / "Trip"])
    old, new = (index.conn.execute("SELECT id FROM photos WHERE stem = ?", (stem,)).fetchone()[0] for stem in "ab")
    with index.transaction() as conn:
        a_row_in_every_table(conn, new)
        moved_photos.adopt_moved_photo(conn, old, new)

    assert rows_of_gone_photos(index.conn) == {}
    # the rows about the files went with them, to the photo that took them over, and the
    # journals too (a move is no forget: `undo` and `undo --review` take their steps back on it)
    assert index.conn.execute("SELECT COUNT(*) FROM errors WHERE photo_id = ?", (old,)).fetchone()[0] == 1
    for table in ("photos_to_print", "photos_to_reread", "sidecar_states", "write_journal", "review_changes",
                  "review_taught_refs"):
        assert index.conn.execute(f"SELECT photo_id FROM {table}").fetchall() == [(old,)], table
    after_state = index.conn.execute("SELECT after_state FROM review_changes").fetchall()
    assert after_state == [(f"review_changes-{new}",)]  # as the step left it, not marked forgotten
    assert index.conn.execute("SELECT 1 FROM rejections WHERE photo_id = ?", (old,)).fetchone() is None


@pytest.mark.parametrize("how", ["folder", "missing"])
def test_a_forgotten_photo_leaves_no_row_behind(tmp_path, index, how) -> None:
    write_jpeg(tmp_path / "Trip" / "a.jpg", color=(200, 10, 10))
    write_jpeg(tmp_path / "Home" / "b.jpg", color=(10, 200, 10))
    scan(index, [tmp_path / "Trip", tmp_path / "Home"])
    gone = index.conn.execute("SELECT id FROM photos WHERE stem = 'a'").fetchone()[0]
    with index.transaction() as conn:
        a_row_in_every_table(conn, gone)
    if how == "folder":
        forget.forget_folder(index, tmp_path / "Trip")
    else:
        (tmp_path / "Trip" / "a.jpg").unlink()
        scan(index, [tmp_path / "Trip"])
        assert forget.forget_missing(index).photos == 1

    assert index.conn.execute("SELECT 1 FROM photos WHERE id = ?", (gone,)).fetchone() is None
    assert rows_of_gone_photos(index.conn, forgotten=True) == {}
    assert index.conn.execute("SELECT photo_id FROM write_journal").fetchall() == [(-gone,)]  # kept for `undo`


def test_a_jpeg_only_photo_renamed_over_a_pairs_jpeg_leaves_no_rejection_to_the_next_new_photo(
        tmp_path, capsys, monkeypatch) -> None:
    _nef_read_as(monkeypatch, PhotoInfo(kind="raw", width=6000, height=4000, taken_at="2020-11-03T14:05:01",
                                        camera_make="NIKON CORPORATION", camera_model="NIKON D850"))
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    two_raw_jpeg_pairs(trip, timed=True)
    write_jpeg(trip / "IMG_0100.JPG", color=(10, 10, 200), taken="2020:11:03 16:30:00")  # a JPEG-only frame
    run(capsys, "--db", db, "scan", str(trip))
    assert run(capsys, "--db", db, "label", f'path:"{trip / "DSC_0001.JPG"}"', "Alhambra")[0] == 0
    assert run(capsys, "--db", db, "label", f'path:"{trip / "IMG_0100.JPG"}"', "Petra")[0] == 0
    assert run(capsys, "--db", db, "write")[0] == 0
    assert run(capsys, "--db", db, "label", f'path:"{trip / "IMG_0100.JPG"}"', "Taj Mahal")[0] == 0  # Petra rejected
    (trip / "DSC_0001.JPG").unlink()
    rename_all(trip, [("IMG_0100.JPG", "DSC_0001.JPG")])

    _, _, said = run(capsys, "--db", db, "scan", str(trip))
    with sqlite3.connect(db) as conn:
        left = rows_of_gone_photos(conn)
    write_jpeg(trip / "NEW_0001.JPG", color=(200, 200, 10), taken="2021:05:01 09:00:00")
    run(capsys, "--db", db, "scan", str(trip))
    _, out, _ = run(capsys, "--db", db, "search", "--json", "")
    found = {Path(row["path"]).name: row for row in map(json.loads, out.splitlines())}
    with sqlite3.connect(db) as conn:
        moved_rejected = conn.execute("SELECT label FROM rejections WHERE photo_id = ?",
                                      (found["DSC_0001.JPG"]["id"],)).fetchall()
        new_rejected = conn.execute("SELECT label FROM rejections WHERE photo_id = ?",
                                    (found["NEW_0001.JPG"]["id"],)).fetchall()

    assert "1 moved" in said
    assert (found["DSC_0001.JPG"]["label"], found["DSC_0001.JPG"]["state"]) == ("Taj Mahal", "accepted")
    assert moved_rejected == [("Petra",)]  # the moved photo keeps its own
    assert left == {}
    assert new_rejected == []

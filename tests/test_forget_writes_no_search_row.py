"""Forgetting a labelled photo takes its photos_by_time row out once. Its labels went
before the photo row, and the trigger labels_by_time_delete wrote the row again (as
"unlabelled") just before the photo row's trigger took it out: FTS5 read and tokenised
every folder word of the path twice more, and `forget` of a library 200 folders deep
took 2-5 x that of a flat one (t_scale-1)."""

from __future__ import annotations

from app.core.index import PhotoIndex, photo_rows
from app.core.scanner import scan
from tests.test_index_support import write_jpeg


def test_a_forgotten_labelled_photo_gets_no_search_row_written(tmp_path) -> None:
    folder = tmp_path / "Europe" / "Italy" / "Rome"
    write_jpeg(folder / "a.jpg", color=(200, 10, 10))
    write_jpeg(folder / "b.jpg", color=(10, 200, 10), taken="2020:11:03 15:00:00")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [tmp_path / "Europe"])
        ids = [row[0] for row in index.conn.execute("SELECT id FROM photos ORDER BY id")]
        index.set_labels(ids, "Colosseum", source="model", state="suggested")
        assert len(index.search("label:colosseum italy")) == 2
        index.conn.execute("CREATE TEMP TABLE rows_written (n INTEGER)")
        index.conn.execute("CREATE TEMP TRIGGER count_rows_written AFTER INSERT ON main.photos_by_time_content "
                           "BEGIN INSERT INTO rows_written VALUES (1); END")
        with index.transaction() as conn:
            photo_rows.remove_photos(conn, ids[:1])

        assert index.conn.execute("SELECT count(*) FROM rows_written").fetchone()[0] == 0
        assert [photo.id for photo in index.search("label:colosseum italy")] == ids[1:]
        assert index.conn.execute("SELECT count(*) FROM photos_by_time").fetchone()[0] == 1
        assert index.conn.execute("SELECT count(*) FROM labels").fetchone()[0] == 1

"""search_text.refresh_search_texts replaces a photo's photos_fts row with INSERT OR
REPLACE (a DELETE walked an FTS5 cursor to each row: most of what rejecting many photos
spent there): each photo keeps one row, holding its words now, and a photo no longer in
the index loses its row, as when each row was deleted first."""

from __future__ import annotations

from app.core.index import PhotoIndex
from app.core.index.search_text import fts_row, refresh_search_texts
from tests.test_index import add_photo


def test_refreshing_replaces_each_photos_row_and_drops_a_gone_photos() -> None:
    with PhotoIndex.open(":memory:") as index:
        petra, rome, gone = (add_photo(index, f"/lib/{place}", "DSC_0001", "2020-11-03T10:00:00")
                             for place in ("Jordan", "Rome", "Cairo"))
        index.set_labels([petra, rome, gone], "Colosseum", source="model", state="suggested")
        with index.transaction() as conn:
            conn.execute("UPDATE labels SET label = 'Petra' WHERE photo_id = ?", (petra,))
            conn.execute("UPDATE labels SET state = 'rejected' WHERE photo_id = ?", (rome,))
            conn.execute("DELETE FROM labels WHERE photo_id = ?", (gone,))
            conn.execute("DELETE FROM files WHERE photo_id = ?", (gone,))
            conn.execute("DELETE FROM photos WHERE id = ?", (gone,))
            refresh_search_texts(conn, [petra, rome, gone, petra])
        conn = index.conn
        conn.execute("INSERT INTO photos_fts (photos_fts) VALUES ('integrity-check')")
        rows = conn.execute("SELECT rowid, label, folder, names FROM photos_fts ORDER BY rowid").fetchall()
        assert rows == [(petra, *fts_row("Petra", "/lib/Jordan", "DSC_0001.JPG", "")[:3]),
                        (rome, *fts_row("", "/lib/Rome", "DSC_0001.JPG", "")[:3])]
        assert index.photo_ids("petra") == [petra] and index.photo_ids("colosseum") == []
        assert index.photo_ids("cairo") == []

"""Labelling many photos at once (`label QUERY NAME`, the app's L on a selection): the
labels are set a chunk of photos at a time, with the same effects on each photo as
labelling it alone (label, review state, rejections, search text), the changes are
counted without looking each photo up, and the places the photos taught before are
dropped in one statement per chunk rather than one per photo (a scan of every taught
reference each: labelling a library that teaches took quadratic time)."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core import teaching
from app.core.errors import UsageError
from app.core.index import PhotoIndex
from app.core.index.time_order import TIME_TABLE
from tests import test_teaching
from tests.sql_trace import statements_run
from tests.test_metadata_support import add_photo, make_jpeg

library = test_teaching.library  # the fixture: photos in groups, their embeddings stored
NAME = "Our cabin"


def _photos(index: PhotoIndex, folder) -> list[int]:
    """Photos in every state a label can meet: the model's suggestion, the user's
    accepted label, NAME rejected before, no label at all, and NAME already given."""
    folder.mkdir(exist_ok=True)
    given = [("Colosseum", "suggested"), ("Petra", "accepted"), (NAME, "rejected"), (None, "unlabelled"),
             (NAME, "accepted")]
    return [add_photo(index, [make_jpeg(folder / f"DSC_{n:04d}.JPG", seed=n)], label, state)
            for n, (label, state) in enumerate(given)]


def _what_a_photo_shows(index: PhotoIndex, photo_id: int) -> tuple:
    """Everything labelling touches of one photo: its label row (less the time), the
    labels rejected for it, its search text and its rows in both full-text indexes."""
    conn = index.conn
    return (
        conn.execute("SELECT label, label_key, landmark_id, score, source, state, model_id FROM labels "
                     "WHERE photo_id = ?", (photo_id,)).fetchone(),
        sorted(conn.execute("SELECT label FROM rejections WHERE photo_id = ?", (photo_id,)).fetchall()),
        conn.execute("SELECT search_text FROM photos WHERE id = ?", (photo_id,)).fetchone(),
        conn.execute("SELECT label, folder, names, camera FROM photos_fts WHERE rowid = ?", (photo_id,)).fetchall(),
        conn.execute(f"SELECT t.words FROM {TIME_TABLE} t JOIN photos p ON t.rowid = p.sort_key "
                     "WHERE p.id = ?", (photo_id,)).fetchall(),
    )


def test_labelling_photos_together_leaves_each_as_labelling_it_alone(tmp_path):
    together, alone = PhotoIndex.open(tmp_path / "together.db"), PhotoIndex.open(tmp_path / "alone.db")
    ids = _photos(together, tmp_path / "photos")
    assert _photos(alone, tmp_path / "photos") == ids
    changed = together.set_labels(ids, NAME).changed
    with alone.transaction():
        for photo_id in ids:
            alone.set_label(photo_id, NAME)
    assert [_what_a_photo_shows(together, i) for i in ids] == [_what_a_photo_shows(alone, i) for i in ids]
    assert changed == ids[:4]  # the last one had NAME accepted from the user already
    assert together.photo_ids(f'label:"{NAME}" state:accepted') == together.photo_ids("cabin") != []
    assert not together.conn.execute("SELECT 1 FROM rejections WHERE label = ?", (NAME,)).fetchall()
    together.close()
    alone.close()


def test_labelling_photos_with_one_unknown_changes_none(tmp_path):
    index = PhotoIndex.open(tmp_path / "index.db")
    ids = _photos(index, tmp_path / "photos")
    before = [_what_a_photo_shows(index, i) for i in ids]
    with pytest.raises(UsageError, match="no photo with id 999"):
        index.set_labels([*ids, 999], NAME)
    assert [_what_a_photo_shows(index, i) for i in ids] == before
    index.close()


def test_label_counts_what_it_changed_without_looking_each_photo_up(tmp_path, capsys, monkeypatch):
    """`label` read every photo twice (PhotoIndex.get before and after) to count them."""
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        ids = _photos(index, tmp_path / "photos")
        index.set_label(ids[4], None)  # "no landmark" from the user already: unchanged
    lookups = []
    get = PhotoIndex.get
    monkeypatch.setattr(PhotoIndex, "get", lambda self, photo_id: lookups.append(photo_id) or get(self, photo_id))
    assert main(["--db", str(db), "label", "", "--no-landmark"]) == 0
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("label: 4 of 5 matching photos changed;")
    assert lookups == []
    with PhotoIndex.open(db) as index:
        assert {(r.label, r.source, r.state) for r in index.search("")} == {(None, "user", "accepted")}


def test_labelling_photos_that_teach_drops_what_they_taught_in_one_statement(library, tiny_bundle):
    index, paths, ids = library
    photo_ids = ids["cabin"] + ids["bakery"]
    teaching.teach(index, "Bakery", paths["bakery"], bundle=tiny_bundle)
    statements = []
    index.conn.set_trace_callback(statements.append)
    corrections = teaching.learn_from_corrections(index, photo_ids, NAME, bundle=tiny_bundle)
    index.conn.set_trace_callback(None)
    assert len([sql for sql in statements_run(statements) if sql.startswith("DELETE FROM taught_refs")]) == 1
    assert [(c.taught, c.changed) for c in corrections] == [(True, True)] * len(photo_ids)
    assert [c.rejected for c in corrections] == [None] * len(ids["cabin"]) + ["Bakery"] * len(ids["bakery"])
    refs = index.conn.execute("SELECT label, photo_id FROM taught_refs ORDER BY photo_id").fetchall()
    assert refs == [(NAME, photo_id) for photo_id in sorted(photo_ids)]  # the bakery photos moved


def test_labelling_many_photos_writes_the_full_text_indexes_per_chunk(tmp_path):
    """A statement a photo (an UPDATE or INSERT of its label row, whose triggers write
    photos_by_time) made FTS5 write a segment a photo: 3,232 blocks for these 1,500, 291 now."""
    from tests.test_review_states_in_chunks import _fts_blocks_written, _library

    index, ids = _library(tmp_path / "index.db", photos=1_500)
    blocks = _fts_blocks_written(index, lambda: index.set_labels(ids, NAME, source="user", state="accepted"))
    assert sorted(index.photo_ids(f'label:"{NAME}"')) == ids
    assert 0 < blocks < len(ids) // 2, blocks
    index.close()


def test_labelling_photos_of_every_kind_in_chunks_leaves_each_as_labelling_it_alone(tmp_path):
    from tests.test_review_states_in_chunks import _everything, _library

    together, ids = _library(tmp_path / "together.db")
    alone, _ = _library(tmp_path / "alone.db")
    changed = together.set_labels([*ids, *ids[:40]], NAME, source="user", state="accepted").changed
    with alone.transaction():
        for photo_id in ids:
            alone.set_label(photo_id, NAME, source="user", state="accepted")
    assert changed[: len(ids)] == ids and changed[len(ids):] == []  # the second time, nothing to change
    assert _everything(together, ids) == _everything(alone, ids)
    together.close()
    alone.close()

"""Accepting and rejecting many photos (`reject QUERY`, the app's R on a selection, undo of
either) changes their states a chunk of photos at a time, with the same effects on each
photo as changing it alone: its label row, the labels rejected for it (and so the taught
references set aside), its search text and its rows in both full-text indexes. Rejecting
100,000 photos took 3-4 times as long as accepting them: the states were changed one photo
at a time, and each photo's search text written by a statement of its own, at which FTS5
wrote its pending words out (a segment per photo). The work is counted in FTS5 blocks
written, never in time."""

from __future__ import annotations

import numpy as np
import pytest

from app.core import teaching_store
from app.core.index import PhotoIndex, labels, review_journal
from tests.test_label_many import _what_a_photo_shows

PHOTOS = 1_100  # three chunks of id_chunks
# (label, source, state) in turn; None as state: no label at all
KINDS = [("Colosseum", "model", "suggested"), ("Petra", "user", "accepted"), ("Colosseum", "model", "rejected"),
         (None, "model", "suggested"), (None, "user", "accepted"), (None, None, None),
         ("Château d'If", "model", "suggested"), ("Petra", "model", "rejected")]


def _library(path, photos: int = PHOTOS) -> tuple[PhotoIndex, list[int]]:
    """Index rows of `photos` photos labelled in turn as KINDS says; every 5th photo
    teaches its label (a reference that a rejection of it sets aside)."""
    index = PhotoIndex.open(path)
    with index.transaction() as conn:
        for n in range(photos):
            folder, name = f"/archive/day-{n // 100:04d}", f"IMG_{n:06d}.JPG"
            photo_id = conn.execute(
                "INSERT INTO photos (folder, stem, primary_path, taken_at, camera_make, camera_model, has_raw, "
                "added_at) VALUES (?, ?, ?, '2019-07-14T10:00:00', 'NIKON CORPORATION', 'NIKON D750', 0, "
                "'2019-07-14')", (folder, name[:-4], f"{folder}/{name}")).lastrowid
            conn.execute("INSERT INTO files (photo_id, path, name, ext, kind, size, mtime_ns, fingerprint, missing) "
                         "VALUES (?, ?, ?, '.jpg', 'jpeg', 1000, 0, ?, 0)",
                         (photo_id, f"{folder}/{name}", name, f"fp{n}"))
    ids = [row[0] for row in index.conn.execute("SELECT id FROM photos ORDER BY id")]
    for k, (label, source, state) in enumerate(KINDS):
        if state is not None:
            index.set_labels(ids[k :: len(KINDS)], label, source=source, state=state)
    with index.transaction() as conn:
        for photo_id, label in conn.execute("SELECT photo_id, label FROM labels WHERE label IS NOT NULL").fetchall():
            if photo_id % 5 == 0:
                teaching_store.add_ref(conn, label, photo_id, "tiny", np.ones(4, dtype=np.float32))
    return index, ids


def _everything(index: PhotoIndex, ids: list[int]) -> tuple:
    return ([_what_a_photo_shows(index, i) for i in ids], teaching_store.taught_pairs(index.conn),
            sorted(index.conn.execute("SELECT word FROM search_words").fetchall()))


@pytest.mark.parametrize("state", labels.STATES)
def test_changing_states_together_leaves_each_photo_as_changing_it_alone(tmp_path, state):
    together, ids = _library(tmp_path / "together.db")
    alone, same_ids = _library(tmp_path / "alone.db")
    assert same_ids == ids
    given = [*ids, *ids[:40], max(ids) + 1_000]  # some twice, and an id no photo has
    with together.transaction() as conn:
        changed = labels.change_states(conn, iter(given), state)
    with alone.transaction() as conn:
        changed_alone = sum(labels.change_states(conn, [photo_id], state) for photo_id in given)
    assert changed == changed_alone > 0
    assert _everything(together, ids) == _everything(alone, ids)
    # the search finds what the states say, in both forms of the text
    for query in ("colosseum", f"colosseum state:{state}", "petra state:rejected", "chateau"):
        assert together.photo_ids(query) == alone.photo_ids(query), query
    together.close()
    alone.close()


def test_a_journalled_reject_of_many_photos_is_taken_back_whole(tmp_path):
    index, ids = _library(tmp_path / "index.db")
    before = _everything(index, ids)
    changed = review_journal.change_states(index, ids, "rejected", "reject", "reject ''")
    suggested_or_accepted = [kind for kind in KINDS if kind[2] in ("suggested", "accepted")]
    assert changed == sum(len(ids[k :: len(KINDS)]) for k, kind in enumerate(KINDS) if kind in suggested_or_accepted)
    assert index.photo_ids("colosseum") == []
    taken_back = review_journal.take_back_last(index)
    assert len(taken_back.restored) == changed and taken_back.left == {}
    assert _everything(index, ids) == before
    index.close()


def _fts_blocks_written(index: PhotoIndex, run) -> int:
    """Blocks FTS5 wrote to the full-text indexes during run(): SQLite traces FTS5's own
    statements, one `REPLACE INTO '…_data'(id, block)` a block."""
    statements: list[str] = []
    index.conn.set_trace_callback(statements.append)
    try:
        run()
    finally:
        index.conn.set_trace_callback(None)
    return sum("_data'(id, block)" in sql for sql in statements)


@pytest.mark.parametrize("state", ["rejected", "accepted"])
def test_changing_many_states_writes_the_full_text_indexes_per_chunk(tmp_path, state):
    index, ids = _library(tmp_path / "index.db", photos=1_500)
    index.set_state(ids, "suggested")
    blocks = _fts_blocks_written(index, lambda: index.set_state(ids, state))
    assert index.photo_ids(f"state:{state}") != []
    # a photo at a time wrote a segment each: ~3 blocks a photo accepted, ~7 rejected (now 58, 218)
    assert 0 < blocks < len(ids) // 2, blocks
    index.close()

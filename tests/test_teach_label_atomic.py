"""A kill (force quit, power cut, SIGKILL) while `teach` or `label` runs, or the app's
Teach… and L, leaves every photo as it was or every photo done: never a photo teaching
a place it is not labelled with, or showing a label already rejected for it, and never
some of the photos relabelled and the others not (as accept and reject).

A kill lands between two transactions or inside one, which rolls back to the commit
before; so the index as it stands after each COMMIT (read through a second connection
before the next statement runs) is every state a kill can leave."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import app.core.index.opening as opening_module
from app.cli.main import main
from app.core import teaching
from app.core.errors import Cancelled, UsageError
from app.core.index import PhotoIndex
from app.core.progress import CancelToken
from app.core.settings import AppSettings
from app.core.teaching_embedder import PhotoEmbedder
from tests import test_teaching

library = test_teaching.library  # the fixture: photos in groups, their embeddings stored
PLACE = "Our cabin"


class KillPoints:
    """The photos' state at every moment a kill could stop the command: before it, after
    each of its commits, and at its end."""

    def __init__(self, db_path: Path, photo_ids: list[int]) -> None:
        self.db_path, self.photo_ids = db_path, photo_ids
        self.states = [self.state()]
        self._committed = False

    def trace(self, sql: str) -> None:
        if self._committed:  # the statement after a COMMIT: what a kill now leaves
            self.states.append(self.state())
        self._committed = sql.strip().upper().startswith("COMMIT")

    def state(self) -> tuple:
        """Per photo: its label, source and state, the labels rejected for it, the places it teaches."""
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        try:
            return tuple(
                (
                    conn.execute("SELECT label, source, state FROM labels WHERE photo_id = ?", (i,)).fetchone(),
                    tuple(sorted(r[0] for r in conn.execute("SELECT label FROM rejections WHERE photo_id = ?", (i,)))),
                    tuple(sorted(r[0] for r in conn.execute("SELECT DISTINCT label FROM taught_refs WHERE photo_id = ?",
                                                            (i,)))),
                )
                for i in self.photo_ids
            )
        finally:
            conn.close()

    def finish(self) -> tuple[set, tuple]:
        """(the states seen in between, not counting before and end; the end state)."""
        end = self.state()
        return set(self.states) - {self.states[0], end}, end


def _suggest_colosseum(index: PhotoIndex, photo_ids: list[int]) -> None:
    for photo_id in photo_ids:
        index.set_label(photo_id, "Colosseum", source="model", state="suggested")


def test_teach_changes_every_photo_or_none_wherever_a_kill_lands(library, tiny_bundle, monkeypatch):
    index, paths, ids = library
    photo_ids = ids["cabin"][:3]
    _suggest_colosseum(index, photo_ids)
    index.conn.execute("DELETE FROM embeddings WHERE photo_id = ?", (photo_ids[1],))  # decoded now, stored
    index.conn.commit()
    decoded_in_a_transaction = []
    embed_now = PhotoEmbedder._embed_now

    def watched_embed(self, photo_id):
        decoded_in_a_transaction.append(self.index.conn.in_transaction)
        return embed_now(self, photo_id)

    monkeypatch.setattr(PhotoEmbedder, "_embed_now", watched_embed)
    points = KillPoints(Path(index.path), photo_ids)
    index.conn.set_trace_callback(points.trace)
    summary = teaching.teach(index, PLACE, photo_ids, bundle=tiny_bundle)
    index.conn.set_trace_callback(None)

    between, end = points.finish()
    assert (summary.taught, summary.embedded) == (3, 1)
    assert end == tuple(((PLACE, "user", "accepted"), (), (PLACE,)) for _ in photo_ids)
    assert between == set(), "a kill there leaves some photos taught and others not, or a photo half taught"
    assert decoded_in_a_transaction == [False]  # decoding never holds the index's write lock


def test_label_command_changes_every_photo_or_none_wherever_a_kill_lands(
        library, tiny_bundle, monkeypatch, capsys):
    index, paths, ids = library
    photo_ids = ids["cabin"]
    _suggest_colosseum(index, photo_ids)
    points = KillPoints(Path(index.path), photo_ids)
    connect = opening_module.connect

    def watched_connect(path):
        conn = connect(path)
        conn.set_trace_callback(points.trace)
        return conn

    monkeypatch.setattr(opening_module, "connect", watched_connect)
    photos = [str(path) for path in paths["cabin"]]  # as a shell expands cabin_*.jpg
    code = main(["--db", str(index.path), "label", *photos, PLACE, "--model", str(tiny_bundle.path)])
    monkeypatch.undo()

    between, end = points.finish()
    assert code == 0
    assert f"label: {len(photo_ids)} of {len(photo_ids)} matching photos changed" in capsys.readouterr().err
    assert end == tuple(((PLACE, "user", "accepted"), ("Colosseum",), (PLACE,)) for _ in photo_ids)
    assert between == set(), "a kill there leaves some photos relabelled and others not, or a photo half corrected"


def test_one_correction_is_one_transaction_for_an_accepted_label(library, tiny_bundle):
    """The app's L on one photo whose model label the user had accepted: the rejection of
    the old label, the new label and what the photo teaches go in together."""
    index, paths, ids = library
    photo_id = ids["cabin"][0]
    index.set_label(photo_id, "Colosseum", source="model", state="accepted")
    points = KillPoints(Path(index.path), [photo_id])
    index.conn.set_trace_callback(points.trace)
    correction = teaching.learn_from_correction(index, photo_id, PLACE, bundle=tiny_bundle)
    index.conn.set_trace_callback(None)

    between, end = points.finish()
    assert correction == teaching.Correction(PLACE, "Colosseum", taught=True)
    assert end == (((PLACE, "user", "accepted"), ("Colosseum",), (PLACE,)),)
    assert between == set()


def test_cancelled_label_in_the_app_changes_no_photo(library, tiny_bundle):
    """Cancel while L on several photos works (a photo decoded, the next not yet): the
    photos keep their labels, as a kill leaves them; none is half relabelled."""
    pytest.importorskip("PySide6")
    from app.gui.review_work import BundleCache, correction_work

    index, paths, ids = library
    photo_ids = ids["cabin"][:3]
    _suggest_colosseum(index, photo_ids)
    before = KillPoints(Path(index.path), photo_ids).state()
    cancel = CancelToken()
    work = correction_work(Path(index.path), photo_ids, PLACE, AppSettings(model_bundle=str(tiny_bundle.path)),
                           BundleCache())
    with pytest.raises(Cancelled):
        work(lambda progress: cancel.cancel(), cancel, lambda item: None)
    assert KillPoints(Path(index.path), photo_ids).state() == before


def store_refs(index: PhotoIndex) -> list:
    """(label, photo id) of every taught reference."""
    return index.conn.execute("SELECT label, photo_id FROM taught_refs").fetchall()


class LiveVectors:
    """How many teaching-space vectors exist at once, at most (each 4 KB with the
    default model: 100,000 held together are 400 MB)."""

    def __init__(self, monkeypatch) -> None:
        import weakref

        from app.core import teaching_space

        self.alive = self.most = 0
        make = teaching_space.space_vectors

        def counted(*args, **kwargs):
            vectors = make(*args, **kwargs)
            self.alive += 1
            self.most = max(self.most, self.alive)
            weakref.finalize(vectors, self._gone)
            return vectors

        monkeypatch.setattr(teaching_space, "space_vectors", counted)

    def _gone(self) -> None:
        self.alive -= 1


def test_label_holds_one_photos_vector_at_a_time(library, tiny_bundle, monkeypatch):
    """learn_from_corrections kept every photo's vector until its one transaction, and
    looked each photo up twice."""
    index, paths, ids = library
    photo_ids = ids["cabin"] + ids["bakery"]
    _suggest_colosseum(index, photo_ids)
    lookups = []
    get = PhotoIndex.get
    monkeypatch.setattr(PhotoIndex, "get", lambda self, photo_id: lookups.append(photo_id) or get(self, photo_id))
    live = LiveVectors(monkeypatch)
    corrections = teaching.learn_from_corrections(index, photo_ids, PLACE, bundle=tiny_bundle)
    assert [c.taught for c in corrections] == [True] * len(photo_ids)
    assert live.most <= 2  # the one being written, and the next one being read
    assert len(lookups) <= len(photo_ids)
    assert len(store_refs(index)) == len(photo_ids)


def test_teach_holds_one_photos_vector_at_a_time(library, tiny_bundle, monkeypatch):
    index, paths, ids = library
    photo_ids = ids["cabin"] + ids["bakery"]
    live = LiveVectors(monkeypatch)
    summary = teaching.teach(index, PLACE, photo_ids, bundle=tiny_bundle)
    assert summary.taught == len(photo_ids) and live.most <= 2
    assert len(store_refs(index)) == len(photo_ids)


def test_an_unknown_photo_stops_label_before_anything_changes(library, tiny_bundle):
    index, paths, ids = library
    photo_ids = ids["cabin"][:2]
    before = KillPoints(Path(index.path), photo_ids).state()
    with pytest.raises(UsageError, match="no photo with id 999999"):
        teaching.learn_from_corrections(index, [*photo_ids, 999999], PLACE, bundle=tiny_bundle)
    assert KillPoints(Path(index.path), photo_ids).state() == before


def test_similar_photos_have_one_import_path():
    """teaching re-exported teaching_similar's functions: two names for one function."""
    from app.core import teaching_similar

    assert not hasattr(teaching, "similar") and not hasattr(teaching, "is_blank_frame")
    assert callable(teaching_similar.similar) and callable(teaching_similar.is_blank_frame)

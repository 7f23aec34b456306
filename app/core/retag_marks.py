"""How far a `tag --retag` got, kept in the index so a stopped one can be finished.

A retag reads every photo again: minutes to hours on a large library. Stopped part-way
(Ctrl-C, a kill, a laptop put to sleep or shut down), the next run carries on with the
photos it has not retagged yet rather than start over: `retags` names the model it
retags to and when it started, `retag_photos` its photos, each marked done in the same
transaction that stores its new predictions (TagRun), so the mark survives a kill at any
moment and a photo retagged before the stop is never read again. One retag is kept at a
time; `tag --retag --start-over` (or a retag to another model) begins a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from app.core.index.connection import now_iso

_CHUNK = 500


@dataclass(frozen=True)
class RetagMark:
    """The retag under way: its model, when it started, its photos and those left."""

    model_id: str
    started_at: str
    photos: int
    left: int

    def started_words(self) -> str:
        """When it started, in this computer's time, to the minute ("2024-05-01 14:03")."""
        try:
            return datetime.fromisoformat(self.started_at).astimezone().strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return self.started_at



@dataclass(frozen=True)
class RetagCarriedOn:
    """What a run carries on of the retag under way: `here` of its photos left are among
    the run's (a `tag FILE` outside it carries on none, and says nothing)."""

    mark: RetagMark
    here: int

    def line(self) -> str:
        """The line a run that carries it on says before the long part."""
        started = self.mark.started_words()
        if self.here == self.mark.left:
            return f"carrying on the retag started {started}: {self.mark.left:,} of {self.mark.photos:,} photos left"
        return (f"carrying on the retag started {started} with {self.here:,} of the {self.mark.left:,} photos "
                "it has left")


def unfinished_retag(conn: sqlite3.Connection, model_id: str | None = None) -> RetagMark | None:
    """The retag under way (to `model_id`, when given), or None."""
    row = conn.execute("SELECT model_id, started_at FROM retags LIMIT 1").fetchone()
    if row is None or (model_id is not None and row[0] != model_id):
        return None
    photos, left = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(done = 0), 0) FROM retag_photos r JOIN photos p ON p.id = r.photo_id "
        "WHERE p.missing = 0").fetchone()
    return RetagMark(row[0], row[1], int(photos), int(left))


def retag_carried_on(conn: sqlite3.Connection, photo_ids: Iterable[int], model_id: str,
                     start_over: bool = False) -> RetagCarriedOn | None:
    """What a run of `photo_ids` with this model carries on of the retag under way; None
    when it carries on none of it (none under way, `start_over`, none of its photos left
    among them)."""
    mark = None if start_over else unfinished_retag(conn, model_id)
    if mark is None or not mark.left:
        return None
    marks = _marks(conn, list(dict.fromkeys(int(i) for i in photo_ids)))
    here = sum(1 for done in marks.values() if not done)
    return RetagCarriedOn(mark, here) if here else None


def photos_to_retag(conn: sqlite3.Connection, photo_ids: Iterable[int], model_id: str,
                    retag: bool, start_over: bool = False) -> set[int]:
    """Which of `photo_ids` this run must classify again though this model tagged them as
    they are: with `retag`, all but those the retag under way to this model did already
    (all of them when `start_over`, or when none is under way); without it, those the
    retag under way to this model has left (none when there is none)."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    if start_over or unfinished_retag(conn, model_id) is None:
        return set(ids) if retag else set()
    marks = _marks(conn, ids)
    if retag:
        return {photo_id for photo_id in ids if not marks.get(photo_id, False)}
    return {photo_id for photo_id, done in marks.items() if not done}


def begin_retag(conn: sqlite3.Connection, model_id: str, photo_ids: Collection[int], start_over: bool) -> None:
    """Keep `photo_ids` as photos of the retag to `model_id` still to do (one transaction
    of the caller's): a new retag when none to this model is under way, or `start_over`."""
    if start_over or unfinished_retag(conn, model_id) is None:
        conn.execute("DELETE FROM retags")
        conn.execute("DELETE FROM retag_photos")
        conn.execute("INSERT INTO retags (model_id, started_at) VALUES (?, ?)", (model_id, now_iso()))
    conn.executemany("INSERT INTO retag_photos (photo_id, done) VALUES (?, 0) ON CONFLICT (photo_id) DO NOTHING",
                     [(int(photo_id),) for photo_id in photo_ids])


def mark_retagged(conn: sqlite3.Connection, photo_ids: Iterable[int]) -> None:
    """These photos are done for the retag under way (inside the transaction that stores them)."""
    conn.executemany("UPDATE retag_photos SET done = 1 WHERE photo_id = ?", [(int(i),) for i in photo_ids])


def end_retag_if_done(conn: sqlite3.Connection) -> None:
    """Forget the retag once none of its photos still in the library is left to do."""
    conn.execute("DELETE FROM retag_photos WHERE photo_id NOT IN (SELECT id FROM photos WHERE missing = 0)")
    if conn.execute("SELECT 1 FROM retag_photos WHERE done = 0 LIMIT 1").fetchone() is None:
        conn.execute("DELETE FROM retags")
        conn.execute("DELETE FROM retag_photos")


def _marks(conn: sqlite3.Connection, ids: list[int]) -> dict[int, bool]:
    """{photo id: done} of those of `ids` the retag under way holds."""
    found: dict[int, bool] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start: start + _CHUNK]
        found.update((int(photo_id), bool(done)) for photo_id, done in conn.execute(
            f"SELECT photo_id, done FROM retag_photos WHERE photo_id IN ({','.join('?' * len(chunk))})", chunk))
    return found

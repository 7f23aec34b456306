"""A place left with no photo that teaches it stops being taught, and its suggestions go.

Teaching a photo another name (`teach`), labelling it (`label`, the app's L) or rejecting
it sets aside what it taught; when that was the last photo of a place, the place is no
longer taught. The suggestions teaching made of it stayed in Review, offering a place the
app no longer knows, and nothing cleaned them up: they are withdrawn as `teach --forget`
withdraws them (teaching_store.withdraw_suggestions), without remembering the place as
forgotten, so teaching it again works as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from app.core import teaching_store as store
from app.core.index.labels import StateChange
from app.core.name_order import name_order
from app.core.progress import Progress
from app.core.wording import counted

STATE_CHUNK = 2_000  # photos accepted or rejected between two looks at the cancel flag

if TYPE_CHECKING:
    import sqlite3

    from app.core.index import PhotoIndex
    from app.core.index.labels import ReviewState
    from app.core.index.review_journal import ReviewCommand
    from app.core.progress import CancelToken, ProgressCallback


@dataclass(frozen=True)
class Untaught:
    """A place no photo teaches any more, with its suggestions withdrawn (each label as it
    was, for the review journal) and the model's own suggestions of a landmark of that
    name, which stay."""

    place: str
    withdrawn: tuple[store.LabelRow, ...] = ()
    kept: int = 0

    def line(self, why: str = " has no photos left and") -> str:
        """ "'Arezzo streets' has no photos left and is no longer taught: its 4 suggestions
        withdrawn", for a command's summary (`why`: how it lost them, "" to say nothing)."""
        text = f"'{self.place}'{why} is no longer taught"
        return text + suggestions_withdrawn(len(self.withdrawn))


def suggestions_withdrawn(withdrawn: int) -> str:
    """ ": its 4 suggestions withdrawn (now no landmark, …)", or "" when there were none."""
    text = ""
    if withdrawn:
        text = (f": its {counted(withdrawn, 'suggestion')} withdrawn (now no landmark, until "
                "`landmark-tagger tag` decides them again)")
    return text


def places_taught_by(conn: "sqlite3.Connection", photo_ids: Sequence[int]) -> set[str]:
    """The places these photos teach now (any model; a reference set aside by a reject
    teaches nothing): read before a change, for withdraw_untaught after it."""
    return {place for places in store.labels_taught_by(conn, photo_ids, other_than="").values() for place in places}


def withdraw_untaught(conn: "sqlite3.Connection", places: Iterable[str]) -> list[Untaught]:
    """Of `places` (taught before a change, in the caller's transaction), those no photo
    teaches now, in name order, each with its suggestions withdrawn; the place is not
    recorded as forgotten (teach it again and it is taught as before)."""
    still = store.taught_labels(conn)
    untaught = []
    for place in sorted({p for p in places if p not in still}, key=name_order):
        rows: list[store.LabelRow] = []
        _, kept = store.withdraw_suggestions(conn, place, rows)
        untaught.append(Untaught(place, tuple(rows), kept))
    return untaught


@dataclass(frozen=True)
class StatesChanged(StateChange):
    """StateChange, with the places a reject left with no photo that teaches them, and the
    review journal's command for the change (None: not journalled, or no photo changed)."""

    untaught: tuple[Untaught, ...] = ()
    journalled: "ReviewCommand | None" = None
    # files `write` held that the A released (released_holds.close_releasing), taken back with it
    released: tuple[str, ...] = ()


def set_states_withdrawing(index: "PhotoIndex", photo_ids: Sequence[int], state: str,
                           expected: Mapping[int, "ReviewState"], *,
                           progress: "ProgressCallback | None" = None,
                           cancel: "CancelToken | None" = None, journal: str | None = None,
                           release_held: bool = False) -> StatesChanged:
    """PhotoIndex.set_state_if_unchanged (the app's A and R); a reject of the last photos
    teaching a place withdraws its suggestions in the same transaction. Taking the reject
    back brings the place's references back, not those suggestions: a later `suggest`
    makes them again. Thousands of photos go STATE_CHUNK at a time, `cancel` checked
    between chunks, all in that one transaction: cancelled (Cancelled raised) or killed,
    no photo changed. `journal`: the command's words in the review journal, written in
    that transaction, so that `undo --review` takes the change back after the app quits
    or is killed (its Ctrl+Z lives in the app's memory only). `release_held`: the user
    answered "Write them again" for the held files of an A (released_holds.close_releasing)."""
    from app.core.index import review_journal
    from app.core.index.released_holds import close_releasing

    ids = [int(i) for i in photo_ids]
    verb = "accept" if state == "accepted" else "reject"
    with index.transaction() as conn:
        taught_before = places_taught_by(conn, ids) if state == "rejected" else set()
        command_id = review_journal.open_command(conn, verb, journal) if journal is not None else None
        changed, left = 0, {}
        for start in range(0, len(ids), STATE_CHUNK):
            if cancel is not None:
                cancel.raise_if_cancelled()  # rolls the whole change back
            chunk = ids[start : start + STATE_CHUNK]
            if command_id is not None:  # each photo as it is just before the change
                review_journal.journal_states(conn, command_id, chunk, state)
            change = index.set_state_if_unchanged(chunk, state, expected)
            if command_id is not None and change.left:  # labelled again since the app looked: not changed
                review_journal.unjournal_photos(conn, command_id, list(change.left))
            changed, left = changed + change.changed, {**left, **change.left}
            if progress is not None:
                progress(Progress(done=min(start + STATE_CHUNK, len(ids)), total=len(ids), message=state))
        if cancel is not None:
            cancel.raise_if_cancelled()
        untaught = withdraw_untaught(conn, taught_before) if taught_before else []
        # the photos journalled and not left are those it changed
        command, released = None, []
        if command_id is not None and state == "accepted":  # an A told to releases what `write` held
            kept = [i for i in ids if i not in left]
            command, released = close_releasing(conn, command_id, changed, kept, release_held=release_held)
        elif command_id is not None:
            command = review_journal.close_command(conn, command_id, changed)
    return StatesChanged(changed, left, tuple(untaught), command, tuple(path for path, _ in released))

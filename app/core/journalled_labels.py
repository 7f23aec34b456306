"""The user's label for photos, journalled so it can be taken back: the command line's
`label` (then `undo --review`) and the app's L (then Ctrl+Z, or `undo --review` in a
terminal) go through here, so both record the same rows (app.core.index.review_journal)
in the transaction that labels the photos: a kill leaves no label that cannot be taken back.
`teach` and the app's T journal theirs through TeachBefore, in teach's transaction, and
forgetting a taught place (`teach --forget`, Forget… in Taught places) through ForgetBefore."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.core.index import review_journal

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

    from app.core.index import PhotoIndex
    from app.core.index.labels import LabelChange, ReviewState
    from app.core.index.review_journal import ReviewCommand
    from app.core.progress import CancelToken, ProgressCallback
    from app.core.teaching import Correction, TeachSummary
    from app.core.teaching_store import ForgetSummary, RefRow
    from app.core.teaching_untaught import Untaught
    from model.bundle import ModelBundle


@dataclass(frozen=True)
class JournalledCorrections:
    """What correct_and_journal did: each photo's Correction (in the order given), the
    photos it changed, the journal's command for them (None: nothing changed), the
    places the photos were the last to teach (no longer taught: their suggestions withdrawn),
    the photos left because they no longer matched the query (`still_matching`), and the
    files `write` held that the label given released (--release-held: released_holds.release_holds),
    in `command` too: taking it back holds them again (app.core.index.released_holds), and
    those it left held (`left_held`: no --release-held)."""

    corrections: list["Correction"]
    changed: list[int]
    command: "ReviewCommand | None"
    untaught: list["Untaught"] = field(default_factory=list)
    no_longer_matching: list[int] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    left_held: list[str] = field(default_factory=list)


# expected of a photo that no longer matches the query: no photo holds it, so it is left
_NOT_MATCHING: "ReviewState" = (None, "no longer matching the query")


def correct_and_journal(index: "PhotoIndex", photo_ids: Sequence[int], label: str | None, *, command: str,
                        bundle: "ModelBundle | None" = None, model: "str | Path | None" = None,
                        expected: Mapping[int, "ReviewState"] | None = None,
                        progress: "ProgressCallback | None" = None,
                        cancel: "CancelToken | None" = None,
                        still_matching: "Callable[[], Iterable[int]] | None" = None,
                        release_held: bool = False) -> JournalledCorrections:
    """A correction teaches (app.core.teaching.learn_from_corrections): each photo's old
    label is rejected and the photo becomes a reference for `label`, only while it is as
    `expected` (the app's look; None: whatever it holds when the transaction begins, so a
    `label` that waited for the app's job applies after it), and `command` (as the user
    would name it) is journalled with every photo's label before, read in that transaction
    (not before it: the app may change the photos while this waits for the lock). The
    suggestions withdrawn of a place the photos were the last to teach are journalled
    with them, so taking the command back gives them back. `still_matching`: the ids the
    command's query matches, asked again in that transaction; a photo among `photo_ids`
    no longer among them (another job relabelled it while this waited) is left as it is,
    never relabelled for a query it no longer meets (JournalledCorrections.no_longer_matching).
    `release_held` (the user's --release-held, the app's "Write them again"): the files `write`
    holds of the photos labelled are released; else they stay held, whatever label they get."""
    from app.core.teaching import learn_from_corrections

    ids = [int(photo_id) for photo_id in photo_ids]
    if expected is None:
        for photo_id in _unknown_ids(index, ids)[:1]:
            index.get(photo_id)  # its UsageError, before anything changes
    place = None if label is None else _place_named(index, label, bundle)
    # read when the transaction begins: a photo taken out of the library while this waited
    # is not in it, so it is expected to hold no label and is left (its Correction says so)
    expected_now: dict[int, "ReviewState"] = {} if expected is None else dict(expected)
    before: dict[int, review_journal.LabelBefore] = {}
    forgotten: list[str | None] = [None]
    no_longer_matching: list[int] = []

    def begin(conn) -> None:
        before.update(review_journal.labels_before(conn, ids))
        forgotten[0] = None if place is None else _forgotten_at(conn, place)
        if expected is None:
            expected_now.update((photo_id, was.review_state) for photo_id, was in before.items())
        if still_matching is not None:
            matching = set(still_matching())
            gone = set(_unknown_ids(index, ids))  # out of the library: its Correction says so
            no_longer_matching.extend(i for i in ids if i not in matching and i not in gone)
            expected_now.update((photo_id, _NOT_MATCHING) for photo_id in no_longer_matching)

    changed: list[int] = []
    journalled: list["ReviewCommand | None"] = [None]
    untaught: list["Untaught"] = []

    released: list[str] = []
    left_held: list[str] = []

    def journal(conn, corrections, dropped_refs, places_untaught) -> None:
        after = {photo_id: (correction.label, "accepted")
                 for photo_id, correction in zip(ids, corrections) if correction.changed}
        changed.extend(after)
        untaught.extend(places_untaught)
        command_id = None
        if after:
            was, now = _with_withdrawn(conn, before, after, places_untaught)
            # also: a photo whose label and state stay, its source changed (the model's label given
            # by the user: it teaches now), is a change `undo --review` takes back all the same
            command_id = review_journal.record(conn, "label", command, was, list(now), now, dropped_refs,
                                               also=list(after))
            forgotten_at = forgotten[0]
            if command_id is not None and forgotten_at is not None and _forgotten_at(conn, place) is None:
                # it taught a place the user had forgotten: taken back, the place is forgotten again
                review_journal.record_forgotten_place(conn, command_id, place, forgotten_at)
        labelled = [i for i in ids if i not in set(no_longer_matching)]
        holds = _holds_of(conn, labelled, label) if release_held else {}
        left_held.extend([] if release_held else _holds_of(conn, labelled, label).values())
        if holds and command_id is None:
            # no label changed, yet files are released: journalled all the same, or the next
            # undo would take back an older command and the release could not be taken back
            command_id = review_journal.close_command(conn, review_journal.open_command(conn, "label", command), 1).id
        journalled[0] = None if command_id is None else review_journal.command_of(conn, command_id)
        if holds:
            from app.core.index.released_holds import mark_released

            mark_released(conn, list(holds), journalled[0])
            released.extend(holds.values())

    corrections = learn_from_corrections(index, ids, label, bundle=bundle, model=model, expected=expected_now,
                                         record=journal, begin=begin, progress=progress, cancel=cancel)
    return JournalledCorrections(corrections, changed, journalled[0], untaught, no_longer_matching, released,
                                 left_held)


def _holds_of(conn: "sqlite3.Connection", ids: list[int], label: str | None) -> dict[int, str]:
    """The files `write` holds of these photos, given a landmark (plan_stripped_hold: a file whose
    XMP went or that is back as before our write), by write-journal entry: {entry: path}."""
    from app.core.index.released_holds import release_holds

    return {entry: path for entry, (path, _) in release_holds(conn, ids).items()} if label is not None and ids else {}


def _unknown_ids(index: "PhotoIndex", ids: Sequence[int]) -> list[int]:
    """The ids the index holds no photo of (teaching_store.unknown_photo_ids)."""
    from app.core import teaching_store

    return teaching_store.unknown_photo_ids(index.conn, ids)


def _with_withdrawn(conn: "sqlite3.Connection", before: Mapping[int, review_journal.LabelBefore],
                    after: Mapping[int, "ReviewState"], untaught: Sequence["Untaught"]) -> tuple[dict, dict]:
    """(the labels before, the (label, state) after) of a command's photos and of the
    suggestions it withdrew of the places it left untaught (each one "no landmark",
    suggested, now, or back to its rejection: read), so taking the command back gives
    those suggestions back too."""
    withdrawn = {int(row[0]): row for place in untaught for row in place.withdrawn}
    was = {**before, **{photo_id: review_journal.LabelBefore(*row[1:]) for photo_id, row in withdrawn.items()}}
    now_withdrawn = review_journal.labels_before(conn, list(withdrawn))
    now = {**after, **{photo_id: now_withdrawn[photo_id].review_state for photo_id in withdrawn
                       if photo_id in now_withdrawn}}
    return was, now


def _place_named(index: "PhotoIndex", label: str, bundle: "ModelBundle | None") -> str:
    """The place `label` names as learn_from_corrections will store it (checked, in the
    spelling already in use): a name it refuses is refused here first, with its message,
    and a forgotten place typed in another case or Unicode form is still found."""
    from app.core.teaching import canonical_label, check_label

    return canonical_label(index, check_label(label), bundle.class_names() if bundle else ())


def _forgotten_at(conn: "sqlite3.Connection", label: str) -> str | None:
    """When the user told the app to forget this place, None when it is not forgotten."""
    row = conn.execute("SELECT forgotten_at FROM forgotten_places WHERE label = ?", (label,)).fetchone()
    return None if row is None else row[0]


@dataclass(frozen=True)
class TeachBefore:
    """What a `teach` changes, read in its transaction before it changes anything: the
    photos' labels and references, and when the place was forgotten (None: it was not),
    for `journal` to record once it has taught them."""

    labels: dict[int, review_journal.LabelBefore]
    refs: list["RefRow"]
    forgotten_at: str | None

    @classmethod
    def read(cls, conn: "sqlite3.Connection", photo_ids: Sequence[int], label: str) -> "TeachBefore":
        from app.core import teaching_store as store

        return cls(review_journal.labels_before(conn, photo_ids), store.ref_rows_of_photos(conn, photo_ids),
                   _forgotten_at(conn, label))

    def journal(self, conn: "sqlite3.Connection", command: str, summary: "TeachSummary") -> "ReviewCommand | None":
        """Record the teach `summary` tells of as `command` (as the user would name it):
        each taught photo's label and references before it (those of the place taught
        too: it was taught again), the suggestions withdrawn of the places it left
        untaught, and the place forgotten before it; the journal's command, None when
        nothing was taught."""
        from app.core import teaching_store as store

        taught = set(summary.photo_ids or [])
        if not taught:
            return None
        after = {photo_id: (summary.label, "accepted") for photo_id in summary.photo_ids or []}
        was, now = _with_withdrawn(conn, self.labels, after, summary.untaught)
        gone = store.refs_gone(conn, self.refs)
        ids = {row[0] for row in gone}
        dropped = gone + [row for row in self.refs if row[1] == summary.label and row[2] in taught and row[0] not in ids]
        command_id = review_journal.record(conn, "teach", command, was, list(now), now, dropped, also=list(after))
        if command_id is None:
            return None
        if self.forgotten_at is not None:
            review_journal.record_forgotten_place(conn, command_id, summary.label, self.forgotten_at)
        return review_journal.command_of(conn, command_id)


@dataclass(frozen=True)
class ForgetBefore:
    """What forgetting a taught place (`teach --forget`, the app's Forget…) changes, read
    in its transaction before it changes anything: the place's references, the labels of
    the photos that teach it and of its suggestions not yet accepted (withdrawn, or the
    model's own rescored), and when the place was forgotten before (None: it was not), for
    `journal` to record once it is forgotten, so `undo --review` and Ctrl+Z give it all back."""

    label: str
    labels: dict[int, review_journal.LabelBefore]
    refs: list["RefRow"]
    forgotten_at: str | None

    @classmethod
    def read(cls, conn: "sqlite3.Connection", label: str) -> "ForgetBefore":
        refs = conn.execute("SELECT id, label, photo_id, model_id, vector, created_at FROM taught_refs "
                            "WHERE label = ? ORDER BY photo_id, id", (label,)).fetchall()
        suggested = [int(row[0]) for row in conn.execute(
            "SELECT photo_id FROM labels WHERE label = ? AND state = 'suggested' AND source != 'user' "
            "ORDER BY photo_id", (label,))]  # the rows teaching_store.withdraw_suggestions changes
        ids = list(dict.fromkeys([int(row[2]) for row in refs] + suggested))
        return cls(label, review_journal.labels_before(conn, ids), refs, _forgotten_at(conn, label))

    def journal(self, conn: "sqlite3.Connection", command: str, done: "ForgetSummary") -> "ForgetSummary":
        """Record the forgetting as `command` (as the user would name it): every photo read,
        with its label before (a taught photo keeps its label: journalled all the same, for
        its references to come back with it), the place's references, and whether it was
        forgotten before; `done` with the journal's command and photos (none when nothing
        was taught nor suggested)."""
        from dataclasses import replace

        ids = list(self.labels)
        after = {photo_id: was.review_state for photo_id, was in review_journal.labels_before(conn, ids).items()}
        command_id = review_journal.record(conn, review_journal.FORGET_PLACE, command, self.labels, ids, after,
                                           self.refs, also=list(after))
        if command_id is not None:
            review_journal.record_place_before_forget(conn, command_id, self.label, self.forgotten_at)
        elif _forgotten_at(conn, self.label) != self.forgotten_at:
            # no photo changed, yet the place is forgotten now (held by the user's labels alone):
            # journalled all the same, or the next undo would take back an older command
            command_id = review_journal.record_place_alone(conn, review_journal.FORGET_PLACE, command, self.label,
                                                           self.forgotten_at)
        else:
            return done
        journalled = review_journal.command_of(conn, command_id)
        return replace(done, journalled=journalled, photo_ids=tuple(i for i in ids if i in after))


def set_labels_journalled(index: "PhotoIndex", photo_ids: Sequence[int], label: str | None, *, command: str,
                          expected: Mapping[int, "ReviewState"],
                          release_held: bool = False) -> tuple["LabelChange", "ReviewCommand | None"]:
    """PhotoIndex.set_labels as the user's label (source user, accepted), with nothing
    taught (the app's L while another job holds the model), journalled as `command` in
    the same transaction; (what changed, the journal's command or None). UsageError for
    a name no label can hold, as L's job and `label` refuse it (teaching.check_label).
    `release_held`: the user's "Write them again", as correct_and_journal's."""
    from app.core.index import labels as label_store
    from app.core.teaching import check_label

    if label is not None:
        label = check_label(label)

    ids = [int(photo_id) for photo_id in photo_ids]
    with index.transaction() as conn:
        before = review_journal.labels_before(conn, ids)
        change = label_store.store_labels_if_unchanged(conn, ids, label, source="user", state="accepted",
                                                       expected=expected)
        after = {photo_id: (label, "accepted") for photo_id in change.changed}
        command_id = (review_journal.record(conn, "label", command, before, list(after), after, also=list(after))
                      if after else None)  # also: a change of source alone (as correct_and_journal)
        holds = _holds_of(conn, [i for i in ids if i not in change.left], label) if release_held else {}
        if holds and command_id is None:  # journalled all the same, so Ctrl+Z holds them again
            command_id = review_journal.close_command(conn, review_journal.open_command(conn, "label", command), 1).id
        journalled = None if command_id is None else review_journal.command_of(conn, command_id)
        if holds:
            from app.core.index.released_holds import mark_released

            mark_released(conn, list(holds), journalled)
    return change, journalled

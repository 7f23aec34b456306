"""The review journal: the last review commands of the command line (`accept`, `reject`,
`label`, `teach`, `teach --forget`) and of the app (A, R, L, T, Forget…), each with every
photo's label and state before it, so that `landmark-tagger undo --review` takes the latest
back (tables review_commands and review_changes, migration 32).

Taking back compares and changes in one transaction, as the app's Ctrl+Z does: a photo
labelled again since (by the app, another command, a retag) or taken out of the library is
left as it is, and named. `forget` marks its photos' rows forgotten (after_state FORGOTTEN)
rather than leaving them to match the next photos given their ids, so they are still counted
(review_journal_edits: what rename and forget change in it)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from app.core.index import labels as label_store, taken_back_rejections
from app.core.index.connection import db_text, id_chunks, now_iso
from app.core.index.released_holds import close_releasing, hold_again
from app.core.index.search_text import refresh_search_texts
from app.core.progress import CancelToken, Progress, ProgressCallback
from app.core.wording import counted

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from app.core.teaching_store import RefRow
    from app.core.index.labels import ReviewState

KEPT_COMMANDS = 100  # the newest review commands kept (as deep as the app's Ctrl+Z); older ones cannot be taken back
KEPT_ROWS = 1_000_000  # photos' changes kept at most (a few bulk commands of 100,000 photos each), ...
KEPT_ALWAYS = 10  # ... but never fewer than the newest 10 commands, however large
# review_taught_refs' row of no photo (ids start at 1) and no model: the place a `teach`
# taught again had been forgotten, and is forgotten again when the teach is taken back
PLACE_FORGOTTEN = 0
RENAME_MET = "rename met"  # a rename's mark `undo --review` or Ctrl+Z met (renames_journalled)
FORGET_PLACE = "forget place"  # `teach --forget` and the app's Forget…: taken back, the place is taught again
# verbs that give their photos a label, or a place's teaching and suggestions: taken back whole
RELABELLING = ("label", "teach", FORGET_PLACE)


@dataclass(frozen=True)
class LabelBefore:
    """A photo's label as it was before a review command; `state` None: it had none."""

    label: str | None
    landmark_id: str | None
    score: float | None
    source: str | None
    state: str | None
    model_id: str | None

    @property
    def review_state(self) -> "ReviewState":
        return (self.label, self.state or "unlabelled")


@dataclass(frozen=True)
class ReviewCommand:
    """One review command journalled: its verb, its words as typed, when, how many photos it changed."""

    id: int
    verb: str
    command: str
    at: str
    photos: int


@dataclass(frozen=True)
class TakenBack:
    """What take_back_last did: the command, the photos given their label and state back,
    and those left as they are, each with its (label, state) now (labels.FORGOTTEN: no
    longer in the index; `forget` took them out of the library since)."""

    command: ReviewCommand
    restored: list[int]
    left: dict[int, "ReviewState"]
    # after a FORGET_PLACE: each place taught again, with how many photos teach it now
    taught_again: tuple[tuple[str, int], ...] = ()
    # after a FORGET_PLACE: the places no longer forgotten, and those of them no photo teaches
    # again (each photo that taught it labelled again or taken out of the library since), whose
    # suggestions (`still_withdrawn`) stay withdrawn, as when a place loses its last photo
    unforgotten: tuple[str, ...] = ()
    not_taught_again: tuple[str, ...] = ()
    still_withdrawn: tuple[int, ...] = ()
    # after a `label` or `accept` (or the app's L) that released files `write` held: those held again
    held_again: tuple[str, ...] = ()

    @property
    def all_forgotten(self) -> bool:
        """Whether every photo of the command was taken out of the library since and nothing
        else was taken back (no place unforgotten): nothing to take back."""
        return not self.restored and not self.unforgotten and not self.held_again and bool(self.left) and all(
            state == label_store.FORGOTTEN for _, state in self.left.values())

    def place_phrases(self, quoted: Callable[[str], str]) -> list[str]:
        """What taking back a FORGET_PLACE did to its place, in words (`quoted`: a name as
        the caller quotes it), for `undo --review` and Ctrl+Z alike."""
        phrases = [f"{quoted(place)} is taught again, from {counted(photos, 'photo')}"
                   for place, photos in self.taught_again]
        taught = {place for place, _ in self.taught_again}
        for place in (p for p in self.unforgotten if p not in taught):
            if place in self.not_taught_again:
                phrase = (f"{quoted(place)} is no longer forgotten but could not be taught again: every "
                          "photo that taught it was labelled again or taken out of the library since")
                if self.still_withdrawn:
                    phrase += f" (its {counted(len(self.still_withdrawn), 'suggestion')} stay withdrawn)"
            else:
                phrase = f"{quoted(place)} is no longer forgotten"
            phrases.append(phrase)
        return phrases


def labels_before(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> dict[int, LabelBefore]:
    """Each of these photos' label as the index holds it now (a photo with none is left out)."""
    found: dict[int, LabelBefore] = {}
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        found.update((int(row[0]), LabelBefore(*row[1:])) for row in conn.execute(
            "SELECT photo_id, label, landmark_id, score, source, state, model_id FROM labels "
            f"WHERE photo_id IN ({marks})", chunk))
    return found


def record(conn: sqlite3.Connection, verb: str, command: str, before: Mapping[int, LabelBefore],
           photo_ids: Sequence[int], after: Mapping[int, "ReviewState"] | None = None,
           dropped_refs: Sequence["RefRow"] = (), also: Sequence[int] = (), into: int | None = None) -> int | None:
    """Journal a review command that has just changed labels, in the caller's transaction:
    the photos among `photo_ids` whose (label, state) is no longer the one in `before`
    (a photo it leaves out had no label), each with its label before and after. `after`:
    the (label, state) the command gave each photo it changed; a photo not so now (changed
    again since, by another program) is left out. `dropped_refs`: the references the
    command dropped (teaching_store.refs_gone: the places the photos taught before a
    `label`), given back with the label. `also`: photos of `after` journalled though their
    (label, state) is the one they had (a `teach` that made a photo already so labelled
    teach it). `into`: a command journalled before whose changes these join (one scan's
    decisions: one command), its words becoming `command`. Returns the command's id, None
    when it changed nothing. Only the newest KEPT_COMMANDS are kept."""
    expected = {photo_id: was.review_state for photo_id, was in before.items()}
    changed = label_store.changed_since(conn, photo_ids, expected)
    if after is not None:
        changed = {i: now for i, now in changed.items() if after.get(i) == now}
        changed.update((i, after[i]) for i in also if i not in changed and expected.get(i) == after[i])
    changed = {i: now for i, now in changed.items() if now[1] != label_store.FORGOTTEN}
    if not changed:
        return None
    if into is not None and conn.execute("UPDATE review_commands SET command = ? WHERE id = ?",
                                         (command, into)).rowcount:
        command_id = into
    else:
        command_id = _new_command(conn, verb, command)
    nothing = LabelBefore(None, None, None, None, None, None)
    conn.executemany(
        "INSERT INTO review_changes (command_id, photo_id, label, landmark_id, score, source, state, model_id, "
        "after_label, after_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(command_id, photo_id, *_fields(before.get(photo_id, nothing)), *now) for photo_id, now in changed.items()])
    conn.executemany(
        "INSERT OR REPLACE INTO review_taught_refs (command_id, photo_id, label, model_id, vector, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(command_id, photo_id, label, model_id, vector, created_at)
         for _, label, photo_id, model_id, vector, created_at in dropped_refs if photo_id in changed])
    _keep_newest(conn)
    return command_id


def record_forgotten_place(conn: sqlite3.Connection, command_id: int, label: str, forgotten_at: str) -> None:
    """The command taught `label` again, which the user had told the app to forget: taking
    it back forgets the place again (_forget_again), or the photos still labelled so would
    teach it at the next `tag`."""
    conn.execute("INSERT OR REPLACE INTO review_taught_refs (command_id, photo_id, label, model_id, vector, "
                 "created_at) VALUES (?, ?, ?, '', NULL, ?)", (command_id, PLACE_FORGOTTEN, label, forgotten_at))


def record_place_before_forget(conn: sqlite3.Connection, command_id: int, label: str,
                               forgotten_at: str | None) -> None:
    """The command (FORGET_PLACE) forgot `label`, forgotten before at `forgotten_at` (None:
    it was not): taking it back gives the place that back (_unforget), before its
    references, which are not restored to a forgotten place."""
    conn.execute("INSERT OR REPLACE INTO review_taught_refs (command_id, photo_id, label, model_id, vector, "
                 "created_at) VALUES (?, ?, ?, '', NULL, ?)", (command_id, PLACE_FORGOTTEN, label, forgotten_at))


def record_place_alone(conn: sqlite3.Connection, verb: str, command: str, label: str,
                       forgotten_at: str | None) -> int:
    """Journal a FORGET_PLACE that changed no photo's label, only whether `label` is
    forgotten (a place held by the user's labels alone, not taught yet): without it the
    next `undo --review` would take back an older command instead. Returns its id."""
    command_id = _new_command(conn, verb, command)
    record_place_before_forget(conn, command_id, label, forgotten_at)
    _keep_newest(conn)
    return command_id


def _new_command(conn: sqlite3.Connection, verb: str, command: str) -> int:
    # the command line's text as the index keeps paths (db_text): a non-UTF-8 file name in it
    return int(conn.execute("INSERT INTO review_commands (verb, command, at) VALUES (?, CAST(? AS TEXT), ?)",
                            (verb, db_text(command), now_iso())).lastrowid)


def _keep_newest(conn: sqlite3.Connection) -> None:
    """Drop the commands older than the newest KEPT_COMMANDS, by a range of the journal's
    key (a test of every row against the newest ids read the whole journal each command),
    and the oldest whole commands past KEPT_ROWS photos' changes, the newest KEPT_ALWAYS
    kept whatever their size. The app journals each A and R too: with 10 commands kept, ten
    single accepts pushed the L before them out of Ctrl+Z's reach."""
    row = conn.execute(f"SELECT id FROM review_commands ORDER BY id DESC LIMIT 1 OFFSET {KEPT_COMMANDS}").fetchone()
    if row is not None:
        _drop_commands(conn, "<=", row[0])
    past = conn.execute(f"SELECT command_id FROM review_changes ORDER BY command_id DESC LIMIT 1 OFFSET {KEPT_ROWS}"
                        ).fetchone()
    if past is None:
        return
    always = conn.execute(f"SELECT id FROM review_commands ORDER BY id DESC LIMIT 1 OFFSET {KEPT_ALWAYS - 1}").fetchone()
    if always is not None:  # fewer than KEPT_ALWAYS commands: all of them stay, however large
        _drop_commands(conn, "<=", min(past[0], always[0] - 1))


def _drop_commands(conn: sqlite3.Connection, compared: str, command_id: int) -> None:
    """The journal's commands with an id `compared` ('=', '<=') to `command_id`, whole."""
    for table in ("review_taught_refs", "review_changes"):
        conn.execute(f"DELETE FROM {table} WHERE command_id {compared} ?", (command_id,))
    conn.execute(f"DELETE FROM review_commands WHERE id {compared} ?", (command_id,))


def _fields(was: LabelBefore) -> tuple:
    return was.label, was.landmark_id, was.score, was.source, was.state, was.model_id


def change_states(index: "PhotoIndex", photo_ids: Sequence[int], state: str, verb: str, command: str,
                  released: list[tuple[str, str]] | None = None, release_held: bool = False) -> int:
    """PhotoIndex.set_state, journalled as `command` in the same transaction (for `undo
    --review`); returns how many photos changed. An accept given `release_held` (the user's
    --release-held) releases the files `write` holds of its photos (released_holds.close_releasing),
    each (path, label) added to `released`."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    with index.transaction() as conn:
        command_id = open_command(conn, verb, command)
        journalled = journal_states(conn, command_id, ids, state)
        changed = label_store.change_states(conn, ids, state)
        if state == "accepted":
            freed = close_releasing(conn, command_id, journalled, ids, release_held=release_held)[1]
            (released if released is not None else []).extend(freed)
        else:
            close_command(conn, command_id, journalled)
    return changed


def open_command(conn: sqlite3.Connection, verb: str, command: str) -> int:
    """A command of changes of state (journal_states), in the caller's transaction; its id.
    close_command ends it."""
    return _new_command(conn, verb, command)


def journal_states(conn: sqlite3.Connection, command_id: int, photo_ids: Sequence[int], state: str) -> int:
    """Journal, just before they are given `state`, the photos among these whose label is
    in another state, each as it is now: `record`'s rows for a change of state, in SQL
    rather than read into Python twice. Returns how many rows it journalled."""
    journalled = 0
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        journalled += conn.execute(
            "INSERT INTO review_changes (command_id, photo_id, label, landmark_id, score, source, state, "
            "model_id, after_label, after_state) SELECT ?, l.photo_id, l.label, l.landmark_id, l.score, "
            "l.source, l.state, l.model_id, l.label, ? FROM labels l JOIN photos p ON p.id = l.photo_id "
            f"WHERE l.photo_id IN ({marks}) AND l.state IS NOT ?", [command_id, state, *chunk, state]).rowcount
    return journalled


def unjournal_photos(conn: sqlite3.Connection, command_id: int, photo_ids: Sequence[int]) -> None:
    """Take these photos out of the command (journal_states journalled them, the change then
    left them: labelled again since the app looked)."""
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        conn.execute(f"DELETE FROM review_changes WHERE command_id = ? AND photo_id IN ({marks})",
                     [command_id, *chunk])


def close_command(conn: sqlite3.Connection, command_id: int, journalled: int) -> "ReviewCommand | None":
    """End a command open_command began: kept (and the journal cut to the newest
    KEPT_COMMANDS) when it journalled a photo, dropped otherwise. Returns it, None when dropped."""
    if not journalled:
        conn.execute("DELETE FROM review_commands WHERE id = ?", (command_id,))
        return None
    _keep_newest(conn)
    return command_of(conn, command_id)


def drop_taken_back(conn: sqlite3.Connection, command: "ReviewCommand", photo_ids: Sequence[int], state: str,
                    set_back: int, held_again: list[str] | None = None) -> bool:
    """The app's Ctrl+Z took `command` back (an A or R that gave `photo_ids` `state`, its
    photos set back by the app, `set_back` of them, in the caller's transaction): it leaves
    the journal, so `undo --review` takes back the one before it. The journal's entry must be
    that very A or R: id, words and time can all come again (an id is given again once the
    newest is taken back; another window's A of one photo, within the second), so its photos
    and their state after it must be the step's too (or forgotten since). False, and the
    entry stays, when it is no longer there or is another command, or nothing was set back.
    `held_again`: given the files an A's release no longer frees (hold_again), for Ctrl+Z to say."""
    found = command_of(conn, command.id)
    if found is None or not _same_command(found, command):
        return False
    rows = conn.execute("SELECT photo_id, after_state FROM review_changes WHERE command_id = ?", (command.id,))
    journalled = {int(photo_id): after for photo_id, after in rows}
    if set(journalled) != {int(i) for i in photo_ids} or any(
            after not in (state, label_store.FORGOTTEN) for after in journalled.values()):
        return False
    taken_back_rejections.withdraw_left_rejections(conn, command)  # photos relabelled since; set_back 0 too
    if set_back <= 0:
        return False
    again = hold_again(conn, command)  # an A's releases (released_holds.close_releasing) go with it
    if held_again is not None:
        held_again.extend(again)
    _drop_commands(conn, "=", command.id)
    return True


def photos_added_to_step(index: "PhotoIndex", command: "ReviewCommand",
                         photo_ids: Sequence[int]) -> list[tuple[int, str | None, str]]:
    """The photos the journal holds for the app's A or R `command` of `photo_ids` besides
    those: a card's RAW split off its pair since holds a copy of the pair's rows
    (moved_photos.split_off_what_was_not_copied), so Ctrl+Z takes the step back on it too,
    as `undo --review` does, and drop_taken_back finds the step whole. Each is (photo id,
    the label the step left, its state before). None when the entry is no longer that step
    (another command, or one not holding all of `photo_ids`: an id given again)."""
    found = command_of(index.conn, command.id)
    if found is None or not _same_command(found, command):
        return []
    rows = index.conn.execute("SELECT photo_id, after_label, state FROM review_changes WHERE command_id = ? "
                              "ORDER BY photo_id", (command.id,)).fetchall()
    stepped = {int(i) for i in photo_ids}
    if not stepped <= {int(row[0]) for row in rows}:
        return []
    return [(int(photo_id), label, was) for photo_id, label, was in rows if int(photo_id) not in stepped]


_COMMANDS = ("SELECT c.id, c.verb, c.command, c.at, (SELECT COUNT(*) FROM review_changes r "
             "WHERE r.command_id = c.id) FROM review_commands c ")


def command_of(conn: sqlite3.Connection, command_id: int) -> ReviewCommand | None:
    """The journal's command with this id now (see take_back: an id may be given again)."""
    row = conn.execute(_COMMANDS + "WHERE c.id = ?", (command_id,)).fetchone()
    return None if row is None else ReviewCommand(int(row[0]), row[1], row[2], row[3], int(row[4]))


def _same_command(found: ReviewCommand, wanted: ReviewCommand) -> bool:
    return (found.verb, found.command, found.at) == (wanted.verb, wanted.command, wanted.at)


def last_command(conn: sqlite3.Connection) -> ReviewCommand | None:
    """The newest review command that can be taken back, None when there is none (a
    rename's mark an undo met, RENAME_MET, is passed: it only waits for the rename back)."""
    row = conn.execute(_COMMANDS + "WHERE c.verb <> ? ORDER BY c.id DESC LIMIT 1", (RENAME_MET,)).fetchone()
    return None if row is None else ReviewCommand(int(row[0]), row[1], row[2], row[3], int(row[4]))


def take_back_last(index: "PhotoIndex") -> TakenBack | None:
    """Give each photo the newest review command changed its label and state before it,
    where the photo is still as the command left it (compared and changed in one
    transaction); a photo a `label` taught its new label no longer teaches it. The command
    leaves the journal: the next call takes back the one before. None: nothing to take back."""
    return take_back(index)


def take_back(index: "PhotoIndex", command: ReviewCommand | None = None,
              progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> TakenBack | None:
    """take_back_last, or of `command` (the app's Ctrl+Z after its L: commands of a terminal
    since leave their photos labelled again, so those are left); None when that command is
    no longer in the journal (taken back already, or older than the newest KEPT_COMMANDS).
    A command is known by its id, words and time together: once the newest is taken back,
    SQLite gives its id to the next command journalled, which is not the one asked for.
    `progress`: told the photos given their label back so far (the app's Ctrl+Z of a bulk L:
    20,000 photos take seconds). `cancel`: looked at between chunks of photos; Cancelled rolls
    the whole take-back back (the command stays in the journal)."""
    with index.transaction() as conn:
        if command is None:
            command = last_command(conn)
        else:
            found = command_of(conn, command.id)
            command = found if found is not None and _same_command(found, command) else None
        if command is None:
            return None
        rows = conn.execute("SELECT photo_id, label, landmark_id, score, source, state, model_id, after_label, "
                            "after_state FROM review_changes WHERE command_id = ? ORDER BY photo_id",
                            (command.id,)).fetchall()
        forgotten = {int(row[0]): (None, label_store.FORGOTTEN) for row in rows if row[8] == label_store.FORGOTTEN}
        before = {int(row[0]): LabelBefore(*row[1:7]) for row in rows if int(row[0]) not in forgotten}
        after = {int(row[0]): (row[7], row[8]) for row in rows if int(row[0]) not in forgotten}
        left = {**label_store.changed_since(conn, list(after), after), **forgotten}
        restored = [photo_id for photo_id in after if photo_id not in left]
        label_store.withdraw_rejections(conn, {i: after[i] for i in left if i in after})  # relabelled or not
        if command.verb == FORGET_PLACE:
            return _take_back_forget(conn, command, restored, before, after, left)
        _restore(conn, command.id, restored, before, after, relabel_all=command.verb in RELABELLING,
                 progress=progress, cancel=cancel)
        _forget_again(conn, command.id)
        held_again = hold_again(conn, command) if command.verb in ("label", "accept") else ()
        _drop_commands(conn, "=", command.id)
    return TakenBack(command, restored, left, held_again=held_again)


def _take_back_forget(conn: sqlite3.Connection, command: ReviewCommand, restored: list[int],
                      before: Mapping[int, LabelBefore], after: Mapping[int, "ReviewState"],
                      left: dict[int, "ReviewState"]) -> TakenBack:
    """take_back of a FORGET_PLACE, in its transaction: the place unforgotten, the photos
    that taught it given their references back, and its suggestions only where the place
    is taught again; a place whose every taught photo was labelled again or taken out of
    the library since keeps them withdrawn, as teaching_store does when a place loses its
    last photo (a suggestion of a place nothing teaches would stay in Review for good)."""
    places = _unforget(conn, command.id)
    # the photos that taught it: those with references journalled, and those not suggestions
    # (forget_photos drops the references of a photo taken out of the library since)
    taught_by = {int(photo_id) for (photo_id,) in conn.execute(
        "SELECT photo_id FROM review_taught_refs WHERE command_id = ? AND photo_id != ? UNION "
        "SELECT photo_id FROM review_changes WHERE command_id = ? AND state IS NOT 'suggested'",
        (command.id, PLACE_FORGOTTEN, command.id))}
    teaching = [photo_id for photo_id in restored if photo_id in taught_by]
    _restore(conn, command.id, teaching, before, after, relabel_all=True)
    not_taught = tuple(place for place in places if taught_by and not _photos_teaching(conn, place))
    suggestions = [photo_id for photo_id in restored if photo_id not in taught_by]
    still_withdrawn: tuple[int, ...] = ()
    if not_taught:
        still_withdrawn, restored = tuple(suggestions), teaching
    else:
        _restore(conn, command.id, suggestions, before, after, relabel_all=True)
    _drop_commands(conn, "=", command.id)
    taught_again = tuple((place, count) for place in places if (count := _photos_teaching(conn, place)))
    return TakenBack(command, restored, left, taught_again, tuple(places), not_taught, still_withdrawn)


def _photos_teaching(conn: sqlite3.Connection, label: str) -> int:
    return int(conn.execute("SELECT COUNT(DISTINCT photo_id) FROM taught_refs WHERE label = ?", (label,)).fetchone()[0])


RESTORE_CHUNK = 500  # photos given their label back between two progress reports


def _restore(conn: sqlite3.Connection, command_id: int, photo_ids: list[int], before: Mapping[int, LabelBefore],
             after: Mapping[int, "ReviewState"], relabel_all: bool,
             progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> None:
    """These photos' labels as `before` holds them. After accept or reject a photo gets its
    state back as the app's Ctrl+Z gives it (rejections and what it teaches follow the
    state); after `label` or `teach` (`relabel_all`), or where its label changed, its whole label
    comes back (source, score, landmark) and it no longer teaches the label it was given
    (its taught reference goes) but again what it taught before (the references the command
    dropped, journalled; not of a place forgotten since). `progress` and `cancel`: every RESTORE_CHUNK photos."""
    by_state: dict[str, list[int]] = {}
    relabelled = []
    for photo_id in photo_ids:
        was = before[photo_id]
        if not relabel_all and was.state is not None and was.label == after[photo_id][0]:
            by_state.setdefault(was.state, []).append(photo_id)
        else:
            relabelled.append(photo_id)
    for state, ids in by_state.items():
        label_store.change_states(conn, ids, state)
    for done, photo_id in enumerate(relabelled, start=1):
        was = before[photo_id]
        if was.state is None:
            conn.execute("DELETE FROM labels WHERE photo_id = ?", (photo_id,))
        else:
            label_store.store_label(conn, photo_id, was.label, source=was.source, state=was.state,
                                    landmark_id=was.landmark_id, score=was.score, model_id=was.model_id)
        if cancel is not None and done % RESTORE_CHUNK == 0:
            cancel.raise_if_cancelled()
        if progress is not None and (done % RESTORE_CHUNK == 0 or done == len(relabelled)):
            progress(Progress(done=done, total=len(relabelled), message="taking back"))
    conn.executemany("DELETE FROM taught_refs WHERE photo_id = ? AND label = ?",
                     [(photo_id, after[photo_id][0]) for photo_id in relabelled if after[photo_id][0] is not None])
    for chunk, marks in id_chunks(relabelled):
        conn.execute("INSERT OR REPLACE INTO taught_refs (label, photo_id, model_id, vector, created_at) "
                     "SELECT label, photo_id, model_id, vector, created_at FROM review_taught_refs "
                     f"WHERE command_id = ? AND photo_id IN ({marks}) "
                     "AND label NOT IN (SELECT label FROM forgotten_places)", [command_id, *chunk])
    refresh_search_texts(conn, [photo_id for photo_id in relabelled if before[photo_id].state is None])


def _unforget(conn: sqlite3.Connection, command_id: int) -> list[str]:
    """The place a FORGET_PLACE command forgot (record_place_before_forget) is no longer
    forgotten, or forgotten as it was before it (its date then); the places no longer forgotten."""
    rows = conn.execute("SELECT label, created_at FROM review_taught_refs WHERE command_id = ? AND photo_id = ?",
                        (command_id, PLACE_FORGOTTEN)).fetchall()
    for label, forgotten_at in rows:
        conn.execute("DELETE FROM forgotten_places WHERE label = ?", (label,))
        if forgotten_at is not None:
            conn.execute("INSERT INTO forgotten_places (label, forgotten_at) VALUES (?, ?)", (label, forgotten_at))
    return [label for label, forgotten_at in rows if forgotten_at is None]


def _forget_again(conn: sqlite3.Connection, command_id: int) -> None:
    """The places the command taught again after they were forgotten (record_forgotten_place)
    are forgotten again, as they were, where no photo teaches them once it is taken back."""
    rows = conn.execute("SELECT label, created_at FROM review_taught_refs WHERE command_id = ? AND photo_id = ?",
                        (command_id, PLACE_FORGOTTEN)).fetchall()
    for label, forgotten_at in rows:
        if conn.execute("SELECT 1 FROM taught_refs WHERE label = ? LIMIT 1", (label,)).fetchone() is None:
            conn.execute("INSERT OR REPLACE INTO forgotten_places (label, forgotten_at) VALUES (?, ?)",
                         (label, forgotten_at))

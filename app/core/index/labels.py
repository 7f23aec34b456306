"""Label changes: the current label of a photo, its review state, the user's
rejections and renames. Every change also refreshes the photo's row in the full-text
index. What a model's predictions suggest is model_suggestions.py's."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from app.core.errors import UsageError
from app.core.index.connection import db_text, id_chunks, now_iso
from app.core.index.read_back_records import record_read_back
from app.core.index.search_text import label_key, refresh_search_text, refresh_search_texts

SOURCES = ("model", "user", "taught")
STATES = ("suggested", "accepted", "rejected")


def refresh_fts_label(conn: sqlite3.Connection, photo_id: int) -> None:
    """Bring the searchable text in step with the label (a rejected label is not searchable)."""
    refresh_search_text(conn, photo_id)


def store_label(
    conn: sqlite3.Connection,
    photo_id: int,
    label: str | None,
    *,
    source: str,
    state: str,
    landmark_id: str | None,
    score: float | None,
    model_id: str | None = None,
) -> None:
    """See PhotoIndex.set_label."""
    store_labels(conn, [photo_id], label, source=source, state=state, landmark_id=landmark_id, score=score,
                 model_id=model_id)


def store_labels(
    conn: sqlite3.Connection,
    photo_ids: Sequence[int],
    label: str | None,
    *,
    source: str,
    state: str,
    landmark_id: str | None = None,
    score: float | None = None,
    model_id: str | None = None,
) -> list[int]:
    """See PhotoIndex.set_labels: store_label for many photos given one label, a few
    statements per 500 photos rather than per photo (benchmarks/label_many.py). Returns
    the ids whose label, state or source this changed, in the order given; raises
    UsageError for an id no photo has (the caller's transaction undoes the rest)."""
    _check_choice("source", source, SOURCES)
    _check_choice("state", state, STATES)
    values = (label, label_key(label), landmark_id, score, source, state, model_id, now_iso())
    changed: list[int] = []
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        before = {int(row[0]): tuple(row[1:]) for row in conn.execute(
            "SELECT p.id, l.label, l.state, l.source FROM photos p LEFT JOIN labels l ON l.photo_id = p.id "
            f"WHERE p.id IN ({marks})", chunk)}
        unknown = next((photo_id for photo_id in chunk if photo_id not in before), None)
        if unknown is not None:
            raise UsageError(f"no photo with id {unknown} in the index; search again (it may have been forgotten)")
        changed += [photo_id for photo_id in chunk if before[photo_id] != (label, state, source)]
        # an UPDATE re-indexes the photo's words for its state (a trigger) only when the
        # state changes; a new row always does. One statement for the chunk, not one a
        # photo: each such statement made FTS5 write a segment (docs/ARCHITECTURE.md)
        labelled = [photo_id for photo_id in chunk if before[photo_id][1] is not None]
        unlabelled = [photo_id for photo_id in chunk if before[photo_id][1] is None]
        if labelled:
            conn.execute(
                "UPDATE labels SET label = ?, label_key = ?, landmark_id = ?, score = ?, source = ?, state = ?, "
                f"model_id = ?, updated_at = ? WHERE photo_id IN ({','.join('?' * len(labelled))})",
                [*values, *labelled],
            )
        if unlabelled:
            conn.execute(
                "INSERT OR REPLACE INTO labels (photo_id, label, label_key, landmark_id, score, source, state, "
                "model_id, updated_at) SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM photos "
                f"WHERE id IN ({','.join('?' * len(unlabelled))}) ORDER BY id",
                [*values, *unlabelled],
            )
        _sync_rejections(conn, chunk, label, state)
        refresh_search_texts(conn, chunk)
    return changed


StoredLabel = tuple[str | None, str | None, float | None, str]  # (label, landmark_id, score, state)


def stored_labels(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> dict[int, StoredLabel]:
    """(label, landmark_id, score, state) of each of these photos that holds a label:
    what the index keeps, which is not always the model's answer (the user's word, a
    rejected label that stays rejected)."""
    ids = [int(i) for i in photo_ids]
    found: dict[int, StoredLabel] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(
            "SELECT photo_id, label, landmark_id, score, state FROM labels "
            f"WHERE photo_id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        found.update((int(row[0]), tuple(row[1:])) for row in rows)
    return found


def has_users_word(conn: sqlite3.Connection, photo_id: int) -> bool:
    """A label the user gave, or a suggestion they accepted or rejected (not the model's alone)."""
    current = conn.execute("SELECT source, state FROM labels WHERE photo_id = ?", (photo_id,)).fetchone()
    return current is not None and (current[0] == "user" or current[1] != "suggested")


def adopt_written_label(conn: sqlite3.Connection, photo_id: int, label: str, files: Sequence[str] = (),
                        taught: bool | None = None) -> bool:
    """A landmark keyword found in the photo's files (app.core.metadata.read_back;
    `files`: those holding it) becomes its accepted label when the index holds no word
    of the user's about the photo (no label, or only the model's suggestion) and the
    user never rejected that landmark for it; the index records where it came from
    (read_back_records), for a relabel to replace it there. `taught`: what our field
    says (metadata.taught_field): False, the photo taught nothing (a suggestion accepted,
    a place forgotten): its label comes back as an accepted suggestion (source taught),
    which teaches nothing; else the user's (a place of theirs teaches it at the next
    `tag`, and so does a landmark of the model's where the field names it: recorded).
    True when the label changed."""
    if has_users_word(conn, photo_id):
        return False
    if is_rejected(conn, photo_id, label):
        return False
    if _our_keyword_for_its_suggestion(conn, photo_id, label, files):
        return False
    store_label(conn, photo_id, label, source="taught" if taught is False else "user", state="accepted",
                landmark_id=None, score=None)
    record_read_back(conn, photo_id, label, files, teaches=taught is True)
    return True


def _our_keyword_for_its_suggestion(conn: sqlite3.Connection, photo_id: int, label: str, files: Sequence[str]) -> bool:
    """Whether the photo's label is the suggestion `label` and our newest standing write of
    one of `files` (of any file of the photo's where none is named) put that very keyword
    there for it (`write --include-suggested`, or an accept taken back since): the keyword
    is ours, not a word of the user's, and the suggestion stands. A photo renamed or moved
    after the write is read anew at its new place; its keyword must not turn the model's
    suggestion into the user's accepted label unreviewed."""
    row = conn.execute("SELECT label, state FROM labels WHERE photo_id = ?", (photo_id,)).fetchone()
    if row is None or row[1] != "suggested" or row[0] != label:
        return False
    newest = ("SELECT j.photo_id, json_extract(j.after, '$.label') FROM write_journal j JOIN write_batches b "
              "ON b.id = j.batch_id WHERE {where} AND b.undone_at IS NULL AND j.size_after IS NOT NULL "
              "ORDER BY j.id DESC LIMIT 1")
    if not files:
        found = conn.execute(newest.format(where="j.photo_id = ?"), (photo_id,)).fetchone()
        return found is not None and found[1] == label
    return any((found := conn.execute(newest.format(where="j.path = CAST(? AS TEXT)"),
                                      (db_text(str(path)),)).fetchone()) is not None
               and found[0] == photo_id and found[1] == label for path in files)


def take_decision_of(conn: sqlite3.Connection, source_id: int, photo_id: int) -> bool:
    """A picture that left `source_id` for a photo of its own (a JPEG renumbered over a
    pair's JPEG: renamed_over.py) takes the index's word about it there: label, state,
    source and rejections. It is newer than the keyword `write` put in its file (rejected
    or relabelled since, not written yet); the keyword stays recorded as read back, for the
    next `write` to take out or replace. No label there is a word too (taken back by `undo
    --review`: the index knew these very bytes, keyword and all, as that photo's): the
    picture holds none here either. True when the label, state or source changed."""
    conn.execute("INSERT OR IGNORE INTO rejections (photo_id, label) SELECT ?, label FROM rejections "
                 "WHERE photo_id = ?", (photo_id, source_id))
    row = conn.execute("SELECT label, landmark_id, score, source, state, model_id FROM labels WHERE photo_id = ?",
                       (source_id,)).fetchone()
    if row is None:
        return conn.execute("DELETE FROM labels WHERE photo_id = ?", (photo_id,)).rowcount > 0
    label, landmark_id, score, source, state, model_id = row
    return bool(store_labels(conn, [photo_id], label, source=source, state=state, landmark_id=landmark_id,
                             score=score, model_id=model_id))


def change_states(conn: sqlite3.Connection, photo_ids: Iterable[int], state: str) -> int:
    """See PhotoIndex.set_state. Returns how many labels changed: a photo without a
    label, or whose label already is in `state`, is left as it is (and not counted).
    A few statements per 500 photos rather than per photo: a photo at a time, each
    statement made FTS5 write a segment (docs/ARCHITECTURE.md, search tables), and
    rejecting 100,000 photos took 3-4 × accepting them (benchmarks/bulk_review_choices.py)."""
    _check_choice("state", state, STATES)
    changed = 0
    now = now_iso()
    for chunk, marks in id_chunks(list(dict.fromkeys(int(i) for i in photo_ids))):
        rows = conn.execute(f"SELECT photo_id, label, state FROM labels WHERE photo_id IN ({marks}) AND state IS NOT ?",
                            [*chunk, state]).fetchall()
        if not rows:
            continue
        ids = [int(row[0]) for row in rows]
        conn.execute(f"UPDATE labels SET state = ?, updated_at = ? WHERE photo_id IN ({','.join('?' * len(ids))})",
                     [state, now, *ids])
        by_label: dict[str | None, list[int]] = {}
        for photo_id, label, _ in rows:
            by_label.setdefault(label, []).append(int(photo_id))
        for label, labelled in by_label.items():
            _sync_rejections(conn, labelled, label, state)
        # a rejected label's words are not searchable; the state itself reaches the
        # search tables through triggers (refreshing every row made accept 3 × slower)
        refresh_search_texts(conn, [int(photo_id) for photo_id, _, was in rows
                                    if (was == "rejected") != (state == "rejected")])
        changed += len(rows)
    return changed


ReviewState = tuple[str | None, str]  # (label, state) as PhotoIndex.review_states gives it
FORGOTTEN = "forgotten"  # the state of a photo no longer in the index (its folder taken out of the library)


def changed_since(conn: sqlite3.Connection, photo_ids: Iterable[int],
                  expected: Mapping[int, ReviewState]) -> dict[int, ReviewState]:
    """The photos among these whose (label, state) is no longer the one `expected` holds
    (a photo it leaves out is expected to hold no label), each with its (label, state)
    now: "unlabelled" without a label, FORGOTTEN when it is no longer in the index."""
    ids = [int(i) for i in photo_ids]
    now: dict[int, ReviewState] = {}
    for chunk, marks in id_chunks(ids):
        now.update((int(row[0]), (row[1], row[2] or "unlabelled")) for row in conn.execute(
            "SELECT p.id, l.label, l.state FROM photos p LEFT JOIN labels l ON l.photo_id = p.id "
            f"WHERE p.id IN ({marks})", chunk))
    now = {i: now.get(i, (None, FORGOTTEN)) for i in ids}
    return {i: was for i, was in now.items() if was != expected.get(i, (None, "unlabelled"))}


@dataclass(frozen=True)
class StateChange:
    """What PhotoIndex.set_state_if_unchanged did: how many photos changed, and those it
    left as they are, each with its (label, state) now ("unlabelled": no label any more;
    FORGOTTEN: no longer in the index)."""

    changed: int
    left: dict[int, ReviewState]


@dataclass(frozen=True)
class LabelChange:
    """What PhotoIndex.set_labels did: the photos whose label, state or source changed (in
    the order given), and those it left as they are, no longer as `expected`, each with
    its (label, state) now (as StateChange.left)."""

    changed: list[int]
    left: dict[int, ReviewState]


def store_labels_if_unchanged(conn: sqlite3.Connection, photo_ids: Iterable[int], label: str | None, *,
                              source: str, state: str, expected: Mapping[int, ReviewState] | None) -> LabelChange:
    """See PhotoIndex.set_labels; in the caller's transaction, so nothing changes a photo
    between the comparison and the change (`expected` None: every photo is labelled)."""
    ids = [int(i) for i in photo_ids]
    left = {} if expected is None else changed_since(conn, ids, expected)
    return LabelChange(store_labels(conn, [i for i in ids if i not in left], label, source=source, state=state), left)


def change_states_if_unchanged(conn: sqlite3.Connection, photo_ids: Iterable[int], state: str,
                               expected: Mapping[int, ReviewState]) -> StateChange:
    """See PhotoIndex.set_state_if_unchanged; in the caller's transaction, so nothing
    changes a photo between the comparison and the change."""
    ids = [int(i) for i in photo_ids]
    left = changed_since(conn, ids, expected)
    return StateChange(change_states(conn, [i for i in ids if i not in left], state), left)


# How `rejections` holds a rejected "no landmark" (its label column takes no NULL): the
# only record of that rejection once a later suggestion replaces the photo's label row
# (a lower threshold's landmark), so that the model's "no landmark" is never offered again.
NO_LANDMARK_REJECTED = ""


def _sync_rejections(conn: sqlite3.Connection, photo_ids: Sequence[int], label: str | None, state: str) -> None:
    """These photos' `label` in `state`: remembered as rejected for them, or no longer
    ("no landmark" too, as NO_LANDMARK_REJECTED)."""
    pairs = [(int(photo_id), NO_LANDMARK_REJECTED if label is None else label) for photo_id in photo_ids]
    if state == "rejected":
        # a photo rejected for a place it taught no longer teaches it: its reference is
        # set aside by the rejection (see app.core.teaching_store), back when it goes
        conn.executemany("INSERT OR IGNORE INTO rejections (photo_id, label) VALUES (?, ?)", pairs)
    else:
        conn.executemany("DELETE FROM rejections WHERE photo_id = ? AND label = ?", pairs)


def remember_rejection(conn: sqlite3.Connection, photo_id: int, label: str | None) -> None:
    """Record the photo's rejected label in `rejections` before a suggestion replaces its
    label row (an index an older version made holds no rejected "no landmark" there)."""
    _sync_rejections(conn, [photo_id], label, "rejected")


def withdraw_rejections(conn: sqlite3.Connection, given: Mapping[int, ReviewState]) -> None:
    """A reject taken back (`undo --review`) from photos a suggestion relabelled since, their
    label rows left as they are: each label the reject gave "rejected" (`given`: the photo's
    (label, state) after it) is no longer recorded as rejected, else the next `tag` would
    give the rejection the user withdrew back (model_suggestions.rejection_kept)."""
    by_label: dict[str | None, list[int]] = {}
    for photo_id, (label, state) in given.items():
        if state == "rejected":
            by_label.setdefault(label, []).append(int(photo_id))
    for label, photo_ids in by_label.items():
        _sync_rejections(conn, photo_ids, label, "suggested")


def is_rejected(conn: sqlite3.Connection, photo_id: int, label: str, landmark_id: str | None = None) -> bool:
    """Whether the user rejected this landmark for the photo: by its name, or by its
    landmark id, which a rejected name had in what a model said of the photo (its stored
    predictions, the rejected label): a model update that renames "Taj Mahal" to "Taj
    Mahal, Agra" keeps the landmark id, and the rejection holds under the new name."""
    row = conn.execute(
        "SELECT 1 FROM rejections r WHERE r.photo_id = ? AND (r.label = ? OR (? IS NOT NULL AND ("
        "EXISTS (SELECT 1 FROM predictions p WHERE p.photo_id = r.photo_id AND p.label = r.label "
        "AND p.landmark_id = ?) OR EXISTS (SELECT 1 FROM labels l WHERE l.photo_id = r.photo_id "
        "AND l.label = r.label AND l.landmark_id = ?)))) LIMIT 1",
        (photo_id, label, landmark_id or None, landmark_id, landmark_id),
    ).fetchone()
    return row is not None


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise UsageError(f"unknown label {name} {value!r}; use one of {', '.join(choices)}")


def spellings_in_use(conn: sqlite3.Connection, name: str) -> list[str]:
    """The spellings of `name` (case aside) on photos, in rejections and among taught
    references, as stored."""
    key = name.casefold()
    found = {row[0] for row in conn.execute("SELECT DISTINCT label FROM labels WHERE label_key = ?", (label_key(name),))}
    for table in ("rejections", "taught_refs"):
        found.update(row[0] for row in conn.execute(f"SELECT DISTINCT label FROM {table}"))
    return sorted(spelling for spelling in found if spelling is not None and spelling.casefold() == key)


def rename_label(conn: sqlite3.Connection, spellings: Sequence[str], new: str, landmark_id: str | None) -> tuple[int, int]:
    """Every label, rejection and stored prediction spelled as one of `spellings`
    becomes `new`; a taught landmark id ("taught:…") among them becomes `landmark_id`.
    Returns (photos relabelled, how many of those labels are accepted)."""
    now = now_iso()
    photos = accepted = 0
    for spelling in (s for s in spellings if s != new):
        rows = conn.execute("SELECT photo_id, state FROM labels WHERE label = ?", (spelling,)).fetchall()
        conn.execute(
            "UPDATE labels SET label = ?, label_key = ?, updated_at = ?, landmark_id = CASE "
            "WHEN landmark_id LIKE 'taught:%' THEN ? ELSE landmark_id END WHERE label = ?",
            (new, label_key(new), now, landmark_id, spelling),
        )
        for photo_id, state in rows:
            refresh_fts_label(conn, photo_id)
            accepted += state == "accepted"
        photos += len(rows)
        # a photo that rejected both spellings keeps one rejection; one that rejected the
        # typo and holds `new` (a correction's trace) has no rejection of its own label:
        # that would set aside the reference it teaches `new` by (teaching_store)
        conn.execute("UPDATE OR IGNORE rejections SET label = ? WHERE label = ?", (new, spelling))
        conn.execute("DELETE FROM rejections WHERE label = ?", (spelling,))
        conn.execute("DELETE FROM rejections WHERE label = ? AND photo_id IN "
                     "(SELECT photo_id FROM labels WHERE label = ? AND state != 'rejected')", (new, new))
        conn.execute(
            "UPDATE predictions SET label = ?, landmark_id = CASE WHEN landmark_id LIKE 'taught:%' THEN ? "
            "ELSE landmark_id END WHERE label = ?",
            (new, landmark_id, spelling),
        )
    return photos, accepted

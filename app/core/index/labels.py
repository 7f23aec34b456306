"""Label changes: predictions, the current label of a photo and its review state.
Every change also refreshes the photo's row in the full-text index."""

from __future__ import annotations

import sqlite3
from typing import Iterable, Sequence

from app.core.errors import UsageError
from app.core.index.connection import now_iso
from app.core.index.records import Prediction, prediction_type
from app.core.index.search_text import label_key, refresh_search_text

SOURCES = ("model", "user", "taught")
STATES = ("suggested", "accepted", "rejected")


def refresh_fts_label(conn: sqlite3.Connection, photo_id: int) -> None:
    """Bring the searchable text in step with the label (a rejected label is not searchable)."""
    refresh_search_text(conn, photo_id)


def store_predictions(
    conn: sqlite3.Connection,
    photo_id: int,
    model_id: str,
    top: Sequence[Prediction],
    threshold: float,
    image_changed: bool = False,
) -> None:
    """See PhotoIndex.set_predictions."""
    now = now_iso()
    conn.execute("DELETE FROM predictions WHERE photo_id = ? AND model_id = ?", (photo_id, model_id))
    conn.executemany(
        "INSERT INTO predictions (photo_id, model_id, rank, landmark_id, label, score) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (photo_id, model_id, rank, p.landmark_id, p.label, float(p.score))
            for rank, p in enumerate(top, start=1)
        ],
    )
    fingerprint = conn.execute(
        "SELECT f.fingerprint FROM files f JOIN photos p ON p.id = f.photo_id "
        "WHERE p.id = ? AND f.path = p.primary_path",
        (photo_id,),
    ).fetchone()
    conn.execute(
        "INSERT OR REPLACE INTO tagged (photo_id, model_id, file_fingerprint, tagged_at) VALUES (?, ?, ?, ?)",
        (photo_id, model_id, fingerprint[0] if fingerprint else None, now),
    )
    best = top[0] if top else None
    current = conn.execute("SELECT source, state, label FROM labels WHERE photo_id = ?", (photo_id,)).fetchone()
    if current is not None and (current[0] == "user" or current[1] == "accepted"):
        if not (current[0] == "model" and current[1] == "accepted" and image_changed
                and (best is None or best.label != current[2])):
            return  # the user's word is never overwritten by the model
        # The user accepted what this model said about the picture that was there; the
        # file now holds another picture (another photo saved under the name, say) that
        # the model sees otherwise: that acceptance is not about it, so it gets a fresh
        # suggestion to review instead of having the old landmark written into it. A
        # metadata edit elsewhere (a rating, a GPS position) is no new picture: a place
        # taught since or the position may change the model's answer, not what was accepted.
    if best is not None and _is_rejected(conn, photo_id, best.label):
        return  # a rejected suggestion is not suggested again
    confident = best is not None and float(best.score) >= threshold
    label = best.label if confident else None
    conn.execute(
        "INSERT OR REPLACE INTO labels (photo_id, label, label_key, landmark_id, score, source, state, model_id, "
        "updated_at) VALUES (?, ?, ?, ?, ?, 'model', 'suggested', ?, ?)",
        (
            photo_id,
            label,
            label_key(label),
            best.landmark_id if confident else None,
            float(best.score) if best is not None else None,
            model_id,
            now,
        ),
    )
    refresh_fts_label(conn, photo_id)


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
    _check_choice("source", source, SOURCES)
    _check_choice("state", state, STATES)
    conn.execute(
        "INSERT OR REPLACE INTO labels (photo_id, label, label_key, landmark_id, score, source, state, model_id, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (photo_id, label, label_key(label), landmark_id, score, source, state, model_id, now_iso()),
    )
    _sync_rejection(conn, photo_id, label, state)
    refresh_fts_label(conn, photo_id)


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


def adopt_written_label(conn: sqlite3.Connection, photo_id: int, label: str) -> bool:
    """A landmark keyword found in the photo's files (app.core.metadata.read_back)
    becomes its accepted label when the index holds no word of the user's about the
    photo (no label, or only the model's suggestion) and the user never rejected that
    landmark for it. True when the label changed."""
    if has_users_word(conn, photo_id):
        return False
    if _is_rejected(conn, photo_id, label):
        return False
    store_label(conn, photo_id, label, source="user", state="accepted", landmark_id=None, score=None)
    return True


def change_states(conn: sqlite3.Connection, photo_ids: Iterable[int], state: str) -> int:
    """See PhotoIndex.set_state. Returns how many labels changed: a photo without a
    label, or whose label already is in `state`, is left as it is (and not counted)."""
    _check_choice("state", state, STATES)
    changed = 0
    now = now_iso()
    for photo_id in photo_ids:
        row = conn.execute("SELECT label, state FROM labels WHERE photo_id = ?", (photo_id,)).fetchone()
        if row is None or row[1] == state:
            continue
        conn.execute("UPDATE labels SET state = ?, updated_at = ? WHERE photo_id = ?", (state, now, photo_id))
        _sync_rejection(conn, photo_id, row[0], state)
        if (row[1] == "rejected") != (state == "rejected"):
            # a rejected label's words are not searchable; the state itself reaches the
            # search tables through triggers (refreshing every row made accept 3 × slower)
            refresh_fts_label(conn, photo_id)
        changed += 1
    return changed


def _sync_rejection(conn: sqlite3.Connection, photo_id: int, label: str | None, state: str) -> None:
    if label is None:
        return
    if state == "rejected":
        # a photo rejected for a place it taught no longer teaches it: its reference is
        # set aside by the rejection (see app.core.teaching_store), back when it goes
        conn.execute("INSERT OR IGNORE INTO rejections (photo_id, label) VALUES (?, ?)", (photo_id, label))
    else:
        conn.execute("DELETE FROM rejections WHERE photo_id = ? AND label = ?", (photo_id, label))


def apply_threshold(conn: sqlite3.Connection, photo_ids: Sequence[int], model_id: str, threshold: float) -> list[int]:
    """Decide "no landmark" again at `threshold` for photos a tag run of `model_id`
    labelled from its stored top-1 (no decoding: the top-5 is stored), and give back
    its answer where another model's suggestion replaced it since. A label `suggest`
    re-scored (its score is not the top-1's: the same landmark on the scale shared with
    taught places) is decided on that score, as a tag run would now decide it. Labels
    of the user, accepted ones and rejected landmarks are left alone; a score of 0 (a
    blank frame) never becomes a label. Returns the ids of the photos whose label
    changed."""
    from model.predictor import TAUGHT_ID_PREFIX

    changed: list[int] = []
    now = now_iso()
    for start in range(0, len(photo_ids), 500):
        chunk = [int(i) for i in photo_ids[start : start + 500]]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT l.photo_id, l.label, l.score, p.landmark_id, p.label, p.score FROM labels l "
            "JOIN predictions p ON p.photo_id = l.photo_id AND p.model_id = l.model_id AND p.rank = 1 "
            f"WHERE l.photo_id IN ({marks}) AND l.model_id = ? AND l.source = 'model' AND l.state = 'suggested'",
            (*chunk, model_id),
        ).fetchall()
        forgotten = {name for (name,) in conn.execute("SELECT label FROM forgotten_places")}
        for photo_id, label, score, top_id, top_label, top_score in rows:
            if label not in (None, top_label) or score is None:
                continue  # another label than the tag run's (the user's, a taught place's)
            if top_label in forgotten and (top_id or "").startswith(TAUGHT_ID_PREFIX):
                # a place the user told the app to forget is not suggested again (the
                # model's own landmark of that name is: the place was not the model's)
                continue
            # the tag run's own score, or the one `suggest` gave the same landmark since
            decided_on = float(score)
            confident = decided_on > 0.0 and decided_on >= threshold and not _is_rejected(conn, photo_id, top_label)
            new_label = top_label if confident else None
            if new_label == label:
                continue
            conn.execute(
                "UPDATE labels SET label = ?, label_key = ?, landmark_id = ?, updated_at = ? WHERE photo_id = ?",
                (new_label, label_key(new_label), top_id if confident else None, now, photo_id),
            )
            refresh_fts_label(conn, photo_id)
            changed.append(int(photo_id))
        changed += _take_back_from_another_model(conn, chunk, model_id, threshold, now)
    return changed


def _take_back_from_another_model(
    conn: sqlite3.Connection, chunk: list[int], model_id: str, threshold: float, now: str
) -> list[int]:
    """Photos whose suggestion another model made (a run with `--model OTHER` since this
    model tagged them) get this model's answer back from its stored top-1, as a tag run
    of it would give; a suggestion that is not that model's own top-1 (suggest's, the
    user's) is left alone."""
    marks = ",".join("?" * len(chunk))
    rows = conn.execute(
        "SELECT l.photo_id, l.label, l.score, other.label, other.score, p.landmark_id, p.label, p.score "
        "FROM labels l JOIN predictions p ON p.photo_id = l.photo_id AND p.model_id = ? AND p.rank = 1 "
        "JOIN predictions other ON other.photo_id = l.photo_id AND other.model_id = l.model_id AND other.rank = 1 "
        f"WHERE l.photo_id IN ({marks}) AND l.model_id != ? AND l.source = 'model' AND l.state = 'suggested'",
        (model_id, *chunk, model_id),
    ).fetchall()
    changed = []
    for photo_id, label, score, other_label, other_score, top_id, top_label, top_score in rows:
        if label not in (None, other_label) or score is None or abs(float(score) - float(other_score)) > 1e-9:
            continue  # not the other model's own decision
        confident = float(top_score) > 0.0 and float(top_score) >= threshold and not _is_rejected(conn, photo_id, top_label)
        new_label = top_label if confident else None
        conn.execute(
            "UPDATE labels SET label = ?, label_key = ?, landmark_id = ?, score = ?, model_id = ?, updated_at = ? "
            "WHERE photo_id = ?",
            (new_label, label_key(new_label), top_id if confident else None, float(top_score), model_id, now, photo_id),
        )
        refresh_fts_label(conn, photo_id)
        changed.append(int(photo_id))
    return changed


def _is_rejected(conn: sqlite3.Connection, photo_id: int, label: str) -> bool:
    row = conn.execute("SELECT 1 FROM rejections WHERE photo_id = ? AND label = ?", (photo_id, label)).fetchone()
    return row is not None


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise UsageError(f"unknown label {name} {value!r}; use one of {', '.join(choices)}")


def load_predictions(conn: sqlite3.Connection, photo_id: int, model_id: str | None) -> list[Prediction]:
    """Ranked predictions of one photo: by `model_id`, else by the model of its
    label, else by the model that tagged it last."""
    if model_id is None:
        row = conn.execute(
            "SELECT model_id FROM labels WHERE photo_id = ? AND model_id IS NOT NULL", (photo_id,)
        ).fetchone()
        if row is None:
            row = conn.execute(
                "SELECT model_id FROM tagged WHERE photo_id = ? ORDER BY tagged_at DESC LIMIT 1", (photo_id,)
            ).fetchone()
        if row is None:
            return []
        model_id = row[0]
    rows = conn.execute(
        "SELECT landmark_id, label, score FROM predictions WHERE photo_id = ? AND model_id = ? ORDER BY rank",
        (photo_id, model_id),
    ).fetchall()
    make = prediction_type()
    return [make(landmark_id=r[0], label=r[1], score=r[2]) for r in rows]


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

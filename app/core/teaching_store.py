"""The teaching tables of the index: taught references, stored embeddings, rejections.

Teaching owns `taught_refs` and reads `embeddings` (written by tagging) and
`rejections` (written through PhotoIndex when a suggestion is rejected). A reference
whose photo has its label rejected is set aside, not deleted: it teaches nothing while
the rejection stands, and teaches again when the reject is taken back (accept, Ctrl+Z).
Vectors are
float32 blobs, L2-normalised; a photo's descriptor (bundles with a teaching space, see
model.descriptor) is a float16 blob beside its embedding. Functions take a sqlite3
connection so callers decide the transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from app.core.index.connection import id_chunks, now_iso

if TYPE_CHECKING:
    from app.core.index.review_journal import ReviewCommand


@dataclass(frozen=True)
class TaughtRef:
    """One taught reference: a photo's embedding by one model, standing for a label."""

    label: str
    photo_id: int
    model_id: str
    vector: np.ndarray


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def normalise_in_place(vectors: np.ndarray) -> np.ndarray:
    """`normalised` without the copy, for a library's worth of rows this module loaded."""
    vectors /= np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)
    return vectors


def stored_embedding(conn: sqlite3.Connection, photo_id: int, model_id: str) -> np.ndarray | None:
    row = conn.execute(
        "SELECT vector FROM embeddings WHERE photo_id = ? AND model_id = ?", (int(photo_id), model_id)
    ).fetchone()
    return None if row is None or not row[0] else from_blob(row[0])


def stored_descriptor(conn: sqlite3.Connection, photo_id: int, model_id: str) -> np.ndarray | None:
    row = conn.execute(
        "SELECT descriptor FROM embeddings WHERE photo_id = ? AND model_id = ?", (int(photo_id), model_id)
    ).fetchone()
    return None if row is None or not row[0] else descriptor_from_blob(row[0])


def store_embedding(
    conn: sqlite3.Connection, photo_id: int, model_id: str, vector: np.ndarray, descriptor: np.ndarray | None = None
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO embeddings (photo_id, model_id, vector, descriptor) VALUES (?, ?, ?, ?)",
        (int(photo_id), model_id, to_blob(vector), None if descriptor is None else descriptor_blob(descriptor)),
    )


def drop_embedding(conn: sqlite3.Connection, photo_id: int, model_id: str) -> None:
    """Forget a photo's vectors by this model (it was re-tagged as a blank frame)."""
    conn.execute("DELETE FROM embeddings WHERE photo_id = ? AND model_id = ?", (int(photo_id), model_id))


def descriptor_blob(descriptor: np.ndarray) -> bytes:
    return normalised(descriptor).astype(np.float16).tobytes()


def descriptor_from_blob(blob: bytes) -> np.ndarray:
    """float16 as stored (half the memory of a large library); scoring converts chunks."""
    return np.frombuffer(blob, dtype=np.float16)


def stored_embeddings(
    conn: sqlite3.Connection, model_id: str, photo_ids: Sequence[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(photo ids [N], vectors [N, D]) of the stored embeddings of `model_id`, photos
    not missing, optionally restricted to `photo_ids`; id order."""
    rows = conn.execute(
        "SELECT e.photo_id, e.vector FROM embeddings e JOIN photos p ON p.id = e.photo_id "
        "WHERE e.model_id = ? AND p.missing = 0 AND e.vector IS NOT NULL ORDER BY e.photo_id",
        (model_id,),
    ).fetchall()
    if photo_ids is not None:
        wanted = {int(i) for i in photo_ids}
        rows = [row for row in rows if row[0] in wanted]
    vectors = [from_blob(blob) for _, blob in rows]
    sizes = {v.size for v in vectors}
    if not vectors or len(sizes) != 1:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    return np.array([r[0] for r in rows], dtype=np.int64), np.stack(vectors)


def stored_descriptors(conn: sqlite3.Connection, model_id: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(photo ids [N], embeddings [N, D], descriptors [N, F] float16) of the photos of
    `model_id` stored with a descriptor, photos not missing; id order. Read a block of
    rows at a time into the arrays, so a large library is not held twice on the way."""
    empty = np.zeros(0, dtype=np.int64), np.zeros((0, 0), np.float32), np.zeros((0, 0), np.float32)
    where = (
        "FROM embeddings e JOIN photos p ON p.id = e.photo_id "
        "WHERE e.model_id = ? AND p.missing = 0 AND e.vector IS NOT NULL AND e.descriptor IS NOT NULL"
    )
    capacity = int(conn.execute(f"SELECT COUNT(*) {where}", (model_id,)).fetchone()[0])
    cursor = conn.execute(f"SELECT e.photo_id, e.vector, e.descriptor {where} ORDER BY e.photo_id", (model_id,))
    ids = embeddings = descriptors = None
    count = 0
    while rows := cursor.fetchmany(LOAD_ROWS):
        for photo_id, vector_bytes, descriptor_bytes in rows:
            vector, descriptor = from_blob(vector_bytes), descriptor_from_blob(descriptor_bytes)
            if embeddings is None:
                capacity = max(capacity, len(rows))
                ids = np.empty(capacity, np.int64)
                embeddings = np.empty((capacity, vector.size), np.float32)
                descriptors = np.empty((capacity, descriptor.size), np.float16)
            if vector.size != embeddings.shape[1] or descriptor.size != descriptors.shape[1]:
                return empty  # mixed sizes: not one model's vectors
            if count == len(ids):  # rows were added since they were counted: grow
                ids, embeddings, descriptors = (_doubled(a) for a in (ids, embeddings, descriptors))
            ids[count], embeddings[count], descriptors[count] = photo_id, vector, descriptor
            count += 1
    if count == 0:
        return empty
    return ids[:count], embeddings[:count], descriptors[:count]


LOAD_ROWS = 2048  # rows fetched from SQLite at once by stored_descriptors


def _doubled(array: np.ndarray) -> np.ndarray:
    return np.concatenate([array, np.empty_like(array)])


def add_ref(conn: sqlite3.Connection, label: str, photo_id: int, model_id: str, vector: np.ndarray) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO taught_refs (label, photo_id, model_id, vector, created_at) VALUES (?, ?, ?, ?, ?)",
        (label, int(photo_id), model_id, to_blob(vector), now_iso()),
    )
    conn.execute("DELETE FROM forgotten_places WHERE label = ?", (label,))  # taught again


def renew_refs(conn: sqlite3.Connection, photo_id: int, model_id: str, vector: np.ndarray) -> int:
    """The photo's references by `model_id` (each place it teaches) made from `vector`, its
    picture's new one (a file replaced or edited: it teaches what it shows now); a reference
    set aside (no vector) stays so. Returns how many were renewed."""
    return conn.execute("UPDATE taught_refs SET vector = ? WHERE photo_id = ? AND model_id = ? AND vector IS NOT NULL",
                        (to_blob(vector), int(photo_id), model_id)).rowcount


def has_refs(conn: sqlite3.Connection, photo_id: int, model_id: str) -> bool:
    return conn.execute("SELECT 1 FROM taught_refs WHERE photo_id = ? AND model_id = ? AND vector IS NOT NULL LIMIT 1",
                        (int(photo_id), model_id)).fetchone() is not None


RefRow = tuple[int, str, int, str, bytes | None, str | None]  # id, label, photo_id, model_id, vector, created_at


def ref_rows_of_photos(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> list[RefRow]:
    """The taught_refs rows of these photos, whole (by taught_refs_by_photo), so that a
    change that drops some can journal them (refs_gone)."""
    rows: list[RefRow] = []
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        rows += conn.execute("SELECT id, label, photo_id, model_id, vector, created_at FROM taught_refs "
                             f"WHERE photo_id IN ({marks})", chunk).fetchall()
    return rows


def refs_gone(conn: sqlite3.Connection, rows: Sequence[RefRow]) -> list[RefRow]:
    """Those of `rows` (ref_rows_of_photos, read earlier in the transaction) no longer in
    taught_refs: dropped, or replaced by a new reference of the same place."""
    kept: set[int] = set()
    for chunk, marks in id_chunks([row[0] for row in rows]):
        kept.update(row[0] for row in conn.execute(f"SELECT id FROM taught_refs WHERE id IN ({marks})", chunk))
    return [row for row in rows if row[0] not in kept]


def forget_photos(conn: sqlite3.Connection, photo_ids: Sequence[int], keep_label: str | None = None) -> int:
    """Drop these photos' references to every label but `keep_label`; a photo shows one
    place, so a corrected label replaces what it taught before. One statement per 500
    photos, which taught_refs_by_photo (schema migration 26) leads to their rows: before
    it each statement read all of taught_refs, and one a photo made labelling or
    teaching in a library that teaches take quadratic time. Returns how many went."""
    dropped = 0
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        keep = "" if keep_label is None else " AND label != ?"
        cursor = conn.execute(f"DELETE FROM taught_refs WHERE photo_id IN ({marks}){keep}",
                              (*chunk, *([] if keep_label is None else [keep_label])))
        dropped += cursor.rowcount
    return dropped


@dataclass(frozen=True)
class ForgetSummary:
    """What forgetting a taught place did: the photos that taught it, its suggestions
    withdrawn (now "no landmark"), and the model's own suggestions of a landmark of the
    same name, which stay (teaching did not make them)."""

    photos: int = 0  # as `stats` counts them (a photo has a reference per model)
    withdrawn: int = 0
    kept: int = 0
    journalled: "ReviewCommand | None" = None  # the review journal's command (teaching.forget's `journal`)
    photo_ids: tuple[int, ...] = ()  # the photos journalled: taught ones, then suggestions


def forget_label(conn: sqlite3.Connection, label: str) -> ForgetSummary:
    """Drop the label's references and remember that it was forgotten, so its labelled
    photos do not teach it again at the next `tag`; suggestions of it that teaching made
    and nobody accepted are withdrawn (see withdraw_suggestions). A label nothing teaches
    nor would teach (no reference, no photo the user labelled so) is not recorded as
    forgotten: that would keep `undo --review` from giving a photo back the place it
    taught before a `label` moved it away; its suggestions are withdrawn all the same."""
    if conn.execute(
        "SELECT 1 FROM taught_refs WHERE label = ? UNION ALL SELECT 1 FROM labels WHERE label = ? "
        "AND source = 'user' AND state = 'accepted' LIMIT 1", (label, label)
    ).fetchone() is not None:  # photos that teach it, or would at the next `tag` (teach_untaught_labels)
        conn.execute("INSERT OR REPLACE INTO forgotten_places (label, forgotten_at) VALUES (?, ?)",
                     (label, now_iso()))
    photos = conn.execute(
        f"SELECT COUNT(DISTINCT photo_id) FROM taught_refs WHERE label = ? AND {_TEACHING}", (label,)
    ).fetchone()[0]
    conn.execute("DELETE FROM taught_refs WHERE label = ?", (label,))
    withdrawn, kept = withdraw_suggestions(conn, label)
    return ForgetSummary(int(photos), withdrawn, kept)


LabelRow = tuple[int, str, str | None, float | None, str, str, str | None]
# photo_id, label, landmark_id, score, source, state, model_id: a label as it was, for the review journal


def withdraw_suggestions(conn: sqlite3.Connection, label: str,
                         withdrawn_rows: list[LabelRow] | None = None) -> tuple[int, int]:
    """The app's suggestions of a forgotten place (not accepted, not the user's) stayed in
    Review, offering a place the user asked it to forget. Those teaching made (by
    `suggest`, or a `tag` run where the taught place won: a `taught:` landmark id) become
    "no landmark", scored by the model's best stored guess still taught and not rejected,
    so the next `tag` decides them at the threshold as it decides any photo; a photo with
    a rejection goes back to it instead, out of Review (_withdrawn_answer).
    A place may carry the name of one of the model's landmarks (a photo corrected to
    "Colosseum" teaches "Colosseum"): the model's own suggestions of that landmark are
    not the place's and stay, with the model's score from the stored predictions, as
    `tag` gave it (a `suggest` run had lowered it by what was taught). Returns
    (withdrawn, kept); `withdrawn_rows` (if given) gets each withdrawn label as it was,
    so that `undo --review` of the label that withdrew them can give them back."""
    from app.core.index.labels import store_label
    from model.predictor import TAUGHT_ID_PREFIX

    rows = conn.execute(
        "SELECT photo_id, label, landmark_id, score, source, state, model_id FROM labels "
        "WHERE label = ? AND state = 'suggested' AND source != 'user'",
        (label,),
    ).fetchall()
    withdrawn = kept = 0
    for row in rows:
        photo_id, _, landmark_id, _, source, _, model_id = row
        if source == "model" and landmark_id and not landmark_id.startswith(TAUGHT_ID_PREFIX):
            own = conn.execute(
                "SELECT score FROM predictions WHERE photo_id = ? AND model_id = ? AND landmark_id = ? "
                "ORDER BY rank LIMIT 1", (photo_id, model_id, landmark_id),
            ).fetchone()
            if own is not None:
                conn.execute("UPDATE labels SET score = ?, updated_at = ? WHERE photo_id = ?",
                             (float(own[0]), now_iso(), photo_id))
            kept += 1
            continue
        (label, landmark_id, score), state = _withdrawn_answer(conn, photo_id, model_id)
        store_label(conn, photo_id, label, source="model", state=state, landmark_id=landmark_id,
                    score=score, model_id=model_id)
        if withdrawn_rows is not None:
            withdrawn_rows.append(tuple(row))
        withdrawn += 1
    return withdrawn, kept


def _withdrawn_answer(conn: sqlite3.Connection, photo_id: int,
                      model_id: str | None) -> tuple[tuple[str | None, str | None, float | None], str]:
    """(label, landmark id, score) and state of a withdrawn suggestion: "no landmark",
    scored by the model's best stored guess the user did not reject and still taught
    (model_answer's rule: a rejected landmark lends it no score); on a photo the user
    rejected something for, that rejection (rejection_kept): a photo they dealt with does
    not come back to Review as "no landmark". Score None: no stored guess to score it."""
    from app.core.index.model_suggestions import (best_not_rejected, load_predictions, rejected_landmarks,
                                                  rejection_kept)

    top = load_predictions(conn, photo_id, model_id) if model_id is not None else []
    rejected = rejected_landmarks(conn, [photo_id])
    best = best_not_rejected(conn, photo_id, top, rejected)
    score = None if not top else 0.0 if best is None else float(best.score)
    kept = rejection_kept(top, score, rejected.get(photo_id))
    return ((None, None, score), "suggested") if kept is None else (kept, "rejected")


# The references that teach: not those whose photo has that label rejected (set aside).
_TEACHING = ("NOT EXISTS (SELECT 1 FROM rejections r "
             "WHERE r.photo_id = taught_refs.photo_id AND r.label = taught_refs.label)")


def still_taught(conn: sqlite3.Connection, labels: Iterable[str]) -> set[str]:
    """Those of `labels` some photo teaches now (with any model): not a place forgotten,
    nor one whose last teaching photo was relabelled or set aside since."""
    wanted = sorted(set(labels))
    if not wanted:
        return set()
    rows = conn.execute(
        f"SELECT DISTINCT label FROM taught_refs WHERE label IN ({','.join('?' * len(wanted))}) AND {_TEACHING}",
        wanted)
    return {row[0] for row in rows}


def refs_of_model(conn: sqlite3.Connection, model_id: str) -> list[TaughtRef]:
    rows = conn.execute(
        f"SELECT label, photo_id, vector FROM taught_refs WHERE model_id = ? AND vector IS NOT NULL "
        f"AND {_TEACHING} ORDER BY id",
        (model_id,),
    ).fetchall()
    return [TaughtRef(label, int(photo_id), model_id, from_blob(blob)) for label, photo_id, blob in rows]


def taught_pairs(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Every (label, photo id) teaching with any model, oldest first."""
    rows = conn.execute(
        f"SELECT label, photo_id, min(id) FROM taught_refs WHERE {_TEACHING} "
        "GROUP BY label, photo_id ORDER BY min(id)"
    ).fetchall()
    return [(label, int(photo_id)) for label, photo_id, _ in rows]


def pairs_without_ref(conn: sqlite3.Connection, model_id: str) -> list[tuple[str, int]]:
    """Every (label, photo id) teaching with some model but with no reference by
    `model_id` (re-embedded when that model is next used: reembed_taught), oldest first;
    no vector is read."""
    rows = conn.execute(
        f"SELECT label, photo_id, min(id) FROM taught_refs WHERE {_TEACHING} AND NOT EXISTS "
        "(SELECT 1 FROM taught_refs o WHERE o.photo_id = taught_refs.photo_id AND o.label = taught_refs.label "
        "AND o.model_id = ? AND o.vector IS NOT NULL) GROUP BY label, photo_id ORDER BY min(id)", (model_id,)
    ).fetchall()
    return [(label, int(photo_id)) for label, photo_id, _ in rows]


def labels_taught_by(conn: sqlite3.Connection, photo_ids: Sequence[int], other_than: str) -> dict[int, list[str]]:
    """The labels other than `other_than` that each of these photos teaches now (any
    model), in name order; a photo that teaches none is left out. One query per 500
    photos (taught_refs_by_photo finds their rows)."""
    taught: dict[int, list[str]] = {}
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        rows = conn.execute(
            f"SELECT DISTINCT photo_id, label FROM taught_refs WHERE photo_id IN ({marks}) AND label != ? "
            f"AND {_TEACHING} ORDER BY photo_id, label",
            (*chunk, other_than),
        )
        for photo_id, label in rows:
            taught.setdefault(int(photo_id), []).append(label)
    return taught


def taught_labels(conn: sqlite3.Connection) -> dict[str, int]:
    """Taught label → number of photos teaching it (any model)."""
    rows = conn.execute(
        f"SELECT label, count(DISTINCT photo_id) FROM taught_refs WHERE {_TEACHING} GROUP BY label"
    ).fetchall()
    return {label: int(n) for label, n in rows}


def rejected(conn: sqlite3.Connection, photo_ids: Iterable[int] | None = None) -> set[tuple[int, str]]:
    """(photo id, label) pairs the user rejected."""
    rows = conn.execute("SELECT photo_id, label FROM rejections").fetchall()
    pairs = {(int(p), label) for p, label in rows}
    if photo_ids is not None:
        wanted = {int(i) for i in photo_ids}
        pairs = {pair for pair in pairs if pair[0] in wanted}
    return pairs


def add_rejection(conn: sqlite3.Connection, photo_id: int, label: str) -> None:
    conn.execute("INSERT OR IGNORE INTO rejections (photo_id, label) VALUES (?, ?)", (int(photo_id), label))


def user_labelled(conn: sqlite3.Connection) -> set[int]:
    """Photos whose label is the user's word (source user or accepted): never re-suggested."""
    rows = conn.execute("SELECT photo_id FROM labels WHERE source = 'user' OR state = 'accepted'").fetchall()
    return {int(r[0]) for r in rows}


def rename_label(conn: sqlite3.Connection, spellings: Sequence[str], new: str) -> int:
    """The references taught as any of `spellings` now teach `new` (one per photo and
    model when both names taught it); `new` stays forgotten only if the old name was and
    nothing teaches `new` now. Returns the number of photos that teach `new`."""
    forgotten = False
    for spelling in (s for s in spellings if s != new):
        conn.execute("UPDATE OR IGNORE taught_refs SET label = ? WHERE label = ?", (new, spelling))
        conn.execute("DELETE FROM taught_refs WHERE label = ?", (spelling,))
        forgotten |= conn.execute("DELETE FROM forgotten_places WHERE label = ?", (spelling,)).rowcount > 0
    teaching = conn.execute(
        f"SELECT count(DISTINCT photo_id) FROM taught_refs WHERE label = ? AND {_TEACHING}", (new,)
    ).fetchone()[0]
    if teaching:
        conn.execute("DELETE FROM forgotten_places WHERE label = ?", (new,))
    elif forgotten:
        conn.execute("INSERT OR REPLACE INTO forgotten_places (label, forgotten_at) VALUES (?, ?)", (new, now_iso()))
    return int(teaching)


def unknown_photo_ids(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> list[int]:
    """The ids among these that no photo of the index has (one query per 500)."""
    ids = [int(i) for i in photo_ids]
    known: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(f"SELECT id FROM photos WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        known.update(int(row[0]) for row in rows)
    return [i for i in ids if i not in known]

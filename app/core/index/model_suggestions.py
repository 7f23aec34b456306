"""What a model's predictions make of a photo's label: the predictions stored, the
suggestion they give once the user's rejections count (best_not_rejected, model_answer),
decided again at another threshold or for the model coming back (apply_threshold).
The user's word, review states and rejections are labels.py's; a suggestion never
overwrites them."""

from __future__ import annotations

import sqlite3
from typing import Iterable, Sequence

from app.core.index.connection import id_chunks, now_iso
from app.core.index.labels import NO_LANDMARK_REJECTED, is_rejected, refresh_fts_label, remember_rejection
from app.core.index.records import Prediction, prediction_type
from app.core.index.search_text import label_key


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
    # the primary file as the scan knows it: tag_selection.tagged_as_it_is compares them
    # (tagged.file_mtime_ns, of migration 47, is no longer written: an mtime is not the picture)
    tagged_from = conn.execute(
        "SELECT f.fingerprint, f.picture_print FROM files f JOIN photos p ON p.id = f.photo_id "
        "WHERE p.id = ? AND f.path = p.primary_path",
        (photo_id,),
    ).fetchone() or (None, None)
    conn.execute(
        "INSERT OR REPLACE INTO tagged (photo_id, model_id, file_fingerprint, picture_print, "
        "tagged_at) VALUES (?, ?, ?, ?, ?)",
        (photo_id, model_id, *tagged_from, now),
    )
    best = top[0] if top else None
    current = conn.execute("SELECT source, state, label FROM labels WHERE photo_id = ?", (photo_id,)).fetchone()
    if current is not None and (current[0] == "user" or current[1] == "accepted"):
        if not (image_changed and _acceptance_gives_way(current, best)):
            return  # the user's word is never overwritten by the model
        # The user accepted what this model said about the picture that was there; the
        # file now holds another picture (another photo saved under the name, say) that
        # the model sees otherwise: that acceptance is not about it, so it gets a fresh
        # suggestion to review instead of having the old landmark written into it. A
        # metadata edit elsewhere (a rating, a GPS position) is no new picture: a place
        # taught since or the position may change the model's answer, not what was accepted.
    if (current is not None and current[1] == "rejected" and best is not None
            and is_rejected(conn, photo_id, best.label, best.landmark_id)):
        return  # the user rejected the model's answer: the rejected label stays, for them to see
    label, landmark_id, score = (None, None, None) if best is None else model_answer(
        best_not_rejected(conn, photo_id, top), threshold)
    if label is None and current is not None and current[1] == "rejected":
        return  # nothing confident but what was rejected: the user's word stays, nothing to review
    state = "suggested"
    if label is None:  # a rejection found where another model's suggestion replaced the rejected label
        kept = rejection_kept(top, score, rejected_landmarks(conn, [photo_id]).get(photo_id))
        if kept is not None:
            (label, landmark_id, score), state = kept, "rejected"
    elif current is not None and current[1] == "rejected":
        remember_rejection(conn, photo_id, current[2])  # a fair new landmark replaces the rejected row
    conn.execute(
        "INSERT OR REPLACE INTO labels (photo_id, label, label_key, landmark_id, score, source, state, model_id, "
        "updated_at) VALUES (?, ?, ?, ?, ?, 'model', ?, ?, ?)",
        (photo_id, label, label_key(label), landmark_id, score, state, model_id, now),
    )
    refresh_fts_label(conn, photo_id)


def acceptance_gives_way(conn: sqlite3.Connection, photo_id: int, top: Sequence[Prediction]) -> bool:
    """Whether another picture under the photo's name, whose predictions are `top`,
    would take back its label (store_predictions): only a model label the user accepted,
    and only when the model now says something else. Lets the tagger spend its check for
    a merely turned picture (tag_run) only where the answer changes something."""
    current = conn.execute("SELECT source, state, label FROM labels WHERE photo_id = ?", (photo_id,)).fetchone()
    return current is not None and _acceptance_gives_way(current, top[0] if top else None)


def _acceptance_gives_way(current: tuple, best: Prediction | None) -> bool:
    """current: the photo's (source, state, label); best: the model's new top-1."""
    return current[0] == "model" and current[1] == "accepted" and (best is None or best.label != current[2])


Answer = tuple[str | None, str | None, float]  # (label, landmark_id, score), as `labels` stores a model's


def best_not_rejected(conn: sqlite3.Connection, photo_id: int, top: Sequence[Prediction],
                      rejected: "dict[int, Rejected] | None" = None) -> Prediction | None:
    """The first of a model's ranked predictions whose landmark the user did not reject
    for this photo (None when they rejected every one): what the model says about the
    photo once the user's word counts. `rejected`: the rejections of many photos read at
    once (rejected_landmarks), so that a pass over a library asks nothing per photo."""
    def said_no_to(prediction: Prediction) -> bool:
        if rejected is None:
            return is_rejected(conn, photo_id, prediction.label, prediction.landmark_id)
        names, landmark_ids = rejected.get(photo_id, _NONE_REJECTED)
        return prediction.label in names or bool(prediction.landmark_id) and prediction.landmark_id in landmark_ids

    return next((prediction for prediction in top if not said_no_to(prediction)), None)


def model_answer(best: Prediction | None, threshold: float, score: float | None = None) -> Answer:
    """The label a model gives a photo from `best` (best_not_rejected), decided on
    `score` (default: its own; `suggest` may have re-scored it): the landmark when the
    score reaches the threshold, else "no landmark" scored by that best guess, as below
    the threshold. A landmark the user rejected never lends its score to "no landmark"
    (`score>0.9` would take the photo for a confident one), and with every landmark
    rejected there is no guess left: score 0. A score of 0 (a blank frame) is never a label."""
    if best is None:
        return None, None, 0.0
    score = float(best.score if score is None else score)
    if score > 0.0 and score >= threshold:
        return best.label, best.landmark_id, score
    return None, None, score


def rejection_kept(top: Sequence[Prediction], no_landmark_score: float | None,
                   rejected: Rejected | None) -> Answer | None:
    """The rejected label a photo keeps, or returns to, when a model's answer is "no landmark"
    and the user rejected something for it (`rejected`: its rejected_landmarks entry): the
    model says nothing new, so the photo stays out of review (a photo the user dealt with
    is never offered "no landmark" again after a rejection, nor after rejecting that).
    The model's best-ranked rejected landmark, with its score; else the rejected "no
    landmark" (scored as the answer); else a rejected name. None without a rejection."""
    if not rejected:
        return None
    names, landmark_ids = rejected
    for prediction in top:
        if prediction.label in names or bool(prediction.landmark_id) and prediction.landmark_id in landmark_ids:
            return prediction.label, prediction.landmark_id, float(prediction.score)
    if NO_LANDMARK_REJECTED in names:
        return None, None, no_landmark_score
    return min(names), None, None


def _set_answer(conn: sqlite3.Connection, photo_id: int, answer: Answer, state: str, model_id: str,
                now: str) -> None:
    label, landmark_id, score = answer
    conn.execute(
        "UPDATE labels SET label = ?, label_key = ?, landmark_id = ?, score = ?, model_id = ?, state = ?, "
        "updated_at = ? WHERE photo_id = ?",
        (label, label_key(label), landmark_id, score, model_id, state, now, photo_id),
    )
    refresh_fts_label(conn, photo_id)


def apply_threshold(conn: sqlite3.Connection, photo_ids: Sequence[int], model_id: str, threshold: float) -> list[int]:
    """Decide "no landmark" again at `threshold` for photos a tag run of `model_id`
    labelled from its stored top-5 (no decoding), and give back its answer where
    another model's suggestion replaced it since: the same answer a tag run gives
    (model_answer of best_not_rejected). A label `suggest` re-scored (its score is not
    the model's: the same landmark on the scale shared with taught places) is decided on
    that score, as a tag run would now decide it; so is another of its stored guesses with
    its score (an earlier threshold's choice past a place forgotten then: undo --review of
    the forget leaves it, labelled again since). Labels of the user and accepted ones are
    left alone, and so are rejected ones unless the model now gives another landmark
    (_suggest_past_a_rejection); a suggestion that becomes "no landmark" on a photo with a
    rejection goes back to that rejection (rejection_kept). Returns the ids of the photos
    whose label changed (not those whose score alone did)."""
    from model.predictor import TAUGHT_ID_PREFIX

    changed: list[int] = []
    now = now_iso()
    forgotten = {name for (name,) in conn.execute("SELECT label FROM forgotten_places")}
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        rows = conn.execute(
            "SELECT photo_id, label, score FROM labels "
            f"WHERE photo_id IN ({marks}) AND model_id = ? AND source = 'model' AND state = 'suggested'",
            (*chunk, model_id),
        ).fetchall()
        rejected = rejected_landmarks(conn, chunk)
        tops = _stored_tops(conn, [row[0] for row in rows], model_id, rejected)
        for photo_id, label, score in rows:
            top = tops.get(photo_id)
            if not top or score is None:
                continue
            best = best_not_rejected(conn, photo_id, top, rejected)
            # the tag run's own score, or the one `suggest` gave the same landmark since;
            # never more than the guess's own for "no landmark" under a rejected top-1
            decided_on = float(score)
            if label not in (None, None if best is None else best.label):
                if not _is_stored_guess(conn, photo_id, model_id, label, float(score)):
                    continue  # another label than the tag run's (a taught place `suggest` gave)
                # one of the model's own guesses with its score: an earlier threshold's
                # decision (past a place forgotten then, say), which undo --review leaves
                # as "labelled again since": decided again, on the model's answer now
                decided_on = 0.0 if best is None else float(best.score)
            if best is not None and best.label in forgotten and (best.landmark_id or "").startswith(TAUGHT_ID_PREFIX):
                # a place the user told the app to forget is not suggested again (the
                # model's own landmark of that name is: the place was not the model's)
                continue
            if best is not None and label is None and best is not top[0]:
                decided_on = min(decided_on, float(best.score))
            new_label, new_id, new_score = model_answer(best, threshold, decided_on)
            # "no landmark" where the user rejected something (also as an older version left
            # it, scored or not): the photo goes back to its rejection, out of review
            kept = rejection_kept(top, new_score, rejected.get(photo_id)) if new_label is None else None
            if kept is not None:
                _set_answer(conn, photo_id, kept, "rejected", model_id, now)
                changed.append(int(photo_id))
                continue
            if (new_label, new_score) == (label, float(score)):
                continue
            conn.execute(
                "UPDATE labels SET label = ?, label_key = ?, landmark_id = ?, score = ?, updated_at = ? "
                "WHERE photo_id = ?",
                (new_label, label_key(new_label), new_id, new_score, now, photo_id),
            )
            if new_label != label:  # a score alone set right (a rejected guess's) relabels nothing
                refresh_fts_label(conn, photo_id)
                changed.append(int(photo_id))
        changed += _take_back_from_another_model(conn, chunk, model_id, threshold, now, rejected)
        changed += _suggest_past_a_rejection(conn, chunk, model_id, threshold, now, rejected, forgotten)
    return changed


def _is_stored_guess(conn: sqlite3.Connection, photo_id: int, model_id: str, label: str, score: float) -> bool:
    """Whether `label` with `score` is one of `model_id`'s stored predictions of the photo:
    a label the model gave (at some threshold), not one `suggest` re-scored."""
    return conn.execute(
        "SELECT 1 FROM predictions WHERE photo_id = ? AND model_id = ? AND label = ? AND abs(score - ?) <= 1e-9",
        (photo_id, model_id, label, score)).fetchone() is not None


def _suggest_past_a_rejection(
    conn: sqlite3.Connection, chunk: list[int], model_id: str, threshold: float, now: str,
    rejected: dict[int, Rejected], forgotten: set[str],
) -> list[int]:
    """Photos whose model label the user rejected, and for which `model_id`'s stored
    top-5 now gives another landmark at `threshold` (a lower threshold, another model):
    that landmark becomes their suggestion, as a tag run of it would make it
    (store_predictions). The rejection stays where the model's top-1 is the rejected
    landmark, or where it has nothing confident to say: nothing new to review."""
    from model.predictor import TAUGHT_ID_PREFIX

    marks = ",".join("?" * len(chunk))
    labels = {int(photo_id): label for photo_id, label in conn.execute(
        f"SELECT photo_id, label FROM labels WHERE photo_id IN ({marks}) AND source = 'model' AND state = 'rejected'",
        chunk)}
    tops = _stored_tops(conn, list(labels), model_id, rejected)
    changed = []
    for photo_id, top in tops.items():
        best = best_not_rejected(conn, photo_id, top, rejected)
        if best is not top[0]:
            continue  # the model's answer is what the user rejected: that label stays
        label, landmark_id, score = model_answer(best, threshold)
        if label is None or label in forgotten and (landmark_id or "").startswith(TAUGHT_ID_PREFIX):
            continue  # nothing confident, or a place the user told the app to forget
        # the label row was the rejection's only record in an index an older version made:
        # remembered, a later "no landmark" answer returns to it (rejection_kept)
        remember_rejection(conn, photo_id, labels[photo_id])
        _set_answer(conn, photo_id, (label, landmark_id, score), "suggested", model_id, now)
        changed.append(int(photo_id))
    return changed


def _take_back_from_another_model(
    conn: sqlite3.Connection, chunk: list[int], model_id: str, threshold: float, now: str,
    rejected: dict[int, Rejected],
) -> list[int]:
    """Photos whose suggestion another model made (a run with `--model OTHER` since this
    model tagged them: taken_back_photos) get this model's answer back from its stored
    top-5, as a tag run of it would give; its "no landmark" on a photo with a rejection
    gives the rejection back instead (rejection_kept: the user dealt with the photo before
    the other model's suggestion). A photo whose stored guesses all name places nothing
    teaches now has no guess left: "no landmark" (or its rejection), as model_answer gives
    for none. With places taught, tagging scores these photos
    with them first (app.core.taught_predictions.rescore_coming_back): then they are this
    model's already and not found here."""
    photo_ids = taken_back_photos(conn, chunk, model_id)
    tops = _stored_tops(conn, photo_ids, model_id, rejected)
    changed = []
    for photo_id in photo_ids:
        top = tops.get(photo_id, [])  # none left: every stored guess a place nothing teaches now
        answer = model_answer(best_not_rejected(conn, photo_id, top, rejected=rejected), threshold)
        kept = rejection_kept(top, answer[2], rejected.get(photo_id)) if answer[0] is None else None
        _set_answer(conn, photo_id, answer if kept is None else kept, "suggested" if kept is None else "rejected",
                    model_id, now)
        changed.append(int(photo_id))
    return changed


def taken_back_photos(conn: sqlite3.Connection, photo_ids: Sequence[int], model_id: str) -> list[int]:
    """Of `photo_ids` (at most id_chunks' chunk), those whose suggestion another model made
    since `model_id` stored its predictions of them: the photos `model_id` coming back gives
    its own answer again. A suggestion that is none of that other model's stored guesses with
    its score (suggest's, the user's) is not the model's to take back."""
    marks = ",".join("?" * len(photo_ids))
    rows = conn.execute(
        "SELECT l.photo_id FROM labels l "
        f"WHERE l.photo_id IN ({marks}) AND l.model_id != ? AND l.source = 'model' AND l.state = 'suggested' "
        "AND EXISTS (SELECT 1 FROM predictions p WHERE p.photo_id = l.photo_id AND p.model_id = ?) "
        "AND ((l.label IS NULL AND l.score = 0) OR EXISTS (SELECT 1 FROM predictions o "
        "WHERE o.photo_id = l.photo_id AND o.model_id = l.model_id AND (l.label IS NULL OR o.label = l.label) "
        "AND abs(o.score - l.score) <= 1e-9))",
        (*[int(i) for i in photo_ids], model_id, model_id),
    ).fetchall()
    return [int(row[0]) for row in rows]


def _stored_tops(conn: sqlite3.Connection, photo_ids: Sequence[int], model_id: str,
                 rejected: dict[int, Rejected] | None = None) -> dict[int, list[Prediction]]:
    """Each photo's stored ranked predictions by `model_id` (photos without any left out).
    With `rejected` (rejected_landmarks), a photo without a rejection gets its top-1
    alone: best_not_rejected looks no further (a fifth of the rows to read)."""
    if rejected is None:
        return _untaught_left_out(conn, _predictions_of(conn, photo_ids, model_id), model_id, whole=True)
    tops = _predictions_of(conn, [i for i in photo_ids if i not in rejected], model_id, "AND rank = 1")
    tops.update(_predictions_of(conn, [i for i in photo_ids if i in rejected], model_id))
    return _untaught_left_out(conn, tops, model_id)


def _untaught_left_out(conn: sqlite3.Connection, tops: dict[int, list[Prediction]], model_id: str,
                       whole: bool = False) -> dict[int, list[Prediction]]:
    """`tops` less the taught places nothing teaches now, wherever they are ranked
    (taught_now's rule): a lower threshold suggested a place whose last photo was
    relabelled, scored by the model's own best. A photo whose list lost one is read whole
    again unless `whole` (`tops` may hold its top-1 alone), and its whole list checked:
    its second place may be one nothing teaches either. A photo left with none is left out."""
    gone = untaught_places(conn, tops.values())
    if not gone:
        return tops
    hit = [photo_id for photo_id, top in tops.items() if any(_names_one_of(p, gone) for p in top)]
    whole_tops = tops if whole else _predictions_of(conn, hit, model_id)
    if not whole:
        gone |= untaught_places(conn, whole_tops.values())
    for photo_id in hit:
        left = [p for p in whole_tops.get(photo_id, []) if not _names_one_of(p, gone)]
        if left:
            tops[photo_id] = left
        else:
            del tops[photo_id]
    return tops


def untaught_places(conn: sqlite3.Connection, tops: Iterable[Sequence[Prediction]]) -> set[str]:
    """The taught places these ranked lists name (a `taught:` landmark id) that nothing
    teaches now (teaching_store.still_taught: forgotten, or their last photo relabelled
    or set aside): the one rule of what a stored list no longer offers."""
    from app.core.teaching_store import still_taught

    taught = {p.label for top in tops for p in top if _is_taught(p)}
    return taught - still_taught(conn, taught) if taught else set()


def _is_taught(prediction: Prediction) -> bool:
    from model.predictor import TAUGHT_ID_PREFIX

    return (prediction.landmark_id or "").startswith(TAUGHT_ID_PREFIX)


def _names_one_of(prediction: Prediction, places: set[str]) -> bool:
    """Whether `prediction` is one of these taught places (the model's own landmark of
    the same name is not: the place was never the model's)."""
    return prediction.label in places and _is_taught(prediction)


def _predictions_of(conn: sqlite3.Connection, photo_ids: Sequence[int], model_id: str,
                    ranks: str = "") -> dict[int, list[Prediction]]:
    tops: dict[int, list[Prediction]] = {}
    if not photo_ids:
        return tops
    make = prediction_type()
    rows = conn.execute(
        "SELECT photo_id, landmark_id, label, score FROM predictions "
        f"WHERE model_id = ? AND photo_id IN ({','.join('?' * len(photo_ids))}) {ranks} ORDER BY photo_id, rank",
        (model_id, *photo_ids),
    )
    for photo_id, landmark_id, label, score in rows:
        tops.setdefault(int(photo_id), []).append(make(landmark_id=landmark_id, label=label, score=score))
    return tops


Rejected = tuple[frozenset, frozenset]  # (labels, landmark ids) the user rejected for a photo
_NONE_REJECTED: Rejected = (frozenset(), frozenset())


def rejected_landmarks(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> dict[int, Rejected]:
    """What labels.is_rejected asks of one photo, for many at once: each photo's rejected names,
    and the landmark ids those names have in its stored predictions and label. Photos
    without a rejection (most) are left out after one look at the rejections' index."""
    names: dict[int, set] = {}
    for photo_id, label in conn.execute(
            f"SELECT photo_id, label FROM rejections WHERE photo_id IN ({','.join('?' * len(photo_ids))})",
            list(photo_ids)):
        names.setdefault(int(photo_id), set()).add(label)
    if not names:
        return {}
    marks = ",".join("?" * len(names))
    landmark_ids: dict[int, set] = {}
    for photo_id, landmark_id in conn.execute(
        "SELECT r.photo_id, p.landmark_id FROM rejections r CROSS JOIN predictions p "
        f"ON p.photo_id = r.photo_id AND p.label = r.label WHERE r.photo_id IN ({marks}) "
        "UNION ALL SELECT r.photo_id, l.landmark_id FROM rejections r CROSS JOIN labels l "
        f"ON l.photo_id = r.photo_id AND l.label = r.label WHERE r.photo_id IN ({marks})",
        (*names, *names),
    ):
        if landmark_id:
            landmark_ids.setdefault(int(photo_id), set()).add(landmark_id)
    return {photo_id: (frozenset(found), frozenset(landmark_ids.get(photo_id, ())))
            for photo_id, found in names.items()}


def load_predictions(conn: sqlite3.Connection, photo_id: int, model_id: str | None) -> list[Prediction]:
    """Ranked predictions of one photo: by `model_id`, else by the model of its
    label, else by the model that tagged it last; taught places no longer taught left
    out (taught_now)."""
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
    return taught_now(conn, [make(landmark_id=r[0], label=r[1], score=r[2]) for r in rows])


def taught_now(conn: sqlite3.Connection, top: list[Prediction]) -> list[Prediction]:
    """`top` less its taught places that nothing teaches now (forgotten, or their last
    photo relabelled; untaught_places): a tag run stored them while they were taught, and
    the photo's best guess then named a forgotten place, scored by another landmark's score
    (its withdrawn suggestion is scored by the model's own best), and `tag --json` listed
    it first. Each entry keeps its score. A place renamed since is renamed here too
    (labels.rename_label)."""
    gone = untaught_places(conn, [top])
    return [p for p in top if not _names_one_of(p, gone)] if gone else top

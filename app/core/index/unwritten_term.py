"""`is:unwritten`: the photos whose files `write` would change now, read from the index
alone (a search reads no file), so a photographer sees what Write labels… would do
before doing it, and `write is:unwritten folder:Rome` writes just those.

It goes file by file, as plan.plan_writes does: a pair's JPEG may carry the label while
its RAW, copied in after the write, has no sidecar yet; a JPEG written `--no-jpeg` holds
nothing itself. What each file the write targets carries, as the index knows it: the
label of our newest write of it that stands (its batch not undone, the write completed:
one cut short by a kill may not have reached the file), else the keyword the label was
read back from there (read_back_keywords), else nothing. The targets (files not
missing): a JPEG itself; another file's sidecar (either naming, `.xmp` or `.XMP`); and
the sidecar a `--no-jpeg` write of ours left beside a JPEG, where it holds a keyword of
ours (plan_targets.jpeg_sidecars: the next write changes it too). A photo is unwritten when
- its label is accepted and a target does not carry it (a "no landmark" carries nothing:
  unwritten only where a keyword of ours is to come out), or carries it with our Teaches
  field otherwise than `write` leaves it (a place forgotten since our write: _carried);
- a target carries a keyword of ours the user rejected for it (the label rejected, or
  another since rejected: `write` takes it out), or it is a "no landmark" suggestion now
  where a target carries a keyword of ours (plan_targets.withdrawn_suggestion), or a
  suggestion whose accept was taken back where a target carries the keyword our write
  put there while it was accepted (plan_targets.taken_back_accept);
- it has no label (its `label` taken back) where our newest write of a target put a
  keyword there for it (plan_targets.label_taken_back).
The rule follows plan.plan_writes without `--include-suggested` or `--no-jpeg`; a file
changed outside since our write is known as the scan that read it found it: where it
still holds our label and `write` would change a keyword field of it (IPTC Keywords
another program added: app.core.unwritten_elsewhere), the photo is unwritten while its
label and our newest write of the file are as then (ELSEWHERE). Compiled as SQL over a
labels row `l`: a correlated condition for the row walk, and one `p.id IN (…)` list for
the indexed form (see search_plan)."""

from __future__ import annotations

import sqlite3
from typing import Sequence

from app.core.index.connection import id_chunks
from app.core.index.held_as_suggested import held_sql

UNWRITTEN = "unwritten"  # the is: value
ELSEWHERE = "unwritten_elsewhere"  # files a scan found changed elsewhere that `write` would fill in
# our newest standing write of the path `{path}` (NULL for none)
NEWEST_WRITE = ("(SELECT j.id FROM write_journal j JOIN write_batches b ON b.id = j.batch_id WHERE j.path = {path} "
                "AND b.undone_at IS NULL AND j.size_after IS NOT NULL ORDER BY j.id DESC LIMIT 1)")

_STEM = "substr(f.path, 1, length(f.path) - length(f.ext))"  # files.ext: ".nef", or "" for none
_SIDECARS = f"f.path || '.xmp', f.path || '.XMP', {_STEM} || '.xmp', {_STEM} || '.XMP'"
# the label ('' for "no landmark") of our newest standing write of one of `paths` of file f
_WRITTEN = (
    "(SELECT coalesce(json_extract(j.after, '$.label'), '') FROM write_journal j JOIN write_batches b "
    "ON b.id = j.batch_id WHERE j.photo_id = f.photo_id AND j.path IN ({paths}) AND b.undone_at IS NULL "
    "AND j.size_after IS NOT NULL ORDER BY j.id DESC LIMIT 1)"
)
_READ_BACK = "(SELECT r.keyword FROM read_back_keywords r WHERE r.photo_id = f.photo_id AND r.path IN ({paths}) LIMIT 1)"
# what file f's own target carries: the JPEG itself, else the file's sidecar
_MAIN = ("CASE WHEN f.kind = 'jpeg' THEN coalesce({jpeg_written}, {jpeg_read}, '') "
         "ELSE coalesce({sidecar_written}, {sidecar_read}, '') END").format(
    jpeg_written=_WRITTEN.format(paths="f.path"), jpeg_read=_READ_BACK.format(paths="f.path"),
    sidecar_written=_WRITTEN.format(paths=_SIDECARS), sidecar_read=_READ_BACK.format(paths=f"f.path, {_SIDECARS}"))
# what a `--no-jpeg` write left in JPEG f's sidecar (NULL for none; its write index-checked first)
_BESIDE = ("CASE WHEN f.kind = 'jpeg' AND EXISTS (SELECT 1 FROM write_journal k WHERE k.photo_id = f.photo_id "
           "AND k.kind = 'sidecar') THEN {written} END")
_LEFT_BESIDE = _BESIDE.format(written=_WRITTEN.format(paths=_SIDECARS))
# the same two, the label followed by TAUGHT_NOTHING where the target's Teaches field is
# empty (taught_field: the photo taught nothing): as our write recorded it, or for a label
# read back, as its source says (read back from an empty field it is 'taught'); {l}: the
# labels row's alias with the dot
TAUGHT_NOTHING = "char(1)"
_EMPTY_FIELD = ("CASE WHEN json_type(j.after, '$.fields.taught') = 'array' AND "
                f"json_array_length(j.after, '$.fields.taught') = 0 THEN {TAUGHT_NOTHING} ELSE '' END")
_WRITTEN_TAUGHT = _WRITTEN.replace("coalesce(json_extract(j.after, '$.label'), '')",
                                   f"coalesce(json_extract(j.after, '$.label'), '') || {_EMPTY_FIELD}")
_READ_TAUGHT = "{read} || CASE WHEN {{l}}source = 'taught' THEN %s ELSE '' END" % TAUGHT_NOTHING
_MAIN_TAUGHT = ("CASE WHEN f.kind = 'jpeg' THEN coalesce({jpeg_written}, {jpeg_read}, '') "
                "ELSE coalesce({sidecar_written}, {sidecar_read}, '') END").format(
    jpeg_written=_WRITTEN_TAUGHT.format(paths="f.path"),
    jpeg_read=_READ_TAUGHT.format(read=_READ_BACK.format(paths="f.path")),
    sidecar_written=_WRITTEN_TAUGHT.format(paths=_SIDECARS),
    sidecar_read=_READ_TAUGHT.format(read=_READ_BACK.format(paths=f"f.path, {_SIDECARS}")))
_BESIDE_TAUGHT = _BESIDE.format(written=_WRITTEN_TAUGHT.format(paths=_SIDECARS))
# the same two, of the label our newest standing write put there while the photo's label was
# accepted ('' where that write was of a suggestion, a keyword taken out, or older than the
# state recorded, or a `write --include-suggested` found it there since: held_as_suggested):
# after the accept is taken back, `write` takes it out (plan_targets.taken_back_accept)
_AS_ACCEPTED = _WRITTEN.replace("coalesce(json_extract(j.after, '$.label'), '')",
                                f"CASE WHEN json_extract(j.after, '$.state') = 'accepted' AND NOT {held_sql('j')} "
                                "THEN coalesce(json_extract(j.after, '$.label'), '') ELSE '' END")
_MAIN_AS_ACCEPTED = "CASE WHEN f.kind = 'jpeg' THEN coalesce({jpeg}, '') ELSE coalesce({sidecar}, '') END".format(
    jpeg=_AS_ACCEPTED.format(paths="f.path"), sidecar=_AS_ACCEPTED.format(paths=_SIDECARS))
_BESIDE_AS_ACCEPTED = _BESIDE.format(written=_AS_ACCEPTED.format(paths=_SIDECARS))
# the label our newest standing write of one of `paths` put there, where it was written for
# file f's photo ('' for another photo's): an unlabelled photo's (plan_targets.label_taken_back)
_ITS_NEWEST = (
    "(SELECT CASE WHEN j.photo_id = f.photo_id THEN coalesce(json_extract(j.after, '$.label'), '') ELSE '' END "
    "FROM write_journal j JOIN write_batches b ON b.id = j.batch_id WHERE j.path IN ({paths}) "
    "AND b.undone_at IS NULL AND j.size_after IS NOT NULL ORDER BY j.id DESC LIMIT 1)"
)
_MAIN_ITS = "CASE WHEN f.kind = 'jpeg' THEN coalesce({jpeg}, '') ELSE coalesce({sidecar}, '') END".format(
    jpeg=_ITS_NEWEST.format(paths="f.path"), sidecar=_ITS_NEWEST.format(paths=_SIDECARS))
_BESIDE_ITS = _BESIDE.format(written=_ITS_NEWEST.format(paths=_SIDECARS))

# the same two, of the label our newest standing write put there where that write recorded
# no state (a version before the state was journalled): written accepted or as a suggestion
# (`write --include-suggested`), it cannot be told, so `write` leaves it (written_before_state)
_STATELESS = _WRITTEN.replace("coalesce(json_extract(j.after, '$.label'), '')",
                              "CASE WHEN json_type(j.after, '$.state') IS NULL "
                              "THEN coalesce(json_extract(j.after, '$.label'), '') ELSE '' END")
_MAIN_STATELESS = "CASE WHEN f.kind = 'jpeg' THEN coalesce({jpeg}, '') ELSE coalesce({sidecar}, '') END".format(
    jpeg=_STATELESS.format(paths="f.path"), sidecar=_STATELESS.format(paths=_SIDECARS))
_BESIDE_STATELESS = _BESIDE.format(written=_STATELESS.format(paths=_SIDECARS))

# the photos a write of ours labelled while accepted, listed once a statement: only their
# suggestions can be an accept taken back, so the others skip _AS_ACCEPTED's per-file lookups
# (13,000 suggestions written --include-suggested of 200,000 photos: +30% on the whole list)
_WRITTEN_AS_ACCEPTED = "(SELECT photo_id FROM write_journal WHERE json_extract(after, '$.state') = 'accepted')"


def _any_file(pid: str, condition: str, main: str, beside: str) -> str:
    """Some file of the photo (not missing) whose targets meet `condition` on {main} and {beside}."""
    return (f"EXISTS (SELECT 1 FROM files f WHERE f.photo_id = {pid} AND f.missing = 0 AND "
            f"({condition.format(main=main, beside=beside)}))")


def _cases(l: str, main: str = _MAIN, beside: str = _LEFT_BESIDE, touched: bool = True) -> tuple[str, str, str]:
    """The conditions on a labels row (`l`: its alias with the dot) of each state that
    can be unwritten: accepted (a target not carrying the label, or its Teaches field not
    as `write` leaves it: _carried), rejected, a suggestion ("no landmark", or one whose accept
    was taken back where a target carries our keyword written as accepted: only for a
    photo `touched` by a write of ours). A JPEG's sidecar
    left by `--no-jpeg` counts only where it holds a keyword of ours (not ''). A rejected
    "no landmark" is the rejection '', which a target carrying nothing ('') must not
    match: `write` has nothing to take out of it. Untouched (`touched` False), `main` and
    `beside` are constants: no target carries anything of ours, taught field or not."""
    pid, label = f"{l}photo_id", f"coalesce({l}label, '')"
    rejected = f"(SELECT x.label FROM rejections x WHERE x.photo_id = {pid})"
    carried = _carried(l) if touched else f"{label}, {label}"
    main_taught, beside_taught = (_MAIN_TAUGHT.replace("{l}", l), _BESIDE_TAUGHT) if touched else (main, beside)
    return (
        _any_file(pid, f"{{main}} NOT IN ({carried}) OR {{beside}} NOT IN ('', {carried})", main_taught, beside_taught),
        _any_file(pid, f"{{main}} = {l}label OR ({{main}} != '' AND {{main}} IN {rejected}) "
                       f"OR {{beside}} = {l}label OR ({{beside}} != '' AND {{beside}} IN {rejected})", main, beside),
        f"(({l}label IS NULL AND " + _any_file(pid, "{main} != '' OR {beside} != ''", main, beside) + ")"
        + (f" OR ({l}label IS NOT NULL AND {pid} IN {_WRITTEN_AS_ACCEPTED} AND " + _any_file(pid, "{main} != '' OR {beside} != ''", _MAIN_AS_ACCEPTED,
                                                          _BESIDE_AS_ACCEPTED) + ")" if touched else "") + ")",
    )


def _carried(l: str) -> str:
    """The two values (of _MAIN_TAUGHT) of a target carrying an accepted label `l` as
    `write` leaves it: its Teaches field empty where the write empties it, not empty where
    it names the place there (taught_field.taught_field_after, of a file whose keywords
    the write leaves: an empty field turns into the place, another stays), either else.
    So a place forgotten (`teach --forget`) after our write lists its photos: the write
    empties their field."""
    label = f"coalesce({l}label, '')"
    teaches = (f"EXISTS (SELECT 1 FROM taught_refs t WHERE t.photo_id = {l}photo_id AND t.label = {l}label AND "
               "NOT EXISTS (SELECT 1 FROM rejections r WHERE r.photo_id = t.photo_id AND r.label = t.label))")
    empties = (f"NOT {teaches} AND ({l}source = 'taught' OR ({l}source = 'user' AND "
               f"{l}label IN (SELECT label FROM forgotten_places)))")
    names = f"({teaches} OR {l}source = 'user')"
    mode = f"(CASE WHEN {l}label IS NULL THEN 'either' WHEN {empties} THEN 'empty' WHEN {names} THEN 'named' ELSE 'either' END)"
    return (f"CASE {mode} WHEN 'named' THEN {label} ELSE {label} || {TAUGHT_NOTHING} END, "
            f"CASE {mode} WHEN 'empty' THEN {label} || {TAUGHT_NOTHING} ELSE {label} END")


def unwritten_on_label_row(l: str = "l.", photo: str | None = "p.id") -> str:
    """The condition on a labels row `l` LEFT JOINed to the photo whose id is `photo`: no
    row (an unlabelled photo) is unwritten where its label was taken back after our write
    (_label_taken_back); NULL for the others, which a negated term reads as false
    (query._row_condition's coalesce). `photo` None: rows only."""
    accepted, rejected, withdrawn = _cases(l)
    accepted = f"({accepted} OR {_filled_in_elsewhere(l)})"
    unlabelled = f" OR ({l}photo_id IS NULL AND {_label_taken_back(photo)})" if photo else ""
    return (f"(({l}state = 'accepted' AND {accepted}) OR ({l}state = 'rejected' AND {rejected}) OR "
            f"({l}state = 'suggested' AND {withdrawn}){unlabelled})")


def _filled_in_elsewhere(l: str) -> str:
    """The condition on an accepted labels row `l`: a file of the photo a scan found changed
    elsewhere wants the label filled in, the label and our newest write of it as then."""
    return (f"EXISTS (SELECT 1 FROM {ELSEWHERE} e WHERE e.photo_id = {l}photo_id AND e.label = {l}label "
            f"AND e.write_id IS {NEWEST_WRITE.format(path='e.path')})")


def _label_taken_back(pid: str) -> str:
    """The condition on an unlabelled photo: a target's newest write of ours put a keyword
    there for it, which `write` takes out (plan_targets.label_taken_back)."""
    return _any_file(pid, "{main} != '' OR {beside} != ''", _MAIN_ITS, _BESIDE_ITS)


# the photos with a write record or a keyword read back: the others' files carry nothing of ours
_TOUCHED = "(SELECT photo_id FROM write_journal UNION SELECT photo_id FROM read_back_keywords)"


def unwritten_ids_sql(among: str = "") -> str:
    """A SELECT of the unwritten photo ids; `among`: a SELECT of photo ids to judge only
    (unwritten_list's photos changed since it was built), all by default. A photo with no
    write record and no keyword read back carries nothing of ours in any file ({main} is
    '', {beside} NULL): its branch skips the per-file lookups, which cost ~10 us a file
    (200,000 photos, half the accepted written: 500 ms for the whole list done per file,
    half that so)."""
    only = f" AND u.photo_id IN ({among})" if among else ""
    untouched = zip(("accepted", "rejected", "suggested"), _cases("u.", main="''", beside="NULL", touched=False))
    return " UNION ALL ".join(
        [f"SELECT u.photo_id FROM labels u WHERE u.state = '{state}'{only} AND u.photo_id NOT IN {_TOUCHED} "
         f"AND {case}" for state, case in untouched]
        + [f"SELECT u.photo_id FROM labels u WHERE u.photo_id IN {_TOUCHED}{only} AND "
           f"{unwritten_on_label_row('u.', None)}",
           # an unlabelled photo (no labels row) that a write of ours labelled: its label taken back
           "SELECT w.photo_id FROM (SELECT DISTINCT photo_id FROM write_journal"
           + (f" WHERE photo_id IN ({among})" if among else "") + ") w WHERE w.photo_id NOT IN "
           f"(SELECT photo_id FROM labels) AND {_label_taken_back('w.photo_id')}"])


def unwritten_condition() -> tuple[str, list]:
    """The photos with a label decision their files do not carry, as one uncorrelated
    `p.id IN (…)` on `photos p` (built once a query, as problem_terms' lists are).
    PhotoIndex keeps the list in a temp table between queries instead (unwritten_list)."""
    return f"p.id IN ({unwritten_ids_sql()})", []


def taken_back_still_written(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> list[int]:
    """The photos among these whose files still carry a keyword our write put there for a
    label taken back since (`undo --review`, the app's Ctrl+Z): suggested now where it was
    written as accepted, a "no landmark" suggestion where a `label` gave it one, or
    unlabelled where a `label` gave it one; the next `write` takes it out. Said when taking back, or the user reads "as before it" and the files go on
    claiming the label."""
    found: list[int] = []
    condition = unwritten_on_label_row("l.", "p.id")
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        found.extend(int(row[0]) for row in conn.execute(
            f"SELECT p.id FROM photos p LEFT JOIN labels l ON l.photo_id = p.id WHERE p.id IN ({marks}) "
            f"AND (l.state = 'suggested' OR l.photo_id IS NULL) AND {condition}", chunk))
    return found


def written_before_state(conn: sqlite3.Connection, photo_ids: Sequence[int], another_label: bool = False) -> list[int]:
    """The photos among these, suggestions now, whose files hold a keyword where our newest
    write put it without recording the state it was written in (a version before that was
    journalled): their suggestion, or (`another_label`: only these) another label, a `label`
    taken back. After their accept or label is taken back the keyword stays: accepted or
    written as a suggestion cannot be told, and taking out a suggestion the user wrote on
    purpose would lose their choice. Said when taking back, so "as before it" does not
    hide that the files still claim the label; `reject` then `write` takes out only their
    suggestion's keyword, so the others are counted apart."""
    found: list[int] = []
    held = "{main} NOT IN ('', l.label) OR {beside} NOT IN ('', l.label)" if another_label else \
        "{main} <> '' OR {beside} <> ''"
    condition = _any_file("l.photo_id", held, _MAIN_STATELESS, _BESIDE_STATELESS)
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        found.extend(int(row[0]) for row in conn.execute(
            f"SELECT l.photo_id FROM labels l WHERE l.photo_id IN ({marks}) AND l.state = 'suggested' "
            f"AND l.label IS NOT NULL AND {condition}", chunk))
    return found

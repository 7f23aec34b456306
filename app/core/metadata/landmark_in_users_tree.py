"""A landmark the user keeps in a tag tree of their own gets no second path of ours.

digiKam moves a tag with its photos: "AC/DC Tower", written `Landmarks/AC|DC Tower` into
TagsList and `Landmarks|AC/DC Tower` into lr:hierarchicalSubject, becomes `Places/AC|DC
Tower` there (mirrored `Places|AC|DC Tower`); Lightroom moves a keyword under another
parent (`Places|Rome|Colosseum`). The scan sees the landmark still there
(keywords_changed_elsewhere.holds_landmark) and keeps the label; `write` then added
`Landmarks|…` back beside the moved one, and digiKam or Lightroom showed the landmark
twice, once in the tree the user chose and once in the one they had left. A tag-path
field that holds the landmark at the end of any path gets none of ours, but only where our
tag was in that file before (`ours_before`: our journal wrote the label into it, a read back
found it there, or our landmarkTagger:Teaches field in it names the place): the file is
left as the user arranged it. A first write always writes ours, for a tag of the user's
that merely ends in the name is another thing (a friend `People|Petra`, not the landmark
Petra). Only a path that appeared in the change that took our `Landmarks|…` out can be our
tag moved; one the file held before our first write of the landmark, or beside our path in
the newest state our journal recorded with it (keywords_before_ours: a friend tagged after a
write of another label), is the user's own whatever it ends in: the scan
(keywords_changed_elsewhere) does not take it for our tag either, so deleting our
`Landmarks|Petra` beside a friend `People|Petra` is a removal there too. The other fields a
write sets follow their own rules as always: the plain keyword (dc:subject, IPTC,
XPKeywords) the keyword policy, the taught field taught_field.py. A relabel never takes a
path of the user's tree out, nor the plain keyword that goes with it (Lightroom writes it
back from the path on its next save): the old landmark stays as the user arranged it, and
the write says so (kept_in_users_tree); a label written back later finds our moved tag
there and adds no second path (ours_before: any write of it not undone). A path the file
held, with our Teaches field naming the landmark and no `Landmarks|…` of it, when a write of
this index found it is ours moved too (an index lost and rebuilt by a scan), but as the
same file is left by our `Landmarks|Petra` deleted beside a friend `People|Petra` it held
before, no note advises removing such a path; and an undo keeps our tag the user moved
since that write whole, as a relabel does (kept_by_undo). A path that appeared beside our
`Landmarks|…` still there, a copy or a friend, is named with no such advice."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import json

from app.core.index.connection import db_text
from app.core.index.read_back_records import read_back_keyword
from app.core.metadata.keywords import KeywordFields, KeywordSet, field_spellings, holds_keyword, names_landmark

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

# the fields holding tag paths ("Parent|Child" or "Parent/Child"), where a moved tag lives
PATH_FIELDS = ("hierarchical", "digikam", "microsoft")
# the plain keyword fields, where a program keeping no hierarchy (or Lightroom, from a path) names it
FLAT_FIELDS = ("subject", "iptc", "xp")


def keywords_before_ours(conn: "sqlite3.Connection", path: "Path | str", label: str) -> KeywordFields:
    """The keywords of `path` that are the user's own, never our tag of `label`: those it
    held before our first write of `label` into it (the write journal's record; the
    earliest write's where none wrote it), and, in the tag-path fields, each path the
    newest state our journal recorded with our `Landmarks|label` in it held beside ours.
    Only a path that appeared in the change that took ours out can be our tag moved
    (Lightroom's `Places|Rome|Colosseum`); a friend `People|Petra` the user tagged after
    another write of ours, there beside our `Landmarks|Petra`, is theirs. Empty where no
    write of ours is journalled for `path`."""
    return users_own_and_maybe_ours_moved(conn, path, label)[0]


def users_own_and_maybe_ours_moved(conn: "sqlite3.Connection", path: "Path | str",
                                   label: str) -> tuple[KeywordFields, KeywordFields]:
    """keywords_before_ours, and the paths naming `label` it leaves out of the user's own
    on the word of our Teaches field alone (_our_tag_moved): our tag moved before an index
    rebuild, or a friend `People|Petra` the file held before our first write, whose
    `Landmarks|Petra` beside it the user deleted. The file cannot tell them apart, so no
    second path is written there, and nothing advises removing one (kept_in_users_tree)."""
    entries = _journalled(conn, path)
    if not entries:
        return KeywordFields(), KeywordFields()
    first_at = next((at for at, (_, after, _) in enumerate(entries)
                     if after.get("label") is not None and names_landmark(after["label"], label)), 0)
    own = _fields_of(entries[first_at][0])
    states = [_fields_of(state) for before, after, written in entries
              for state in (before, *([after] if written else []))]  # an after-state only once in the file
    # what the journal saw up to that write's before-state: ours moved there is no path of the user's
    moved = _our_tag_moved([*states[:sum(1 + written for _, _, written in entries[:first_at])], own], label)
    beside_ours = next((state for state in reversed(states) if _holds_our_path(state, label)), None)
    if beside_ours is not None:
        own = replace(own, **{name: [*(getattr(own, name) or []), *getattr(beside_ours, name)]
                              for name in PATH_FIELDS if getattr(beside_ours, name)})
    moved_paths = {name: KeywordSet(paths) for name, paths in moved.items()}
    return (replace(own, **{name: [item for item in getattr(own, name) if item not in moved_paths[name]]
                            for name in moved if getattr(own, name)}), KeywordFields(**moved))


def _journalled(conn: "sqlite3.Connection", path: "Path | str") -> list[tuple[dict, dict, bool]]:
    """(before, after, whether the write reached the file) of each journal entry of `path`, oldest first."""
    return [(json.loads(before or "{}"), json.loads(after or "{}"), bool(written)) for before, after, written in
            conn.execute("SELECT before, after, size_after >= 0 FROM write_journal "
                         "WHERE path = CAST(? AS TEXT) ORDER BY id", (db_text(str(path)),))]


def _fields_of(state: dict) -> KeywordFields:
    return KeywordFields.from_json(state.get("fields", {}))


def _teaches(fields: KeywordFields, label: str) -> bool:
    """Whether our landmarkTagger:Teaches field in `fields` names `label`: our tag of it was in the file."""
    return any(names_landmark(place, label) for place in fields.taught or [])


def _our_tag_moved(states: list[KeywordFields], label: str) -> dict[str, list[str]]:
    """The paths naming `label` in a state of the file whose Teaches names it and no path
    holds our `Landmarks|label`: our tag, moved to the user's tree before the journal saw
    the file (a write by an index since lost and rebuilt by a scan, or restored from an
    older backup). The Teaches field a write of ours put there says so; by field name."""
    from app.core.keywords_changed_elsewhere import holds_landmark

    moved: dict[str, list[str]] = {}
    for state in states:
        if not _teaches(state, label) or _holds_our_path(state, label):
            continue
        for name in PATH_FIELDS:
            moved.setdefault(name, []).extend(
                item for item in getattr(state, name) or []
                if ("|" if name == "hierarchical" else "/") in item
                and holds_landmark(KeywordFields(**{name: [item]}), label))
    return {name: paths for name, paths in moved.items() if paths}


def _holds_our_path(fields: KeywordFields, label: str) -> bool:
    """Whether a tag-path field of `fields` holds our own path of `label` (`Landmarks|Petra`)."""
    return any(holds_keyword(sorted(field_spellings(name, label)), item)
               for name in PATH_FIELDS for item in getattr(fields, name) or [])


def wrote_label_before(conn: "sqlite3.Connection", path: "Path | str", label: str) -> bool:
    """Whether a write of ours, not undone, put `label` into `path` (a relabel or reject
    written since included), or a write of ours found our Teaches field naming it there
    (written by an index since lost, or restored from an older backup): a path of the
    user's naming it there now is our tag moved."""
    if any(_teaches(_fields_of(before), label) for before, _, _ in _journalled(conn, path)):
        return True
    for (after,) in conn.execute(
            "SELECT j.after FROM write_journal j JOIN write_batches b ON b.id = j.batch_id "
            "WHERE j.path = CAST(? AS TEXT) AND b.undone_at IS NULL AND j.size_after >= 0", (db_text(str(path)),)):
        written = json.loads(after or "{}").get("label")
        if written is not None and names_landmark(written, label):
            return True
    return False


def without_users_own(fields: KeywordFields, own: KeywordFields, label: str) -> KeywordFields:
    """`fields` less the keywords `own` (keywords_before_ours) holds in the same field,
    but for our own path of `label` (`Landmarks|Petra` is the landmark whoever typed it;
    a plain "Petra" there before our write is the user's, a friend's name)."""
    changes: dict[str, list[str] | None] = {}
    for name in (*FLAT_FIELDS, *PATH_FIELDS):
        values, before = getattr(fields, name), getattr(own, name)
        if values and before:
            ours = KeywordSet(field_spellings(name, label) if name in PATH_FIELDS else ())
            users = KeywordSet(before)
            changes[name] = [item for item in values if item in ours or item not in users]
    return replace(fields, **changes)


def ours_before(conn: "sqlite3.Connection", photo_id: int, target: "Path", label: str | None,
                last_written: str | None, taught: list[str] | None) -> bool:
    """Whether our tag of `label` was in `target` before, so a path of the user's naming it
    is ours moved (`last_written`: the label our newest write, not undone, put into the
    file; `taught`: the file's landmarkTagger:Teaches, which digiKam and exiftool keep;
    an older write of it, before a relabel or reject: wrote_label_before)."""
    if not label:
        return False
    recorded = read_back_keyword(conn, photo_id, target)
    return any(name is not None and names_landmark(name, label)  # "AC|DC Tower" for "AC/DC Tower" too
               for name in (last_written, recorded, *(taught or []))) or wrote_label_before(conn, target, label)


def without_a_second_path(current: KeywordFields, after: KeywordFields, label: str | None,
                          moved: bool, users_own: KeywordFields = KeywordFields()) -> KeywordFields:
    """`after` (label_fields' fields for `label`) less the path of ours it added to a
    tag-path field that held the landmark already, under a tree of the user's (`current`:
    the file's fields now), where our tag was there before (`moved`: ours_before); a
    field holding our own path, or none naming the landmark but the user's own
    (`users_own`: keywords_before_ours of `label`), is as label_fields left it."""
    from app.core.keywords_changed_elsewhere import holds_landmark

    if not label or not moved:
        return after
    added_since = without_users_own(current, users_own, label)  # what can be our tag, moved
    changes: dict[str, list[str]] = {}
    for name in PATH_FIELDS:
        now, later = getattr(added_since, name), getattr(after, name)
        ours = sorted(field_spellings(name, label))
        if not now or later is None or any(holds_keyword(now, keyword) for keyword in ours):
            continue
        paths = [item for item in now if ("|" if name == "hierarchical" else "/") in item]  # not a top-level one
        if holds_landmark(KeywordFields(**{name: paths}), label):
            there, spelt_ours = KeywordSet(getattr(current, name)), KeywordSet(ours)
            changes[name] = [item for item in later if item in there or item not in spelt_ours]
    return replace(after, **changes)


def kept_in_users_tree(current: KeywordFields, after: KeywordFields, previous: str | None,
                       label: str | None, users_before: KeywordFields = KeywordFields(),
                       maybe_users: KeywordFields = KeywordFields()) -> tuple[KeywordFields, str | None]:
    """`after` (a relabel's or rejection's fields) with the plain keywords of `previous`
    the file holds kept where a path of the user's tree ends in it that came as our tag
    went (our tag moved there in Lightroom, `Places|Rome|Colosseum`): the write
    leaves that path as the user arranged it, and taking the plain keyword alone out would
    leave the fields disagreeing until Lightroom's next save puts it back. The note says
    so whenever such a path stays. A path of the user's own (`users_before`:
    keywords_before_ours of `previous`, a friend `People|Petra` there before our write)
    is not the landmark: nothing is kept for it and nothing said. One that appeared after
    our write is kept and said. Only our tag moved, gone from its field and one path there
    in its place, gets advice to remove it: the path is ours. One beside our own path
    still there is a copy (digiKam's "assign tag") or a friend tagged since, the same
    bytes; several in one field (a friend tagged beside ours, then ours moved) cannot say
    which came as ours went; one that may be either (`maybe_users`:
    paths_maybe_ours_moved) neither: the note names them all, sorted, with no advice.
    None where no path is kept, or where the fields returned would not hold what the note
    says."""
    result, note, _ = _kept_in_users_tree(current, after, previous, label, users_before, maybe_users)
    return result, note


def _kept_in_users_tree(current: KeywordFields, after: KeywordFields, previous: str | None, label: str | None,
                        users_before: KeywordFields,
                        maybe_users: KeywordFields) -> tuple[KeywordFields, str | None, bool]:
    """kept_in_users_tree, and whether the paths kept sit beside our own path of `previous`
    in their field of `current` (a copy or a friend: ours is still there to take out)."""
    from app.core.keywords_changed_elsewhere import holds_landmark

    if not previous or (label is not None and names_landmark(label, previous)):
        return after, None, False
    in_users_tree = [(name, item) for name in PATH_FIELDS for item in getattr(after, name) or []
                     if ("|" if name == "hierarchical" else "/") in item
                     and not holds_keyword(sorted(field_spellings(name, previous)), item)
                     and not holds_keyword(getattr(users_before, name) or [], item)
                     and holds_landmark(KeywordFields(**{name: [item]}), previous)]
    if not in_users_tree:
        return after, None, False
    # the paths of the first field holding any (the others mirror them: digiKam's TagsList)
    first = in_users_tree[0][0]
    in_tree = sorted({item for name, item in in_users_tree if name == first})
    beside_ours = any(holds_keyword(sorted(field_spellings(first, previous)), item)
                      for item in getattr(current, first) or [])
    changes: dict[str, list[str] | None] = {}
    for name in FLAT_FIELDS:
        # a field the write would drop (a rejection's, emptied) keeps it too: the path stays
        now, later = getattr(current, name), getattr(after, name) or []
        if not now:
            continue
        kept_later, held_now = KeywordSet(later), KeywordSet(now)
        kept = [item for item in now if names_landmark(item, previous) and item not in kept_later]
        if kept:  # in their place: the rest of the field as the write leaves it
            changes[name] = [item for item in now if item in kept_later or item in kept] + \
                [item for item in later if item not in held_now]
    result = replace(after, **changes)
    if not all(_kept_whole(result, current, path, previous) for path in in_tree):
        return result, None, beside_ours  # no note says more than the file will hold
    note = f'"{previous}" kept: it sits in your tag tree {" and ".join(in_tree)}'
    if beside_ours or len(in_tree) > 1 or any(holds_keyword(getattr(maybe_users, name) or [], in_tree[0])
                                              for name in PATH_FIELDS):
        return result, note, beside_ours  # perhaps a friend's People|Petra: no advice to remove it
    # said even where the plain keyword stays anyway (the user's own "Colosseum"): the path is ours, moved
    return result, f"{note}; remove it there if the photo is not of it", False


def _kept_whole(result: KeywordFields, current: KeywordFields, path: str, previous: str) -> bool:
    """Whether `result` holds `path` and, in each plain-keyword field of `current` that names
    `previous`, that keyword: what the "kept" note says the file keeps."""
    return any(item == path for name in PATH_FIELDS for item in getattr(result, name) or []) and all(
        any(names_landmark(item, previous) for item in getattr(result, name) or [])
        for name in FLAT_FIELDS if any(names_landmark(item, previous) for item in getattr(current, name) or []))


def kept_by_undo(conn: "sqlite3.Connection", path: "Path | str", written: str | None, current: KeywordFields,
                 wanted: KeywordFields, before: KeywordFields) -> tuple[KeywordFields, str | None]:
    """`wanted` (an undo's fields for a file edited since our write of `written`) with our
    tag of `written` that the user moved into their tree since (`Places|Rome|Colosseum`)
    kept whole, as a relabel keeps it (kept_in_users_tree): the path, its plain keyword,
    and our Teaches field naming it, so the next write of the label finds it there and adds
    no second path, and a Lightroom tidy reads as no removal. Call it while the entry is
    in the journal. A path that appeared beside our `Landmarks|…`, still there (a copy or
    a friend tagged since), is the user's: our write is taken back, our path and Teaches
    with it, and the path stays with its plain keyword. A path the file held before that
    write (`before`: its journalled before-state) the undo leaves as it is anyway, and puts
    the Teaches field back: a friend `People|Petra` beside which our `Landmarks|Petra` was
    deleted, an index ago. The note says so; None where nothing of ours sits in the user's
    tree."""
    if not written:
        return wanted, None
    own, unsure = users_own_and_maybe_ours_moved(conn, path, written)
    own = replace(own, **{name: [*(getattr(own, name) or []), *getattr(before, name)]
                          for name in PATH_FIELDS if getattr(before, name)})
    wanted, note, beside_ours = _kept_in_users_tree(current, wanted, written, None, own, unsure)
    if note is not None and not beside_ours and _teaches(current, written):
        wanted = replace(wanted, taught=current.taught)
    return wanted, note

"""Renaming a place of the user's: a typo in a taught place ("Our cabbin"), or two
names for one place merged ("Pont Saint-Bénézet" into "Pont d'Avignon").

The label on every photo carrying the name, the references taught under it, the
suggestions rejected under it and the stored predictions change in one transaction,
so a later `tag` or `suggest` answers with the new name. The photos' files change at
the next `write`: their accepted labels then differ from the keyword written. The
model's own landmark names come with the model and are not renamed here (its next
answer would bring the old name back); a place can be merged into one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from app.core import teaching_store as store
from app.core.errors import UsageError
from app.core.index import labels as label_store
from app.core.index import renames_journalled, review_journal_edits
from app.core.index.released_holds import held_files, photos_with_held_files
from app.core.teaching import canonical_label, check_label, stored_label
from app.core.wording import counted, shell_quote
from model.predictor import TAUGHT_ID_PREFIX

if TYPE_CHECKING:
    from app.core.index import PhotoIndex


@dataclass(frozen=True)
class RenameSummary:
    old: str
    new: str
    photos: int  # photos whose label changed
    accepted: int  # of those, labels the user accepted: to write again
    references: int  # photos that teach the new name now
    merged: bool  # the new name was in use already
    backup: Path | None = None  # a merge cannot be taken back by renaming: the index as it was
    # files `write` holds of the photos relabelled: the new name does not go into them (plan_stripped_hold)
    left_held: int = 0
    held_photos: int = 0  # of the accepted, photos with such a file: left out of the promise below

    def line(self) -> str:
        verb = f"merged '{self.old}' into '{self.new}'" if self.merged else f"renamed '{self.old}' to '{self.new}'"
        parts = [f"{self.photos:,} photo{'s' if self.photos != 1 else ''} relabelled"]
        if self.references:
            parts.append(f"{counted(self.references, 'taught photo')} "
                         f"{'teaches' if self.references == 1 else 'teach'} the new name")
        text = f"{verb}: {', '.join(parts)}"
        to_write = self.accepted - self.held_photos  # none: no promise (left_held_line names the held)
        if to_write > 0:
            text += (f"; `landmark-tagger write` puts the new name into the keywords of the "
                     f"{counted(to_write, 'photo')} accepted{' and not held' if self.held_photos else ''}")
        if self.backup is not None:
            text += f"; the index as it was is copied at {self.backup}"
        return text


@dataclass(frozen=True)
class RenamePlan:
    spellings: list[str]  # the old name as stored, in every spelling found
    target: str  # the new name, in the spelling already in use if any
    merged: bool  # the new name is in use: the two become one (no rename takes that back)


def rename_place(index: "PhotoIndex", old: str, new: str,
                 model_landmarks: Mapping[str, str] | None = None) -> RenameSummary:
    """Rename `old` (any case) to `new` everywhere in the index. `model_landmarks`: the
    model's landmark names and their ids (a place merged into one of them takes its id).
    UsageError for a model landmark, a name nothing carries, or no change. A merge takes
    a copy of the index first."""
    from app.core.index.backup import backup_quietly

    model_landmarks = dict(model_landmarks or {})
    plan = plan_rename(index, old, new, model_landmarks)
    backup = backup_quietly(index.path, every=timedelta(0)) if plan.merged else None
    landmark_id = model_landmarks.get(plan.target, TAUGHT_ID_PREFIX + plan.target)
    with index.transaction() as conn:
        relabelled = _accepted_photos_labelled(conn, [s for s in plan.spellings if s != plan.target])
        photos, accepted = label_store.rename_label(conn, plan.spellings, plan.target, landmark_id)
        references = store.rename_label(conn, plan.spellings, plan.target)
        review_journal_edits.rename_label(conn, plan.spellings, plan.target, landmark_id)  # what undo --review gives back
        renames_journalled.record_rename(conn, plan.spellings[0], plan.target, plan.merged)  # what undo --review meets
    held = held_files(index.conn, relabelled)
    held_photos = len(photos_with_held_files(index.conn, relabelled, held)) if held else 0
    return RenameSummary(plan.spellings[0], plan.target, photos, accepted, references, plan.merged, backup, len(held),
                         held_photos)


def _accepted_photos_labelled(conn, spellings: list[str]) -> list[int]:
    """The photos whose accepted label is one of `spellings`: those whose files the next
    `write` would give the new name, less the files it holds."""
    marks = ",".join("?" * len(spellings))
    return [row[0] for row in conn.execute(
        f"SELECT photo_id FROM labels WHERE state = 'accepted' AND label IN ({marks})", spellings)] if spellings else []


def _way_out_for_a_taught(index: "PhotoIndex", name: str) -> str:
    """For a place the user taught under a model landmark's name (L "colosseum" on their
    own photos teaches "Colosseum"): the way to give it another name all the same."""
    if name not in store.taught_labels(index.conn):
        return ""
    return (f"; to give your place another name, forget it (teach --forget {shell_quote(name)}, or Forget… in the "
            "app's Taught places) and teach its photos under the new name")


def plan_rename(index: "PhotoIndex", old: str, new: str, model_landmarks: Mapping[str, str]) -> RenamePlan:
    """What `rename_place` would do, without changing anything (the app asks before a
    merge); UsageError as rename_place."""
    for name, which in ((old, "the name to rename"), (new, "the new name")):
        if not (name or "").split():
            raise UsageError(f"{which} is empty; e.g. `landmark-tagger rename \"Our cabbin\" \"Our cabin\"`")
    old_name, new_name = stored_label(old), check_label(new)  # an old name XMP cannot hold is renamed away
    builtin = next((name for name in model_landmarks if name.casefold() == old_name.casefold()), None)
    if builtin is not None:
        raise UsageError(f"'{builtin}' is one of the model's landmarks: its name comes with the model and cannot be "
                         f"renamed (its next answer would bring the name back){_way_out_for_a_taught(index, builtin)}")
    spellings = label_store.spellings_in_use(index.conn, old_name)
    if not spellings:
        raise UsageError(f"no photo or taught place is called '{old_name}'{_near_places(index, old_name, model_landmarks)} "
                         "(`landmark-tagger stats` lists the landmarks on your photos)")
    if new_name.casefold() == old_name.casefold():
        target, merged = new_name, False  # a new spelling of the same name
        if spellings == [target]:
            raise UsageError(f"'{target}' is already called that")
    else:
        target = canonical_label(index, new_name, model_landmarks)  # the spelling in use, if any
        merged = target in model_landmarks or bool(label_store.spellings_in_use(index.conn, target))
    return RenamePlan(spellings, target, merged)


def _near_places(index: "PhotoIndex", old: str, model_landmarks: Mapping[str, str]) -> str:
    """"; did you mean 'Ayasofya'?" for a mistyped OLD, naming the places of the user's it
    is close to (label_names.close_landmarks, as label and teach ask); the model's own
    names are left out, since they cannot be renamed."""
    from app.core.label_names import close_landmarks

    own = [name for name in index.known_labels() if name not in model_landmarks]
    near = close_landmarks(old, own)
    return f"; did you mean {' or '.join(repr(name) for name in near)}?" if near else ""

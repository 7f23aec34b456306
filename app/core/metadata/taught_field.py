"""Our own XMP field `landmarkTagger:Teaches` (an rdf:Bag): which place a photo teaches.

The `Landmarks|<name>` keyword tells a label, not whether the photo teaches it: an index
built anew from the files (read back: a new computer, a lost index) made every label of
a place of the user's teach it again, a place the user had forgotten and the suggestions
they only accepted included. A new index must give back what the user had: taught places
teach, forgotten ones and suggestions only accepted do not. The field is ours alone (the
keyword fields are left as the keyword policy leaves them).

Read (`taught_in`, with the label read back):
- an empty field: the photo taught nothing; the label comes back as a suggestion accepted;
- a field naming the label: it teaches it;
- no field (a version before it, Lightroom) or one naming only other places (stale: a
  relabel in exiftool or digiKam, which keep our namespace): it says nothing, and the
  label alone counts, as the user's (a place of theirs teaches it at the next `tag`).

Write (`taught_field_after`), by what the photo is in this index; `rewritten`: the write
changes the file's keyword fields anyway:
- it teaches nothing though its label alone would teach (a suggestion of a taught place
  accepted, source taught; a label of a place forgotten with `teach --forget`): empty,
  into a file without the field too, the one case that needs it;
- it teaches its label (a reference), or will at the next `tag` (a label of the user's,
  not of a forgotten place, which teach_untaught_labels takes; a landmark of the model's
  only where the field names it, which a read back records in read_back_keywords.teaches):
  its label alone reads back right; rewritten, the place where it teaches now or the file
  holds the field, none elsewhere; else an empty field turns into the place, and any
  other (none, the place, a stale one) stays as it is;
- the model's landmark accepted: its label alone reads back right; rewritten, a field
  there is kept true (empty), else the file is left as it is;
- no landmark of ours in the file: no field.
So a file is rewritten for the field alone only where a read back would get it wrong (a
read-only library written before the field stays as it is).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.metadata.read_back import same_landmark
from app.core.metadata.xmp import LANDMARK_TAGGER, XmpDocument

if TYPE_CHECKING:
    import sqlite3

    from app.core.index import PhotoRecord

FIELD = (LANDMARK_TAGGER, "Teaches")


def taught_field_after(conn: "sqlite3.Connection", photo: "PhotoRecord", label: str | None,
                       current: list[str] | None, *, rewritten: bool) -> list[str] | None:
    """The field a write of `label` (None: no landmark, or our keyword taken out of a
    rejected photo's file) gives the photo's file, which holds `current` now; `rewritten`:
    whether the write changes its keyword fields anyway (see the module for the cases)."""
    if label is None:
        return None  # no landmark of ours in the file: nothing to say of it
    teaches = _teaches(conn, photo.id, label)
    if not teaches and (photo.source == "taught" or (photo.source == "user" and _forgotten(conn, label))):
        return []  # its label alone would teach on a new index: say it taught nothing
    if teaches or photo.source == "user":  # it teaches, or will at the next tag: as its label alone says
        if rewritten:
            return [label] if teaches or current is not None else None
        return [label] if current == [] else current  # any other reads back as taught: left as it is
    # the model's landmark accepted: its label alone reads back right
    return ([] if current is not None else None) if rewritten else current


def taught_in(document: XmpDocument | None, landmark: str | None) -> bool | None:
    """Whether the packet's field says the photo teaches `landmark` (its label read back):
    False only for an empty field; None where it says nothing of it (no field, a file
    written before it or by another program; or one naming only other places)."""
    taught = document.get_bag(*FIELD) if document is not None and landmark is not None else None
    if taught is None:
        return None
    if any(same_landmark(place, landmark) for place in taught):
        return True
    return False if not taught else None


def _teaches(conn: "sqlite3.Connection", photo_id: int, label: str) -> bool:
    """A reference of the photo teaches `label` (any model; one set aside by a reject does not)."""
    return conn.execute(
        "SELECT 1 FROM taught_refs t WHERE t.photo_id = ? AND t.label = ? AND NOT EXISTS "
        "(SELECT 1 FROM rejections r WHERE r.photo_id = t.photo_id AND r.label = t.label) LIMIT 1",
        (photo_id, label)).fetchone() is not None


def _forgotten(conn: "sqlite3.Connection", label: str) -> bool:
    return conn.execute("SELECT 1 FROM forgotten_places WHERE label = ?", (label,)).fetchone() is not None

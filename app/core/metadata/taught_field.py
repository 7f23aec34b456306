"""Our own XMP field `landmarkTagger:Teaches` (an rdf:Bag): which place a photo teaches.

The `Landmarks|<name>` keyword tells a label, not whether the photo teaches it: an index
built anew from the files (read back: a new computer, a lost index) made every label of
a place of the user's teach it again, a place the user had forgotten and the suggestions
they only accepted included. Where that would be wrong, `write` says so in this field,
which is ours alone (no other program reads or writes it; the keyword fields are left as
the keyword policy leaves them):

- the place, where the photo teaches its label (a reference the user taught it), in a
  file rewritten anyway or holding the field: a file without it reads back the same
  (as taught), so it is not rewritten for it alone (a read-only library written before
  the field would fail at every `write`);
- an empty bag, where it teaches nothing though a label read back would teach: an
  accepted suggestion of a taught place, a photo of a place forgotten (`teach --forget`);
- nothing elsewhere (the model's landmarks accepted, a label of the user's that teaches at
  the next `tag`): a label read back there teaches as it always has; once the field is in
  a file, each write keeps it true.

A file without it (written by a version before this field, or labelled in another
program) reads back as before: a label of a place of the user's teaches it at the next `tag`;
so does one whose field names only other places, which says nothing of it (stale: a relabel
in exiftool or digiKam, which keep our namespace, leaves the field as it was). Only an empty
field says the photo taught nothing.
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
    whether the write changes its keyword fields anyway (see the module)."""
    if label is None:
        return None  # no landmark of ours in the file: nothing to say of it
    if _teaches(conn, photo.id, label):
        if rewritten:
            return [label]
        return [label] if current == [] else current  # any other reads back as taught: left as it is
    if current is not None or photo.source == "taught" or (photo.source == "user" and _forgotten(conn, label)):
        return []
    return None


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

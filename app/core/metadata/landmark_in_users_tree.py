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
Petra). The other fields a write sets follow their own rules as always: the plain keyword
(dc:subject, IPTC, XPKeywords) the keyword policy, the taught field taught_field.py."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from app.core.index.read_back_records import read_back_keyword
from app.core.metadata.keywords import KeywordFields, field_spellings, holds_keyword, names_landmark

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

# the fields holding tag paths ("Parent|Child" or "Parent/Child"), where a moved tag lives
PATH_FIELDS = ("hierarchical", "digikam", "microsoft")


def ours_before(conn: "sqlite3.Connection", photo_id: int, target: "Path", label: str | None,
                last_written: str | None, taught: list[str] | None) -> bool:
    """Whether our tag of `label` was in `target` before, so a path of the user's naming it
    is ours moved (`last_written`: the label our newest write, not undone, put into the
    file; `taught`: the file's landmarkTagger:Teaches, which digiKam and exiftool keep)."""
    if not label:
        return False
    recorded = read_back_keyword(conn, photo_id, target)
    return any(name is not None and names_landmark(name, label)  # "AC|DC Tower" for "AC/DC Tower" too
               for name in (last_written, recorded, *(taught or [])))


def without_a_second_path(current: KeywordFields, after: KeywordFields, label: str | None,
                          moved: bool) -> KeywordFields:
    """`after` (label_fields' fields for `label`) less the path of ours it added to a
    tag-path field that held the landmark already, under a tree of the user's (`current`:
    the file's fields now), where our tag was there before (`moved`: ours_before); a
    field holding our own path, or none naming the landmark, is as label_fields left it."""
    from app.core.keywords_changed_elsewhere import holds_landmark

    if not label or not moved:
        return after
    changes: dict[str, list[str]] = {}
    for name in PATH_FIELDS:
        now, later = getattr(current, name), getattr(after, name)
        ours = sorted(field_spellings(name, label))
        if not now or later is None or any(holds_keyword(now, keyword) for keyword in ours):
            continue
        paths = [item for item in now if ("|" if name == "hierarchical" else "/") in item]  # not a top-level one
        if holds_landmark(KeywordFields(**{name: paths}), label):
            changes[name] = [item for item in later if holds_keyword(now, item) or not holds_keyword(ours, item)]
    return replace(after, **changes)

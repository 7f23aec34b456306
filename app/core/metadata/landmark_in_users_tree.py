"""A landmark the user keeps in a tag tree of their own gets no second path of ours.

digiKam moves a tag with its photos: "AC/DC Tower", written `Landmarks/AC|DC Tower` into
TagsList and `Landmarks|AC/DC Tower` into lr:hierarchicalSubject, becomes `Places/AC|DC
Tower` there (mirrored `Places|AC|DC Tower`); Lightroom moves a keyword under another
parent (`Places|Rome|Colosseum`). The scan sees the landmark still there
(keywords_changed_elsewhere.holds_landmark) and keeps the label; `write` then added
`Landmarks|…` back beside the moved one, and digiKam or Lightroom showed the landmark
twice, once in the tree the user chose and once in the one they had left. A tag-path
field that holds the landmark at the end of any path now gets none of ours: the file is
left as the user arranged it (the plain keyword fields follow the usual policy)."""

from __future__ import annotations

from dataclasses import replace

from app.core.metadata.keywords import KeywordFields, field_spellings, holds_keyword

# the fields holding tag paths ("Parent|Child" or "Parent/Child"), where a moved tag lives
PATH_FIELDS = ("hierarchical", "digikam", "microsoft")


def without_a_second_path(current: KeywordFields, after: KeywordFields, label: str | None) -> KeywordFields:
    """`after` (label_fields' fields for `label`) less the path of ours it added to a
    tag-path field that held the landmark already, under a tree of the user's (`current`:
    the file's fields now); a field holding our own path, or none naming the landmark, is
    as label_fields left it."""
    from app.core.keywords_changed_elsewhere import holds_landmark

    if not label:
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

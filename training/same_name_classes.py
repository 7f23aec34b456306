"""Classes of one readable name made one class before `prepare` splits them.

A landmark's folder copied from macOS (or through a sync tool) arrives with its name
decomposed (NFD), beside the composed (NFC) folder of the same place; a folder may
hold a doubled space; on a case-sensitive disk "Big Ben" and "big ben" can both be there.
The app takes all of these for one label (model.labels: `label_form(text).casefold()`), so
two classes would share one name: ArcFace would train the two halves of one landmark as
rivals, and the app would see that landmark's score split between two equal labels,
neither reaching the threshold. They are one place, so they are trained as one class,
under one id chosen without regard to listing order, and `prepare` says so.

Only ids that are themselves one label are merged (folder names): two GLDv2 landmark
ids are two landmarks to the Kaggle metric even when their categories read alike
("St. Mary's Church" in two towns), so they stay two classes.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from model.labels import label_form
from training.datasets import ImageRecord


def landmark_sort_key(landmark_id: str) -> tuple[int, int | str]:
    """Numeric ids (GLDv2) in number order, before the others in text order."""
    return (0, int(landmark_id)) if landmark_id.isdigit() else (1, landmark_id)


@dataclass(frozen=True)
class MergedClass:
    """Classes whose ids differ but whose readable name is one: `kept` is the id the
    class has in the manifest and the bundle, `merged` the ids whose photos joined it."""

    name: str
    kept: str
    merged: tuple[str, ...]

    def describe(self) -> str:
        """One line for `prepare`'s summary (ids escaped: they look alike on a terminal)."""
        ids = ", ".join(_shown(i) for i in (self.kept, *self.merged))
        how = " and ".join(_how_they_differ((self.kept, *self.merged)))
        return f'classes {ids} are all "{self.name}" ({how}): prepared as one class, id {_shown(self.kept)}'


def _shown(landmark_id: str) -> str:
    """An id in quotes with its combining marks and white space other than a plain space
    escaped ("Cha\\u0302teau"), so that two ids that look alike read differently."""
    shown = "".join(
        f"\\u{ord(c):04x}" if unicodedata.combining(c) or (c.isspace() and c != " ") else c for c in landmark_id
    )
    return f'"{shown}"'


def _how_they_differ(ids: tuple[str, ...]) -> list[str]:
    ways = []
    if any(unicodedata.normalize("NFC", i) != i for i in ids):
        ways.append("accents written decomposed, as macOS names files")
    if any(" ".join(i.split()) != i for i in ids):
        ways.append("other or extra white space")
    if len({label_form(i) for i in ids}) > 1:
        ways.append("upper and lower case")
    return ways or ["names written differently"]


def _kept_id(ids: list[str], names: dict[str, str]) -> str:
    """The id already written as its name (the composed folder a user typed), else the
    first in landmark order (of "Big Ben" and "big ben", "Big Ben": code point order):
    the same whichever order the folders were listed in."""
    return min(ids, key=lambda i: (i != names.get(i, i), landmark_sort_key(i)))


def merge_same_name_classes(
    records: list[ImageRecord], names: dict[str, str]
) -> tuple[list[ImageRecord], dict[str, str], list[MergedClass]]:
    """`records` with every class whose id is the same label as another's (a folder and
    its NFD copy, or another case of it) moved into one class (keys and sources unchanged), `names` without the
    ids merged away, and what was merged (in name order)."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for landmark_id in sorted({r.landmark_id for r in records}, key=landmark_sort_key):
        by_name[label_form(landmark_id).casefold()].append(landmark_id)
    moved: dict[str, str] = {}
    merged: list[MergedClass] = []
    for form in sorted(n for n, ids in by_name.items() if len(ids) > 1):
        ids = by_name[form]
        kept = _kept_id(ids, names)
        others = tuple(i for i in ids if i != kept)
        moved.update({i: kept for i in others})
        merged.append(MergedClass(names.get(kept, label_form(kept)), kept, others))
    if not moved:
        return records, names, []
    records = [dataclasses.replace(r, landmark_id=moved[r.landmark_id]) if r.landmark_id in moved else r
               for r in records]
    return records, {i: n for i, n in names.items() if i not in moved}, merged

"""Why a taught place got no suggestion among photos of a landmark the model knows: its
taught photos are that landmark to the model (app.core.teaching_alike), and the photos it
recognises confidently keep the landmark's label, which teaching more photos would not
change. `suggest` and the app's Find suggestions say so, naming every such landmark."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from app.core.name_order import name_order
from app.core.wording import counted


@dataclass(frozen=True)
class HeldPlace:
    """A taught place that got no suggestion because the model recognises its look-alikes
    confidently as `landmark`, a landmark the place's taught photos are to it: `photos`
    of them keep that label, and teaching more photos would not change that. A place
    taught from photos of two landmarks has one HeldPlace for each."""

    place: str
    landmark: str
    photos: int


def held_places(held_by: Counter, held_classes: dict[int, set[str]], names: Sequence[str],
                suggested: set[str]) -> list[HeldPlace]:
    """Each taught place that got no suggestion while the model holds photos of a landmark
    its taught photos are (held_by: class → photos held; held_classes: class → the places
    taught from its photos), one entry for each such landmark: the place holding the most
    photos first, and its landmarks by photos held."""
    pairs = [HeldPlace(place, names[cls], photos) for cls, photos in held_by.items() if photos
             for place in held_classes.get(cls, set()) - suggested]
    total = Counter()
    for held in pairs:
        total[held.place] += held.photos
    return sorted(pairs, key=lambda held: (-total[held.place], name_order(held.place), -held.photos,
                                           name_order(held.landmark)))


def held_lines(held: Sequence[HeldPlace], how_to_label: str) -> list[str]:
    """One line a place, every landmark of it named: the photos the model holds keep their
    label, and the way out is labelling them `how_to_label`."""
    by_place: dict[str, list[HeldPlace]] = {}
    for entry in held:
        by_place.setdefault(entry.place, []).append(entry)
    lines = []
    for place, entries in by_place.items():
        photos = sum(entry.photos for entry in entries)
        one = photos == 1
        if len(entries) == 1:
            recognised = f"“{entries[0].landmark}”, a landmark the model knows,"
            label = "that label"
        else:
            recognised = ("landmarks the model knows (" + ", ".join(
                f"{entry.photos:,} as “{entry.landmark}”" for entry in entries) + "),")
            label = "those labels"
        they = "it shows" if one else "they show"
        lines.append(
            f"{counted(photos, 'photo')} {'is' if one else 'are'} recognised confidently as {recognised} like the "
            f"photos you taught as “{place}”, and {'keeps' if one else 'keep'} {label}; if {they} "
            f"“{place}”, label {'it' if one else 'them'} {how_to_label}")
    return lines

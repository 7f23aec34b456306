"""What teaching photos a new name takes from the places they taught before.

A photo shows one place, so teaching it another name moves it (teaching_store.forget_photos).
The user must hear of it, and of a place left with no photo: that place is no longer taught,
so it leaves `stats`' list and tagging stops finding it.
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

from app.core.wording import counted

if TYPE_CHECKING:
    from app.core.teaching_untaught import Untaught

LISTED_MOVES = 3  # more photos moved than this are counted per place instead of listed


@dataclass(frozen=True)
class TaughtMove:
    """A photo (its path) that taught `before` and now teaches another name."""

    path: str
    before: str


def move_lines(label: str, moves: list[TaughtMove], untaught: "list[Untaught]") -> list[str]:
    """The lines that say so: one per photo (a count per place when many moved), then
    one per place left with no photo, with its suggestions withdrawn."""
    if len(moves) <= LISTED_MOVES:
        lines = [f"{move.path} was taught as '{move.before}', now '{label}'" for move in moves]
    else:
        places = list(dict.fromkeys(move.before for move in moves))
        photos = {place: sum(move.before == place for move in moves) for place in places}
        lines = [f"{counted(photos[place], 'photo')} taught as '{place}' now "
                 f"{'teaches' if photos[place] == 1 else 'teach'} '{label}'" for place in places]
    return lines + [gone.line() for gone in untaught]

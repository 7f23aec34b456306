"""Files on a card not connected are left alone by a write, said in a note, not failed.

A card mounted inside a library folder and taken out keeps its photos in the index (the
scan leaves them as they were, see photos_seen.card_not_connected_below). Their files are
not there to write: planned as "not found (deleted or moved since the scan)" with a
`scan FOLDER` that cannot reach them either, every `write` failed on them (exit 1) until
the card was back. They are held instead (PlannedWrite.held, as plan_jpeg_hold holds a
file): the next write after plugging the card in writes them."""

from __future__ import annotations

import os
from dataclasses import replace

from app.core.folder_paths import is_within
from app.core.index.photos_seen import unplugged_cards_below
from app.core.metadata.plan import PlannedWrite
from app.core.wording import counted


# A held file's note: its card named between the two (one_note_per_card finds it so)
_ON_A_CARD = "on a card not connected ("
_LEFT_AS_IT_IS = "): left as it is; plug the card in, then write again"


def files_on_cards_not_connected_left_alone(index, plan: list[PlannedWrite]) -> list[PlannedWrite]:
    """`plan` with each item whose file is not there, on a card not connected, held with
    a note saying so and what to do. The cards are looked up only when a file is not there."""
    gone = [item for item in plan if item.problem is not None and not item.held and not os.path.lexists(item.source)]
    if not gone:
        return plan
    cards = unplugged_cards_below(index.conn, [str(root) for root in index.roots()])
    if not cards:
        return plan
    held = {}
    for item in gone:
        card = next((card for card in cards if is_within(str(item.source), card)), None)
        if card is not None:
            held[id(item)] = f"{_ON_A_CARD}{card}{_LEFT_AS_IT_IS}"
    return [replace(item, held=True, problem=held[id(item)]) if id(item) in held else item for item in plan]


def one_note_per_card(notes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A write's notes (path, message) with the files a card not connected held merged
    into one note per card, where it held more than one: the card and how many files
    ("a card not connected: 2 files on it left as they are; ..."), in the place of its
    first file's note. A note per file said the same over and over, each naming another
    file, and the summary line named yet another."""
    files_on: dict[str, int] = {}
    for _, message in notes:
        card = _card_of(message)
        if card is not None:
            files_on[card] = files_on.get(card, 0) + 1
    merged: list[tuple[str, str]] = []
    for path, message in notes:
        card = _card_of(message)
        if card is None or files_on[card] == 1:
            merged.append((path, message))
        elif files_on[card] > 1:
            merged.append((card, f"a card not connected: {counted(files_on[card], 'file')} on it left as they are; "
                                 "plug the card in, then write again"))
            files_on[card] = 0  # said: its other files' notes go
    return merged


def _card_of(message: str) -> str | None:
    """The card a held file's note names; None for any other note."""
    if message.startswith(_ON_A_CARD) and message.endswith(_LEFT_AS_IT_IS):
        return message[len(_ON_A_CARD):-len(_LEFT_AS_IT_IS)]
    return None

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
            held[id(item)] = (f"on a card not connected ({card}): left as it is; plug the card in, then write "
                              "again")
    return [replace(item, held=True, problem=held[id(item)]) if id(item) in held else item for item in plan]

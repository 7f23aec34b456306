"""Files on a card not connected are left alone by a write, said in a note, not failed.

A card mounted inside a library folder, or on one (the library folder is its mount
point), and taken out keeps its photos in the index (the scan leaves them as they were,
see photos_seen.card_not_connected_below, library.drive_not_connected). Their files are
not there to write: planned as "not found (deleted or moved since the scan)" with a
`scan FOLDER` that cannot reach them either, every `write` failed on them (exit 1) until
the card was back. They are held instead (PlannedWrite.held, as plan_jpeg_hold holds a
file, with PlannedWrite.on_card naming the card): the next write after plugging the card
in writes them. The write's notes say each card once (one_note_per_card)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from app.core.folder_paths import is_within
from app.core.index.photos_seen import mount_point_seen, unplugged_cards_below
from app.core.library import present_library_folders
from app.core.metadata.plan import PlannedWrite
from app.core.wording import counted


@dataclass(frozen=True)
class FilesLeftOnCard:
    """The files of a write left alone on one card not connected: what its note says.
    Notes are merged by these, never by their words."""

    card: str  # the card's folder (its mount point)
    files: int  # how many of the write's files are on it
    first_file: str  # the first of them, as the write listed it

    def note(self) -> tuple[str, str]:
        """The write's note (path, message): a file of its own names the file; more, the card."""
        if self.files == 1:
            return self.first_file, (f"on a card not connected ({self.card}): left as it is; "
                                     "plug the card in, then write again")
        return self.card, (f"a card not connected: {counted(self.files, 'file')} on it left as they are; "
                           "plug the card in, then write again")


def files_on_cards_not_connected_left_alone(index, plan: list[PlannedWrite]) -> list[PlannedWrite]:
    """`plan` with each item whose file is not there, on a card not connected, held with
    a note saying so and what to do. The cards are looked up only when a file is not there."""
    gone = [item for item in plan if item.problem is not None and not item.held and not os.path.lexists(item.source)]
    if not gone:
        return plan
    cards = unplugged_cards_below(index.conn, [str(root) for root in index.roots()]) + _cards_on_library_folders(index)
    if not cards:
        return plan
    card_of = {}
    for item in gone:
        card = max((card for card in cards if is_within(str(item.source), card)), key=len, default=None)  # nearest
        if card is not None:
            card_of[id(item)] = card
    return [_held_on(item, card_of[id(item)]) if id(item) in card_of else item for item in plan]


def _cards_on_library_folders(index) -> list[str]:
    """The library folders that are a card's mount point (/media/me/CARD added as one),
    the card taken out: the folder empty, as the scan finds it (library.drive_not_connected),
    or gone where a scan recorded a card mounted on it (the system removes the mount point
    of a card it unmounts). A library folder gone that no card was mounted on (renamed,
    deleted) is not: its files are not found, with the scan that says so."""
    _, not_connected = present_library_folders(index)
    return [str(root) for root in not_connected if root.is_dir() or mount_point_seen(index.conn, str(root))]


def _held_on(item: PlannedWrite, card: str) -> PlannedWrite:
    _, message = FilesLeftOnCard(card, 1, str(item.target)).note()
    return replace(item, held=True, problem=message, on_card=card)


def one_note_per_card(notes: list[tuple[str, str]], plan: list[PlannedWrite]) -> list[tuple[str, str]]:
    """A write's notes (path, message) with the files of `plan` a card not connected held
    merged into one note per card, where it held more than one: the card and how many files
    ("a card not connected: 2 files on it left as they are; ..."), in the place of its
    first file's note. A note per file said the same over and over, each naming another
    file, and the summary line named yet another."""
    card_of = {str(item.target): item.on_card for item in plan if item.held and item.on_card is not None}
    files_on: dict[str, list[str]] = {}
    for path, _ in notes:
        if path in card_of:
            files_on.setdefault(card_of[path], []).append(path)
    merged: list[tuple[str, str]] = []
    for path, message in notes:
        card = card_of.get(path)
        if card is None:
            merged.append((path, message))
        elif card in files_on:
            files = files_on.pop(card)  # said: its other files' notes go
            merged.append(FilesLeftOnCard(card, len(files), files[0]).note())
    return merged

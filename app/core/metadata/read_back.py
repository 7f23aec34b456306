"""The landmark a photo's files already carry: the `Landmarks|<name>` keyword that
`write` puts into XMP lr:hierarchicalSubject (a Lightroom keyword "Landmarks > <name>"
reads the same).

The scanner reads it for photos the index holds no word of the user's about, so an
index built anew (another computer, a lost index file, a folder forgotten and added
again) gets back the labels already written into the photos instead of asking the
model again.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Iterable

from app.core.errors import MetadataWriteError
from app.core.metadata.keywords import HIERARCHY_ROOT
from app.core.metadata.sidecar import existing_sidecars
from app.core.metadata.xmp import LR, XmpDocument


def landmark_of(hierarchical: list[str] | None) -> str | None:
    """The first `Landmarks|<name>` keyword's name (one level, printable), else None."""
    for keyword in hierarchical or []:
        root, separator, name = keyword.partition("|")
        name = unicodedata.normalize("NFC", " ".join(name.split()))
        if root == HIERARCHY_ROOT and separator and name and "|" not in name and name.isprintable():
            return name
    return None


def landmark_in_xmp(packet: bytes | str | None) -> str | None:
    """The landmark of an XMP packet; None when it has none or cannot be parsed (the
    scan goes on: a damaged packet is the writer's business when it is written)."""
    if not packet:
        return None
    try:
        return landmark_of(XmpDocument.parse(packet).get_bag(LR, "hierarchicalSubject"))
    except (MetadataWriteError, ValueError, SyntaxError):
        return None


def landmark_in_sidecars(paths: Iterable[str | Path]) -> str | None:
    """The landmark of the first sidecar of these files that has one (either naming)."""
    for path in paths:
        for sidecar in existing_sidecars(Path(path)):
            try:
                packet = sidecar.read_bytes()
            except OSError:
                continue  # unreadable
            landmark = landmark_in_xmp(packet)
            if landmark is not None:
                return landmark
    return None

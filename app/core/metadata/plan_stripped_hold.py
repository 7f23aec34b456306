"""A JPEG our write put the photo's label into, whose metadata another program took out
since (XMP, EXIF and IPTC all gone: a "remove metadata" tool, an editor saving without
it) is held by `write`: nothing tells whether the user meant the landmark to go with
the rest, so it is not written back unasked (keywords_changed_elsewhere decides the
cases the file does tell). The note names the two ways out: the label given again
(written at the next `write`) or rejected. A hold, not a failure: a nightly `write`
still exits 0."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

from app.core.errors import TaggerError
from app.core.index import PhotoIndex
from app.core.metadata.dry_run_wording import listed
from app.core.metadata.read_back import same_landmark
from app.core.wording import in_which_shell, shell_quote

if TYPE_CHECKING:
    from app.core.metadata.plan import PlannedWrite


def photos_stripped_since_written_held(index: PhotoIndex, plan: list[PlannedWrite]) -> list[PlannedWrite]:
    """`plan` with each JPEG held whose metadata vanished since our write put its label
    there, unless the label was given again since that write (the user's way out)."""
    return [_held(index, item) if _stripped_since_written(index, item) else item for item in plan]


def _stripped_since_written(index: PhotoIndex, item: PlannedWrite) -> bool:
    from app.core.metadata.plan import read_jpeg_head  # (plan.py calls this module)

    if (item.kind != "jpeg" or item.problem is not None or item.rejected or item.label is None
            or item.last_write is None or any(value is not None for value in vars(item.before).values())):
        return False
    row = index.conn.execute(
        "SELECT j.after, j.at, l.updated_at FROM write_journal j JOIN labels l ON l.photo_id = ? WHERE j.id = ?",
        (item.photo_id, item.last_write)).fetchone()
    if row is None:
        return False
    written = json.loads(row[0]).get("label")
    if written is None or not same_landmark(written, item.label) or (row[2] or "") > (row[1] or ""):
        return False  # another label was written, or the label was given again since
    try:
        layout = read_jpeg_head(item.target)[0]
    except (TaggerError, OSError):
        return False  # its own plan item says what is wrong with it
    return all(layout.first(kind) is None for kind in ("xmp", "exif", "photoshop"))


def _held(index: PhotoIndex, item: PlannedWrite) -> PlannedWrite:
    query = shell_quote('path:"' + str(item.target).replace('"', '""') + '"')
    return replace(item, held=True, problem=(
        f"its metadata was removed since our write of {listed([item.label])} (by another program?); "
        f"not written again: {in_which_shell()}`landmark-tagger label {query} {shell_quote(item.label)}` "
        f"writes it at the next `write`, `landmark-tagger reject {query}` takes the label off"))

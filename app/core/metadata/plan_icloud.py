"""A photo whose sidecar iCloud holds (evicted, not downloaded) is left alone as a
whole by `write`: the RAW's sidecar cannot be read nor replaced, and writing the JPEG
of its pair alone would leave the photo's two files naming two places (the JPEG the
new label, the sidecar, once downloaded, the old one) for any other program or index
that reads them. The scan says so ("`write` leaves its photo alone until downloaded")."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import sidecar_not_downloaded

if TYPE_CHECKING:
    from app.core.metadata.plan import PlannedWrite


def sidecar_in_cloud_problem(sidecar: Path, why: str) -> str:
    """The plan's note for a sidecar target that iCloud holds (its own file's)."""
    return f"its sidecar {sidecar.name} is {why}"


def photos_with_sidecars_in_cloud_left_alone(plan: list[PlannedWrite]) -> list[PlannedWrite]:
    """`plan` with every file of a photo refused where one of its sidecars is refused for
    being in the cloud (sidecar.sidecar_not_downloaded), each with that sidecar's note:
    the photo is written once it is downloaded, all its files together. A file whose
    write would change nothing stays as it is."""
    held: dict[int, str] = {}
    for item in plan:
        if item.kind == "sidecar" and item.problem is not None and item.photo_id not in held:
            in_the_cloud = sidecar_not_downloaded(item.source, item.target)
            if in_the_cloud is not None and item.problem == sidecar_in_cloud_problem(*in_the_cloud):
                held[item.photo_id] = f"its photo's sidecar {in_the_cloud[0].name} is {in_the_cloud[1]}"
    if not held:
        return plan
    return [replace(item, before=KeywordFields(), after=KeywordFields(), note=None, problem=held[item.photo_id])
            if item.photo_id in held and item.changes_anything else item for item in plan]

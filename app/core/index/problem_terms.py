"""The `is:` terms of the problems the index keeps (the errors table: the Problems panel's
rows and `stats --errors`), so a photographer can find those photos, then `accept`,
`write` or `label` them by the same query: `is:damaged` (labelled from a damaged picture),
`is:unreadable` (a file the scan could not read, or a picture `tag` could not decode),
`is:write-failed`, `is:undo-failed`, `is:teach-failed`, and `is:problem` for any of them.

A problem names its photo (photo_id) or, a scan's, only its file (path): the photo is the
one that file belongs to. The condition is one uncorrelated `p.id IN (…)`: SQLite builds
its list once a query and looks each photo up in it (no scan of the errors per photo).
"""

from __future__ import annotations

# is: value -> the stages (photo_index.ERROR_STAGES) it finds; None: every stage
PROBLEM_STAGES: dict[str, tuple[str, ...] | None] = {
    "problem": None,
    "damaged": ("damaged",),
    "unreadable": ("scan", "decode"),
    "write-failed": ("write",),
    "undo-failed": ("undo",),
    "teach-failed": ("teach",),
}


def problem_condition(value: str) -> tuple[str, list]:
    """The photos with a problem of this kind now (`value`: a key of PROBLEM_STAGES), as a
    condition on `photos p`: those the problem names, and those with a file it names."""
    stages = PROBLEM_STAGES[value]
    where, params = ("", []) if stages is None else (f" AND stage IN ({', '.join('?' * len(stages))})", list(stages))
    sql = (f"p.id IN (SELECT photo_id FROM errors WHERE photo_id IS NOT NULL{where} "
           f"UNION SELECT f.photo_id FROM errors e JOIN files f ON f.path = e.path "
           f"WHERE e.photo_id IS NULL{where.replace('stage', 'e.stage')})")
    return sql, params * 2

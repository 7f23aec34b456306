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


def problem_term(stage: str) -> str:
    """The is: term that finds a photo with a problem of this stage (errors.stage): what
    `stats --errors` and the Problems panel name beside a missing photo's row."""
    return next((f"is:{value}" for value, stages in PROBLEM_STAGES.items() if stages and stage in stages),
                "is:problem")


def missing_photo_note(stage: str) -> str:
    """What a problem row of a missing photo adds (`stats --errors`): a search leaves missing
    photos out unless is:missing is given, so its problem term alone finds nothing."""
    return f"(file missing: `is:missing {problem_term(stage)}` finds it)"


def asks_for_problems(text: str) -> bool:
    """Whether the query has a problem term (is:damaged …, alone or in an OR) and no
    is:missing: it leaves the missing photos with that problem out (the hint of `search`)."""
    from app.core.errors import QuerySyntaxError
    from app.core.index.query_parser import parse_query

    try:
        terms = parse_query(text).terms
    except QuerySyntaxError:
        return False
    flat = [t for item in terms for t in (item.terms if item.field == "any" else (item,))]
    if any(t.field == "is" and t.value == "missing" for t in flat):
        return False
    return any(t.field == "is" and t.value in PROBLEM_STAGES and not t.negated for t in flat)

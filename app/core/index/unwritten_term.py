"""`is:unwritten`: the photos whose files `write` would change now, read from the index
alone (a search reads no file), so a photographer sees what Write labels… would do
before doing it, and `write is:unwritten folder:Rome` writes just those.

What a photo's files carry, as the index knows it: the label of our newest write of
them that stands (its batch not undone, the write completed: one cut short by a kill
may not have reached the file, so the photo stays unwritten), else the keyword its
label was read back from at the scan (read_back_keywords), else nothing. A photo is
unwritten when
- its label is accepted and its files do not carry it (a "no landmark" carries nothing:
  unwritten only where a keyword of ours is to come out);
- its files carry a keyword of ours the user rejected for it (the label rejected, or
  another since rejected: `write` takes it out), or it is a "no landmark" suggestion now
  where a write of ours put a keyword (plan_targets.withdrawn_suggestion).
The rule follows plan.plan_writes without `--include-suggested`; a file changed outside
since our write (a keyword typed in Lightroom) is not known until `write --dry-run`
reads it. Compiled as SQL over a labels row `l`: a correlated condition for the row
walk, and one `p.id IN (…)` list for the indexed form (see search_plan)."""

from __future__ import annotations

UNWRITTEN = "unwritten"  # the is: value

# '' for "nothing of ours": our newest standing write's label ('' for "no landmark"),
# else the keyword read back, else ''
_CARRIED = (
    "coalesce((SELECT coalesce(json_extract(j.after, '$.label'), '') FROM write_journal j "
    "JOIN write_batches b ON b.id = j.batch_id WHERE j.photo_id = {l}photo_id AND b.undone_at IS NULL "
    "AND j.size_after IS NOT NULL ORDER BY j.id DESC LIMIT 1), "
    "(SELECT r.keyword FROM read_back_keywords r WHERE r.photo_id = {l}photo_id LIMIT 1), '')"
)


def _cases(l: str) -> tuple[str, str, str]:
    """The conditions on a labels row (`l`: its alias with the dot) of each state that
    can be unwritten: accepted, rejected, a "no landmark" suggestion."""
    carried = _CARRIED.format(l=l)
    return (
        f"{carried} IS NOT coalesce({l}label, '')",
        f"({carried} = {l}label OR EXISTS (SELECT 1 FROM rejections x WHERE x.photo_id = {l}photo_id "
        f"AND x.label = {carried}))",
        f"{l}label IS NULL AND {carried} != ''",
    )


def unwritten_on_label_row(l: str = "l.") -> str:
    """The condition on a labels row: NULL for no row (an unlabelled photo), which a
    negated term reads as false (query._row_condition's coalesce)."""
    accepted, rejected, withdrawn = _cases(l)
    return (f"(({l}state = 'accepted' AND {accepted}) OR ({l}state = 'rejected' AND {rejected}) OR "
            f"({l}state = 'suggested' AND {withdrawn}))")


def unwritten_condition() -> tuple[str, list]:
    """The photos with a label decision their files do not carry, as one uncorrelated
    `p.id IN (…)` on `photos p` (built once a query, as problem_terms' lists are): a
    branch per state, each reading only its labels through labels_by_state."""
    branches = zip(("accepted", "rejected", "suggested"), _cases("u."))
    return "p.id IN (" + " UNION ALL ".join(
        f"SELECT u.photo_id FROM labels u WHERE u.state = '{state}' AND {case}" for state, case in branches) + ")", []

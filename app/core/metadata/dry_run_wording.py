"""How a dry run lists a file's keywords: in full for the few a photo usually has,
summarised for a list so long (a sidecar holding thousands) that one line per file
would fill the terminal: a 1,000,000-keyword sidecar once printed one 74 MB line."""

from __future__ import annotations

SHOWN_KEYWORDS = 20  # a longer list shows its first ones, a count and its last


def listed(keywords: list[str] | None) -> str:
    """Keywords as a person reads them: "Petra", "Holiday" (or "none"); past
    SHOWN_KEYWORDS: the first ones, "… N more …" and the last (where a write adds ours)."""
    shown = [f'"{keyword.strip()}"' for keyword in keywords or [] if keyword.strip()]
    if len(shown) > SHOWN_KEYWORDS:
        hidden = len(shown) - SHOWN_KEYWORDS
        return ", ".join(shown[: SHOWN_KEYWORDS - 1]) + f", … {hidden:,} more …, {shown[-1]}"
    return ", ".join(shown) or "none"


def listed_change(before: list[str] | None, after: list[str] | None) -> str:
    """`"Holiday" -> "Holiday", "Petra"`; where either list is longer than SHOWN_KEYWORDS,
    how many there are and what comes in and goes out, which a shortened list may hide."""
    before, after = before or [], after or []
    if max(len(before), len(after)) <= SHOWN_KEYWORDS:
        return f"{listed(before)} -> {listed(after)}"
    had, has = set(before), set(after)
    added = [keyword for keyword in after if keyword not in had]
    removed = [keyword for keyword in before if keyword not in has]
    return f"{len(before):,} -> {len(after):,}: adds {listed(added)}, takes out {listed(removed)}"

"""How the app names a file Write labels… leaves alone (held: plan_stripped_hold): the core's
note quotes `landmark-tagger accept --release-held …` for a terminal, and the app's user
releases it with a key (A or L, which ask) or takes the label off with R."""

from __future__ import annotations

from app.core.library import display_name
from app.core.wording import counted


def why_held(label: str | None = None) -> str:
    """Why the file is left alone, in the words A and L's question uses."""
    written = f" of “{label}”" if label else ""
    return f"changed in another program since our write{written} (its XMP taken out, or an older copy put back)"


def held_problem_text(label: str | None) -> str:
    """The Write labels… dialog's Problem cell of a held file: why, and the keys that decide."""
    return (f"{why_held(label)}: left alone. "
            "Select it and press A or L to write it again, R to reject")


def held_detail_note(paths: list[str]) -> str:
    """The detail pane's line for a photo whose files Write labels… holds, so the user
    knows before writing."""
    named = display_name(paths[0]) if len(paths) == 1 else f"{len(paths)} of its files"
    return (f"Write labels leaves {named} alone: {why_held()}. "
            "A or L writes it again (they ask), R takes the label off")


def with_left_held(message: str, left_held: int) -> str:
    """`message` with the held files an A, L, T or rename left held named at its end, so the
    user does not expect Write labels… to put the new label into them (none: as it is)."""
    if not left_held:
        return message
    return (message.removesuffix(".") + f"; {counted(left_held, 'file')} changed in another program "
            "left alone by Write labels…")

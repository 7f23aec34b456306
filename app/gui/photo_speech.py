"""What a screen reader says for a photo of the grid or the review list.

A tile is painted, not built of widgets, so its picture, label, state mark and score
reach a screen reader only through the model's accessible roles: before, a "no
landmark" tile was read as an empty item and the others as their label alone.
"""

from __future__ import annotations

from app.core.library import display_name

STATE_WORDS = {"suggested": "suggested", "accepted": "accepted", "rejected": "rejected", "unlabelled": "not tagged"}


def percent_words(score: float) -> str:
    return f"{round(score * 100)} percent"


def has_best_guess(record) -> bool:
    """A "no landmark" photo whose score is a best guess's that fell short (PhotoIndex.best_guess
    names it); not a label, a photo not tagged, or a blank frame (score 0: no guess)."""
    return record.state != "unlabelled" and not record.label and bool(record.score)


def spoken_name(record) -> str:
    """ "Nikon_D60.jpg, no landmark, suggested": the file, its label, the label's state
    and how sure the model was; what the tile shows, in the order a reader needs it."""
    parts = [display_name(record.path) or "photo"]
    if record.state == "unlabelled":
        parts.append(STATE_WORDS["unlabelled"])
    else:
        parts.append(record.label or "no landmark")
        parts.append(STATE_WORDS.get(record.state, record.state))
        if record.label and record.score is not None:
            parts.append(f"{percent_words(record.score)} confidence")
    if record.missing:
        parts.append("file missing")
    return ", ".join(parts)


def spoken_description(record) -> str:
    """The rest of what the tile and the review row show: the best guess that fell short
    (for "no landmark"), a RAW file beside the photo, when and with what it was taken."""
    parts = []
    if record.state != "unlabelled" and not record.label and record.score is not None:
        parts.append(f"best guess {percent_words(record.score)}")
    if record.has_raw:
        parts.append("with a RAW file")
    when = (record.taken_at or "")[:16].replace("T", " ")
    if when:
        parts.append(f"taken {when}")
    if record.camera:
        parts.append(f"camera {record.camera}")
    return ", ".join(parts)

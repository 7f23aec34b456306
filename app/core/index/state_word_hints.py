"""A review state typed as plain words ("accepted", "unsure", "not written yet") is
searched as words of the photos' names, folders and labels, and finds nothing: a bare
"0 photos" read as "no accepted photos". After such a search found nothing, one line
says which term finds them. Never a refusal: a place may be called "Accepted"."""

from __future__ import annotations

from app.core.index.query_parser import plain_words
from app.core.index.search_text import label_key

UNSURE = "score<0.5 or state:suggested"
UNWRITTEN = "is:unwritten"  # the labels `write` has not yet put into the files (unwritten_term)

# the words a photographer says for a state (folded as label_key folds), longest first
STATE_WORDS: dict[tuple[str, ...], str] = {
    ("not", "written", "yet"): UNWRITTEN,
    ("not", "yet", "written"): UNWRITTEN,
    ("not", "written"): UNWRITTEN,
    ("not", "reviewed"): "state:suggested",
    ("to", "review"): "state:suggested",
    ("not", "tagged"): "state:unlabelled",
    ("not", "sure"): UNSURE,
    ("accepted",): "state:accepted",
    ("confirmed",): "state:accepted",
    ("approved",): "state:accepted",
    ("suggested",): "state:suggested",
    ("suggestion",): "state:suggested",
    ("suggestions",): "state:suggested",
    ("unreviewed",): "state:suggested",
    ("rejected",): "state:rejected",
    ("unlabelled",): "state:unlabelled",
    ("unlabeled",): "state:unlabelled",
    ("untagged",): "state:unlabelled",
    ("unsure",): UNSURE,
    ("doubtful",): UNSURE,
    ("uncertain",): UNSURE,
    ("unwritten",): UNWRITTEN,
    ("written",): "-is:unwritten",
}
LONGEST = max(len(words) for words in STATE_WORDS)


def state_word_hint(text: str) -> str | None:
    """The hint for a search of plain words that found nothing when some of them name a
    review state; None when none does, or the query holds other terms (those the user
    wrote as terms) or does not parse."""
    typed = plain_words(text)
    if typed is None:
        return None
    words = label_key(typed).split()
    for start in range(len(words)):
        for length in range(min(LONGEST, len(words) - start), 0, -1):
            typed = tuple(words[start:start + length])
            if typed in STATE_WORDS:
                return _hint(" ".join(typed), STATE_WORDS[typed])
    return None


def _hint(typed: str, instead: str) -> str:
    return f"“{typed}” is looked for in the photos' file, folder and landmark names, not their state: " \
           f"did you mean {instead}?"

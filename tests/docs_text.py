"""The user documentation's text, wherever a fact now lives.

The README is a short overview; the details moved to docs/guide/*.md. Tests that check a
documented fact read all of it, so moving a paragraph between the two never loses the check.
Tests of the README itself (the quick start commands) read README.md alone.
"""
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
GUIDE = REPO / "docs" / "guide"


def user_docs_text() -> str:
    """README.md and every docs/guide/*.md, joined by blank lines (in a stable order)."""
    parts = [README, *sorted(GUIDE.glob("*.md"))]
    return "\n\n".join(path.read_text(encoding="utf-8") for path in parts)

"""The README is an overview whose sections point to docs/guide/*.md, and a CLI message
points to a section there: a pointer to a file or section that is gone sends the user nowhere."""
from __future__ import annotations

import re

from app.core.metadata.hard_links import hard_links_words
from tests.docs_text import GUIDE, README, REPO


def _relative_links(markdown: str) -> list[str]:
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", markdown)
    return [link for link in links if "://" not in link]


def test_every_relative_link_of_the_readme_and_the_guide_names_a_file() -> None:
    for page in [README, *GUIDE.glob("*.md")]:
        for link in _relative_links(page.read_text(encoding="utf-8")):
            assert (page.parent / link).exists(), f"{page.relative_to(REPO)} links to {link}, which is not there"


def test_the_hard_link_note_names_a_section_that_exists() -> None:
    note = hard_links_words(["IMG_1.JPG"], dry_run=False)
    named = re.search(r'see "([^"]+)" in (\S+?)\)', note)
    assert named, note
    section, page = named.groups()
    assert f"### {section}\n" in (REPO / page).read_text(encoding="utf-8")

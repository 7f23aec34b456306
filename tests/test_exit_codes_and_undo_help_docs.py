"""The guide's exit-code table and the README's one-line list name the same codes, and
`undo --help` stays short, pointing to the guide pages that hold the details (t_newuser2-2)."""
from __future__ import annotations

import re

import pytest

from app.cli.main import main
from tests.docs_text import GUIDE, README, REPO


def _table_codes() -> set[int]:
    page = (GUIDE / "command-line.md").read_text(encoding="utf-8")
    section = page.split("## Exit codes\n", 1)[1].split("\n## ", 1)[0]
    return {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.M)}


def test_the_readme_lists_the_codes_of_the_guides_table() -> None:
    readme = " ".join(README.read_text(encoding="utf-8").split())
    line = readme.split("- Exit codes:", 1)[1].split(" - ", 1)[0]
    assert "docs/guide/command-line.md#exit-codes" in line
    named = {int(code) for code in re.findall(r"(?<![\w/.#-])(\d{1,3}) [a-z]", line)}
    assert named == _table_codes() == {0, 1, 2, 74, 75, 130, 141, 143}


def test_undo_help_is_short_and_names_the_guide_pages(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["undo", "--help"])
    description = capsys.readouterr().out.split("\n\n")[1]
    assert len(description.split()) < 100, description
    for page in re.findall(r"docs/guide/\S+\.md", description):
        assert (REPO / page).exists(), page
    assert "docs/guide/writing-labels.md" in description  # one word: never broken at its hyphen

"""Percentages read one way in every face of the app: "97%", as the tiles, the review list
and the detail pane's bars show a confidence, never "97 %" beside them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPACED_PERCENT = re.compile(r"(\d|\})\s%(?![(a-z])")  # "1 %" or "{x} %", not "%(prog)s" or "% d"


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def spaced_percents(path: Path) -> list[str]:
    """The string literals of `path` (f-strings joined, so "{x} %" counts; docstrings left
    out: they are prose for developers) that hold a number then " %"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
        else:
            continue
        if SPACED_PERCENT.search(text):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text.strip()[:80]}")
    return found


def test_no_text_the_user_sees_writes_a_percentage_with_a_space() -> None:
    """The detail pane said "keeps 1 % of its score" and `landmark-train places --help`
    "1 % of a landmark's score", under bars that read "97%"."""
    files = sorted((ROOT / "app").rglob("*.py")) + [ROOT / "training" / "cli.py"]  # the model card is docs' prose
    not_words = {ROOT / "app" / "core" / "index" / "search_text.py"}  # a LIKE pattern: "% {words} %"
    found = [hit for path in files if path not in not_words for hit in spaced_percents(path)]
    assert found == []


def test_the_far_note_says_1_percent_as_the_bars_do() -> None:
    pytest.importorskip("PySide6")
    from app.gui.detail_pane import far_note

    assert "so each keeps 1% of its score" in far_note(2, 3)

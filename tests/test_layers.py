"""The layering rules of STYLE.md: app/core never imports Qt; nothing imports
training or app.gui; model imports neither app nor training; training imports the app
only where TRAINING_MAY_IMPORT says."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


def starts_with_any(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("path", python_files("app/core"), ids=lambda p: str(p.relative_to(REPO)))
def test_core_has_no_qt_or_gui(path: Path) -> None:
    bad = {n for n in imported_modules(path) if starts_with_any(n, ("PySide6", "PyQt5", "PyQt6", "app.gui", "training"))}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", python_files("model"), ids=lambda p: str(p.relative_to(REPO)))
def test_model_imports_neither_app_nor_training(path: Path) -> None:
    bad = {n for n in imported_modules(path) if starts_with_any(n, ("app", "training", "PySide6"))}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize(
    "path",
    python_files("app") + python_files("model"),
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_nothing_imports_training(path: Path) -> None:
    assert not {n for n in imported_modules(path) if starts_with_any(n, ("training",))}


# The exceptions, all for `evaluate --data`: it takes the photo kinds the app's scan takes,
# skips the folders the scan skips, and decodes with the app's own decoder, so that its
# figures are what the app gets and the two cannot drift apart.
TRAINING_MAY_IMPORT = {
    "training/evaluate.py": {"app.core.decode"},
    "training/query_files.py": {"app.core.photo_names", "app.core.folder_paths"},
}


@pytest.mark.parametrize("path", python_files("training"), ids=lambda p: str(p.relative_to(REPO)))
def test_training_does_not_import_the_app(path: Path) -> None:
    allowed = TRAINING_MAY_IMPORT.get(path.relative_to(REPO).as_posix(), set())
    bad = {n for n in imported_modules(path) if starts_with_any(n, ("app",)) and n not in allowed}
    assert not bad, f"{path} imports {bad}"


def test_layer_check_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6 import QtCore\nimport app.gui.window\n")
    assert {"PySide6", "app.gui.window"} <= imported_modules(bad)

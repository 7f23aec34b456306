"""Issue 5's architecture rule: widget modules call app.core only — no SQL, no file
writing and no model code in app/gui (workers reach those through app.core)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parents[1] / "app" / "gui"
FORBIDDEN_IMPORTS = ("sqlite3", "sqlite_utils", "onnxruntime", "torch", "model.predictor", "model.network",
                     "piexif", "rawpy", "shutil")
FORBIDDEN_ATTRIBUTES = {"execute", "executemany", "conn", "write_bytes", "write_text", "unlink", "rename"}


def gui_modules() -> list[Path]:
    return sorted(GUI.glob("*.py"))


def violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        else:
            names = []
        found += [f"imports {n}" for n in names if any(n == f or n.startswith(f + ".") for f in FORBIDDEN_IMPORTS)]
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append(f"uses .{node.attr} (line {node.lineno})")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
            found.append(f"opens a file (line {node.lineno})")
    return found


@pytest.mark.parametrize("path", gui_modules(), ids=lambda p: p.name)
def test_gui_modules_leave_sql_files_and_models_to_the_core(path: Path) -> None:
    assert violations(path) == []


def test_the_check_catches_sql_in_a_widget(tmp_path: Path) -> None:
    bad = tmp_path / "bad_widget.py"
    bad.write_text("import sqlite3\ndef f(index):\n    index.conn.execute('DELETE FROM photos')\n    open('x', 'w')\n")
    assert len(violations(bad)) == 4

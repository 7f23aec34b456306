"""Each metadata module imports first, alone: a test file that starts with one of
them (tests/test_metadata_fields.py imports atomic first) must not fail at collection
on an import cycle that a whole-suite run, importing the index package first, hides
(atomic -> disk_problems -> app.core.index -> backup -> atomic)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Each module imported in an interpreter holding no app module yet, as a test file
# that imports it first sees it; one interpreter for all, cleared between them.
_IMPORT_EACH_FIRST = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [n for n in sys.modules if n == "app" or n.startswith("app.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as error:
        failed.append(f"{name}: {error}")
print("\\n".join(failed))
"""


def _modules_of(folder: str) -> list[str]:
    return sorted(".".join(path.relative_to(REPO).with_suffix("").parts)
                  for path in (REPO / folder).glob("*.py") if path.name != "__init__.py")


def test_every_metadata_module_and_the_index_backup_import_first() -> None:
    modules = [*_modules_of("app/core/metadata"), "app.core.index.backup", "app.core.index"]
    assert "app.core.metadata.atomic" in modules and "app.core.metadata.disk_problems" in modules
    done = subprocess.run([sys.executable, "-c", _IMPORT_EACH_FIRST, *modules], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""

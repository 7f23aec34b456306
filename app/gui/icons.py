"""The app's own SVG icons from assets/icons, loaded on demand."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon

from app.core.config import assets_dir


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """The icon assets/icons/<name>.svg (an empty icon when the file is missing)."""
    path = assets_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def icon_path(name: str) -> str:
    """The file path of an icon, for style sheets and QLabel pixmaps."""
    return str(assets_dir() / "icons" / f"{name}.svg")

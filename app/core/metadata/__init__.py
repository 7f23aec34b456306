"""Writing labels into photos: keyword fields in JPEGs (XMP, IPTC, EXIF) and XMP
sidecars for RAW and other formats, written atomically, verified and journalled.

Importing this package is cheap: the names below load their modules on first use.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "WriteOptions": "app.core.metadata.plan",
    "PlannedWrite": "app.core.metadata.plan",
    "plan_writes": "app.core.metadata.plan",
    "WriteSummary": "app.core.metadata.write_summary",
    "write_labels": "app.core.metadata.writer",
    "undo_last_write": "app.core.metadata.undo",
    "KeywordFields": "app.core.metadata.keywords",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

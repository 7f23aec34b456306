"""Which paths lie inside a folder, on the platform's separator ('/', or '\\' on
Windows): 'C:\\Photos' holds 'C:\\Photos\\2020' but not 'C:\\Photos-old'. As a plain
test, and as an index range for SQL, since a subtree is one range of sorted paths."""

from __future__ import annotations

import os


def is_within(path: str, folder: str, sep: str = os.sep) -> bool:
    """True for the folder itself and everything below it."""
    base = folder.rstrip(sep)
    return path in (folder, base) or path.startswith(base + sep)


def subtree_range(folder: str, sep: str = os.sep) -> tuple[str, str]:
    """(low, high) with `low <= p < high` exactly for the paths that start with
    folder + sep: the separator's successor bounds them ('0' after '/', ']' after '\\')."""
    base = folder.rstrip(sep)
    return base + sep, base + chr(ord(sep) + 1)


def native_separators(path: str) -> str:
    """A path typed with '/' on Windows, written with the platform's separator."""
    return path.replace(os.altsep, os.sep) if os.altsep else path

"""Pillow set up the same way wherever this app opens a photo.

- The content decides the format, not the name: a phone export or a transfer may save
  HEIC content under a .JPG name, as a web download saves a PNG. Pillow reads HEIC only
  once pillow-heif's opener is registered; registering it for .heic names alone made such
  a file unreadable, or readable when a real .heic had been read earlier in the process.
- Pillow warns (a UserWarning with its own source line and no file name) about damaged
  EXIF and MakerNote tags while it parses them, at open and at every later look at the
  EXIF; this app keeps what parses and reports real problems itself, per file.

Done on the first photo opened, not at import (pillow-heif takes a few milliseconds).
"""

from __future__ import annotations

import functools
import warnings


def set_up_pillow() -> None:
    """Call before opening a photo with Pillow: HEIC readable whatever the name, and
    Pillow's warnings about damaged metadata kept off the terminal.

    The warnings are silenced by a filter, not warnings.catch_warnings(): thumbnails are
    made on several threads, and catch_warnings swaps the process's filter list, which
    is not thread-safe. The filter is set again on every call (it replaces itself, so
    the list does not grow): whatever resets the filters (a test harness) cannot bring
    the warnings back."""
    _register_heif_opener()
    warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")


@functools.cache
def _register_heif_opener() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()

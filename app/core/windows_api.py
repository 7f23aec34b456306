"""The few kernel32 calls the app makes on Windows, typed once.

- ReplaceFileW: a rewritten photo takes its old file's place keeping what belongs to
  the file rather than its bytes (app.core.metadata.windows_replace).
- SetFileAttributesW: a rewritten photo stays Hidden or System (file_attributes).
- SetConsoleCtrlHandler: decode workers start ignoring Ctrl-C (decode_workers).

`kernel32()` is None on other systems, or where the DLL cannot be loaded; callers then
do what they do elsewhere. Tests replace `kernel32` and `last_error` with fakes to take
the Windows path on any system.
"""

from __future__ import annotations

import ctypes
import functools
import os


def kernel32():
    """kernel32.dll with the calls above typed, or None off Windows."""
    return _load_kernel32()


def last_error() -> int:
    """GetLastError of this thread's last kernel32 call (kept by ctypes)."""
    return ctypes.get_last_error()


@functools.cache
def _load_kernel32():
    if os.name != "nt":
        return None
    try:
        from ctypes import wintypes

        dll = ctypes.WinDLL("kernel32", use_last_error=True)
    except (AttributeError, ImportError, OSError, ValueError):  # a Python without ctypes' Windows half
        return None
    dll.ReplaceFileW.argtypes = (wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.DWORD,
                                 wintypes.LPVOID, wintypes.LPVOID)
    dll.ReplaceFileW.restype = wintypes.BOOL
    dll.SetFileAttributesW.argtypes = (wintypes.LPCWSTR, wintypes.DWORD)
    dll.SetFileAttributesW.restype = wintypes.BOOL
    dll.SetConsoleCtrlHandler.argtypes = (wintypes.LPVOID, wintypes.BOOL)
    dll.SetConsoleCtrlHandler.restype = wintypes.BOOL
    return dll

"""A cheap content fingerprint that recognises a file after a move or rename
without reading all of it: the size plus a hash of the first and last 64 KiB.

A JPEG also gets a picture print (app/core/picture_print.py), a hash of its image data
(whole or sampled) that a metadata edit leaves as it was; it is re-exported here for the scan."""

from __future__ import annotations

import hashlib
import os

from app.core.picture_print import picture_print  # noqa: F401  (the scan imports it from here)

CHUNK = 64 * 1024


def fingerprint_file(path: str | os.PathLike, size: int | None = None) -> str:
    """"<size hex>-<blake2b of head+tail>". Raises OSError when unreadable."""
    with open(path, "rb") as handle:
        if size is None:
            size = os.fstat(handle.fileno()).st_size
        return fingerprint_bytes(size, *_head_and_tail(handle, size))


def fingerprint_bytes(size: int, head: bytes, tail: bytes) -> str:
    digest = hashlib.blake2b(head, digest_size=16)
    digest.update(tail)
    return f"{size:x}-{digest.hexdigest()}"


def _head_and_tail(handle, size: int) -> tuple[bytes, bytes]:
    head = handle.read(CHUNK)
    if size <= CHUNK:
        return head, b""
    handle.seek(max(CHUNK, size - CHUNK))
    return head, handle.read(CHUNK)

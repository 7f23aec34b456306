"""Which source photo each cached image was made from, so that `prepare` reuses a
cached file only for the very photo it was made from.

A cache file's name comes from its key (class folder and file name), which another
source folder with the same names, or a photo replaced under the same name, shares:
reusing by name alone served the old pixels. Each entry therefore records the
source (path, or shard::member), the source's size and mtime_ns (for a tar member:
its shard's) and the cached file's size and CRC-32; a file is reused only when all
of them still hold, which also makes a missing, emptied or truncated cache file be made
again, and one damaged in place (zero-filled after a power cut, a bad sector, a flipped
bit: the size stays) too, so that `prepare` run again, as the training error advises,
rebuilds it rather than reusing it. Cached files are small JPEGs: reading their bytes
(no decoding) keeps reuse fast. An entry without a CRC (written before it was
recorded) counts as not held.

Stored as cache/sources.jsonl, one JSON object a line, later lines winning: lines are
appended as batches finish, so an interrupted `prepare` keeps what it did, and the
file is rewritten with only the current entries at the end. A cache without the file
(made before it existed) is made again once.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from pathlib import Path

from training.datasets import TAR_SEPARATOR

INDEX_NAME = "sources.jsonl"


def _fingerprint(path: Path) -> tuple[int, int] | None:
    """(size, CRC-32) of a cached file's bytes, or None when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return len(data), zlib.crc32(data)


class CacheIndex:
    """The source of every cached file under one `out` folder (keys: paths relative
    to `out`, as in the manifest's cache column)."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.path = self.out / "cache" / INDEX_NAME
        self.entries: dict[str, dict] = {}
        self._stamps: dict[str, tuple[int, int] | None] = {}
        self._pending: list[dict] = []
        try:
            lines = self.path.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
        except FileNotFoundError:
            lines = []
        for line in lines:
            try:
                entry = json.loads(line)
                self.entries[entry["cache"]] = entry
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill: that file is made again

    def stamp(self, source: str) -> tuple[int, int] | None:
        """(size, mtime_ns) of a source file, or of the tar shard holding it; None when
        it cannot be read. Taken once per run, before the file is read."""
        path = source.split(TAR_SEPARATOR, 1)[0]
        if path not in self._stamps:
            try:
                info = os.stat(path)
                self._stamps[path] = (info.st_size, info.st_mtime_ns)
            except OSError:
                self._stamps[path] = None
        return self._stamps[path]

    def holds(self, cache: str, source: str) -> bool:
        """True when `cache` exists, has the size and CRC-32 it was written with, and
        was made from `source` as it is now."""
        entry = self.entries.get(cache)
        stamp = self.stamp(source)
        if entry is None or stamp is None or entry.get("source") != source:
            return False
        if [entry.get("size"), entry.get("mtime_ns")] != list(stamp):
            return False
        if entry.get("bytes") is None or entry.get("crc32") is None:
            return False  # an entry from before the CRC was recorded: made again once
        try:
            if (self.out / cache).stat().st_size != entry["bytes"]:
                return False  # emptied or truncated: no need to read it
        except OSError:
            return False
        return _fingerprint(self.out / cache) == (entry["bytes"], entry["crc32"])

    def add(self, cache: str, source: str, written: tuple[int, int]) -> None:
        """Record that `cache` was just written from `source` (its stamp as taken before
        the read: a photo changed meanwhile is read again next time); `written`: the
        cached file's (size, CRC-32), as the worker that wrote it computed them."""
        stamp = self.stamp(source)
        if stamp is None:
            return
        entry = {
            "cache": cache, "source": source, "size": stamp[0], "mtime_ns": stamp[1],
            "bytes": written[0], "crc32": written[1],
        }
        self.entries[cache] = entry
        self._pending.append(entry)

    def move(self, old: str, new: str) -> None:
        """The cached file moved to another class folder (its class index changed)."""
        entry = self.entries.pop(old, None)
        if entry is not None:
            entry = {**entry, "cache": new}
            self.entries[new] = entry
            self._pending.append(entry)

    def flush(self) -> None:
        """Append the entries added since the last flush. Raises OSError (a line cut
        short by a full disk is skipped when read: that file is made again)."""
        if not self._pending:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8", errors="surrogateescape") as f:
            for entry in self._pending:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._pending.clear()

    def save(self, keep: set[str]) -> None:
        """Rewrite the index with the entries of `keep` only (atomically; a failed
        write leaves the old index and no .tmp). Raises OSError."""
        self._pending.clear()
        self.entries = {k: v for k, v in self.entries.items() if k in keep}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as f:
                for entry in self.entries.values():
                    f.write(json.dumps(entry, ensure_ascii=False) + "\n")
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise

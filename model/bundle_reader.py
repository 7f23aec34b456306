"""Reading a bundle's members (zip or folder) with bounded memory.

A bundle is a download: its zip headers may claim anything and a member may inflate a
thousandfold. So only the members bundle.json lists are read (an unlisted one is
refused before anything is decompressed, as docs/BUNDLE_FORMAT.md requires), each
member's size is checked against a cap before reading, and it is read in chunks that
stop at the cap whatever its header said.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO, Iterable

from model.errors import BundleError

_MiB = 1 << 20
# protobuf cannot hold an ONNX model over 2 GiB; the text members of a 200,000-class
# bundle stay far below 64 MiB.
MEMBER_SIZE_LIMITS = {"model.onnx": 2048 * _MiB, "gallery.npz": 2048 * _MiB}
OTHER_MEMBER_SIZE_LIMIT = 64 * _MiB
_CHUNK = 4 * _MiB


def member_size_limit(name: str) -> int:
    return MEMBER_SIZE_LIMITS.get(name, OTHER_MEMBER_SIZE_LIMIT)


class BundleMembers:
    """The members of one bundle file or folder, read on demand. Use as a context manager
    (it keeps a zip open). Raises BundleError for anything that is not a readable bundle."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._archive: zipfile.ZipFile | None = None
        self._sizes: dict[str, int] = {}
        if path.is_dir():
            try:  # hidden files (.DS_Store, editor swap files) are the desktop's, not the bundle's
                self._sizes = {child.name: child.stat().st_size for child in path.iterdir()
                               if child.is_file() and not child.name.startswith(".")}
            except OSError as error:
                raise BundleError(f"model bundle {path} cannot be read ({error}); check its permissions") from error
            return
        if not zipfile.is_zipfile(path):
            raise BundleError(f"model bundle {path} is not a zip file; it is corrupt or not a bundle")
        try:
            self._archive = zipfile.ZipFile(path)
            for info in self._archive.infolist():
                if info.is_dir():
                    continue
                if info.filename in self._sizes:
                    raise BundleError(f"model bundle {path} holds {info.filename} twice; it is corrupt, get it again")
                self._sizes[info.filename] = info.file_size
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            self.close()
            raise BundleError(f"model bundle {path} cannot be read ({error}); it is corrupt, get it again") from error
        except BundleError:
            self.close()
            raise

    def __enter__(self) -> "BundleMembers":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None

    def __contains__(self, name: str) -> bool:
        return name in self._sizes

    def refuse_unlisted(self, listed: Iterable[str]) -> None:
        """BundleError naming a member the manifest does not list: its content would be
        neither checked nor part of the bundle's id."""
        unlisted = sorted(set(self._sizes) - set(listed))
        if unlisted:
            raise BundleError(
                f"model bundle {self.path} holds {', '.join(unlisted)}, which bundle.json does not list; "
                "every member must be listed with its sha256 — remove it or re-export the bundle"
            )

    def read(self, name: str) -> bytes:
        """One member's bytes; BundleError when it is larger than a member may be."""
        limit = member_size_limit(name)
        if self._sizes[name] > limit:
            raise _too_large(self.path, name, self._sizes[name], limit)
        try:
            if self._archive is None:
                with open(self.path / name, "rb") as stream:
                    return self._read_bounded(name, stream, limit)
            with self._archive.open(name) as stream:
                return self._read_bounded(name, stream, limit)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:  # zlib: damaged deflate data
            raise BundleError(
                f"model bundle {self.path}: {name} cannot be read ({error}); it is corrupt, get it again"
            ) from error

    def _read_bounded(self, name: str, stream: BinaryIO, limit: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > limit:  # the header understated the size
                raise _too_large(self.path, name, total, limit)
            chunks.append(chunk)
        return b"".join(chunks)


def check_npz_sizes(path: Path, name: str, data: bytes) -> None:
    """BundleError when an .npz member (itself a zip) would inflate past the member's cap;
    numpy reads an array no further than its zip entry's declared size. Data that is
    no zip is left for numpy to refuse."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError):
        return
    limit = member_size_limit(name)
    if total > limit:
        raise _too_large(path, name, total, limit)


def _too_large(path: Path, name: str, size: int, limit: int) -> BundleError:
    return BundleError(
        f"model bundle {path}: {name} inflates to {size:,} bytes or more, over the {limit // _MiB:,} MiB "
        "a bundle member may hold; it is corrupt or not a landmark-tagger bundle"
    )

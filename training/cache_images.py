"""Resizing source photos into `prepare`'s cache, in worker processes: decode
(JPEG draft mode, EXIF orientation, 16-bit greyscale scaled rather than clipped), scale
the shorter side down to the cache size, and write each JPEG whole or not at all.

A photo that cannot be read is recorded with its reason and the batch goes on; a cache
file that cannot be written (a full disk, a read-only --out) stops the run with
OutputWriteError, as it is no fault of the photo.
"""

from __future__ import annotations

import contextlib
import io
import os
import tarfile
import zlib
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from model.process_limits import worker_processes_allowed
from training.datasets import TAR_SEPARATOR
from training.errors import OutputWriteError, writing

_BATCH = 64


def to_rgb(img):
    """An 8-bit RGB copy of a Pillow image. 16-bit greyscale (PNG, TIFF: modes I;16*,
    and I holding values above 255) is scaled by 255/65535; Pillow's own conversion
    clips it, which turns nearly every 16-bit photo white."""
    from PIL import Image

    if img.mode.startswith("I;16") or img.mode == "I":
        import numpy as np

        values = np.asarray(img)
        if img.mode == "I" and values.size and int(values.max()) <= 255 and int(values.min()) >= 0:
            grey = values.astype(np.uint8)
        else:
            grey = np.rint(values.astype(np.float64).clip(0, 65535) / 257.0).astype(np.uint8)
        img = Image.fromarray(grey, "L")
    return img.convert("RGB")


def resize_for_cache(data: bytes | Path, cache_size: int):
    """Decode (JPEG draft mode, EXIF orientation applied) and scale the shorter side
    down to `cache_size`; smaller images are kept as they are."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data) if isinstance(data, bytes) else data) as img:
        img.draft("RGB", (cache_size, cache_size))
        img = ImageOps.exif_transpose(img)
        img = to_rgb(img)
    width, height = img.size
    scale = cache_size / min(width, height)
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        img = img.resize(size, Image.Resampling.BILINEAR, reducing_gap=3.0)
    return img


def _save(img, dest: Path, quality: int) -> tuple[int, int]:
    """Write the cached JPEG; returns its (size, CRC-32) for the cache index, from the
    bytes written (the parent need not read the file back).

    Raises OutputWriteError when the file cannot be written (a full disk, a read-only
    --out): that stops `prepare`, as it is no fault of the photo. No .tmp is left."""
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=quality)
    data = buffer.getvalue()
    with writing(dest):
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_whole(dest, data)
    return len(data), zlib.crc32(data)


def write_whole(path: Path, data: bytes) -> None:
    """Write `path` through a .tmp file and a rename; on an OSError the .tmp is removed
    (a partial file would keep a full disk full) and the error raised."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def unreadable_reason(exc: Exception, size: int | None) -> str:
    """What is wrong with a photo that could not be resized, in words: Pillow's
    "cannot identify image file <_io.BytesIO object at 0x…>" names its own buffer."""
    from PIL import UnidentifiedImageError

    if size == 0:
        return "empty file (0 bytes)"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image (no format Pillow knows), or damaged beyond reading"
    return f"{type(exc).__name__}: {exc}"


def _file_size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


# What a worker returns: {source: error} for the ones that failed, {dest: (size,
# CRC-32)} of the cached files it wrote, and the write error that stopped it (the rest
# would fail alike; what it wrote before is kept) or None.
CacheBatchResult = tuple[dict[str, str], dict[str, tuple[int, int]], OutputWriteError | None]


def _cache_files(jobs: list[tuple[str, str]], cache_size: int, quality: int) -> CacheBatchResult:
    """Worker: resize plain files."""
    errors: dict[str, str] = {}
    written: dict[str, tuple[int, int]] = {}
    for source, dest in jobs:
        try:
            written[dest] = _save(resize_for_cache(Path(source), cache_size), Path(dest), quality)
        except OutputWriteError as exc:
            return errors, written, exc
        except Exception as exc:  # a bad photo is recorded and the job goes on
            errors[source] = unreadable_reason(exc, _file_size(Path(source)))
    return errors, written, None


def _cache_shard(shard: str, jobs: list[tuple[str, str]], cache_size: int, quality: int) -> CacheBatchResult:
    """Worker: read the wanted members of one tar shard in a single sequential pass."""
    wanted = {source.split(TAR_SEPARATOR, 1)[1]: (source, dest) for source, dest in jobs}
    errors: dict[str, str] = {}
    written: dict[str, tuple[int, int]] = {}
    try:
        with tarfile.open(shard) as tar:
            for member in tar:
                if member.name not in wanted:
                    continue
                source, dest = wanted.pop(member.name)
                try:
                    data = tar.extractfile(member).read()
                    written[dest] = _save(resize_for_cache(data, cache_size), Path(dest), quality)
                except OutputWriteError as exc:
                    return errors, written, exc
                except Exception as exc:
                    errors[source] = unreadable_reason(exc, member.size)
    except (OSError, tarfile.TarError) as exc:
        return {source: f"shard {shard}: {exc}" for source, _ in jobs}, {}, None
    for source, _ in wanted.values():
        errors[source] = "member not found in shard"
    return errors, written, None


def run_cache_jobs(
    jobs: list[tuple[str, str]], cache_size: int, quality: int, workers: int,
    progress: Callable[[int, int], None] | None,
    finished: Callable[[list[tuple[str, str]], CacheBatchResult], None] | None = None,
) -> dict[str, str]:
    """Resize `jobs` ((source, dest) pairs) in parallel; returns {source: error}.
    `finished(jobs, (errors, written, stopped_by))` is called in this process as each
    batch is done. Raises the OutputWriteError that stopped a batch, once the batches
    under way have finished (their files recorded too) and the others are cancelled."""
    by_shard: dict[str, list[tuple[str, str]]] = defaultdict(list)
    files: list[tuple[str, str]] = []
    for source, dest in jobs:
        if TAR_SEPARATOR in source:
            by_shard[source.split(TAR_SEPARATOR, 1)[0]].append((source, dest))
        else:
            files.append((source, dest))
    workers = worker_processes_allowed(workers or os.cpu_count() or 1)  # Windows: at most 61
    errors: dict[str, str] = {}
    done = 0
    total = len(jobs)
    tasks = [(_cache_shard, (shard, items, cache_size, quality)) for shard, items in by_shard.items()]
    tasks += [
        (_cache_files, (files[i : i + _BATCH], cache_size, quality)) for i in range(0, len(files), _BATCH)
    ]
    batches = [args[1] if fn is _cache_shard else args[0] for fn, args in tasks]

    def collect(batch: list[tuple[str, str]], result: CacheBatchResult) -> OutputWriteError | None:
        nonlocal done
        errors.update(result[0])
        done += len(batch)
        if finished:
            finished(batch, result)
        if progress:
            progress(done, total)
        return result[2]

    if workers <= 1:
        for batch, (fn, args) in zip(batches, tasks):
            stopped_by = collect(batch, fn(*args))
            if stopped_by is not None:
                raise stopped_by
        return errors
    stopped_by = None
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(fn, *args) for fn, args in tasks]
        try:
            for batch, future in zip(batches, futures):
                if stopped_by is None:
                    stopped_by = collect(batch, future.result())
                    if stopped_by is not None:  # the batches not started are not run
                        pool.shutdown(wait=True, cancel_futures=True)
                elif not future.cancelled():
                    collect(batch, future.result())  # one under way: what it wrote is kept
        except BaseException:  # ^C
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    if stopped_by is not None:
        raise stopped_by
    return errors

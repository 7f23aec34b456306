"""The one-time picture-print backfill after migration 42 (app/core/picture_backfill.py)
against a plain rescan of the same unchanged library, in the same run.

    .venv/bin/python benchmarks/picture_print_backfill.py               # 60 JPEGs, ~200 MB
    .venv/bin/python benchmarks/picture_print_backfill.py --files 200

The library (distinct camera-sized JPEGs, 2400x1600 to 4928x3264 at quality 90 with
noise below a flat sky, 1.5-6 MB each, with EXIF, 20 per folder) is generated under /tmp
once and kept (remove /tmp/bench-picture-backfill-N after use: it is big). The print reads
the image data whole up to 2 MiB, else ~270 KiB of samples throughout it, so the files
are camera-sized (most over 2 MiB of data). Each round: a rescan with the JPEGs unprinted and marked, as
migration 42 leaves an older index (the backfill), then a plain rescan (the baseline).
The page cache is warm for both (the CPU and syscall cost), or with --cold dropped for the
library's files before each scan where the system has posix_fadvise (Linux), so the disk's
reads count too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.scan_rescan import camera_exif  # noqa: E402


SIZES = ((2400, 1600), (3000, 2000), (4000, 2667), (4928, 3264))


def make_library(root: Path, files: int) -> None:
    marker = root / f".complete-{files}"
    if marker.exists():
        return
    import random

    from PIL import Image

    exif = camera_exif()
    for n in range(files):
        width, height = SIZES[n % len(SIZES)]
        top = height // 4
        ground = Image.frombytes("L", (width, height - top), random.Random(n).randbytes(width * (height - top)))
        picture = Image.new("L", (width, height), 250)
        picture.paste(ground.point(lambda v: 40 + v // 4), (0, top))
        folder = root / f"day-{n // 20:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        picture.convert("RGB").save(folder / f"DSC_{n:05d}.JPG", "JPEG", quality=90, exif=exif)
    marker.touch()


def drop_cache(root: Path, cold: bool) -> None:
    if not cold or not hasattr(os, "posix_fadvise"):
        return
    for path in root.rglob("*.JPG"):
        with open(path, "rb") as handle:
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="drop the files from the page cache before each scan")
    args = parser.parse_args()
    from app.core.index import PhotoIndex
    from app.core.scanner import scan

    root = Path(tempfile.gettempdir()) / f"bench-picture-backfill-{args.files}"
    make_library(root, args.files)
    backfill, rescan = [], []
    with tempfile.TemporaryDirectory() as db_dir, PhotoIndex.open(Path(db_dir) / "index.db") as index:
        scan(index, [root])
        for _ in range(args.rounds):
            with index.transaction() as conn:
                conn.execute("UPDATE files SET picture_print = NULL")
                conn.execute("INSERT OR IGNORE INTO photos_to_print (photo_id) SELECT photo_id FROM files")
            drop_cache(root, args.cold)
            started = time.perf_counter()
            summary = scan(index, [root])
            backfill.append(time.perf_counter() - started)
            assert summary.pictures_printed == args.files, summary.line()
            drop_cache(root, args.cold)
            started = time.perf_counter()
            scan(index, [root])
            rescan.append(time.perf_counter() - started)
    sizes = sorted(path.stat().st_size for path in root.rglob("*.JPG"))
    print(f"{args.files:,} JPEGs of {sizes[0] / 1e6:.1f}-{sizes[-1] / 1e6:.1f} MB, {args.rounds} rounds (median s): first scan after the upgrade (backfill) {statistics.median(backfill):.3f} "
          f"({', '.join(f'{s:.3f}' for s in backfill)}), plain rescan {statistics.median(rescan):.3f} "
          f"({', '.join(f'{s:.3f}' for s in rescan)}){' (cold cache)' if args.cold else ''}")


if __name__ == "__main__":
    main()

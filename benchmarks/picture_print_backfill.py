"""The one-time picture-print backfill after migration 42 (app/core/picture_backfill.py)
against a plain rescan of the same unchanged library, in the same run.

    .venv/bin/python benchmarks/picture_print_backfill.py               # 2,000 JPEGs
    .venv/bin/python benchmarks/picture_print_backfill.py --files 500

The library (distinct ~120 KB noise JPEGs with EXIF, 100 per folder) is generated under
/tmp once and kept. Each round: a rescan with the JPEGs unprinted and marked, as
migration 42 leaves an older index (the backfill), then a plain rescan (the baseline).
The page cache is warm for both: the figure is the CPU and syscall cost, not the disk's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def make_library(root: Path, files: int) -> None:
    marker = root / f".complete-{files}"
    if marker.exists():
        return
    import piexif
    from PIL import Image

    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"NIKON CORPORATION", piexif.ImageIFD.Model: b"NIKON D850"},
                        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2019:07:14 10:00:00"}})
    for n in range(files):
        folder = root / f"day-{n // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        Image.effect_noise((320, 240), 40 + n % 50).convert("RGB").save(
            folder / f"DSC_{n:05d}.JPG", "JPEG", quality=95, exif=exif)
    marker.touch()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
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
            started = time.perf_counter()
            summary = scan(index, [root])
            backfill.append(time.perf_counter() - started)
            assert summary.pictures_printed == args.files, summary.line()
            started = time.perf_counter()
            scan(index, [root])
            rescan.append(time.perf_counter() - started)
    print(f"{args.files:,} JPEGs, {args.rounds} rounds (median s): backfill rescan {statistics.median(backfill):.2f} "
          f"({', '.join(f'{s:.2f}' for s in backfill)}), plain rescan {statistics.median(rescan):.2f} "
          f"({', '.join(f'{s:.2f}' for s in rescan)})")


if __name__ == "__main__":
    main()

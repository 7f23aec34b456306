"""How long `write` takes to plan when other software changed the photos since our
last write: N large JPEGs written by us, then given a keyword by "another program"
(their time kept, as exiftool -P does), then planned again (`write --dry-run`).
Baseline in the same run: the same N photos planned before the outside edit. Before
the journal recorded the size and fingerprint of what it wrote, every changed photo
was read whole and hashed at each plan, to see whether it was our own killed write.

    .venv/bin/python benchmarks/plan_after_outside_edits.py [--files 60]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def best_plan_time(db: Path, repeats: int = 3) -> tuple[float, int]:
    """Best of `repeats` plan_writes times, and how many photos the plan refuses."""
    from app.core.index import PhotoIndex
    from app.core.metadata import plan_writes

    best, refused = float("inf"), 0
    for _ in range(repeats):
        with PhotoIndex.open(db) as index:
            started = time.perf_counter()
            items = plan_writes(index)
            best = min(best, time.perf_counter() - started)
            refused = sum(1 for item in items if item.problem)
    return best, refused


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=60)
    args = parser.parse_args()
    import numpy as np
    from PIL import Image

    from app.core.index import PhotoIndex
    from app.core.metadata import plan_writes, write_labels
    from app.core.metadata.jpeg_fields import apply_fields, read_fields
    from tests.test_metadata_support import add_photo

    root = Path(tempfile.mkdtemp(prefix="plan-bench-"))
    try:
        noise = np.random.default_rng(0).integers(0, 255, (3000, 4000, 3), dtype=np.uint8)
        Image.fromarray(noise).save(root / "source.jpg", quality=95)  # noise: a large file
        db = root / "index.db"
        photos = [root / f"DSC_{i:04d}.JPG" for i in range(args.files)]
        with PhotoIndex.open(db) as index:
            for photo in photos:
                shutil.copy(root / "source.jpg", photo)
                add_photo(index, [photo], "Eiffel Tower")
            write_labels(index, plan_writes(index))
        unchanged, _ = best_plan_time(db)
        for photo in photos:
            data, stat = photo.read_bytes(), photo.stat()
            fields = read_fields(data)
            photo.write_bytes(apply_fields(data, replace(fields, subject=(fields.subject or []) + ["Holiday"])))
            os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        changed, refused = best_plan_time(db)
        size = photos[0].stat().st_size / 1e6
        print(f"{args.files} JPEGs of {size:.1f} MB, plan best of 3: {unchanged:.3f} s as written by us "
              f"(baseline), {changed:.3f} s after another program changed them ({refused} refused as changed)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

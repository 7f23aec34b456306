"""First scan vs. rescan of an unchanged library, and first-scan memory at two
library sizes (issue 2: rescan of 100,000 unchanged files < 5 s on 2 cores and
≥ 20x faster than the first scan; memory flat as the library grows).

    .venv/bin/python benchmarks/scan_rescan.py                  # 100,000 files
    .venv/bin/python benchmarks/scan_rescan.py --files 20000    # quick run

The library (small distinct JPEGs with EXIF, 100 per folder) is generated under
/tmp once and kept; each scan runs in a fresh process with a fresh index, so
its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_index_machine import load_average, machine_description  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FILES_PER_FOLDER = 100

SCAN_CHILD = """
import json, resource, sys, time
from pathlib import Path
from app.core.index import PhotoIndex
from app.core.scanner import scan
index = PhotoIndex.open(sys.argv[1])
started = time.perf_counter()
summary = scan(index, [Path(p) for p in sys.argv[2:]])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "summary": summary.to_json(),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def camera_exif() -> bytes:
    """The EXIF of the generated libraries' JPEGs: a camera and a date, as a scan reads them."""
    import piexif

    return piexif.dump({"0th": {piexif.ImageIFD.Make: b"NIKON CORPORATION", piexif.ImageIFD.Model: b"NIKON D850"},
                        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2019:07:14 10:00:00"}})


def make_library(root: Path, files: int) -> None:
    """Write `files` distinct small JPEGs (EXIF date and camera) unless present."""
    marker = root / f".complete-{files}"
    if marker.exists():
        return
    from PIL import Image

    exif = camera_exif()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 200)).save(buffer, "JPEG", exif=exif, quality=70)
    body = buffer.getvalue()
    head, tail = body[:-2], body[-2:]
    for n in range(files):
        folder = root / f"{2000 + n // 20000}" / f"day-{n // FILES_PER_FOLDER:05d}"
        if n % FILES_PER_FOLDER == 0:
            folder.mkdir(parents=True, exist_ok=True)
        # a COM-like tail before EOI makes every file's bytes (and fingerprint) distinct
        (folder / f"DSC_{n:06d}.JPG").write_bytes(head + b"\xff\xfe\x00\x08" + n.to_bytes(4, "big") + tail)
    marker.write_text("ok")


def run_scan(db: Path, roots: list[Path]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SCAN_CHILD, str(db), *map(str, roots)],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def fresh_db(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000, help="files in the big library")
    parser.add_argument("--root", type=Path, default=Path("/tmp/landmark-tagger-bench"), help="where libraries go")
    args = parser.parse_args()
    print(machine_description())

    small_files = max(FILES_PER_FOLDER, args.files // 2)
    big_root, small_root = args.root / f"library-{args.files}", args.root / f"library-{small_files}"
    started = time.perf_counter()
    make_library(big_root, args.files)
    make_library(small_root, small_files)
    print(f"libraries ready in {time.perf_counter() - started:.0f} s: {big_root}, {small_root}")

    small = run_scan(fresh_db(args.root / "scan-small.db"), [small_root])
    print(f"first scan of {small_files:,} files: {small['seconds']:.1f} s, peak RSS {small['peak_rss_mb']:.0f} MB "
          f"({small['summary']['new']:,} new, {small['summary']['errors']} errors)")
    db = fresh_db(args.root / "scan-big.db")
    first = run_scan(db, [big_root])
    print(f"first scan of {args.files:,} files: {first['seconds']:.1f} s, peak RSS {first['peak_rss_mb']:.0f} MB "
          f"({first['summary']['new']:,} new, {first['summary']['errors']} errors)")
    rescans = [run_scan(db, [big_root]) for _ in range(3)]
    best = min(r["seconds"] for r in rescans)
    for r in rescans:
        assert r["summary"]["new"] == r["summary"]["changed"] == r["summary"]["missing"] == 0, r
    speedup = first["seconds"] / best
    print(f"rescan of {args.files:,} unchanged files: best of 3 {best:.2f} s "
          f"(runs: {', '.join(format(r['seconds'], '.2f') for r in rescans)}), peak RSS {rescans[0]['peak_rss_mb']:.0f} MB")
    print(f"rescan target < 5 s: {'met' if best < 5 else 'NOT met'}; "
          f"speed-up over the first scan {speedup:.0f}x (target >= 20x: {'met' if speedup >= 20 else 'NOT met'})")
    growth = first["peak_rss_mb"] / small["peak_rss_mb"]
    print(f"first-scan peak RSS {small['peak_rss_mb']:.0f} MB at {small_files:,} files vs {first['peak_rss_mb']:.0f} MB "
          f"at {args.files:,} files: x{growth:.2f} for x{args.files / small_files:.0f} files")
    print(load_average())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

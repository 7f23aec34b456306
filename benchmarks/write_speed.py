"""How fast labels are written into JPEGs: N copies of one noisy ~3 MB JPEG with
camera-like EXIF, written as one batch through plan_writes/write_labels (atomic
replace, fsync, verification, journal). Prints files/s with the machine named,
and the same run with exiftool re-reading every file as an extra check, to show
what that costs. Goal: at least 50 files/s on 2 cores.

    .venv/bin/python benchmarks/write_speed.py [--files 1000] [--exiftool-files 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def make_source(path: Path) -> None:
    """One noisy 3 MB-ish JPEG (noise does not compress, as a camera's detail) with the
    camera-like EXIF and thumbnail of the tests' make_jpeg (whose own pixels are smooth
    blocks now, 1.3 MB at this size: a photo, for the tests that tag it)."""
    import numpy as np
    from PIL import Image

    from tests.test_metadata_support import make_jpeg

    make_jpeg(path, size=(2200, 1650), seed=7, quality=88)
    with Image.open(path) as image:
        exif = image.info["exif"]
    noise = np.random.default_rng(7).integers(0, 255, size=(1650, 2200, 3), dtype=np.uint8)
    Image.fromarray(noise).save(path, "JPEG", quality=88, exif=exif)


def build_library(folder: Path, count: int):
    from app.core.index import PhotoIndex
    from tests.test_metadata_support import add_photo

    source = folder / "source.jpg"
    make_source(source)
    index = PhotoIndex.open(folder / "index.db")
    for number in range(count):
        target = folder / f"IMG_{number:05d}.jpg"
        shutil.copyfile(source, target)
        add_photo(index, [target], "Château d'If" if number % 2 else "Notre-Dame de la Garde")
    return index, source.stat().st_size


def timed_write(index, exiftool_check: bool) -> tuple[float, int, int]:
    from app.core.metadata import plan_writes, write_labels

    started = time.perf_counter()
    plan = plan_writes(index)
    summary = write_labels(index, plan)
    if exiftool_check:
        # exiftool as an independent reader of every written file (one process, all files)
        paths = [str(item.target) for item in plan]
        subprocess.run(["exiftool", "-q", "-validate", "-warning", "-XPKeywords", "-Subject", *paths],
                       check=True, capture_output=True)
    return time.perf_counter() - started, summary.written, summary.failed


def baseline_copy_fsync(folder: Path, count: int, workers: int = 3) -> float:
    """The floor for any safe writer on this disk: read each file, write it to a temp
    file, fsync, rename (same threads as the writer, no metadata work)."""
    from concurrent.futures import ThreadPoolExecutor

    paths = sorted(folder.glob("IMG_*.jpg"))[:count]

    def copy(path: Path) -> None:
        stat = path.stat()
        data = path.read_bytes()
        temp = path.with_name(f".{path.name}.tmp")
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.utime(temp, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as the writer does
        os.replace(temp, path)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(copy, paths))
    return len(paths) / (time.perf_counter() - started)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{platform.node()} ({cpu}, {cores} cores usable, {platform.system()} {platform.release()})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--exiftool-files", type=int, default=100, help="files in the run checked by exiftool")
    parser.add_argument("--folder", type=Path, help="where to build the library (default: a temp folder)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="write-bench-", dir=args.folder))
    try:
        print(f"machine: {machine()}")
        runs = [("write + verify + journal", args.files, False)]
        if shutil.which("exiftool") and args.exiftool_files:
            runs.append(("same + exiftool re-read", args.exiftool_files, True))
        for name, count, check in runs:
            folder = root / name.split()[0] / str(check)
            folder.mkdir(parents=True)
            index, size = build_library(folder, count)
            if not check:
                floor = baseline_copy_fsync(folder, count)
                print(f"baseline (read, write temp, fsync, rename; no metadata work): {floor:.1f} files/s")
            elapsed, written, failed = timed_write(index, check)
            index.close()
            rate = written / elapsed if elapsed else float("inf")
            print(f"{name}: {written} JPEGs of {size / 1e6:.1f} MB in {elapsed:.1f} s = {rate:.1f} files/s "
                  f"({failed} failed; goal >= 50 files/s)")
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How long grid thumbnails of camera JPEGs take at each screen scale, and how many
come out smaller than the tile (an embedded picture stretched over it, blurred).

The GUI asks for the tile in device pixels: 160 at 100 %, 240 at 150 %, 320 at 200 %.
Three ways to make them, in the same run on the same files:
- before: an embedded EXIF thumbnail was used down to 60 % of the size asked, so a
  160-px one was stretched over a 240-px tile;
- decode: nothing smaller than the tile (95 %), else the photo decoded at 1/2-1/8 scale;
- now: the same, with a larger preview the camera embedded (MPF, Nikon MakerNote) tried
  before decoding.

    .venv/bin/python benchmarks/thumbnail_density.py [FOLDER ...] [--repeat 5]

Without a folder it reads ../shared/data/camera/jpeg and jpeg_gps.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402

from app.core import thumbnails  # noqa: E402

SIZES = (160, 240, 320)
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "camera"


@contextmanager
def way(name: str):
    """thumbnails.make_thumbnail as `name` made them."""
    enough, preview = thumbnails.EMBEDDED_ENOUGH, thumbnails._embedded_preview
    if name == "before":
        thumbnails.EMBEDDED_ENOUGH, thumbnails._embedded_preview = 0.6, lambda path, size: None
    elif name == "decode":
        thumbnails._embedded_preview = lambda path, size: None
    try:
        yield
    finally:
        thumbnails.EMBEDDED_ENOUGH, thumbnails._embedded_preview = enough, preview


def stretched(path: Path, made: Image.Image, size: int) -> bool:
    """Smaller than the tile although the photo is not: it is drawn enlarged."""
    with Image.open(path) as photo:
        wanted = min(size, max(photo.size))
    return max(made.size) < wanted * 0.95


def measure(files: list[Path], size: int, repeat: int) -> tuple[float, int]:
    """Milliseconds for all files (each its best of `repeat`) and how many came out stretched."""
    total, blurred = 0.0, 0
    for path in files:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            made = thumbnails.make_thumbnail(path, size)
            best = min(best, time.perf_counter() - start)
        total += best
        blurred += stretched(path, made, size)
    return total * 1000, blurred


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[SHARED / "jpeg", SHARED / "jpeg_gps"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = sorted(p for folder in args.folders for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))
    print(f"{len(files)} JPEGs; ms for all of them (best of {args.repeat} each), stretched thumbnails")
    print(f"{'size':>6} " + " ".join(f"{name:>20}" for name in ("before", "decode", "now")))
    for size in SIZES:
        cells = []
        for name in ("before", "decode", "now"):
            with way(name):
                ms, blurred = measure(files, size, args.repeat)
            cells.append(f"{ms:8.1f} ms {blurred:2d} blur")
        print(f"{size:>6} " + " ".join(f"{cell:>20}" for cell in cells))


if __name__ == "__main__":
    main()

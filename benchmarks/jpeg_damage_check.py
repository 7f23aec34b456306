"""What checking JPEG data for damage (app.core.jpeg_damage) costs when decoding for tag.

Decodes the camera JPEGs of ../shared/data/camera/jpeg/ (read in place, never copied
into the repository) with decode_for_model as `tag` does, with and without embedded
previews, two ways in one run, interleaved round by round: checked (simplejpeg in strict
mode decodes, as shipped) and unchecked (Pillow alone, as before the check). CPU
milliseconds per photo are printed: they barely move when other processes load the
machine.

    .venv/bin/python benchmarks/jpeg_damage_check.py [--rounds 5] [--min-side 256]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.decode import decode_for_model  # noqa: E402

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "camera" / "jpeg"


def cpu_ms_per_photo(paths: list[Path], min_side: int, use_previews: bool, checked: bool) -> float:
    patch = mock.patch.dict(sys.modules, {} if checked else {"simplejpeg": None})  # None: ImportError
    with patch:
        start = time.process_time()
        for path in paths:
            decode_for_model(path, min_side, use_previews=use_previews)
        return (time.process_time() - start) * 1000 / len(paths)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--min-side", type=int, default=256)
    args = parser.parse_args()
    paths = sorted(p for p in PHOTOS.glob("*") if p.suffix.lower() in (".jpg", ".jpeg"))
    if not paths:
        print(f"no camera JPEGs in {PHOTOS}", file=sys.stderr)
        return 1
    for use_previews in (True, False):
        figures = {True: [], False: []}
        for _ in range(args.rounds):
            for checked in (False, True):
                figures[checked].append(cpu_ms_per_photo(paths, args.min_side, use_previews, checked))
        best = {checked: min(values) for checked, values in figures.items()}
        print(f"{len(paths)} JPEGs, previews {'used' if use_previews else 'not used'}: "
              f"Pillow alone {best[False]:.1f} ms, checked {best[True]:.1f} ms CPU per photo "
              f"(best of {args.rounds}; {100 * (best[True] / best[False] - 1):+.0f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What a plain `tag` selects after a rescan of an unchanged, tagged library, and how
long the selection takes, for this tree and a baseline tree in the same run (review9
F3: the selection compares picture prints and dates too now; it must still select 0).

    rm -rf /tmp/head && mkdir /tmp/head && git archive HEAD | tar -x -C /tmp/head
    .venv/bin/python benchmarks/tag_selection_rescan.py --baseline /tmp/head [--files 5000]

The library (scan_rescan.make_library: small distinct JPEGs) is generated under /tmp
once and kept; each tree runs in a fresh process with a fresh index: scan, every photo
marked tagged (set_predictions, no decode), scan again, then select_photos over all
photos (best of 5).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scan_rescan import make_library  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
from pathlib import Path
from app.core.index import PhotoIndex
from app.core.scanner import scan
from app.core.tag_selection import select_photos
index = PhotoIndex.open(sys.argv[1])
scan(index, [Path(sys.argv[2])])
ids = [row[0] for row in index.conn.execute("SELECT id FROM photos WHERE missing = 0")]
for photo_id in ids:
    index.set_predictions(photo_id, "bench", [], 0.5)
rescan = scan(index, [Path(sys.argv[2])])
best = None
for _ in range(5):
    started = time.perf_counter()
    chosen = select_photos(index, ids, "bench")
    seconds = time.perf_counter() - started
    best = seconds if best is None else min(best, seconds)
print(json.dumps({"photos": len(ids), "rescan_changed": rescan.to_json().get("changed"),
                  "selected": len(chosen.jobs), "up_to_date": chosen.up_to_date, "select_s": round(best, 4)}))
"""


def measure(tree: Path, library: Path) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run([sys.executable, "-c", CHILD, str(Path(folder) / "index.db"), str(library)],
                                cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                                capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, required=True, help="a tree to compare with (git archive HEAD)")
    parser.add_argument("--files", type=int, default=5000, help="photos in the library")
    args = parser.parse_args()
    library = Path(tempfile.gettempdir()) / f"lt-bench-tag-selection-{args.files}"
    make_library(library, args.files)
    for name, tree in (("baseline", args.baseline), ("this tree", REPO)):
        print(f"{name:10} {json.dumps(measure(tree, library))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
